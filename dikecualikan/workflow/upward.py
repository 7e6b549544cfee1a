"""The offices above an office, and the letters that go up to them.

A KPU Kabupaten/Kota asks KPU through its KPU Provinsi (PKPU 22/2023 Pasal 25(1)-(2)):
whether that Provinsi uses the register decides how a request travels (requests.py) or is
recorded by hand (decisions.request_decision). Both check a letter the same way.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import office
from ..models import DecidingBody, Decision, Office
from .steps import WorkflowError


def through_office(here: Office | None = None) -> Office | None:
    """The KPU Provinsi an office's requests travel through, when it uses the register;
    None for a KPU Provinsi or KPU itself, or where the Provinsi keeps its register elsewhere."""
    here = here or office.current()
    if here.kind not in (Office.Kind.REGENCY, Office.Kind.CITY) or here.parent_id is None:
        return None
    parent = Office.objects.get(pk=here.parent_id)
    return parent if parent.in_service else None


def kpu() -> Office:
    return Office.objects.get(kind=Office.Kind.KPU)


def letter_errors(number: str, date: datetime.date | None, prefix: str = "letter") -> dict:
    """A letter has its number and a date that has come (the office's today)."""
    errors = {}
    if not str(number or "").strip():
        errors[f"{prefix}_number"] = _("Give the number of the letter.")
    if not date:
        errors[f"{prefix}_date"] = _("Give the date of the letter.")
    elif date > timezone.localdate():
        errors[f"{prefix}_date"] = _("The letter's date cannot be in the future.")
    return errors


def check_entered_here(decision: Decision) -> None:
    """A decision the acting office acts on for others (KPU, or a KPU Provinsi by delegation,
    deciding a request; KPU naming the items its revocation opens) is one its deciding body
    entered here itself."""
    here = office.current()
    if decision.entered_in_id != here.pk or decision.body.home_office_id != here.pk:
        raise WorkflowError(
            _("Choose a decision this office entered itself, as it was set and signed."),
            {"decision": _("Not a decision entered by this office's deciding body.")},
        )


def delegated(here: Office | None = None) -> DecidingBody | None:
    """The deciding body of a KPU Provinsi whose delegation is in force today (PKPU 4/2025,
    its mechanics unverified: the body, its first day and its basis are data a superuser
    keeps, Admin → Deciding bodies), or None: it then forwards every request to KPU."""
    here = here or office.current()
    if here.kind != Office.Kind.PROVINCE:
        return None
    bodies = DecidingBody.objects.filter(
        home_office=here, kind=DecidingBody.Kind.KPU_PROVINSI, by_delegation=True
    )
    return bodies.filter(decides_from__lte=timezone.localdate()).first()


def reaches_every_office(decision: Decision) -> bool:
    """A revocation its deciding body enters and publishes in its own office (KPU's) reaches
    the offices it concerns; one typed in by an office is that office's alone."""
    home = decision.body.home_office_id if decision.body_id else None
    return decision.revokes_id is not None and home == office.current().pk


def names_in_offices(decision: Decision) -> bool:
    """Whether the acting office names this revocation's items in every office (in part)."""
    return reaches_every_office(decision) and not decision.revokes_whole
