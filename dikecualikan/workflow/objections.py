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
from ..models import Objection, ObjectionAnswer, OpenReason, Record, Ruling, RulingBody
from ..roles import Role, has_role
from ..workdays import working_days_after
from .archive import check_decision_pdf
from .publication import opened_at
from .steps import STEPS, WorkflowError, check_step, move, required_text, role_names
from .versions import new_dik_version

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
        _check_refused_after_publication(locked, request_refused_on)
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


def objection_date_errors(received_on, refused_on) -> dict:
    """Return {field: message} for an objection's two dates (the form shows them beside its
    own errors, so that every fault is found in one pass)."""
    return _date_errors(received_on, refused_on)


def _date_errors(received_on, refused_on) -> dict:
    """Every fault of the two dates at once, each said as what is wrong."""
    errors = {}
    if not received_on:
        errors["received_on"] = _("Give the date the objection was received.")
    elif received_on > timezone.localdate():
        errors["received_on"] = _("The date of receipt cannot be in the future.")
    if not refused_on:
        errors["request_refused_on"] = _("Give the date the request was refused.")
    elif received_on and "received_on" not in errors and refused_on > received_on:
        errors["received_on"] = _("The date received cannot be before the date of the refusal.")
    return errors


def _check_refused_after_publication(records, refused_on: datetime.date) -> None:
    """A refusal on the exemption comes after the item was published (DOMAIN.md section 4)."""
    for record in records:
        published_on = timezone.localdate(record.published_at)
        if refused_on < published_on:
            message = _(
                "UU 14/2008 Pasal 35: an objection concerns a request refused on the "
                "exemption, and record #%(id)s was published on %(date)s: the refusal is "
                "dated on or after that day."
            ) % {"id": record.pk, "date": date_format(published_on, "j F Y")}
            raise WorkflowError(message, {"request_refused_on": message})


