"""The SOP as a state machine: the only code that changes a record's state.

    collected --classify--> classified --submit--> awaiting_approval --(all quorums)--> approved
        |                    ^    ^                    |        |
        +--classify----------+    +---classify---- returned <---+ return (note)
                                                       |
                                  awaiting_approval ---+--reject (note)--> rejected (open info)

    approved --archive--> archived --decide(exempt)--> decided --publish--> published
    archived, decided --decide(open)--> opened
    published --open(reason, instrument)--> opened

Each step is one keyword-only function below. It runs in a transaction, locks
the record row, checks the state and the actor's role against STEPS (written
once, as data), writes a Transition row, saves with `update_fields` and queues
mail with `on_commit`. A forbidden call raises WorkflowError, whose message
says what is wrong and what to do; nothing is written then.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from arsip import fixity, validation
from arsip.models import Custody, Location, Placement, Softcopy, SoftcopyVersion
from arsip.storage import HashingFile, sanitize_name, storage_failed_message

from .models import (
    Action,
    Approval,
    Decision,
    DecisionItem,
    DikChange,
    DikVersion,
    ExemptionGround,
    OpenReason,
    Outcome,
    PeriodType,
    Record,
    State,
    Transition,
    Verdict,
)
from .public import forget_dik_stamp, stored_dik_pdf
from .roles import Role, has_role, required_approvals, roles_of

logger = logging.getLogger(__name__)

S = State
APPROVERS = "approvers"  # stands for the roles named in settings.PPID_APPROVALS


@dataclass(frozen=True)
class Step:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the state does not change
    roles: frozenset[str] | str


def _step(action, sources, target, roles):
    return Step(
        action, frozenset(sources), target, roles if roles == APPROVERS else frozenset(roles)
    )


BEFORE_ARCHIVE = [S.COLLECTED, S.CLASSIFIED, S.AWAITING_APPROVAL, S.RETURNED, S.APPROVED]
AFTER_ARCHIVE = [S.ARCHIVED, S.DECIDED, S.PUBLISHED, S.OPENED]
STEPS: dict[str, Step] = {
    "collect": _step(Action.COLLECT, [], S.COLLECTED, [Role.DESK, Role.PPID]),
    "edit": _step(
        Action.EDIT, [S.COLLECTED, S.CLASSIFIED, S.RETURNED], None, [Role.DESK, Role.PPID]
    ),
    "classify": _step(
        Action.CLASSIFY, [S.COLLECTED, S.CLASSIFIED, S.RETURNED], S.CLASSIFIED, [Role.PPID]
    ),
    "submit": _step(Action.SUBMIT, [S.CLASSIFIED], S.AWAITING_APPROVAL, [Role.PPID]),
    "approve": _step(Action.APPROVE, [S.AWAITING_APPROVAL], S.APPROVED, APPROVERS),
    "return": _step(Action.RETURN, [S.AWAITING_APPROVAL], S.RETURNED, APPROVERS),
    "reject": _step(Action.REJECT, [S.AWAITING_APPROVAL], S.REJECTED, APPROVERS),
    "upload": _step(Action.UPLOAD, BEFORE_ARCHIVE, None, [Role.DESK, Role.PPID]),
    # After archiving, a softcopy may still be replaced by a new version (the old one stays).
    "upload_version": _step(
        Action.UPLOAD, [*BEFORE_ARCHIVE, *AFTER_ARCHIVE], None, [Role.DESK, Role.PPID]
    ),
    "place": _step(Action.PLACE, [*BEFORE_ARCHIVE, *AFTER_ARCHIVE], None, [Role.DESK, Role.PPID]),
    "check_out": _step(
        Action.CHECK_OUT, [*BEFORE_ARCHIVE, *AFTER_ARCHIVE], None, [Role.DESK, Role.PPID]
    ),
    "check_in": _step(
        Action.CHECK_IN, [*BEFORE_ARCHIVE, *AFTER_ARCHIVE], None, [Role.DESK, Role.PPID]
    ),
    "archive": _step(Action.ARCHIVE, [S.APPROVED], S.ARCHIVED, [Role.DESK, Role.PPID]),
    "decide_exempt": _step(Action.DECIDE, [S.ARCHIVED], S.DECIDED, [Role.PPID]),
    "decide_open": _step(Action.DECIDE, [S.ARCHIVED, S.DECIDED], S.OPENED, [Role.PPID]),
    "publish": _step(Action.PUBLISH, [S.DECIDED], S.PUBLISHED, [Role.PPID, Role.DESK]),
    "open": _step(Action.OPEN, [S.PUBLISHED], S.OPENED, [Role.PPID, Role.ATASAN]),
}


class WorkflowError(Exception):
    """A step that may not happen now. `message` says what is wrong and what to do.

    `field_errors` maps form field names to messages where the fault is in the data.
    """

    def __init__(self, message, field_errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}

    def __str__(self):
        return str(self.message)

    def add_to(self, form) -> None:
        """Show the refusal on a form: beside each field it names, or above the form."""
        for field, message in self.field_errors.items():
            form.add_error(field if field in form.fields else None, message)
        if not self.field_errors:
            form.add_error(None, self.message)


# --- Who may do what ------------------------------------------------------------------


def approving_roles_of(user) -> list[str]:
    """Return the roles in which this user may give verdicts, in settings order."""
    return [role for role in required_approvals() if role in roles_of(user)]


def _roles_for(step: Step) -> frozenset[str]:
    return frozenset(required_approvals()) if step.roles == APPROVERS else step.roles


def _role_names(roles) -> str:
    return ", ".join(str(Role(r).label) for r in sorted(roles))


def _state_names(states) -> str:
    return ", ".join(str(State(s).label) for s in sorted(states))


def _check(record: Record, user, name: str) -> Step:
    step = STEPS[name]
    if step.sources and record.state not in step.sources:
        raise WorkflowError(
            _(
                "This record is now “%(state)s”, so it cannot be “%(action)s”: that is possible "
                "only when it is %(allowed)s. Reload the page to see its current state."
            )
            % {
                "state": record.get_state_display(),
                "action": Action(step.action).label,
                "allowed": _state_names(step.sources),
            }
        )
    roles = _roles_for(step)
    if not has_role(user, *roles):
        raise WorkflowError(
            _(
                "Only %(roles)s may do this (“%(action)s”). Ask one of them, or ask the "
                "administrator for the role if it is yours."
            )
            % {"roles": _role_names(roles), "action": Action(step.action).label}
        )
    return step


def may(user, name: str) -> bool:
    """Return True when the user holds a role that may take the named step (in some state)."""
    return has_role(user, *_roles_for(STEPS[name]))


def waiting_states(user) -> set[str]:
    """Return the states in which this user has the next step that moves a record on.

    Verdicts are not here (see RecordQuerySet.awaiting_verdict_of), nor opening a
    published record, which waits on an outside event rather than on the office.
    """
    return {
        state
        for name, step in STEPS.items()
        if step.target
        and step.roles != APPROVERS
        and name != "open"
        and has_role(user, *step.roles)
        for state in step.sources
    }


def allowed_steps(record: Record, user) -> list[str]:
    """Return the names of the steps this user may take on this record now (for buttons)."""
    allowed = []
    for name, step in STEPS.items():
        if not step.sources or record.state not in step.sources:
            continue
        if not has_role(user, *_roles_for(step)):
            continue
        if step.roles == APPROVERS and _verdict_refusal(record, user) is not None:
            continue
        allowed.append(name)
    return allowed


def _lock(record: Record, version: int | None) -> Record:
    """Return the record re-read under a row lock; refuse a form opened before the last change."""
    locked = Record.objects.select_for_update().get(pk=record.pk)
    if version is not None and int(version) != locked.version:
        raise WorkflowError(
            _(
                "Someone changed this record after you opened the form. Nothing was saved: reload "
                "the page, check the changes and try again."
            )
        )
    return locked


def _move(
    record: Record,
    by,
    step: Step,
    *,
    note: str = "",
    target: str | None = None,
    fields: tuple[str, ...] = (),
    **history,
) -> Transition:
    """Write the history row and save the new state (or the same state, for in-place steps)."""
    from_state = record.state
    record.state = target or step.target or from_state
    record.version += 1
    record.save(update_fields=["state", "version", "updated_at", *fields])
    return Transition.objects.create(
        record=record,
        action=step.action,
        from_state=from_state,
        to_state=record.state,
        actor=by,
        note=note,
        round=record.round,
        **history,
    )


# --- Step 1: collect ------------------------------------------------------------------

RECORD_FIELDS = ("title", "public_title", "holding_unit", "document_type")


def _required_text(values: dict, names) -> dict:
    return {
        name: _("This field is required.")
        for name in names
        if not str(values.get(name) or "").strip()
    }


def collect(
    *, by, title: str, public_title: str, holding_unit: str, document_type: str, note: str = ""
) -> Record:
    """Enter an item already designated as exempted on the DIK form (SOP step 1)."""
    step = STEPS["collect"]
    if not has_role(by, *step.roles):
        raise WorkflowError(
            _("Only %(roles)s may collect records on the DIK form.")
            % {"roles": _role_names(step.roles)}
        )
    values = {
        "title": title,
        "public_title": public_title,
        "holding_unit": holding_unit,
        "document_type": document_type,
    }
    if errors := _required_text(values, RECORD_FIELDS):
        raise WorkflowError(_("Fill in every field of the DIK form."), errors)
    with transaction.atomic():
        record = Record.objects.create(created_by=by, **{k: v.strip() for k, v in values.items()})
        Transition.objects.create(
            record=record, action=Action.COLLECT, to_state=record.state, actor=by, note=note
        )
    return record


def edit(*, record: Record, by, version: int | None = None, note: str = "", **values) -> Record:
    """Correct the DIK fields of a record not yet submitted (or returned)."""
    unknown = set(values) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"edit() cannot change {sorted(unknown)}")
    if errors := _required_text(values, values.keys()):
        raise WorkflowError(_("Fill in every field of the DIK form."), errors)
    with transaction.atomic():
        record = _lock(record, version)
        step = _check(record, by, "edit")
        changed = [k for k, v in values.items() if getattr(record, k) != v.strip()]
        if not changed:
            return record
        for name in changed:
            setattr(record, name, values[name].strip())
        labels = ", ".join(str(Record._meta.get_field(n).verbose_name) for n in changed)
        _move(
            record,
            by,
            step,
            note=note or format_lazy("{}: {}", _("Changed"), labels),
            fields=tuple(changed),
        )
    return record


# --- Step 2: classify, submit, verdicts -------------------------------------------------

CLASSIFICATION_FIELDS = (
    "statutes",
    "harm",
    "public_interest",
    "balancing",
    "test_participants",
    "test_date",
    "period_type",
    "period_years",
    "period_until",
    "period_event",
)


def classification_errors(
    *,
    grounds,
    statutes="",
    harm="",
    public_interest="",
    balancing="",
    period_type="",
    period_years=None,
    period_until=None,
    period_event="",
    **_other,
) -> dict:
    """Return {field: message} for everything wrong with a classification (empty when valid)."""
    errors = _required_text(
        {
            "statutes": statutes,
            "harm": harm,
            "public_interest": public_interest,
            "balancing": balancing,
        },
        ["statutes", "harm", "public_interest", "balancing"],
    )
    if errors.keys() & {"harm", "public_interest", "balancing"}:
        errors.setdefault(
            "harm",
            _(
                "The consequence test (uji konsekuensi) is required: write the "
                "harm if opened, the public interest and the balancing."
            ),
        )
    grounds = list(grounds)
    if not grounds:
        errors["grounds"] = _("Choose at least one exemption ground of UU 14/2008 Pasal 17.")
    if period_type not in PeriodType.values:
        errors["period_type"] = _("Choose the exemption period.")
    elif period_type == PeriodType.FIXED:
        limits = [g.max_years for g in grounds if g.max_years]
        if not period_years or int(period_years) < 1:
            errors["period_years"] = _("Give the number of years (1 or more).")
        elif limits and int(period_years) > min(limits):
            errors["period_years"] = _("At most %(max)s years for these grounds.") % {
                "max": min(limits)
            }
    elif period_type == PeriodType.UNTIL_DATE:
        if not period_until:
            errors["period_until"] = _("Give the date on which the exemption ends.")
        elif period_until <= timezone.localdate():
            errors["period_until"] = _("The end date must be in the future.")
    elif period_type == PeriodType.UNTIL_EVENT and not str(period_event or "").strip():
        errors["period_event"] = _("Describe the event that ends the exemption.")
    elif period_type == PeriodType.INDEFINITE:
        finite = sorted(g.code for g in grounds if not g.allows_indefinite)
        if finite:
            errors["period_type"] = _(
                "Exemptions on grounds 17a-17f must end (UU 14/2008 Pasal 20); %(codes)s cannot "
                "be indefinite. Choose a number of years, a date or an event."
            ) % {"codes": ", ".join(finite)}
    return errors


def classify(
    *,
    record: Record,
    by,
    grounds,
    statutes: str,
    harm: str,
    public_interest: str,
    balancing: str,
    period_type: str,
    period_years: int | None = None,
    period_until: datetime.date | None = None,
    period_event: str = "",
    test_participants: str = "",
    test_date: datetime.date | None = None,
    note: str = "",
    version: int | None = None,
) -> Record:
    """Record the PPID's classification and consequence test (SOP step 2)."""
    values = {
        "statutes": statutes,
        "harm": harm,
        "public_interest": public_interest,
        "balancing": balancing,
        "period_type": period_type,
        "period_years": period_years,
        "period_until": period_until,
        "period_event": period_event,
        "test_participants": test_participants,
        "test_date": test_date,
    }
    grounds = list(ExemptionGround.objects.filter(pk__in=[getattr(g, "pk", g) for g in grounds]))
    with transaction.atomic():
        record = _lock(record, version)
        step = _check(record, by, "classify")
        if errors := classification_errors(grounds=grounds, **values):
            raise WorkflowError(
                _("The classification is incomplete: see the marked fields."), errors
            )
        # Keep only the value that belongs to the chosen kind of period.
        period_fields = {
            PeriodType.FIXED: "period_years",
            PeriodType.UNTIL_DATE: "period_until",
            PeriodType.UNTIL_EVENT: "period_event",
        }
        for name in ("period_years", "period_until", "period_event"):
            if period_fields.get(period_type) != name:
                values[name] = "" if name == "period_event" else None
        for name, value in values.items():
            setattr(record, name, value.strip() if isinstance(value, str) else value)
        record.grounds.set(grounds)
        _move(record, by, step, note=note, fields=CLASSIFICATION_FIELDS)
    return record


