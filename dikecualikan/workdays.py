"""Working days (hari kerja): the one calendar every legal deadline of the app counts in.

Monday to Friday, minus Indonesia's national holidays and cuti bersama as the `holidays`
package knows them (its "public" and "government" categories, shared/DOMAIN.md section 8),
corrected by the office's own table (OfficeDay: a regional day off, a holiday moved by
decree, a year the package does not know yet). Nothing here is written per year.

A count of N working days after a date D starts on the first working day after D: an
objection received on a Saturday or a holiday counts from the next working day.
"""

from __future__ import annotations

import datetime
import functools

import holidays
from django.conf import settings
from django.utils import timezone

from .models import OfficeDay

ONE_DAY = datetime.timedelta(days=1)


@functools.lru_cache(maxsize=64)
def national_days_off(year: int) -> frozenset[datetime.date]:
    """The package's holidays and cuti bersama of one year (static data: cached per process)."""
    days = holidays.country_holidays("ID", categories=("public", "government"), years=year)
    return frozenset(days)


class Calendar:
    """Answers "is D a working day" for any date, reading the office's table once per year."""

    def __init__(self):
        self._years: dict[int, tuple[frozenset, frozenset]] = {}

    def _corrections(self, year: int) -> tuple[frozenset, frozenset]:
        if year not in self._years:
            rows = OfficeDay.objects.filter(date__year=year).values_list("date", "kind")
            off = frozenset(d for d, kind in rows if kind == OfficeDay.Kind.OFF)
            working = frozenset(d for d, kind in rows if kind == OfficeDay.Kind.WORKING)
            self._years[year] = (off, working)
        return self._years[year]

    def is_working_day(self, day: datetime.date) -> bool:
        off, working = self._corrections(day.year)
        if day in working:
            return True
        if day in off or day.weekday() >= 5:
            return False
        return day not in national_days_off(day.year)


def working_days_after(day: datetime.date, n: int, calendar: Calendar | None = None):
    """Return the date of the n-th working day after `day` (n = 0: `day` itself)."""
    calendar = calendar or Calendar()
    count = 0
    while count < n:
        day += ONE_DAY
        if calendar.is_working_day(day):
            count += 1
    return day


def working_days_between(start: datetime.date, end: datetime.date, calendar=None) -> int:
    """Return how many working days come after `start`, up to and including `end` (0 if none).

    Pass one `calendar` for a list of counts: it reads the office's table once per year.
    """
    calendar = calendar or Calendar()
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        count += calendar.is_working_day(day)
    return count


def review_window_end(today: datetime.date | None = None) -> datetime.date:
    """The last end date that puts an item in the review queue today (PPID_REVIEW_WORKING_DAYS)."""
    today = today or timezone.localdate()
    return working_days_after(today, settings.PPID_REVIEW_WORKING_DAYS)
