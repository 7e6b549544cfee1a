"""SOP step 4, first half: the request to KPU, the decisions, and what each says of a record.

Only KPU (or KPU Provinsi by delegation) decides. The office asks it (request_decision),
enters its decision (create_decision, correct_decision until it is published), and
records what the decision says of each record (record_decision), or lists a record
under a decision already in force (link_record). An item added by mistake is withdrawn
(withdraw_item), never deleted. Publication and opening are in publication.py.
"""

from __future__ import annotations

import datetime
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .. import office
from ..history import lock_chains
from ..models import (
    DECIDED_FIELDS,
    PERIOD_FIELDS,
    DecidingBody,
    Decision,
    DecisionItem,
    DecisionLog,
    ExemptionGround,
    Outcome,
    Record,
    State,
    decided_values,
    period_end,
)
from .archive import check_decision_pdf
from .classify import lacks_a_statute
from .periods import keep_period_value, period_errors
from .review import expire, register_user
from .steps import (
    STEPS,
    WorkflowError,
    check_step,
    decision_unmet,
    kept_by_its_body,
    latest_item,
    lock_record,
    may,
    move,
    move_many,
    required_text,
    role_names,
)
from .upward import letter_errors, through_office

# PKPU 22/2023 Pasal 25(1)-(2): a KPU Kota asks KPU through its KPU Provinsi.
DEFAULT_ADDRESSEE = "KPU Provinsi Kalimantan Barat, untuk diteruskan kepada KPU"


def request_decision(
    *,
    record: Record,
    by,
    letter_number: str,
    letter_date: datetime.date,
    addressee: str = DEFAULT_ADDRESSEE,
    note: str = "",
    version: int | None = None,
) -> Record:
    """Record the letter asking KPU, through KPU Provinsi, to test and decide (after step 3),
    where the KPU Provinsi does not use the register (else the request is sent in it)."""
    if through_office() is not None:
        raise WorkflowError(
            _(
                "This office's KPU Provinsi uses the register: send the request to it from "
                "the page Requests to KPU, where it forwards it."
            )
        )
    errors = letter_errors(letter_number, letter_date)
    if errors:
        raise WorkflowError(_("Give the number and the date of the request letter."), errors)
    with transaction.atomic():
        record = lock_record(record, version)
        step = check_step(record, by, "request")
        record.request_number = letter_number.strip()
        record.request_date = letter_date
        record.request_addressee = (addressee or DEFAULT_ADDRESSEE).strip()
        fields = ("request_number", "request_date", "request_addressee")
        instrument = f"{record.request_number}, {date_format(letter_date, 'j F Y')}"
        move(record, by, step, note=note, instrument=instrument, fields=fields)
    return record


# --- The decision itself -------------------------------------------------------------


def _check_may_enter(by) -> None:
    if not may(by, "enter_decision"):
        raise WorkflowError(
            _("Only %(roles)s may enter decisions.")
            % {"roles": role_names(STEPS["enter_decision"].roles)}
        )


def create_decision(*, by, pdf=None, **fields) -> Decision:
    """Enter a Keputusan, by a body that may decide (KPU, or KPU Provinsi by delegation).

    `fields` are Decision.FORM_FIELDS (body, number, year, title, date_set, place,
    signatory, revokes, revokes_whole).
    """
    _check_may_enter(by)
    fields = _decision_fields(fields)
    if errors := decision_errors(**fields):
        raise WorkflowError(_("The decision cannot be entered: see the marked fields."), errors)
    decision = Decision(
        **fields, issuer=fields["body"].name, created_by=by, entered_in=office.current()
    )
    if pdf is not None:
        check_decision_pdf(pdf)
    _save_once(decision, pdf)
    DecisionLog.objects.create(decision=decision, kind=DecisionLog.Kind.ENTERED, actor=by)
    return decision


def correct_decision(*, decision: Decision, by, pdf=None, **fields) -> Decision:
    """Correct a decision's fields or PDF before it is published; the log keeps old and new."""
    _check_may_enter(by)
    fields = _decision_fields(fields)
    if errors := decision_errors(**fields, decision=decision):
        raise WorkflowError(_("The decision cannot be corrected: see the marked fields."), errors)
    if pdf is not None:
        check_decision_pdf(pdf)
    with transaction.atomic():
        lock_chains()
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if (reason := decision_unmet(decision, "correct")) is not None:
            raise WorkflowError(reason)
        _check_items_allow(decision, fields["date_set"])
        changes = {
            name: [_loggable(getattr(decision, name)), _loggable(value)]
            for name, value in fields.items()
            if getattr(decision, name) != value
        }
        for name, value in fields.items():
            setattr(decision, name, value)
        decision.issuer = decision.body.name
        if pdf is not None:  # the earlier file stays in the storage, named in the log
            changes["pdf"] = [decision.pdf.name, ""]
        _save_once(decision, pdf)
        if pdf is not None:
            changes["pdf"][1] = decision.pdf.name
        _move_ends(decision, by)
        kind = DecisionLog.Kind.CORRECTED
        DecisionLog.objects.create(decision=decision, kind=kind, actor=by, changes=changes)
    return decision


