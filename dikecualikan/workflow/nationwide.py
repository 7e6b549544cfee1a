"""A revocation by a body that keeps its register here reaches every office's register.

A decision of KPU binds every office (DOMAIN.md section 6), so its revocation in part may
open items of any office: KPU's PPID names them from KPU's own page of the revocation
(open_in_offices), each item written in its office's register under that office's chain,
and publishing the revocation opens them there (publication.publish_decision). KPU reads
of another office's records what the public reads, and their office.

A body that does not use the register has its revocation typed in by each office, which
names its own items (decisions.record_decision).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import office
from ..history import lock_chains
from ..models import Decision, DecisionItem, Record, State
from ..roles import Role, has_role
from .decisions import write_revoked_items
from .steps import STEPS, WorkflowError, check_state, decision_unmet, move_many
from .upward import check_entered_here, names_in_offices

# What KPU reads of another office's record it may open: what the public reads.
SEEN = ("pk", "public_title", "office__name", "office__slug", "state", "published_in")

# A page of candidates: a decision of KPU may cover thousands of items; its PPID names
# them a page at a time (those named leave the list), and the page says when there are more.
REVOCABLE_SHOWN = 500


def revocable(decision: Decision) -> list[dict]:
    """The published items of the revoked decision, in every office, that this revocation
    in part does not name yet: the first REVOCABLE_SHOWN, by office."""
    if not names_in_offices(decision):
        return []
    with office.every_office():
        named = DecisionItem.objects.active().filter(decision=decision).values("record")
        records = Record.objects.filter(state=State.PUBLISHED, published_in=decision.revokes_id)
        records = records.exclude(pk__in=named).order_by("office__code", "pk")
        return list(records.values(*SEEN)[:REVOCABLE_SHOWN])


def named_in_offices(decision: Decision) -> list[dict]:
    """What the revocation names in every office: each record's public fields and office."""
    with office.every_office():
        named = DecisionItem.objects.active().filter(decision=decision).values("record")
        records = Record.objects.filter(pk__in=named).order_by("office__code", "pk")
        return list(records.values(*SEEN))


def open_in_offices(*, decision: Decision, records, by, note: str = "") -> list[DecisionItem]:
    """The deciding body names the published items of any office its revocation in part
    opens: each an item in its office's register; they open when it is published."""
    ids = sorted({getattr(record, "pk", record) for record in records})
    if not ids:
        message = _("Choose the items the revocation opens.")
        raise WorkflowError(message, {"records": message})
    with transaction.atomic():
        lock_chains()  # the deciding office's chain first, then the offices' in order
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        _check_names(decision, by)
        with office.every_office():
            records = _locked(ids)
            for record in records:
                check_state(record, "revoke_item")
            return write_revoked_items(decision, records, by, note)


def withdraw_in_offices(*, decision: Decision, records, by, note: str) -> int:
    """The deciding body withdraws items its revocation in part named by mistake, before it
    publishes it: each item stays in its office's register, marked withdrawn with the
    reason, and the record keeps its place on the office's list."""
    ids = sorted({getattr(record, "pk", record) for record in records})
    errors = {}
    if not ids:
        errors["records"] = _("Choose the items to withdraw.")
    if not str(note or "").strip():
        errors["note"] = _("Say why the item is withdrawn.")
    if errors:
        raise WorkflowError(_("Nothing is withdrawn yet: see the marked fields."), errors)
    with transaction.atomic():
        lock_chains()
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        _check_names(decision, by)
        with office.every_office():
            records = _locked(ids)
            for record in records:
                check_state(record, "withdraw")
            items = DecisionItem.objects.select_for_update().active().filter(decision=decision)
            items = list(items.filter(record__in=records))
            if len(items) != len(records):
                message = _("Some of the chosen items are not named by this revocation.")
                raise WorkflowError(message, {"records": message})
            for item in items:
                item.withdrawn_at, item.withdrawn_by = timezone.now(), by
                item.withdrawal_note = note.strip()
                item.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
            move_many(records, by, STEPS["withdraw"], note=note.strip(), instrument=str(decision))
    return len(ids)


def _locked(ids) -> list[Record]:
    """The chosen records of any office, each office's chain locked and the rows locked in
    one order; all of them, or a clear refusal (one no longer in the register)."""
    places = Record.objects.filter(pk__in=ids).values_list("office", flat=True).distinct()
    if places := list(places):
        lock_chains(*places)
    locked = Record.objects.select_for_update().filter(pk__in=ids).prefetch_related("grounds")
    records = list(locked.order_by("pk"))
    if len(records) != len(ids):
        message = _("Some of the chosen items are no longer in the register.")
        raise WorkflowError(message, {"records": message})
    return records


def _check_names(decision: Decision, by) -> None:
    if decision.revokes_id is None or decision.revokes_whole:
        raise WorkflowError(
            _(
                "Only a revocation in part names the items it opens; a revocation in whole "
                "opens every item of the decision it revokes."
            )
        )
    check_entered_here(decision)
    if not has_role(by, Role.PPID):
        raise WorkflowError(_("Only the PPID of the deciding body names the items it opens."))
    if (reason := decision_unmet(decision, "revoke_item")) is not None:
        raise WorkflowError(reason)