def submit(*, record: Record, by, note: str = "", version: int | None = None) -> Record:
    """Ask the Pembina PPID and the Tim Pertimbangan to approve; opens a new approval round."""
    with transaction.atomic():
        record = _lock(record, version)
        step = _check(record, by, "submit")
        record.round += 1
        _move(record, by, step, note=note, fields=("round",))
        _notify(record, "submitted", list(required_approvals()))
    return record


def _verdict_refusal(record: Record, user):
    """Return why this user may not judge this record in this round, or None."""
    involved = Transition.objects.filter(
        record=record, actor=user, action__in=[Action.CLASSIFY, Action.SUBMIT]
    ).exists()
    if involved:
        return _(
            "You classified or submitted this record, so you cannot judge it: another "
            "member of your role must."
        )
    if Approval.objects.filter(record=record, round=record.round, user=user).exists():
        return _(
            "You have already given your verdict on this record in this round; a second "
            "one is not counted."
        )
    return None


def _judge(
    record: Record, by, verdict: str, note: str, role: str | None, version: int | None
) -> Record:
    name = {Verdict.APPROVE: "approve", Verdict.RETURN: "return", Verdict.REJECT: "reject"}[verdict]
    if verdict != Verdict.APPROVE and not (note or "").strip():
        raise WorkflowError(
            _("Write a note saying why, so the PPID knows what to do next."),
            {"note": _("A note is required to return or reject.")},
        )
    with transaction.atomic():
        record = _lock(record, version)
        step = _check(record, by, name)
        if (refusal := _verdict_refusal(record, by)) is not None:
            raise WorkflowError(refusal)
        quorum = required_approvals()
        counts = dict(
            Approval.objects.filter(record=record, round=record.round, verdict=Verdict.APPROVE)
            .values_list("role")
            .annotate(n=Count("id"))
        )
        mine = approving_roles_of(by)
        if role is None:
            # Count the approval where it is still needed.
            role = next((r for r in mine if counts.get(r, 0) < quorum[r]), mine[0])
        elif role not in mine:
            raise WorkflowError(
                _("You do not hold the role %(role)s.") % {"role": Role(role).label}
            )
        try:
            with transaction.atomic():
                Approval.objects.create(
                    record=record,
                    round=record.round,
                    role=role,
                    user=by,
                    verdict=verdict,
                    note=note.strip(),
                )
        except IntegrityError:  # the unique constraint, should a second click slip through
            raise WorkflowError(
                _(
                    "You have already given your verdict on this record in this "
                    "round; a second one is not counted."
                )
            ) from None
        if verdict == Verdict.APPROVE:
            counts[role] = counts.get(role, 0) + 1
            done = all(counts.get(r, 0) >= n for r, n in quorum.items())
            _move(
                record,
                by,
                step,
                note=note.strip(),
                target=S.APPROVED if done else S.AWAITING_APPROVAL,
            )
            if done:
                _notify(record, "approved", [Role.DESK, Role.PPID])
        else:
            _move(record, by, step, note=note.strip())
            _notify(record, "returned" if verdict == Verdict.RETURN else "rejected", [Role.PPID])
    return record


