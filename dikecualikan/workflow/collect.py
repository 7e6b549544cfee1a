"""SOP step 1: the desk collects an item on the DIK form, and corrects it before submission."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..models import Action, Record, SentForm, Transition
from ..roles import has_role
from .steps import STEPS, WorkflowError, check_step, lock_record, move, required_text, role_names

RECORD_FIELDS = ("title", "public_title", "holding_unit", "document_type")


def collect(
    *,
    by,
    title: str,
    public_title: str,
    holding_unit: str,
    document_type: str,
    note: str = "",
    token: str = "",
) -> Record:
    """Enter an item already designated as exempted on the DIK form (SOP step 1).

    `token` is the form's one-time token: the same form sent twice, even at the same
    instant, makes one record; the second call returns it, marked `already_sent`.
    """
    step = STEPS["collect"]
    if not has_role(by, *step.roles):
        raise WorkflowError(
            _("Only %(roles)s may collect records on the DIK form.")
            % {"roles": role_names(step.roles)}
        )
    values = {
        "title": title,
        "public_title": public_title,
        "holding_unit": holding_unit,
        "document_type": document_type,
    }
    if errors := required_text(values, RECORD_FIELDS):
        raise WorkflowError(_("Fill in every field of the DIK form."), errors)
    try:
        return _create(by, values, note, token)
    except IntegrityError as error:
        return _sent_already(token, error)


def _create(by, values: dict, note: str, token: str) -> Record:
    with transaction.atomic():
        record = Record.objects.create(created_by=by, **{k: v.strip() for k, v in values.items()})
        Transition.objects.create(
            record=record, action=Action.COLLECT, to_state=record.state, actor=by, note=note
        )
        if token:
            SentForm.objects.create(token=token, record=record)
    return record


def _sent_already(token: str, error: IntegrityError) -> Record:
    """The record a form with this token made (a second post lost the race to the first)."""
    sent = SentForm.objects.filter(token=token).select_related("record").first() if token else None
    if sent is None:
        raise error  # not the token's clash: a real fault
    sent.record.already_sent = True
    return sent.record


def edit(*, record: Record, by, version: int | None = None, note: str = "", **values) -> Record:
    """Correct the DIK fields of a record not yet submitted (or returned)."""
    unknown = set(values) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"edit() cannot change {sorted(unknown)}")
    if errors := required_text(values, values.keys()):
        raise WorkflowError(_("Fill in every field of the DIK form."), errors)
    with transaction.atomic():
        record = lock_record(record, version)
        step = check_step(record, by, "edit")
        changed = [k for k, v in values.items() if getattr(record, k) != v.strip()]
        if not changed:
            return record
        # The history keeps what each field said before and after (never only its name).
        changes = {name: [getattr(record, name), values[name].strip()] for name in changed}
        for name in changed:
            setattr(record, name, values[name].strip())
        labels = ", ".join(str(Record._meta.get_field(n).verbose_name) for n in changed)
        move(
            record,
            by,
            step,
            note=note or format_lazy("{}: {}", _("Changed"), labels),
            fields=tuple(changed),
            details={"changes": changes},
        )
    return record