def _decision_fields(fields: dict) -> dict:
    values = {name: fields.get(name) for name in Decision.FORM_FIELDS}
    for name in ("number", "title", "place", "signatory"):
        values[name] = (values[name] or "").strip()
    values["revokes_whole"] = bool(values["revokes_whole"])
    return values


def _loggable(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value) if hasattr(value, "pk") else value


PLACE_AND_SIGNATORY = {
    "place": _("Give the place where the decision was set, as on it (e.g. Jakarta)."),
    "signatory": _("Give who signed the decision, name and office, as on it (e.g. Ketua KPU)."),
}


def decision_errors(*, body, number, year, title, date_set, decision=None, **others) -> dict:
    """Return {field: message} for what is wrong with a decision's data (empty when valid)."""
    errors = required_text({"number": number, "title": title}, ["number", "title"])
    # The decision's place and signatory are part of it (PP 61/2010; DOMAIN.md section 3).
    errors.update(
        {name: PLACE_AND_SIGNATORY[name] for name in ("place", "signatory") if not others.get(name)}
    )
    if not isinstance(body, DecidingBody) or body.pk is None:
        return {**errors, "body": _("Choose the body that decided, from the list.")}
    if not body.decides_for(office.current().province):
        return {**errors, "body": _outside_jurisdiction(body)}
    if _enters_its_own(body):
        return {**errors, "body": _enters_its_own(body)}
    if not date_set:
        return {**errors, "date_set": _("Give the date the decision was set.")}
    if date_set > timezone.localdate():
        errors["date_set"] = _("A decision's date cannot be in the future.")
    elif date_set < body.decides_from:
        errors["date_set"] = _(
            "%(body)s may decide on exempted information only from %(from)s (%(basis)s); "
            "this decision is dated %(date)s. Check the date, or the body."
        ) % {
            "body": body.name,
            "from": date_format(body.decides_from, "j F Y"),
            "basis": body.basis,
            "date": date_format(date_set, "j F Y"),
        }
    if year != date_set.year:
        errors["year"] = _("The year is that of the date set (%(year)s).") % {"year": date_set.year}
    elif number and (twin := _twin(body.name, year, number, decision)):
        errors["number"] = _twin_message(twin)
    errors.update(_revocation_errors(decision, date_set, body, **others))
    return errors


def _twin(issuer: str, year, number: str, decision=None):
    """The decision already in the register with this number, however it was typed, or None."""
    twins = Decision.objects.numbered(issuer=issuer, year=year, number=number)
    return next((d for d in twins if decision is None or d.pk != decision.pk), None)


def _twin_message(twin: Decision) -> str:
    return _(
        "This number is that of %(decision)s, already in the register: open it instead of "
        "entering it again."
    ) % {"decision": twin}


def _outside_jurisdiction(body: DecidingBody) -> str:
    # A KPU Provinsi's decisions bind the offices of its own province only (DOMAIN.md 6).
    return _(
        "%(body)s decides only for the offices of the province of %(province)s; this office "
        "is in %(office)s. Choose KPU, or the KPU Provinsi of %(office)s."
    ) % {"body": body.name, "province": body.province, "office": office.current().province}


def _enters_its_own(body: DecidingBody) -> str:
    """A deciding body that keeps its register here enters its decisions itself: another
    office never types them in (the register's most important fact is not retyped)."""
    home = body.home_office
    if home is None or not home.in_service or home.pk == office.current().pk:
        return ""
    return _(
        "%(body)s keeps its register here and enters its own decisions. Ask it for a decision "
        "through a request (Requests to KPU), or list an item under a decision it has published."
    ) % {"body": body.name}