def approve(
    *, record: Record, by, note: str = "", role: str | None = None, version: int | None = None
) -> Record:
    """Give an approval; the record is approved once every required role has its quorum."""
    return _judge(record, by, Verdict.APPROVE, note, role, version)


def return_for_revision(
    *, record: Record, by, note: str, role: str | None = None, version: int | None = None
) -> Record:
    """Send the record back to the PPID with a note; a new submission starts a new round."""
    return _judge(record, by, Verdict.RETURN, note, role, version)


def reject(
    *, record: Record, by, note: str, role: str | None = None, version: int | None = None
) -> Record:
    """Refuse the exemption: the information is not proposed and stays open."""
    return _judge(record, by, Verdict.REJECT, note, role, version)


# --- Step 3: archive ------------------------------------------------------------------


def upload_softcopy(
    *, record: Record, by, file, softcopy: Softcopy | None = None
) -> SoftcopyVersion:
    """Store a checked file in the private storage with its SHA-256, computed while it streams.

    Without `softcopy` this adds a new softcopy (until the record is archived); with
    it, a new version of that softcopy (also later). No version is ever deleted.
    """
    with transaction.atomic():
        record = _lock(record, None)
        step = _check(record, by, "upload" if softcopy is None else "upload_version")
        if softcopy is not None and softcopy.record_id != record.pk:
            raise WorkflowError(_("That softcopy belongs to another record."))
        try:
            content_type = validation.check(file)
        except validation.Refused as refusal:
            raise WorkflowError(str(refusal), {"file": str(refusal)}) from None
        if softcopy is None:
            softcopy = Softcopy.objects.create(record=record)
        hashing = HashingFile(file)
        version = SoftcopyVersion(
            softcopy=softcopy,
            number=softcopy.versions.count() + 1,
            uploaded_by=by,
            original_name=sanitize_name(getattr(file, "name", "")),
            content_type=content_type,
        )
        try:
            version.file.save("softcopy", hashing, save=False)
        except OSError:
            logger.exception("The private storage refused a softcopy of record %s", record.pk)
            message = storage_failed_message()
            raise WorkflowError(message, {"file": message}) from None
        # If the rows cannot be written, the stored file must not stay behind untracked.
        try:
            version.sha256, version.size = hashing.sha256, hashing.bytes_read
            _refuse_duplicate(record, version)
            version.save()
            _move(
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
        record = _lock(record, None)
        step = _check(record, by, "place")
        placement = Placement.objects.create(
            record=record, location=location, box=box.strip(), folder=folder.strip(), placed_by=by
        )
        _move(record, by, step, note=str(placement))
    return placement


def check_out_hardcopy(
    *, record: Record, by, holder: str, purpose: str, due_date: datetime.date
) -> Custody:
    """Record that a named person took the original hardcopy out, why and until when."""
    errors = _required_text({"holder": holder, "purpose": purpose}, ["holder", "purpose"])
    if not due_date:
        errors["due_date"] = _("Give the date by which it comes back.")
    elif due_date < timezone.localdate():
        errors["due_date"] = _("The date it comes back cannot be in the past.")
    if errors:
        raise WorkflowError(_("Say who takes the hardcopy, why and until when."), errors)
    with transaction.atomic():
        record = _lock(record, None)
        step = _check(record, by, "check_out")
        if not record.placements.exists():
            raise WorkflowError(_("Record where the hardcopy is filed before lending it out."))
        if (out := record.custody.out().first()) is not None:
            raise WorkflowError(
                _("The hardcopy is already out with %(holder)s; record its return first.")
                % {"holder": out.holder}
            )
        custody = Custody.objects.create(
            record=record,
            holder=holder.strip(),
            purpose=purpose.strip(),
            due_date=due_date,
            checked_out_by=by,
        )
        _move(record, by, step, note=f"{custody.holder}: {custody.purpose}")
    return custody


def check_in_hardcopy(*, record: Record, by, note: str = "") -> Custody:
    """Record that the hardcopy is back in its place."""
    with transaction.atomic():
        record = _lock(record, None)
        step = _check(record, by, "check_in")
        custody = record.custody.out().select_for_update().first()
        if custody is None:
            raise WorkflowError(_("The hardcopy is not out; there is nothing to return."))
        custody.checked_in_by, custody.checked_in_at = by, timezone.now()
        custody.save(update_fields=["checked_in_by", "checked_in_at"])
        _move(record, by, step, note=note or custody.holder)
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


def archive(*, record: Record, by, note: str = "", version: int | None = None) -> Record:
    """File an approved record: it needs a softcopy whose hash verifies and a hardcopy place."""
    with transaction.atomic():
        record = _lock(record, version)
        step = _check(record, by, "archive")
        if not _softcopy_verifies(record):
            raise WorkflowError(
                _(
                    "Upload the softcopy first: an archived record needs at least one "
                    "softcopy whose checksum verifies."
                )
            )
        if not record.placements.exists():
            raise WorkflowError(_("Record where the hardcopy is filed before archiving."))
        _move(record, by, step, note=note)
    return record


# --- Step 4: decisions and publication ------------------------------------------------


def create_decision(
    *, by, issuer: str, number: str, year: int, title: str, date_set: datetime.date, pdf=None
) -> Decision:
    """Enter a Keputusan on the list (issued by KPU RI or the body the rules name)."""
    if not may(by, "publish"):
        raise WorkflowError(
            _("Only %(roles)s may enter decisions.")
            % {"roles": _role_names(STEPS["publish"].roles)}
        )
    values = {"issuer": issuer, "number": number, "title": title}
    if errors := _required_text(values, values.keys()):
        raise WorkflowError(_("Fill in every field of the decision."), errors)
    if Decision.objects.filter(issuer=issuer.strip(), number=number.strip()).exists():
        raise WorkflowError(
            _("This decision is already in the register."),
            {"number": _("A decision with this issuer and number exists.")},
        )
    decision = Decision(
        issuer=issuer.strip(),
        number=number.strip(),
        year=year,
        title=title.strip(),
        date_set=date_set,
        created_by=by,
    )
    if pdf is not None:
        _check_decision_pdf(pdf)
        # A name of our own: the uploaded one may say anything, and it is served publicly.
        decision.pdf.save(f"{uuid.uuid4().hex}.pdf", pdf, save=False)
    decision.save()
    return decision


def _check_decision_pdf(pdf) -> None:
    """A decision's PDF becomes a public file: refuse what the archive would refuse."""
    try:
        validation.check_size(pdf, settings.DECISION_MAX_UPLOAD_MB * 1024 * 1024)
        validation.check_pdf(pdf)
    except validation.Refused as refusal:
        raise WorkflowError(str(refusal), {"pdf": str(refusal)}) from None
    finally:
        pdf.seek(0)


def record_decision(
    *,
    decision: Decision,
    record: Record,
    outcome: str,
    by,
    note: str = "",
    version: int | None = None,
) -> DecisionItem:
    """Record what a decision says of a record: exempt (decided) or open (opened)."""
    name = {Outcome.EXEMPT: "decide_exempt", Outcome.OPEN: "decide_open"}[Outcome(outcome)]
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.is_published:
            raise WorkflowError(
                _(
                    "This decision is already published and cannot take more "
                    "records; enter the later decision instead."
                )
            )
        record = _lock(record, version)
        step = _check(record, by, name)
        if decision.items.filter(record=record).exists():
            raise WorkflowError(_("This record is already in this decision."))
        item = DecisionItem.objects.create(
            decision=decision, record=record, outcome=outcome, added_by=by
        )
        _move(record, by, step, note=note, instrument=str(decision))
    return item


def publish_decision(*, decision: Decision, by, note: str = "") -> Decision:
    """Publish a decision: its exempted records join the public DIK (SOP step 4)."""
    step = STEPS["publish"]
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if not has_role(by, *step.roles):
            raise WorkflowError(
                _("Only %(roles)s may publish a decision.") % {"roles": _role_names(step.roles)}
            )
        if decision.is_published:
            raise WorkflowError(_("This decision was already published; nothing changed."))
        if not decision.items.exists():
            raise WorkflowError(_("Add the records this decision covers before publishing it."))
        if not decision.pdf:
            raise WorkflowError(_("Upload the decision's PDF before publishing it."))
        # Lock in primary-key order so that two publications cannot deadlock.
        exempt = decision.items.filter(outcome=Outcome.EXEMPT).values_list("record", flat=True)
        records = list(Record.objects.select_for_update().filter(pk__in=exempt).order_by("pk"))
        for record in records:
            _check(record, by, "publish")
        now = timezone.now()
        for record in records:
            record.published_in, record.published_at = decision, now
            _move(
                record,
                by,
                step,
                note=note,
                instrument=str(decision),
                fields=("published_in", "published_at"),
            )
        Record.objects.filter(pk__in=[r.pk for r in records]).index_for_search()
        decision.published_at, decision.published_by = now, by
        decision.save(update_fields=["published_at", "published_by"])
        _new_dik_version(
            records,
            DikChange.Kind.ADDED,
            decision=decision,
            note=f"{decision.issuer} {decision.number}",
        )
        _notify_decision(decision)
    return decision


def _new_dik_version(records, kind, **fields) -> DikVersion:
    """Add an immutable version of the public DIK recording what this step changed."""
    for attempt in range(3):
        last = DikVersion.objects.order_by("-number").values_list("number", flat=True).first()
        try:
            # Two publications at once pick the same number; the unique constraint makes the
            # second wait for the first and fail, and it takes the next number instead.
            with transaction.atomic():
                version = DikVersion.objects.create(number=(last or 0) + 1, **fields)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    DikChange.objects.bulk_create(DikChange(version=version, record=r, kind=kind) for r in records)
    transaction.on_commit(forget_dik_stamp)  # the public pages show the new version at once
    transaction.on_commit(lambda: _render_dik_pdf(version))
    return version


def _render_dik_pdf(version: DikVersion) -> None:
    """Render the new version's /dik.pdf now, so that no visitor waits for it.

    The publisher waits instead, once (about 2 s per 100 records, bench/README.md).
    The publication has committed by then: a failure here is logged, not raised, and the
    first request for the PDF renders it.
    """
    try:
        stored_dik_pdf(version)
    except Exception:
        logger.exception("The PDF of DIK version %s was not rendered", version.number)


def open_record(
    *, record: Record, by, reason: str, instrument: str, note: str = "", version: int | None = None
) -> Record:
    """Open a published record: its exemption ended (expiry, consent, objection, KI, revocation)."""
    errors = {}
    if reason not in OpenReason.values:
        errors["reason"] = _("Choose why the information is opened.")
    if not (instrument or "").strip():
        errors["instrument"] = _("Name the decision, letter or ruling that opens it.")
    if errors:
        raise WorkflowError(_("Say why the record is opened and by which instrument."), errors)
    with transaction.atomic():
        record = _lock(record, version)
        step = _check(record, by, "open")
        record.opened_at, record.opened_reason = timezone.now(), reason
        _move(
            record,
            by,
            step,
            note=note,
            reason=reason,
            instrument=instrument.strip(),
            fields=("opened_at", "opened_reason"),
        )
        _new_dik_version([record], DikChange.Kind.OPENED, note=instrument.strip())
    return record


# --- Mail -------------------------------------------------------------------------------


def _recipients(roles) -> list[str]:
    users = get_user_model().objects.filter(is_active=True, groups__name__in=list(roles))
    return sorted({u.email for u in users.exclude(email="")})


def _send_later(subject_template: str, context: dict, roles) -> None:
    """Queue one mail per recipient, sent only once the transaction has committed."""
    to = _recipients(roles)
    if not to:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, "site_url": settings.SITE_URL, "office": settings.PPID_OFFICE_NAME}
        subject = render_to_string(f"dikecualikan/email/{subject_template}_subject.txt", context)
        body = render_to_string(f"dikecualikan/email/{subject_template}.txt", context)
    messages = [(" ".join(subject.split()), body, None, [address]) for address in to]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


def _notify(record: Record, event: str, roles) -> None:
    _send_later(event, {"record": record}, roles)


def _notify_decision(decision: Decision) -> None:
    _send_later("published", {"decision": decision}, [Role.DESK, Role.PPID, Role.ATASAN])
