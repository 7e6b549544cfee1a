"""SOP step 4 across offices: the request to KPU travels through KPU Provinsi in the register.

A KPU Kabupaten/Kota cannot decide an exemption: its PPID asks KPU, through its KPU
Provinsi (PKPU 22/2023 Pasal 25(1)-(2)), by one letter for the archived records it
proposes (send_request). The Provinsi's PPID forwards it to KPU with a cover letter of
its own (forward_request), or returns it with a note (return_request): the records go
back to the office's PPID, archived, with the note on top. Each step is written in the
register of each office it concerns, each under that office's own chain.

Where the office's KPU Provinsi does not use the register, the letter is recorded as
before (decisions.request_decision).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .. import office
from ..history import lock_chains
from ..models import Decision, DecisionRequest, Office, Outcome, Record, RequestEvent
from ..roles import Role, has_role
from .decisions import decision_step, write_item
from .mail import send_later, staff_page
from .steps import (
    STEPS,
    WorkflowError,
    check_state,
    check_step,
    decision_unmet,
    lock_record,
    move,
)
from .upward import check_entered_here, delegated, kpu, letter_errors, through_office

Kind = RequestEvent.Kind


def waiting_here():
    """The requests that wait for the acting office's answer: sent to it as KPU Provinsi, or
    forwarded to it as KPU; the oldest first."""
    here = office.current()
    if here.kind == Office.Kind.KPU:
        forwarded = DecisionRequest.State.FORWARDED
        found = DecisionRequest.objects.filter(addressed_to=here, state=forwarded)
        return found.order_by("forwarded_at", "pk")
    found = DecisionRequest.objects.filter(via=here, state=DecisionRequest.State.SENT)
    return found.order_by("sent_at", "pk")


def send_request(
    *, records, by, letter_number: str, letter_date: datetime.date, note: str = ""
) -> DecisionRequest:
    """Send one letter for these archived records to the office's KPU Provinsi."""
    here, via = office.current(), through_office()
    if via is None:
        raise WorkflowError(
            _(
                "This office's KPU Provinsi does not use the register: record the letter on "
                "each record (Request KPU's decision)."
            )
        )
    errors = letter_errors(letter_number, letter_date)
    if not records:
        errors["records"] = _("Choose the archived records the letter asks KPU to decide.")
    if errors:
        raise WorkflowError(_("The request cannot be sent yet."), errors)
    with transaction.atomic():
        locked = _locked(records)
        request = DecisionRequest.objects.create(
            via=via, addressed_to=kpu(), number=letter_number.strip(), date=letter_date,
            sent_by=by,
        )  # fmt: skip
        request.records.set(locked)
        letter = _letter(request.number, letter_date)
        for record in locked:
            step = check_step(record, by, "request")
            record.request_number, record.request_date = request.number, letter_date
            record.request_addressee = _("%(via)s, to be forwarded to KPU") % {"via": via.name}
            fields = ("request_number", "request_date", "request_addressee")
            move(record, by, step, note=note, instrument=letter, fields=fields)
        _event(request, Kind.SENT, by, here, note=note, letter=letter)
        with office.acting(via):
            _event(request, Kind.RECEIVED, by, here, note=note, letter=letter)
            _tell(request, "request_sent")
    return request