def _revocation_errors(
    decision, date_set, body, revokes=None, revokes_whole=False, **_other
) -> dict:
    if revokes is None:
        if revokes_whole:
            return {"revokes": _("Choose the decision it revokes.")}
        return {}
    if decision is not None and revokes.pk == decision.pk:
        return {"revokes": _("A decision cannot revoke itself.")}
    if not revokes.published_anywhere:
        return {
            "revokes": _(
                "%(decision)s was never published in the register, so there is nothing of it "
                "to revoke here. Publish it first, or check the decision."
            )
            % {"decision": revokes}
        }
    if revokes.date_set > date_set:
        return {"revokes": _("A decision can revoke only an earlier decision.")}
    if revokes.revoked_in_whole():
        return {"revokes": _("That decision was already revoked in whole.")}
    if body.kind != DecidingBody.Kind.KPU and body.pk != revokes.body_id:
        # KPU stands above every KPU Provinsi; no other body revokes what it did not issue.
        return {
            "revokes": _(
                "Only the body that issued %(decision)s (%(issuer)s), or KPU, may revoke it; "
                "%(body)s may not. Check the body, or the decision it revokes."
            )
            % {"decision": revokes, "issuer": revokes.issuer, "body": body.name}
        }
    return {}


def _check_items_allow(decision: Decision, date_set: datetime.date) -> None:
    """A corrected date must still come after the tests of the records the decision covers,
    and keep every period it exempts within the rules (Pasal 20, the caps per ground)."""
    later = decision.items.active().filter(record__test_date__gt=date_set).first()
    if later is not None:
        raise WorkflowError(
            _("The decision cannot be corrected: see the marked fields."),
            {"date_set": _test_after_decision(later.record, date_set)},
        )
    broken = [
        _("record #%(id)s: %(rule)s") % {"id": item.record_id, "rule": " ".join(map(str, errors))}
        for item in _exempting_items(decision)
        if (errors := _item_period_errors(item, date_set).values())
    ]
    if broken:
        message = _(
            "With this date the periods of these records would break the rules (UU 14/2008 "
            "Pasal 20 and the caps per ground): %(records)s. Check the date, or withdraw "
            "the items and record them again as KPU decided."
        ) % {"records": "; ".join(map(str, broken))}
        raise WorkflowError(message, {"date_set": message})


def _exempting_items(decision: Decision) -> list[DecisionItem]:
    """The items whose period counts from this decision's date: exempting, not withdrawn,
    written to a record that still stands on them (not published under another decision)."""
    items = decision.items.active().filter(outcome=Outcome.EXEMPT)
    items = items.filter(record__state__in=[State.LISTED, State.ARCHIVED, State.DECIDED])
    return [item for item in items.select_related("record").order_by("record_id") if _written(item)]


def _item_period_errors(item: DecisionItem, start: datetime.date) -> dict:
    period = {name: getattr(item, name) for name in PERIOD_FIELDS}
    return period_errors(list(item.grounds.all()), start=start, past_end_allowed=True, **period)


def _move_ends(decision: Decision, by) -> None:
    """Count each item's period again from the corrected date; one that has ended by now is
    opened at once, as review_due would open it (dated the day after its end)."""
    for item in _exempting_items(decision):
        record = lock_record(item.record, None)
        ends_on = period_end(
            item.period_type, item.period_years, item.period_until, decision.date_set
        )
        if ends_on == record.ends_on:
            continue
        step = check_step(record, by, "correct_end")
        changes = {"ends_on": [_loggable(record.ends_on), _loggable(ends_on)]}
        record.ends_on = ends_on
        note = _("The decision's date was corrected to %(date)s.") % {
            "date": date_format(decision.date_set, "j F Y")
        }
        move(record, by, step, note=str(note), instrument=str(decision), fields=("ends_on",),
             details={"changes": changes})  # fmt: skip
        if record.has_ended():
            expire(record=record, by=register_user())


def _test_after_decision(record: Record, date_set: datetime.date) -> str:
    return _(
        "The consequence test of record #%(id)s is dated %(test)s, after this decision "
        "(%(date)s): a decision cannot rely on a later test. Check both dates."
    ) % {
        "id": record.pk,
        "test": date_format(record.test_date, "j F Y"),
        "date": date_format(date_set, "j F Y"),
    }


def _save_once(decision: Decision, pdf) -> None:
    """Save the decision and its PDF, once: a second entry of the same number is refused."""
    try:
        with transaction.atomic():
            if _twin(decision.issuer, decision.year, decision.number, decision):
                raise IntegrityError("decision_number_unique")
            if pdf is not None:
                # A name of our own: the uploaded one may say anything, and it is public.
                decision.pdf.save(f"{uuid.uuid4().hex}.pdf", pdf, save=False)
            decision.save()
    except IntegrityError:
        # Entered twice (or by two people at once): the unique constraint decides, and the
        # PDF stored for the refused copy goes with it.
        if pdf is not None and decision.pdf:
            decision.pdf.storage.delete(decision.pdf.name)
        raise WorkflowError(
            _("This decision is already in the register."),
            {"number": _("A decision of this body with this number exists.")},
        ) from None


