"""SOP step 4, second half: publication on the public DIK, and opening.

Publishing a decision publishes the records it exempts and opens those it revokes;
an item listed later under a decision already published is published on its own.
Each publication or opening makes a new, immutable version of the DIK.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .. import office
from ..history import lock_chains
from ..models import (
    Decision,
    DecisionLog,
    DecisionPublication,
    Office,
    OpenReason,
    Outcome,
    Record,
    State,
    has_privacy_exceptions,
)
from ..roles import has_role
from ..workdays import review_window_end
from .archive import original_with
from .classify import dip_reference_error
from .mail import notify_decision
from .steps import (
    STEPS,
    WorkflowError,
    check_step,
    decision_unmet,
    latest_item,
    lock_record,
    move,
    move_many,
    role_names,
)
from .upward import reaches_every_office
from .versions import new_dik_version, new_dik_versions

logger = logging.getLogger(__name__)


def publish_decision(*, decision: Decision, by, note: str = "") -> Decision:
    """Publish a decision: its exempted records join the public DIK, its revoked ones leave."""
    step = STEPS["publish"]
    with transaction.atomic():
        lock_chains()
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        _check_publishable(decision, by)
        records, revoked = _exempt_records(decision, by), _revoked_records(decision)
        published = {"published_in": decision, "published_at": timezone.now()}
        # The search vector is computed in the same UPDATE: a second pass over 1,000
        # rows cost a quarter of the publication (docs/benchmarks.md).
        history = {"note": note, "instrument": str(decision)}
        vector = Record.objects.search_vector()
        move_many(records, by, step, values=published, computed=vector, **history)
        _open_revoked(revoked, decision, by, note)
        _published_here(decision, by, published["published_at"])
        DecisionLog.objects.create(decision=decision, kind=DecisionLog.Kind.PUBLISHED, actor=by)
        version_note = f"{decision.issuer} {decision.number}"
        new_dik_version(added=records, opened=revoked, decision=decision, note=version_note)
        notify_decision(decision)
        if reaches_every_office(decision):
            _revoke_in_every_office(decision, by, note)
    return decision


def _revoke_in_every_office(decision: Decision, by, note: str) -> None:
    """The deciding body's own revocation reaches every office concerned (a national decision
    binds every office): in whole, each office that published the decision it revokes; in
    part, each office whose items it names. Each office's items open on the revocation's
    date, with a DIK version of its own, and its people are mailed: all offices at once, in
    as many statements as for one (a hundred offices in one request: docs/benchmarks.md)."""
    here = office.current()
    with office.every_office():
        if decision.revokes_whole:
            concerned = DecisionPublication.objects.filter(decision=decision.revokes_id)
        else:
            concerned = Record.objects.filter(pk__in=decision.items.active().values("record"))
        done = DecisionPublication.objects.filter(decision=decision).values("office")
        places = Office.objects.filter(pk__in=concerned.values("office")).exclude(pk__in=done)
        places = list(places.exclude(pk=here.pk).order_by("pk"))
        if not places:
            return
        records = _revoked_records(decision, places)
        for zone in {place.time_zone for place in places}:  # the date's start in each zone
            with timezone.override(zone):
                zoned = [r for r in records if r.office.time_zone == zone]
                _open_revoked(zoned, decision, by, note)
        _published_here(decision, by, timezone.now(), places)
        opened = {place: ((), [r for r in records if r.office_id == place.pk]) for place in places}
        new_dik_versions(opened, decision=decision, note=f"{decision.issuer} {decision.number}")
        notify_decision(decision, places)


def publish_listed(*, record: Record, by, note: str = "", version: int | None = None) -> Record:
    """Publish an item listed under a decision already published: a new DIK version."""
    with transaction.atomic():
        record = lock_record(record, version)
        step = check_step(record, by, "publish_listed")
        _check_publishable_record(record)
        decision = latest_item(record).decision
        record.published_in, record.published_at = decision, timezone.now()
        fields = ("published_in", "published_at")
        move(record, by, step, note=note, instrument=str(decision), fields=fields)
        if not decision.is_published:  # the office's first item under it: on its list now
            _published_here(decision, by, record.published_at)
        Record.objects.filter(pk=record.pk).index_for_search()
        note = f"{decision.issuer} {decision.number}"
        new_dik_version(added=[record], decision=decision, note=note)
    return record


def _published_here(decision: Decision, by, at, places=None) -> None:
    """The acting office (or each of these offices) has published the decision for its list;
    the first office to do so dates it on the decision too (from then on it is corrected by
    no one)."""
    places = places or [office.acting_office()]
    DecisionPublication.objects.bulk_create(
        DecisionPublication(decision=decision, office=place, published_by=by, published_at=at)
        for place in places
    )
    if decision.published_at is None:
        decision.published_at, decision.published_by = at, by
        decision.save(update_fields=["published_at", "published_by"])


def _check_publishable(decision: Decision, by) -> None:
    step = STEPS["publish"]
    if not has_role(by, *step.roles):
        raise WorkflowError(
            _("Only %(roles)s may publish a decision.") % {"roles": role_names(step.roles)}
        )
    if (reason := decision_unmet(decision, "publish")) is not None:
        raise WorkflowError(reason)
    if not decision.revokes_whole and not _covers_any(decision):
        raise WorkflowError(_("Add the records this decision covers before publishing it."))
    if not decision.pdf:
        raise WorkflowError(_("Upload the decision's PDF before publishing it."))


def _covers_any(decision: Decision) -> bool:
    """Whether it covers an item: of this office, or of any office for a revocation its
    deciding body publishes at home (the items are the other offices')."""
    if reaches_every_office(decision):
        with office.every_office():
            return decision.items.active().exists()
    return decision.items.active().exists()


def _exempt_records(decision: Decision, by) -> list[Record]:
    """Return the records the decision exempts, locked, each checked for the publish step."""
    # Lock in primary-key order so that two publications cannot deadlock.
    items = decision.items.active().filter(outcome=Outcome.EXEMPT)
    # An item whose period a corrected date ended was opened at once (correct_decision).
    done = [State.PUBLISHED, State.OPENED]
    exempt = items.exclude(record__state__in=done).values_list("record", flat=True)
    lock_chains()
    records = list(Record.objects.select_for_update().filter(pk__in=exempt).order_by("pk"))
    for record in records:
        check_step(record, by, "publish")
        _check_publishable_record(record)
    return records


def _check_publishable_record(record: Record) -> None:
    """A partial exemption needs its open rest readable (DOMAIN.md section 4), and one whose
    period is over is never published as an exemption (UU 14/2008 Pasal 20)."""
    if record.is_partial:
        _check_redaction(record)
    if record.has_ended():
        raise WorkflowError(
            _(
                "The period of record #%(id)s ended on %(date)s: it cannot be published as "
                "exempted. Withdraw it from the decision; it is open information."
            )
            % {"id": record.pk, "date": date_format(record.ends_on, "j F Y")}
        )


def _check_redaction(record: Record) -> None:
    """The open rest is readable: a confirmed redacted copy that is no original, or a DIP
    reference that is one (DOMAIN.md section 4, "Redaction")."""
    reference_ok = record.dip_reference and dip_reference_error(record.dip_reference) is None
    if not (record.redacted_copy or reference_ok):
        raise WorkflowError(
            _(
                "Only a part of record #%(id)s is withheld: upload its redacted public copy, or "
                "say where the rest is public (a DIP number or address), before publishing it."
            )
            % {"id": record.pk}
        )
    if not record.redacted_copy:
        return
    if original_with(record.redacted_sha256) is not None:
        raise WorkflowError(
            _(
                "The redacted copy of record #%(id)s is a withheld original (the same SHA-256 "
                "as a softcopy in the archive): upload the redacted copy itself."
            )
            % {"id": record.pk}
        )
    if not record.redaction_confirmed:
        raise WorkflowError(
            _(
                "The redacted copy of record #%(id)s is not confirmed yet: the PPID (not the "
                "person who uploaded it) confirms it on the record's page before publication."
            )
            % {"id": record.pk}
        )


def _revoked_records(decision: Decision, places=None) -> list[Record]:
    """Return the published records this decision opens by revoking their decision, locked:
    the acting office's, or those of these offices (with their office)."""
    if decision.revokes_id is None:
        return []
    published = Record.objects.filter(state=State.PUBLISHED, published_in=decision.revokes_id)
    if not decision.revokes_whole:  # in part: the items it names
        named = decision.items.active().filter(outcome=Outcome.OPEN).values("record")
        published = published.filter(pk__in=named)
    if places is None:
        lock_chains()
    else:
        lock_chains(*(place.pk for place in places))
        published = published.filter(office__in=places).select_related("office")
    return list(published.select_for_update(of=("self",)).order_by("pk"))


def opened_at(day: datetime.date) -> datetime.datetime:
    """The moment an item opened by an instrument is open from: the start of the
    instrument's day in the office's time zone, not the day it was entered here."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _open_revoked(records, decision: Decision, by, note: str) -> None:
    """Open the records a published revocation names, as of its date set: one UPDATE and
    one insert of history rows for them all (KPU's revocation opens items in a hundred
    offices in one request: docs/benchmarks.md)."""
    values = {"opened_at": opened_at(decision.date_set), "opened_reason": OpenReason.REVOKED}
    history = {"reason": OpenReason.REVOKED, "instrument": str(decision)}
    move_many(records, by, STEPS["open"], note=note, values=values, **history)


def open_record(
    *, record: Record, by, reason: str, instrument: str, note: str = "", version: int | None = None
) -> Record:
    """Open a published record: its exemption ended (expiry, consent, objection, KI ruling)."""
    errors = {}
    if reason == OpenReason.REVOKED:
        errors["reason"] = _(
            "A revocation is a decision: enter the revoking decision, choose the items it "
            "opens, and publish it."
        )
    elif reason in (OpenReason.OBJECTION, OpenReason.KI_COURT):
        errors["reason"] = _(
            "An objection opens information only through its answer by the Atasan PPID, and a "
            "ruling only as recorded on its objection: record it there (Keberatan)."
        )
    elif reason not in OpenReason.values:
        errors["reason"] = _("Choose why the information is opened.")
    if not (instrument or "").strip():
        errors["instrument"] = _("Name the decision, letter or ruling that opens it.")
    if errors:
        raise WorkflowError(_("Say why the record is opened and by which instrument."), errors)
    with transaction.atomic():
        record = lock_record(record, version)
        step = check_step(record, by, "open")
        _check_reason(record, reason)
        record.opened_at, record.opened_reason = timezone.now(), reason
        move(
            record,
            by,
            step,
            note=note,
            reason=reason,
            instrument=instrument.strip(),
            fields=("opened_at", "opened_reason"),
        )
        new_dik_version(opened=[record], note=instrument.strip())
    return record


def _check_reason(record: Record, reason: str) -> None:
    if why_not := open_reasons(record).get(reason):
        message = _("This reason does not apply to this record now: %(why)s.") % {"why": why_not}
        raise WorkflowError(message, {"reason": message})


# The reasons the PPID gives by hand on the open form; an objection, a ruling and a
# revocation open through their own records.
OPEN_BY_HAND = (
    OpenReason.EXPIRED,
    OpenReason.DECLARED,
    OpenReason.CONSENT,
    OpenReason.PUBLIC_OFFICE,
)


def open_reasons(record: Record, today: datetime.date | None = None) -> dict:
    """Return {reason: None when it may be given for this record now, else why not}, for
    the reasons given by hand: "period ended" once it has; "declared early" only from the
    review queue; consent and a public office only for 17g and 17h (Pasal 18(2))."""
    today = today or timezone.localdate()
    codes = [ground.code for ground in record.grounds.all()]
    if record.has_ended(today):
        ended = None
    elif record.ends_on:
        ended = _("its period ends on %(date)s") % {"date": date_format(record.ends_on, "j F Y")}
    else:
        ended = _("its period has no end date")
    in_window = record.ends_on is not None and record.ends_on <= review_window_end(today)
    early = (
        None
        if in_window
        else _("only from the review queue, when the period ends within %(days)s working days")
        % {"days": settings.PPID_REVIEW_WORKING_DAYS}
    )
    personal = (
        None
        if has_privacy_exceptions(codes)
        else _(
            "only for personal information (grounds 17g and 17h, UU 14/2008 Pasal 18(2)); this "
            "record's grounds are %(codes)s"
        )
        % {"codes": ", ".join(codes) or "—"}
    )
    return {
        OpenReason.EXPIRED: ended,
        OpenReason.DECLARED: early,
        OpenReason.CONSENT: personal,
        OpenReason.PUBLIC_OFFICE: personal,
    }
