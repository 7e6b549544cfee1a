"""SOP step 3: softcopies, the hardcopy's place and custody, and archiving.

The only module of the workflow that imports the archive (arsip).
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arsip import fixity, validation
from arsip.models import Custody, Location, Placement, Softcopy, SoftcopyVersion
from arsip.storage import HashingFile, sanitize_name, storage_failed_message

from ..models import Record, State
from .steps import WorkflowError, check_step, lock_record, move, required_text

logger = logging.getLogger(__name__)


def upload_softcopy(
    *, record: Record, by, file, softcopy: Softcopy | None = None
) -> SoftcopyVersion:
    """Store a checked file in the private storage with its SHA-256, computed while it streams.

    Without `softcopy` this adds a new softcopy (until the record is archived); with
    it, a new version of that softcopy (also later). No version is ever deleted.
    """
    with transaction.atomic():
        record = lock_record(record, None)
        step = check_step(record, by, "upload" if softcopy is None else "upload_version")
        if softcopy is not None and softcopy.record_id != record.pk:
            raise WorkflowError(_("That softcopy belongs to another record."))
        content_type = _checked_type(file)
        version = SoftcopyVersion(
            softcopy=softcopy or Softcopy.objects.create(record=record),
            uploaded_by=by,
            original_name=sanitize_name(getattr(file, "name", "")),
            content_type=content_type,
        )
        version.number = version.softcopy.versions.count() + 1
        hashing = _store(record, version, file)
        # If the rows cannot be written, the stored file must not stay behind untracked.
        try:
            version.sha256, version.size = hashing.sha256, hashing.bytes_read
            _refuse_duplicate(record, version)
            version.save()
            move(
                record,
                by,
                step,
                note=f"{version.original_name} (v{version.number}, SHA-256 {version.sha256})",
                # A second copy of the checksum, outside the version's own row: verify_fixity
                # compares both, so a file changed together with its row is still found.
                details={"softcopy_version": version.pk, "sha256": version.sha256},
            )
        except BaseException:
            version.file.storage.delete(version.file.name)
            raise
    return version


def _checked_type(file) -> str:
    """Return the detected type of an acceptable file; a refusal names the file field."""
    try:
        return validation.check(file)
    except validation.Refused as refusal:
        raise WorkflowError(str(refusal), {"file": str(refusal)}) from None


def _store(record: Record, version: SoftcopyVersion, file) -> HashingFile:
    """Write the file to the private storage, hashing it as it streams."""
    hashing = HashingFile(file)
    try:
        version.file.save("softcopy", hashing, save=False)
    except OSError:
        logger.exception("The private storage refused a softcopy of record %s", record.pk)
        message = storage_failed_message()
        raise WorkflowError(message, {"file": message}) from None
    return hashing


def _refuse_duplicate(record: Record, version: SoftcopyVersion) -> None:
    """Refuse a file this record already holds (two uploads of one file at the same moment)."""
    same = (
        SoftcopyVersion.objects.filter(softcopy__record=record, sha256=version.sha256)
        .select_related("softcopy")
        .first()
    )
    if same is not None:
        message = _(
            "This file is already stored for this record as %(name)s (version %(number)s, "
            "the same SHA-256); nothing new was stored."
        ) % {"name": same.original_name, "number": same.number}
        raise WorkflowError(message, {"file": message})


def place_hardcopy(
    *, record: Record, by, location: Location, box: str = "", folder: str = ""
) -> Placement:
    """Record where the original hardcopy is filed (a new row each time it moves)."""
    with transaction.atomic():
        record = lock_record(record, None)
        step = check_step(record, by, "place")
        placement = Placement.objects.create(
            record=record, location=location, box=box.strip(), folder=folder.strip(), placed_by=by
        )
        move(record, by, step, note=str(placement))
    return placement


def check_out_hardcopy(
    *, record: Record, by, holder: str, purpose: str, due_date: datetime.date
) -> Custody:
    """Record that a named person took the original hardcopy out, why and until when."""
    errors = required_text({"holder": holder, "purpose": purpose}, ["holder", "purpose"])
    if not due_date:
        errors["due_date"] = _("Give the date by which it comes back.")
    elif due_date < timezone.localdate():
        errors["due_date"] = _("The date it comes back cannot be in the past.")
    if errors:
        raise WorkflowError(_("Say who takes the hardcopy, why and until when."), errors)
    with transaction.atomic():
        record = lock_record(record, None)
        step = check_step(record, by, "check_out")
        custody = Custody.objects.create(
            record=record,
            holder=holder.strip(),
            purpose=purpose.strip(),
            due_date=due_date,
            checked_out_by=by,
        )
        move(record, by, step, note=f"{custody.holder}: {custody.purpose}")
    return custody


def check_in_hardcopy(*, record: Record, by, note: str = "") -> Custody:
    """Record that the hardcopy is back in its place."""
    with transaction.atomic():
        record = lock_record(record, None)
        step = check_step(record, by, "check_in")
        custody = record.custody.out().select_for_update().get()
        custody.checked_in_by, custody.checked_in_at = by, timezone.now()
        custody.save(update_fields=Custody.closing_fields)
        move(record, by, step, note=note or custody.holder)
    return custody


def _softcopy_verifies(record: Record) -> bool:
    latest = [s.latest_version for s in record.softcopies.all()]
    latest = [v for v in latest if v is not None]
    copies = fixity.recorded_copies(latest)
    for version in latest:
        try:
            if fixity.status_of(version, copies)[0] == fixity.Status.OK:
                return True
        except OSError:
            continue
    return False


def archive_needs(record: Record) -> list[tuple[str, bool]]:
    """What archiving needs, each with whether the record has it (the archive page's checklist).

    The same list refuses the step in archive(), so the page ticks exactly what is checked.
    """
    return [(label, has(record)) for label, _refusal, has in ARCHIVE_NEEDS]


ARCHIVE_NEEDS = [
    (
        _("A softcopy whose checksum verifies"),
        _(
            "Upload the softcopy first: an archived record needs at least one "
            "softcopy whose checksum verifies."
        ),
        _softcopy_verifies,
    ),
    (
        _("The place where the hardcopy is filed"),
        _("Record where the hardcopy is filed before archiving."),
        lambda record: record.placements.exists(),
    ),
]


def archive(*, record: Record, by, note: str = "", version: int | None = None) -> Record:
    """File an approved record: it needs a softcopy whose hash verifies and a hardcopy place."""
    with transaction.atomic():
        record = lock_record(record, version)
        step = check_step(record, by, "archive")
        for _label, refusal, has in ARCHIVE_NEEDS:
            if not has(record):
                raise WorkflowError(str(refusal))
        # Listed under a decision in force, the record has its decision: archived, it is
        # decided and waits only for publication.
        target = State.DECIDED if record.state == State.LISTED else None
        move(record, by, step, note=note, target=target)
    return record


def check_decision_pdf(pdf, field: str = "pdf") -> None:
    """A decision's PDF becomes a public file: refuse what the archive would refuse."""
    try:
        validation.check_size(pdf, settings.DECISION_MAX_UPLOAD_MB * 1024 * 1024)
        validation.check_pdf(pdf)
    except validation.Refused as refusal:
        raise WorkflowError(str(refusal), {field: str(refusal)}) from None
    finally:
        pdf.seek(0)


def upload_redacted_copy(*, record: Record, by, file) -> Record:
    """Store the redacted copy the public may read of a partially exempted record.

    A public file (the exempt part blacked out): checked like a decision's PDF, stored
    under a name of our own; an earlier copy stays in the storage, named in the history.
    """
    check_decision_pdf(file, "file")
    with transaction.atomic():
        record = lock_record(record, None)
        step = check_step(record, by, "redact")
        earlier = record.redacted_copy.name
        record.redacted_copy.save(f"{uuid.uuid4().hex}.pdf", file, save=False)
        try:
            details = {"earlier": earlier} if earlier else {}
            note = sanitize_name(getattr(file, "name", ""))
            move(record, by, step, note=note, fields=("redacted_copy",), details=details)
        except BaseException:
            record.redacted_copy.storage.delete(record.redacted_copy.name)
            raise
    return record