def _locked(records) -> list[Record]:
    """The records re-read under row locks; refused if one is not this office's."""
    pks = sorted({getattr(r, "pk", r) for r in records})
    lock_chains()
    locked = list(Record.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    if len(locked) != len(pks):  # another office's record: its objection is not this one
        raise WorkflowError(
            _("The objection cannot be registered: see the marked fields."),
            {"records": _("Choose this office's published records only.")},
        )
    return locked


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
    if errors := answer_errors(objection, outcome, number, answered_on, reasons):
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
            _open(objection, by, OpenReason.OBJECTION, str(instrument), answered_on)
    return answer


def answer_errors(objection, outcome, number, answered_on, reasons) -> dict:
    """Every fault of an answer's data at once (the form shows them beside its own)."""
    errors = required_text({"number": number, "reasons": reasons}, ["number", "reasons"])
    if outcome not in ObjectionAnswer.Outcome.values:
        errors["outcome"] = _("Choose the outcome: upheld or refused.")
    if not answered_on or answered_on > timezone.localdate():
        errors["answered_on"] = _("Give the date of the answer (not in the future).")
    elif answered_on < objection.received_on:
        errors["answered_on"] = _(
            "The date of the answer cannot be before the date the objection was received."
        )
    return errors


def record_ruling(
    *,
    objection: Objection,
    by,
    body: RulingBody,
    number: str,
    ruled_on: datetime.date,
    opens: bool,
    pdf=None,
) -> Ruling:
    """A ruling in the dispute on an objection: it opens the records, or upholds them.

    Only a body of the law's list rules (RulingBody), with its number, date and PDF, after
    the Atasan's answer or the lapse of its 30 working days (Pasal 36-37), and after a
    ruling of the instance before it. A ruling that opens information is recorded by the
    Atasan PPID, who answers for the objection: the PPID records one that upholds.
    """
    _check_ruling(objection, by, body, number, ruled_on, opens, pdf)
    check_decision_pdf(pdf)
    with transaction.atomic():
        lock_chains()
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        ruling = Ruling(
            objection=objection,
            body=body,
            body_name=body.name,
            number=number.strip(),
            ruled_on=ruled_on,
            opens=bool(opens),
            entered_by=by,
        )
        _check_role(by, "ruling")
        _save_once(ruling, pdf, _("This ruling is already in the register."))
        instrument = f"{ruling}, {date_format(ruled_on, 'j F Y')}"
        if ruling.opens:
            _open(objection, by, OpenReason.KI_COURT, instrument, ruled_on)
        else:  # the exemption stands: the history of each record still published says so
            for record in _still_published(objection):
                move(record, by, check_step(record, by, "ruling"), instrument=instrument)
    return ruling


def _check_ruling(objection, by, body, number, ruled_on, opens, pdf) -> None:
    if opens and not may_answer(by):
        raise WorkflowError(
            _(
                "Only the Atasan PPID records a ruling that opens information (UU 14/2008 "
                "Pasal 36): ask the Atasan PPID to record it."
            )
        )
    if errors := ruling_errors(objection, body, number, ruled_on, pdf):
        raise WorkflowError(_("The ruling cannot be recorded: see the marked fields."), errors)


def ruling_errors(objection, body, number, ruled_on, pdf) -> dict:
    """Every fault of a ruling's data at once (the form shows them beside its own)."""
    errors = required_text({"number": number}, ["number"])
    if not isinstance(body, RulingBody):
        body = None
        errors["body"] = _(
            "Choose the body that ruled: the Komisi Informasi, or a court on appeal (UU 14/2008 "
            "Pasal 37, 47-50). A PPID, an Atasan PPID or a KPU office never rules."
        )
    if pdf is None:
        errors["pdf"] = _("Upload the ruling's PDF: a ruling is recorded with its document.")
    for name, message in _ruled_on_errors(objection, body, ruled_on).items():
        errors.setdefault(name, message)
    return errors


def dispute_opens_on(objection: Objection) -> datetime.date:
    """The first day a dispute can be ruled on: the Atasan's answer, or the day after its
    30 working days lapsed without one, whichever comes first (Pasal 36-37)."""
    lapsed = objection.answer_due + datetime.timedelta(days=1)
    answer = ObjectionAnswer.objects.filter(objection=objection).first()
    return min(answer.answered_on, lapsed) if answer else lapsed


def answer_unmet(objection: Objection):
    """Return why the objection cannot be answered now, or None (answered once, for good)."""
    if ObjectionAnswer.objects.filter(objection=objection).exists():
        return _("This objection was already answered; the answer stands.")
    return None


def ruling_unmet(objection: Objection, today: datetime.date | None = None):
    """Return why no ruling can be recorded on the objection yet, or None.

    A dispute reaches the Komisi Informasi only after the Atasan PPID's answer, or after
    its 30 working days lapsed without one (UU 14/2008 Pasal 36-37).
    """
    today = today or timezone.localdate()
    if today < (first := dispute_opens_on(objection)):
        return _(
            "No ruling yet: a dispute follows the Atasan PPID's answer, or the lapse of its 30 "
            "working days on %(due)s, so a ruling can be recorded from %(first)s."
        ) % {
            "due": date_format(objection.answer_due, "j F Y"),
            "first": date_format(first, "j F Y"),
        }
    return None


def _ruled_on_errors(objection: Objection, body: RulingBody, ruled_on) -> dict:
    if not ruled_on or ruled_on > timezone.localdate():
        return {"ruled_on": _("Give the date of the ruling (not in the future).")}
    if ruled_on < (first := dispute_opens_on(objection)):
        return {
            "ruled_on": _(
                "UU 14/2008 Pasal 36-37: a dispute follows the Atasan PPID's answer, or the "
                "lapse of its 30 working days (%(due)s), so a ruling is dated on or after "
                "%(first)s."
            )
            % {
                "due": date_format(objection.answer_due, "j F Y"),
                "first": date_format(first, "j F Y"),
            }
        }
    if body is not None and body.instance > 1:
        below = objection.rulings.filter(body__instance=body.instance - 1, ruled_on__lte=ruled_on)
        if not below.exists():
            return {
                "body": _(
                    "UU 14/2008 Pasal 47-50: %(body)s rules on appeal against a ruling of the "
                    "instance before it; record that ruling (dated on or before this one) first."
                )
                % {"body": body.name}
            }
    return {}


def _check_role(by, name: str) -> None:
    if not has_role(by, *STEPS[name].roles):
        raise WorkflowError(
            _("Only %(roles)s may do this.") % {"roles": role_names(STEPS[name].roles)}
        )


def _still_published(objection: Objection) -> list[Record]:
    """The objection's records, locked, that are still on the DIK (others opened meanwhile)."""
    return [r for r in _locked(objection.records.all()) if r.state in STEPS["open"].sources]


def _open(objection: Objection, by, reason: str, instrument: str, on: datetime.date) -> None:
    """Open the objection's records still published, each through the step "open", from
    the instrument's date (the answer's, the ruling's), not the day it is entered."""
    _check_role(by, "open")
    opened = _still_published(objection)
    for record in opened:
        step = check_step(record, by, "open")
        record.opened_at, record.opened_reason = opened_at(on), reason
        fields = ("opened_at", "opened_reason")
        move(record, by, step, reason=reason, instrument=instrument, fields=fields)
    if opened:
        new_dik_version(opened=opened, note=instrument)


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
