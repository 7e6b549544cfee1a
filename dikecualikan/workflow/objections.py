"""Objections (keberatan) and rulings: the law after publication (UU 14/2008 Pasal 35-37).

A requester whose request was refused objects in writing to the Atasan PPID within 30
working days; the Atasan answers within 30 working days of receipt; a requester not
satisfied may bring a dispute to the Komisi Informasi within 14 working days of the
answer. An upheld objection, or a ruling that orders it, opens the records through the
workflow, with the answer or the ruling as instrument. The reasons "objection" and
"Komisi Informasi or court" are taken only here, never typed by hand.
"""

from __future__ import annotations

import datetime
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..history import lock_chains
from ..models import Objection, ObjectionAnswer, OpenReason, Record, Ruling
from ..roles import Role, has_role
from ..workdays import working_days_after
from .archive import check_decision_pdf
from .publication import _new_dik_version
from .steps import STEPS, WorkflowError, check_step, move, required_text, role_names

OBJECTION_WORKING_DAYS = 30  # Pasal 35(1): the requester objects within 30 working days
ANSWER_WORKING_DAYS = 30  # Pasal 36(1)
DISPUTE_WORKING_DAYS = 14  # Pasal 37(2)
# Only the Atasan PPID decides an objection (Pasal 36); the pages ask this, not the role.
ANSWER_ROLES = (Role.ATASAN,)


def may_answer(user) -> bool:
    return has_role(user, *ANSWER_ROLES)


def received_late(objection: Objection) -> bool:
    """Whether it came after the 30 working days the requester had (the Atasan weighs it)."""
    last_day = working_days_after(objection.request_refused_on, OBJECTION_WORKING_DAYS)
    return objection.received_on > last_day


def receive_objection(
    *,
    by,
    requester_name: str,
    requester_contact: str,
    received_on: datetime.date,
    request_reference: str,
    request_refused_on: datetime.date,
    grounds: str,
    records,
) -> Objection:
    """Register an objection in writing; its answer is due 30 working days after receipt."""
    values = {
        "requester_name": requester_name,
        "requester_contact": requester_contact,
        "request_reference": request_reference,
        "grounds": grounds,
    }
    errors = required_text(values, values)
    errors.update(_date_errors(received_on, request_refused_on))
    if not records:
        errors["records"] = _("Choose the published records the refused request concerned.")
    if errors:
        raise WorkflowError(_("The objection cannot be registered: see the marked fields."), errors)
    with transaction.atomic():
        locked = _locked(records)
        steps = [check_step(record, by, "object") for record in locked]
        objection = Objection.objects.create(
            **{name: value.strip() for name, value in values.items()},
            received_on=received_on,
            request_refused_on=request_refused_on,
            answer_due=working_days_after(received_on, ANSWER_WORKING_DAYS),
            entered_by=by,
        )
        objection.records.set(locked)
        for record, step in zip(locked, steps, strict=True):
            move(record, by, step, note=str(objection), details={"objection": objection.pk})
    return objection


def _date_errors(received_on, refused_on) -> dict:
    today = timezone.localdate()
    if not received_on:
        return {"received_on": _("Give the date the objection was received.")}
    if received_on > today:
        return {"received_on": _("The date of receipt cannot be in the future.")}
    if not refused_on:
        return {"request_refused_on": _("Give the date the request was refused.")}
    if refused_on > received_on:
        return {"request_refused_on": _("The refusal comes before the objection to it.")}
    return {}


def _locked(records) -> list[Record]:
    pks = sorted({getattr(r, "pk", r) for r in records})
    lock_chains()
    return list(Record.objects.select_for_update().filter(pk__in=pks).order_by("pk"))