# --- What a decision says of a record -------------------------------------------------


def record_decision(
    *,
    decision: Decision,
    record: Record,
    outcome: str,
    by,
    note: str = "",
    version: int | None = None,
    test_sheet=None,
    **decided,
) -> DecisionItem:
    """Record what a decision says of a record: exempt (decided) or open (opened).

    For an exempt outcome, `decided` holds the grounds, statutes, harm, balancing and
    period as the decision states them; what is not given is taken from the proposal.
    A record already published is opened by a decision that revokes the one it is
    published under (revoke_item): it opens when the revoking decision is published.
    """
    with transaction.atomic():
        lock_chains()
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        record = lock_record(record, version)
        name = decision_step(decision, record, outcome)
        if (reason := decision_unmet(decision, name) or kept_by_its_body(decision)) is not None:
            raise WorkflowError(reason)
        check_step(record, by, name)
        return write_item(decision, record, outcome, by, name, note, test_sheet, decided)


def write_item(decision, record, outcome, by, name, note="", test_sheet=None, decided=None):
    """Write what a decision says of a record (its item) and move the record by step `name`.

    The caller holds both rows locked and has checked the state, and who acts: the office's
    PPID (record_decision) or KPU's, deciding an office's request (requests.decide_request).
    """
    _check_fits(decision, [record], name)
    item = _new_item(decision, record, outcome, by, dict(decided or {}), test_sheet)
    move(record, by, STEPS[name], note=note, instrument=str(decision), fields=_written(item))
    return item


def write_revoked_items(decision, records, by, note="") -> list[DecisionItem]:
    """Name many published records that a revocation opens, at once (of any number of
    offices, each item in its record's office): `write_item` for each (step revoke_item), in
    a few statements for them all. The caller holds the rows locked and has checked who acts
    (nationwide.open_in_offices)."""
    _check_fits(decision, records, "revoke_item")
    items = [
        DecisionItem(
            decision=decision,
            record=record,
            outcome=Outcome.OPEN,
            added_by=by,
            proposed={**decided_values(record), "state": record.state},
        )
        for record in records
    ]
    DecisionItem.objects.bulk_create(items)
    move_many(records, by, STEPS["revoke_item"], note=note, instrument=str(decision))
    return items


def decision_step(decision: Decision, record: Record, outcome: str) -> str:
    """A revoking decision opens published records; any other exempts or opens requested ones."""
    if outcome not in Outcome.values:
        raise WorkflowError(_("Choose what the decision says: exempt or open."))
    if decision.revokes_id is not None:
        if outcome != Outcome.OPEN:
            raise WorkflowError(
                _("A revoking decision opens the records of the decision it revokes.")
            )
        return "revoke_item"
    return "decide_exempt" if outcome == Outcome.EXEMPT else "decide_open"


def _check_fits(decision: Decision, records, name: str) -> None:
    """The records may take an item of this decision: tested and requested before it, not
    in it already, and for a revocation published under the decision it revokes."""
    for record in records:
        if record.test_date and record.test_date > decision.date_set:
            raise WorkflowError(_test_after_decision(record, decision.date_set))
        # A linked record was never requested: the decision in force is older, and that is
        # right.
        if record.request_date and decision.date_set < record.request_date:
            raise WorkflowError(
                _(
                    "DOMAIN: a decision is dated on or after the request letter. Record "
                    "#%(id)s was requested on %(date)s, after this decision was set."
                )
                % {"id": record.pk, "date": date_format(record.request_date, "j F Y")}
            )
        if name == "revoke_item" and record.published_in_id != decision.revokes_id:
            raise WorkflowError(
                _(
                    "Record #%(id)s is not published under %(revoked)s, the decision this one "
                    "revokes; a revocation opens only the items of the decision it revokes."
                )
                % {"id": record.pk, "revoked": decision.revokes}
            )
    if decision.items.active().filter(record__in=[record.pk for record in records]).exists():
        raise WorkflowError(_("This record is already in this decision."))


def link_record(
    *,
    record: Record,
    decision: Decision,
    by,
    note: str = "",
    version: int | None = None,
    test_sheet=None,
    **decided,
) -> DecisionItem:
    """List a record under a decision in force (SOP step 1: "yang sudah ditetapkan").

    No proposal of the office's own: the decision is the legal basis, and `decided`
    is what it says of this kind of information. The record is then archived (step 3)
    and published under the decision.
    """
    with transaction.atomic():
        lock_chains()
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        record = lock_record(record, version)
        step = check_step(record, by, "link")
        if (reason := decision_unmet(decision, "link")) is not None:
            raise WorkflowError(reason)
        item = _new_item(decision, record, Outcome.EXEMPT, by, decided, test_sheet)
        instrument = str(decision)
        move(record, by, step, note=note, instrument=instrument, fields=_written(item))
    return item


