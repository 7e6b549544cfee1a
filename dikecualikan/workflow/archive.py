"""SOP step 3: softcopies, the hardcopy's place and custody, and archiving.

The only module of the workflow that imports the archive (arsip).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arsip import fixity, pdf_text, validation
from arsip.models import Custody, Location, Placement, Softcopy, SoftcopyVersion
from arsip.storage import HashingFile, sanitize_name, storage_failed_message

from ..models import Record, State
from ..roles import Role
from .mail import notify
from .steps import WorkflowError, check_step, lock_record, move, redaction_bar, required_text

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
        # The next step is the PPID's: the request to KPU, or the publication.
        notify(record, "archived", [Role.PPID])
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

    A public file (the exempt part blacked out): checked like a decision's PDF, refused
    when it is an original of the archive (the same SHA-256 as any softcopy), stored under
    a name of our own; an earlier copy stays in the storage, named in the history. The
    copy waits for the PPID's confirmation (confirm_redaction) before it is published.
    The returned record's `warnings` say what its text layer still shows, if anything.
    """
    check_decision_pdf(file, "file")
    digest = _sha256_of(file)
    text = pdf_text.text_of(file)
    with transaction.atomic():
        record = lock_record(record, None)
        step = check_step(record, by, "redact")
        _refuse_original(record, digest)
        warnings = redaction_warnings(record, text)
        earlier = record.redacted_copy.name
        record.redacted_copy.save(f"{uuid.uuid4().hex}.pdf", file, save=False)
        record.redacted_sha256, record.redacted_by = digest, by
        record.redaction_confirmed_by = record.redaction_confirmed_at = None
        try:
            details = {"sha256": digest, "warnings": len(warnings)}
            if earlier:
                details["earlier"] = earlier
            note = sanitize_name(getattr(file, "name", ""))
            fields = ("redacted_copy", *REDACTION_FIELDS)
            move(record, by, step, note=note, fields=fields, details=details)
        except BaseException:
            record.redacted_copy.storage.delete(record.redacted_copy.name)
            raise
    record.warnings = warnings
    return record


REDACTION_FIELDS = (
    "redacted_sha256",
    "redacted_by",
    "redaction_confirmed_by",
    "redaction_confirmed_at",
)


def _sha256_of(file) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def original_with(sha256: str) -> SoftcopyVersion | None:
    """Return a softcopy version (of any record) with this SHA-256, or None."""
    if not sha256:
        return None
    return SoftcopyVersion.objects.filter(sha256=sha256).select_related("softcopy").first()


def _refuse_original(record: Record, sha256: str) -> None:
    """A redacted copy that is an original discloses the exempt part itself (DOMAIN.md 4)."""
    if (same := original_with(sha256)) is None:
        return
    if same.softcopy.record_id == record.pk:
        message = _(
            "This file is the withheld original itself: it has the same SHA-256 as softcopy "
            "%(name)s (version %(number)s) of this record. A redacted copy is a different "
            "file, with the exempt part blacked out. Nothing was stored."
        ) % {"name": same.original_name, "number": same.number}
    else:
        message = _(
            "This file is a withheld original: it has the same SHA-256 as a softcopy of "
            "record #%(id)s in the archive. A redacted copy is a different file, with the "
            "exempt part blacked out. Nothing was stored."
        ) % {"id": same.softcopy.record_id}
    raise WorkflowError(message, {"file": message})


# Sixteen digits in a row, as a NIK (and a KK number) is written (UU 23/2006 Pasal 84-85).
NIK_LIKE = re.compile(r"(?<!\d)\d{16}(?!\d)")
# Words of a description of the withheld part that name no part of it.
COMMON_WORDS = frozenset(
    "dan atau yang dari untuk dengan pada dalam oleh serta para the and of "
    "kolom halaman bagian lampiran data berkas dokumen seluruh semua lengkap".split()
)


def redaction_warnings(record: Record, text: str | None) -> list[str]:
    """Return what the copy's text layer still shows of the withheld part (no refusal).

    The words the record names as withheld (its description of the withheld part, and
    its internal title, which may itself reveal it) and numbers shaped like a NIK. A
    heading may rightly stay; the person who confirms the copy judges.
    """
    if not text:
        return []
    words = set(re.findall(r"\w+", text.lower()))
    named = {
        w
        for w in re.findall(r"\w+", (record.withheld_part or "").lower())
        if len(w) >= 3 and not w.isdigit() and w not in COMMON_WORDS
    }
    warnings = []
    if found := sorted(named & words):
        warnings.append(
            _(
                "The redacted copy's text still contains words the record names as withheld: "
                "%(words)s. A heading may stay; check that what it labels is blacked out."
            )
            % {"words": ", ".join(found)}
        )
    title = " ".join(record.title.lower().split())
    if len(title) >= 8 and title in " ".join(text.lower().split()):
        warnings.append(_("The redacted copy's text contains the record's internal title."))
    if count := len(NIK_LIKE.findall(text)):
        warnings.append(
            _(
                "The redacted copy's text contains %(count)s numbers of 16 digits, shaped like "
                "a NIK or KK number: check that none is left readable."
            )
            % {"count": count}
        )
    return warnings


def confirm_redaction(*, record: Record, by, note: str = "", version: int | None = None) -> Record:
    """The PPID confirms the current redacted copy: looked at, and nothing exempt shows.

    Someone other than its uploader, and only of a copy that is no original (checked
    again: an original may have been archived since). Until then it is not published.
    """
    with transaction.atomic():
        record = lock_record(record, version)
        step = check_step(record, by, "confirm_redaction")
        if (bar := redaction_bar(record, by)) is not None:
            raise WorkflowError(bar)
        _refuse_original(record, record.redacted_sha256)
        record.redaction_confirmed_by, record.redaction_confirmed_at = by, timezone.now()
        details = {"sha256": record.redacted_sha256, "uploaded_by": record.redacted_by_id}
        fields = ("redaction_confirmed_by", "redaction_confirmed_at")
        move(record, by, step, note=note, fields=fields, details=details)
    return record
