"""Is a stored softcopy still what was uploaded? One answer for the archive step and verify_fixity.

A version's SHA-256 is kept twice: in its own row and in the history row of its
upload. A file is intact only when its bytes hash to both, so someone who changed
a file and its checksum row together is still found by the copy in the history.
"""

from dikecualikan.models import Action, Transition

from .models import FixityCheck, SoftcopyVersion
from .storage import sha256_of

Status = FixityCheck.Status


def recorded_copies(versions=None) -> dict[int, str]:
    """Return {version id: SHA-256 as its upload's history row recorded it}."""
    uploads = Transition.objects.filter(action=Action.UPLOAD, details__has_key="sha256")
    if versions is not None:
        uploads = uploads.filter(details__softcopy_version__in=[v.pk for v in versions])
    return {
        details["softcopy_version"]: details["sha256"]
        for details in uploads.values_list("details", flat=True)
    }


def status_of(version: SoftcopyVersion, copies: dict[int, str]) -> tuple[str, str]:
    """Return (status, actual SHA-256) of one stored version."""
    storage = version.file.storage
    if not storage.exists(version.file.name):
        return Status.MISSING, ""
    actual = sha256_of(storage, version.file.name)
    # Versions stored before the history kept a copy (migration 0008) have only their row.
    expected = {version.sha256, copies.get(version.pk, version.sha256)}
    return (Status.OK if expected == {actual} else Status.CHANGED), actual
