"""SOP step 4: decisions (Keputusan), the records they cover, publication, and opening."""

from __future__ import annotations

import datetime
import logging
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..dik import forget_dik_stamp, stored_dik_pdf
from ..models import (
    DecidingBody,
    Decision,
    DecisionItem,
    DikChange,
    DikVersion,
    OpenReason,
    Outcome,
    Record,
    lacks_power_to_decide,
    not_a_deciding_body,
)
from ..roles import has_role
from .archive import check_decision_pdf
from .mail import notify_decision
from .steps import (
    STEPS,
    WorkflowError,
    check_step,
    decision_unmet,
    lock_record,
    may,
    move,
    required_text,
    role_names,
)

logger = logging.getLogger(__name__)


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
    """Record the letter asking KPU, through KPU Provinsi, to test and decide (after step 3)."""
    errors = required_text({"letter_number": letter_number}, ["letter_number"])
    if not letter_date:
        errors["letter_date"] = _("Give the date of the letter.")
    elif letter_date > timezone.localdate():
        errors["letter_date"] = _("The letter's date cannot be in the future.")
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


def create_decision(
    *,
    by,
    body: DecidingBody,
    number: str,
    year: int,
    title: str,
    date_set: datetime.date,
    pdf=None,
) -> Decision:
    """Enter a Keputusan on the list, by a body that may decide (KPU, or KPU Provinsi)."""
    if not may(by, "enter_decision"):
        raise WorkflowError(
            _("Only %(roles)s may enter decisions.")
            % {"roles": role_names(STEPS["enter_decision"].roles)}
        )
    if errors := decision_errors(
        body=body, number=number, year=year, title=title, date_set=date_set
    ):
        raise WorkflowError(_("The decision cannot be entered: see the marked fields."), errors)
    decision = Decision(
        body=body,
        issuer=body.name,
        number=number.strip(),
        year=year,
        title=title.strip(),
        date_set=date_set,
        created_by=by,
    )
    if pdf is not None:
        check_decision_pdf(pdf)
    _save_once(decision, pdf)
    return decision


def decision_errors(*, body, number, year, title, date_set) -> dict:
    """Return {field: message} for what is wrong with a decision's data (empty when valid)."""
    errors = required_text({"number": number, "title": title}, ["number", "title"])
    if not isinstance(body, DecidingBody) or body.pk is None:
        return {**errors, "body": _("Choose the body that decided, from the list.")}
    if lacks_power_to_decide(body.name):
        return {**errors, "body": not_a_deciding_body()}
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
    return errors


def _save_once(decision: Decision, pdf) -> None:
    """Save the decision and its PDF, once: a second entry of the same number is refused."""
    try:
        with transaction.atomic():
            if Decision.objects.filter(issuer=decision.issuer, number=decision.number).exists():
                raise IntegrityError("decision_number_unique")
            if pdf is not None:
                # A name of our own: the uploaded one may say anything, and it is public.
                decision.pdf.save(f"{uuid.uuid4().hex}.pdf", pdf, save=False)
            decision.save()
    except IntegrityError:
        # Entered twice (or by two people at once): the unique constraint decides, and the
        # PDF stored for the refused copy goes with it.
        if decision.pdf:
            decision.pdf.storage.delete(decision.pdf.name)
        raise WorkflowError(
            _("This decision is already in the register."),
            {"number": _("A decision of this body with this number exists.")},
        ) from None


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
        if (reason := decision_unmet(decision, name)) is not None:
            raise WorkflowError(reason)
        record = lock_record(record, version)
        step = check_step(record, by, name)
        if record.test_date and record.test_date > decision.date_set:
            raise WorkflowError(
                _(
                    "The record's consequence test is dated %(test)s, after this decision "
                    "(%(date)s): a decision cannot rely on a later test. Check both dates."
                )
                % {
                    "test": date_format(record.test_date, "j F Y"),
                    "date": date_format(decision.date_set, "j F Y"),
                }
            )
        if decision.items.filter(record=record).exists():
            raise WorkflowError(_("This record is already in this decision."))
        item = DecisionItem.objects.create(
            decision=decision, record=record, outcome=outcome, added_by=by
        )
        move(record, by, step, note=note, instrument=str(decision))
    return item


def publish_decision(*, decision: Decision, by, note: str = "") -> Decision:
    """Publish a decision: its exempted records join the public DIK (SOP step 4)."""
    step = STEPS["publish"]
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        _check_publishable(decision, by)
        records = _exempt_records(decision, by)
        now = timezone.now()
        for record in records:
            record.published_in, record.published_at = decision, now
            fields = ("published_in", "published_at")
            move(record, by, step, note=note, instrument=str(decision), fields=fields)
        Record.objects.filter(pk__in=[r.pk for r in records]).index_for_search()
        decision.published_at, decision.published_by = now, by
        decision.save(update_fields=["published_at", "published_by"])
        note = f"{decision.issuer} {decision.number}"
        _new_dik_version(records, DikChange.Kind.ADDED, decision=decision, note=note)
        notify_decision(decision)
    return decision


def _check_publishable(decision: Decision, by) -> None:
    step = STEPS["publish"]
    if not has_role(by, *step.roles):
        raise WorkflowError(
            _("Only %(roles)s may publish a decision.") % {"roles": role_names(step.roles)}
        )
    if (reason := decision_unmet(decision, "publish")) is not None:
        raise WorkflowError(reason)
    if not decision.items.exists():
        raise WorkflowError(_("Add the records this decision covers before publishing it."))
    if not decision.pdf:
        raise WorkflowError(_("Upload the decision's PDF before publishing it."))


def _exempt_records(decision: Decision, by) -> list[Record]:
    """Return the records the decision exempts, locked, each checked for the publish step."""
    # Lock in primary-key order so that two publications cannot deadlock.
    exempt = decision.items.filter(outcome=Outcome.EXEMPT).values_list("record", flat=True)
    records = list(Record.objects.select_for_update().filter(pk__in=exempt).order_by("pk"))
    for record in records:
        check_step(record, by, "publish")
    return records


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
        record = lock_record(record, version)
        step = check_step(record, by, "open")
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
        _new_dik_version([record], DikChange.Kind.OPENED, note=instrument.strip())
    return record
