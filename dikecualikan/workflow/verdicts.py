"""SOP step 2, second half: the approvers' verdicts (approve, return, reject) and the quorum."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ..models import Approval, Record, Verdict
from ..roles import Role, approving_roles_of, required_approvals
from .mail import notify
from .steps import S, WorkflowError, check_step, lock_record, move

# Return and reject send the record somewhere the PPID must act: they say why.
NOTE_REQUIRED = frozenset({Verdict.RETURN, Verdict.REJECT})
STEP_OF = {Verdict.APPROVE: "approve", Verdict.RETURN: "return", Verdict.REJECT: "reject"}


def bar_message(bar: str):
    return {
        "involved": _(
            "You classified or submitted this record, so you cannot judge it: another "
            "member of your role must."
        ),
        "judged": _(
            "You have already given your verdict on this record in this round; a second "
            "one is not counted."
        ),
    }[bar]


def _judge(
    record: Record, by, verdict: str, note: str, role: str | None, version: int | None
) -> Record:
    if verdict in NOTE_REQUIRED and not (note or "").strip():
        raise WorkflowError(
            _("Write a note saying why, so the PPID knows what to do next."),
            {"note": _("A note is required to return or reject.")},
        )
    with transaction.atomic():
        record = lock_record(record, version)
        step = check_step(record, by, STEP_OF[verdict])
        if (bar := record.verdict_bar(by)) is not None:
            raise WorkflowError(bar_message(bar))
        counts = _approvals_so_far(record)
        role = _judging_role(by, role, counts)
        _write_verdict(record, by, role, verdict, note.strip())
        if verdict == Verdict.APPROVE:
            counts[role] = counts.get(role, 0) + 1
            done = all(counts.get(r, 0) >= n for r, n in required_approvals().items())
            target = S.APPROVED if done else S.AWAITING_APPROVAL
            # Another role's verdict, given at the same moment, must still count: until the
            # last approval the record stays as every approver read it.
            move(record, by, step, note=note.strip(), target=target, changes_record=done)
            if done:
                notify(record, "approved", [Role.DESK, Role.PPID])
        else:
            move(record, by, step, note=note.strip())
            notify(record, "returned" if verdict == Verdict.RETURN else "rejected", [Role.PPID])
    return record


def _approvals_so_far(record: Record) -> dict[str, int]:
    """Return {role: approvals given} in the record's current round."""
    approvals = Approval.objects.filter(record=record, round=record.round, verdict=Verdict.APPROVE)
    return dict(approvals.values_list("role").annotate(n=Count("id")))


def _judging_role(by, role: str | None, counts: dict[str, int]) -> str:
    """Return the role the verdict counts in: the one asked for, or where it is still needed."""
    mine = approving_roles_of(by)
    if role is None:
        quorum = required_approvals()
        return next((r for r in mine if counts.get(r, 0) < quorum[r]), mine[0])
    if role not in mine:
        raise WorkflowError(_("You do not hold the role %(role)s.") % {"role": Role(role).label})
    return role


def _write_verdict(record: Record, by, role: str, verdict: str, note: str) -> Approval:
    try:
        with transaction.atomic():
            return Approval.objects.create(
                record=record,
                round=record.round,
                role=role,
                user=by,
                verdict=verdict,
                note=note,
                classification=record.classifications.filter(round=record.round).first(),
            )
    except IntegrityError:  # the unique constraint, should a second click slip through
        raise WorkflowError(bar_message("judged")) from None


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
