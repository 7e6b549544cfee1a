"""The period rules, shared by the classification and the decisions (shared/DOMAIN.md 4).

UU 14/2008 Pasal 20: an exemption on grounds 17a-17f always ends, within the cap of
each ground (PP 61/2010: 30 years for 17a; the others are data a superuser keeps).
The classification checks a proposal against them, counted from the test's date; a
decision checks what it says, counted from its date; a corrected decision date checks
every item again.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..models import PERIOD_FIELDS, PeriodType, period_end


def period_errors(
    grounds,
    period_type,
    period_years=None,
    period_until=None,
    period_event="",
    start=None,
    past_end_allowed=False,
    **_other,
) -> dict:
    """The period's rules: UU 14/2008 Pasal 20 (17a-17f always end, within their caps).

    `start`: the decision's date (before one, the test's; checked again at the decision).
    `past_end_allowed`: a corrected decision date may end a period (the item then opens).
    """
    if period_type not in PeriodType.values:
        return {"period_type": _("Choose the exemption period.")}
    finite = sorted(g.code for g in grounds if not g.allows_indefinite)
    caps = [g.max_years for g in grounds if g.max_years]
    limit = min([*caps, settings.PPID_MAX_PERIOD_YEARS])
    if period_type == PeriodType.FIXED:
        return _years_errors(period_years, limit, bool(caps))
    if period_type == PeriodType.UNTIL_EVENT and (
        errors := _event_errors(period_event, period_until, finite)
    ):
        return errors
    if period_type == PeriodType.UNTIL_DATE and not period_until:
        return {"period_until": _("Give the date on which the exemption ends.")}
    if period_until:
        return _until_errors(period_until, limit, start or timezone.localdate(), past_end_allowed)
    if period_type == PeriodType.INDEFINITE and finite:
        return _indefinite_errors(finite)
    return {}


def _indefinite_errors(finite) -> dict:
    return {
        "period_type": _(
            "Exemptions on grounds 17a-17f must end (UU 14/2008 Pasal 20); %(codes)s cannot "
            "be indefinite. Choose a number of years, a date or an event."
        )
        % {"codes": ", ".join(finite)}
    }


def _event_errors(event: str, backstop, finite) -> dict:
    if not str(event or "").strip():
        return {"period_event": _("Describe the event that ends the exemption.")}
    if finite and not backstop:
        return {
            "period_until": _(
                "Grounds 17a-17f must end (UU 14/2008 Pasal 20): give the date by which the "
                "exemption ends at the latest, even if the event comes first."
            )
        }
    return {}


def _years_errors(years, limit: int, capped: bool) -> dict:
    if not years or int(years) < 1:
        return {"period_years": _("Give the number of years (1 or more).")}
    if int(years) > limit:
        if capped:
            message = _("At most %(max)s years for these grounds.")
        else:
            message = _("A period can run %(max)s years at most.")
        return {"period_years": message % {"max": limit}}
    return {}


def _until_errors(until: datetime.date, limit: int, start: datetime.date, past_end_allowed) -> dict:
    if until <= timezone.localdate() and not past_end_allowed:
        return {"period_until": _("The end date must be in the future.")}
    latest = period_end(PeriodType.FIXED, limit, None, start)
    if until > latest:
        return {
            "period_until": _(
                "Too late: at most %(max)s years from %(start)s for these grounds, that is "
                "%(latest)s at the latest."
            )
            % {
                "max": limit,
                "start": date_format(start, "j F Y"),
                "latest": date_format(latest, "j F Y"),
            }
        }
    return {}


# The values each kind of period keeps; the others are cleared. An event period keeps its
# backstop date (required for 17a-17f).
PERIOD_VALUES = {
    PeriodType.FIXED: ("period_years",),
    PeriodType.UNTIL_DATE: ("period_until",),
    PeriodType.UNTIL_EVENT: ("period_event", "period_until"),
}


def keep_period_value(values: dict) -> None:
    """Clear the period values that the period's type does not use (the form sends them all)."""
    for name in PERIOD_FIELDS[1:]:
        if name not in PERIOD_VALUES.get(values["period_type"], ()):
            values[name] = "" if name == "period_event" else None