def _new_item(decision, record, outcome, by, decided, test_sheet) -> DecisionItem:
    """Create the item; for an exempt outcome, write what was decided to the record too."""
    item = DecisionItem(decision=decision, record=record, outcome=outcome, added_by=by)
    item.proposed = {**decided_values(record), "state": record.state}
    exempt = outcome == Outcome.EXEMPT and record.state != State.PUBLISHED
    grounds = _decided_values(record, decided, decision.date_set) if exempt else None
    if test_sheet is not None:
        check_decision_pdf(test_sheet, "test_sheet")
    if exempt:
        for name in DECIDED_FIELDS:
            setattr(item, name, decided[name])
            setattr(record, name, decided[name])
        # Computed once, from what was decided: the last day of the exemption.
        record.ends_on = period_end(
            item.period_type, item.period_years, item.period_until, decision.date_set
        )
    if test_sheet is not None:
        item.test_sheet.save(f"{uuid.uuid4().hex}.pdf", test_sheet, save=False)
    try:
        item.save()
        if exempt:
            item.grounds.set(grounds)
            record.grounds.set(grounds)
    except BaseException:
        if item.test_sheet:
            item.test_sheet.storage.delete(item.test_sheet.name)
        raise
    return item


def _written(item: DecisionItem) -> tuple[str, ...]:
    """The record's fields an item wrote: what it decided, unless it opens (or revokes)."""
    exempt = item.outcome == Outcome.EXEMPT and item.proposed.get("state") != State.PUBLISHED
    return (*DECIDED_FIELDS, "ends_on") if exempt else ()


def _decided_values(record: Record, decided: dict, start) -> list[ExemptionGround]:
    """Complete `decided` from the proposal, check it as a proposal is checked; the grounds."""
    given = decided.pop("grounds", None)
    if given is None:
        grounds = list(record.grounds.all())
    else:
        grounds = list(ExemptionGround.objects.filter(pk__in=[getattr(g, "pk", g) for g in given]))
    for name in DECIDED_FIELDS:
        if decided.get(name) is None:
            decided[name] = getattr(record, name)
        elif isinstance(decided[name], str):
            decided[name] = decided[name].strip()
    keep_period_value(decided)
    errors = required_text(decided, ("statutes", "harm", "balancing"))
    if not grounds:
        errors["grounds"] = _("Choose at least one exemption ground of UU 14/2008 Pasal 17.")
    elif lacks_a_statute(grounds, decided["statutes"]):
        errors["statutes"] = _("Ground 17j needs an Undang-Undang that forbids disclosure.")
    errors.update(period_errors(grounds, **decided, start=start))
    if errors:
        message = _("What the decision says is incomplete: see the marked fields.")
        raise WorkflowError(message, errors)
    return grounds


def withdraw_item(*, record: Record, by, note: str, version: int | None = None) -> DecisionItem:
    """Withdraw the record's latest item, added by mistake, before what it did is public.

    The item stays, marked withdrawn; the record gets back its state and its proposal.
    """
    if not (note or "").strip():
        raise WorkflowError(
            _("Say why the item is withdrawn."), {"note": _("This field is required.")}
        )
    with transaction.atomic():
        record = lock_record(record, version)
        step = check_step(record, by, "withdraw")
        item = DecisionItem.objects.select_for_update().get(pk=latest_item(record).pk)
        item.withdrawn_at, item.withdrawn_by = timezone.now(), by
        item.withdrawal_note = note.strip()
        item.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
        fields = _restore_proposal(record, item)
        target = item.proposed.get("state") or record.state
        instrument = str(item.decision)
        move(record, by, step, note=note, target=target, instrument=instrument, fields=fields)
    return item


def _restore_proposal(record: Record, item: DecisionItem) -> tuple[str, ...]:
    if not _written(item):
        return ()
    proposed = item.proposed
    for name in ("statutes", "harm", "balancing", "period_type", "period_event"):
        setattr(record, name, proposed.get(name) or "")
    until = proposed.get("period_until")
    record.period_until = datetime.date.fromisoformat(until) if until else None
    record.period_years = proposed.get("period_years")
    record.ends_on = None  # no decision now: nothing has an end yet
    codes = [c.strip() for c in (proposed.get("grounds") or "").split(",") if c.strip()]
    record.grounds.set(codes)
    return _written(item)