def _locked(records) -> list[Record]:
    """The records locked in one order (two senders never deadlock); another office's
    record is not found, as if it did not exist."""
    lock_chains()
    ids = sorted({record.pk for record in records})
    locked = list(Record.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(ids):
        raise WorkflowError(
            _("The request cannot be sent yet."),
            {"records": _("Some of the chosen records are not this office's.")},
        )
    return locked


def forward_request(
    *, asked: DecisionRequest, by, letter_number: str, letter_date: datetime.date, note=""
) -> DecisionRequest:
    """The KPU Provinsi forwards a request (`asked`) to KPU with its own cover letter."""
    request = asked
    errors = letter_errors(letter_number, letter_date)
    if not errors and letter_date < request.date:
        errors["letter_date"] = _("The cover letter cannot be dated before the office's letter.")
    if errors:
        raise WorkflowError(_("The request cannot be forwarded yet."), errors)
    with transaction.atomic():
        request = _open_request(request, by)
        request.state = DecisionRequest.State.FORWARDED
        request.forward_number, request.forward_date = letter_number.strip(), letter_date
        request.forwarded_by, request.forwarded_at = by, timezone.now()
        request.save(update_fields=[
            "state", "forward_number", "forward_date", "forwarded_by", "forwarded_at",
        ])  # fmt: skip
        letter = _letter(request.forward_number, letter_date)
        _both_registers(request, Kind.FORWARDED, by, note=note, letter=letter)
        with office.acting(request.office):
            _tell(request, "request_forwarded")
        with office.acting(request.addressed_to):
            _tell(request, "request_forwarded")
    return request


def return_request(*, asked: DecisionRequest, by, note: str) -> DecisionRequest:
    """The KPU Provinsi returns a request (`asked`) with a note: its records go back."""
    request = asked
    if not str(note or "").strip():
        raise WorkflowError(
            _("Say why the request is returned: the office's PPID reads it on each record."),
            {"note": _("This field is required.")},
        )
    with transaction.atomic():
        request = _open_request(request, by)
        request.state = DecisionRequest.State.RETURNED
        request.return_note, request.returned_by = note.strip(), by
        request.returned_at = timezone.now()
        request.save(update_fields=["state", "return_note", "returned_by", "returned_at"])
        _both_registers(request, Kind.RETURNED, by, note=request.return_note)
        with office.acting(request.office):
            step, instrument = STEPS["request_returned"], request.via.name
            for record in request.records.order_by("pk"):
                record = lock_record(record, None)
                check_state(record, "request_returned")
                move(record, by, step, note=request.return_note, instrument=instrument)
            _tell(request, "request_returned")
    return request


def decide_request(
    *, asked: DecisionRequest, decision: Decision, by, outcomes: dict, note: str = ""
) -> DecisionRequest:
    """KPU decides a forwarded request once, under a decision it entered itself: each record
    exempt or open (`outcomes`: {record id: outcome}); the records move in the requesting
    office's register, which then publishes the decision for its own list."""
    with transaction.atomic():
        refusal = _(
            "Only KPU's PPID decides a request forwarded to KPU, or the PPID of the KPU "
            "Provinsi it was sent to where KPU's delegation is in force for it."
        )
        request = _answerable(asked, by, "decide", refusal)
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        check_entered_here(decision)
        with office.acting(request.office):
            records = list(request.records.order_by("pk"))
            _check_outcomes(records, outcomes)
            for record in records:
                record = lock_record(record, None)
                name = decision_step(decision, record, outcomes[record.pk])
                if (reason := decision_unmet(decision, name)) is not None:
                    raise WorkflowError(reason)
                check_state(record, name)
                write_item(decision, record, outcomes[record.pk], by, name, note)
        request.state = DecisionRequest.State.DECIDED
        request.save(update_fields=["state"])
        _both_registers(request, Kind.DECIDED, by, note=note, letter=str(decision))
        decider = office.current().name  # KPU, or the KPU Provinsi by delegation
        with office.acting(request.office):
            _tell(request, "request_decided", decider=decider)
    return request


def _check_outcomes(records, outcomes: dict) -> None:
    """Every record of the request gets what the decision says of it: exempt or open."""
    missing = [r for r in records if outcomes.get(r.pk) not in Outcome.values]
    if missing:
        raise WorkflowError(
            _("Say for each record what the decision says of it: exempt or open."),
            {f"outcome_{r.pk}": _("Choose exempt or open.") for r in missing},
        )


# Who answers a request, and when: the PPID of the office it waits on ("via", its KPU
# Provinsi; "addressed_to", KPU), while it is in the state named. The KPU Provinsi decides
# only where KPU's delegation is in force for it (upward.delegated, data).
ANSWERS = {
    "forward": [("via", DecisionRequest.State.SENT)],
    "return": [("via", DecisionRequest.State.SENT)],
    "decide": [
        ("addressed_to", DecisionRequest.State.FORWARDED),
        ("via", DecisionRequest.State.SENT),
    ],
}


def _waits_on(request: DecisionRequest, user, to: str) -> bool:
    return getattr(request, f"{to}_id") == office.current().pk and has_role(user, Role.PPID)


def _answers(request: DecisionRequest, user, name: str) -> list[str]:
    """The states in which this person may give the answer `name` to the request."""
    return [
        waiting
        for to, waiting in ANSWERS[name]
        if _waits_on(request, user, to)
        and ((name, to) != ("decide", "via") or delegated() is not None)
    ]


def request_steps(request: DecisionRequest, user) -> list[str]:
    """The answers this person may give to the request now (the page's buttons)."""
    return [name for name in ANSWERS if request.state in _answers(request, user, name)]


def _answerable(request: DecisionRequest, by, name: str, refusal):
    """The request re-read under a row lock, for the PPID of the office it waits on (as in
    ANSWERS), still waiting there: a second click, or two people at once, meet the first
    one's answer."""
    here = office.current()
    waiting = _answers(request, by, name)
    if not waiting:
        raise WorkflowError(refusal)
    # Each office's chain lock, in one order: both offices' registers get a row.
    for scope in sorted({request.office_id, here.pk}):
        lock_chains(scope)
    request = DecisionRequest.objects.select_for_update().get(pk=request.pk)
    if request.state not in waiting:
        raise WorkflowError(
            _("This request was already answered (%(state)s). Reload the page to see it.")
            % {"state": request.get_state_display()}
        )
    if not Office.objects.filter(pk=request.office_id, in_service=True).exists():
        # Withdrawn from the register since it sent the letter: nothing is written in a
        # register its people no longer keep, and they are mailed nothing here.
        raise WorkflowError(
            _(
                "%(office)s no longer keeps its register here: its request cannot be answered "
                "in the register. Answer its letter by letter."
            )
            % {"office": request.office.name}
        )
    return request


def _open_request(request: DecisionRequest, by) -> DecisionRequest:
    """For the PPID of the KPU Provinsi it was sent to, still waiting there."""
    refusal = _("Only the PPID of the KPU Provinsi this request was sent to answers it.")
    return _answerable(request, by, "forward", refusal)


def _both_registers(request: DecisionRequest, kind: str, by, **details) -> None:
    """Write the step in the acting office's register and in the requesting office's."""
    here = office.current()
    _event(request, kind, by, here, **details)
    with office.acting(request.office):
        _event(request, kind, by, here, **details)


def _event(request, kind, by, acting_for, **details) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, kind=kind, actor=by, acting_for=acting_for, **details
    )