def answer_objection(
    *,
    objection: Objection,
    by,
    outcome: str,
    number: str,
    answered_on: datetime.date,
    reasons: str,
    pdf=None,
) -> ObjectionAnswer:
    """The Atasan PPID's answer, once: upheld opens the records, refused keeps them."""
    if not may_answer(by):
        raise WorkflowError(_("Only the Atasan PPID decides an objection (UU 14/2008 Pasal 36)."))
    if errors := _answer_errors(objection, outcome, number, answered_on, reasons):
        raise WorkflowError(_("The answer cannot be recorded: see the marked fields."), errors)
    if pdf is not None:
        check_decision_pdf(pdf)
    with transaction.atomic():
        lock_chains()
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        answer = ObjectionAnswer(
            objection=objection,
            outcome=outcome,
            number=number.strip(),
            answered_on=answered_on,
            reasons=reasons.strip(),
            dispute_by=working_days_after(answered_on, DISPUTE_WORKING_DAYS),
            answered_by=by,
        )
        _save_once(answer, pdf, _("This objection was already answered; the answer stands."))
        if outcome == ObjectionAnswer.Outcome.UPHELD:
            instrument = _("Answer to an objection, number %(number)s, %(date)s") % {
                "number": answer.number,
                "date": date_format(answered_on, "j F Y"),
            }
            _open(objection, by, OpenReason.OBJECTION, str(instrument))
    return answer


def _answer_errors(objection, outcome, number, answered_on, reasons) -> dict:
    errors = required_text({"number": number, "reasons": reasons}, ["number", "reasons"])
    if outcome not in ObjectionAnswer.Outcome.values:
        errors["outcome"] = _("Choose the outcome: upheld or refused.")
    if not answered_on or answered_on > timezone.localdate():
        errors["answered_on"] = _("Give the date of the answer (not in the future).")
    elif answered_on < objection.received_on:
        errors["answered_on"] = _("The answer comes after the objection was received.")
    return errors


def record_ruling(
    *,
    objection: Objection,
    by,
    body: str,
    number: str,
    ruled_on: datetime.date,
    opens: bool,
    pdf=None,
) -> Ruling:
    """A ruling in the dispute on an objection: it opens the records, or upholds them."""
    errors = required_text({"body": body, "number": number}, ["body", "number"])
    if not ruled_on or ruled_on > timezone.localdate():
        errors["ruled_on"] = _("Give the date of the ruling (not in the future).")
    elif ruled_on < objection.received_on:
        errors["ruled_on"] = _("A ruling comes after the objection it decides.")
    if errors:
        raise WorkflowError(_("The ruling cannot be recorded: see the marked fields."), errors)
    if pdf is not None:
        check_decision_pdf(pdf)
    with transaction.atomic():
        lock_chains()
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        ruling = Ruling(
            objection=objection,
            body=body.strip(),
            number=number.strip(),
            ruled_on=ruled_on,
            opens=bool(opens),
            entered_by=by,
        )
        _check_role(by, "ruling")
        _save_once(ruling, pdf, _("This ruling is already in the register."))
        instrument = f"{ruling}, {date_format(ruled_on, 'j F Y')}"
        if ruling.opens:
            _open(objection, by, OpenReason.KI_COURT, instrument)
        else:  # the exemption stands: the history of each record still published says so
            for record in _still_published(objection):
                move(record, by, check_step(record, by, "ruling"), instrument=instrument)
    return ruling


def _check_role(by, name: str) -> None:
    if not has_role(by, *STEPS[name].roles):
        raise WorkflowError(
            _("Only %(roles)s may do this.") % {"roles": role_names(STEPS[name].roles)}
        )


def _still_published(objection: Objection) -> list[Record]:
    """The objection's records, locked, that are still on the DIK (others opened meanwhile)."""
    return [r for r in _locked(objection.records.all()) if r.state in STEPS["open"].sources]


def _open(objection: Objection, by, reason: str, instrument: str) -> None:
    """Open the objection's records still published, each through the step "open"."""
    _check_role(by, "open")
    opened = _still_published(objection)
    for record in opened:
        step = check_step(record, by, "open")
        record.opened_at, record.opened_reason = timezone.now(), reason
        fields = ("opened_at", "opened_reason")
        move(record, by, step, reason=reason, instrument=instrument, fields=fields)
    if opened:
        _new_dik_version(opened=opened, note=instrument)


def _save_once(row, pdf, twice_message) -> None:
    try:
        with transaction.atomic():
            if pdf is not None:
                row.pdf.save(f"{uuid.uuid4().hex}.pdf", pdf, save=False)
            row.save()
    except IntegrityError:
        if pdf is not None and row.pdf:
            row.pdf.storage.delete(row.pdf.name)
        raise WorkflowError(twice_message) from None