def _letter(number: str, date: datetime.date) -> str:
    return f"{number}, {date_format(date, 'j F Y')}"


def _tell(request: DecisionRequest, event: str, **context) -> None:
    """Mail the acting office's PPID about the request, linked to its page there."""
    send_later(
        event,
        {"request": request, **context},
        [Role.PPID],
        link=lambda role: staff_page("dikecualikan:staff-request", request.pk),
    )


# What the KPU Provinsi and KPU read of a requested record (DOMAIN.md section 5): the public
# fields and the consequence test, never the internal title, a note, a name or a file.
SEEN_UPWARD = (
    "pk",
    "public_title",
    "document_type",
    "holding_unit",
    "exemption_scope",
    "withheld_part",
    "statutes",
    "harm",
    "public_interest",
    "balancing",
    "test_conclusion",
    "period_type",
    "period_years",
    "period_until",
    "period_event",
    "test_date",
    "test_place",
    "test_participants",
)


def requested_records(request: DecisionRequest) -> list[dict]:
    """The records of a request as the offices it travels through read them, each with the
    codes of its grounds: read in the requesting office, of these records only."""
    with office.acting(request.office):
        records = Record.objects.filter(decision_requests=request).order_by("pk")
        rows = list(records.values(*SEEN_UPWARD))
        through = Record.grounds.through.objects.filter(record__in=records)
        codes: dict[int, list[str]] = {}
        for record_id, code in through.values_list("record_id", "exemptionground_id"):
            codes.setdefault(record_id, []).append(code)
    for row in rows:
        row["codes"] = sorted(codes.get(row["pk"], []))
    return rows
