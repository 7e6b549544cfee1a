"""The public DIK table, built in Python.

This is the hot loop of the public home page. Through the template engine its 25 rows
cost about 3.5 ms (a variable lookup, a filter or a `{% url %}` per cell), more than the
rest of the page; built here they cost a tenth of that, which is most of what lets an
uncached page keep up with its visitors (docs/benchmarks.md). Every value from the database
is escaped here.
"""

from functools import cache
from html import escape

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from dikecualikan.dik import cited, split_codes
from dikecualikan.models import Decision, DecisionItem, has_privacy_exceptions, period_text

register = template.Library()


@cache  # reversed once per process: URLs only change with the code
def _link(name, prefix):
    """Return the URL of `name` for a number as the text before and after the number."""
    marker = 999999999
    return tuple(reverse(name, args=[marker]).split(str(marker)))


@cache  # a few dozen distinct sets of grounds at most
def _cited(codes: str | None) -> str:
    return escape(cited(codes))


@register.simple_tag
def published_decisions():
    """Return the newest published decisions on this office's items (home.html reads them
    inside a cached fragment, keyed by the office): KPU's decisions are shared, and each
    office's site lists those that decided its own items."""
    ours = DecisionItem.objects.values("decision_id")
    return Decision.objects.published().filter(pk__in=ours).order_by("-date_set", "-id")[:20]


# The columns of the DIK (shared/DOMAIN.md section 7), one per cell of `dik_rows`.
HEAD = (
    _("No"),
    _("Exempted information"),
    _("Holding unit"),
    _("Grounds for exemption"),
    _("Consequence if opened"),
    _("Considerations for withholding"),
    _("Period"),
    _("Decision"),
    _("Status"),
)


@cache  # translations only change with the code
def _head(language):
    cells = "".join(f'<th scope="col">{escape(str(text))}</th>' for text in HEAD)
    return f"<thead><tr>{cells}</tr></thead>"


@register.simple_tag
def dik_table(rows, version, start=1):
    """Return the DIK table of these rows (dik.dik_values), for version `version`; the
    first row is row number `start` of the list."""
    caption = escape(gettext("DIK, version %(n)s") % {"n": version})
    return mark_safe(
        f'<table class="dik"><caption>{caption}</caption>{_head(get_language())}'
        f"<tbody>\n{dik_rows(rows, start)}</tbody></table>"
    )


def dik_rows(rows, start=1):
    """Return the <tr> of each DIK row, in the order of HEAD. "No" counts the rows of the
    list (shared/DOMAIN.md section 7), as the PDF does; the record's number is in its link."""
    record_head, record_tail = _link("dikecualikan:record", get_script_prefix())
    decision_head, decision_tail = _link("dikecualikan:decision", get_script_prefix())
    exempt = escape(gettext("Exempt"))
    ended = escape(gettext("Exemption period ended"))
    partly = escape(gettext("Partly exempt"))
    copy_head, copy_tail = _link("dikecualikan:record-redacted", get_script_prefix())
    copy = escape(gettext("the open rest (PDF)"))
    today = timezone.localdate()
    periods, dates = {}, {}  # a page repeats few periods and dates: format each once
    html = []
    for number, row in enumerate(rows, start):
        period = (
            row.period_type,
            row.period_years,
            row.period_until,
            row.period_event,
            row.ends_on,
            has_privacy_exceptions(split_codes(row.codes)),
        )
        if period not in periods:
            periods[period] = _period_cell(*period)
        date_set = row.published_in__date_set
        if date_set not in dates:
            dates[date_set] = _long(date_set)
        html.append(
            f"<tr><td>{number}</td>"
            f'<td><a href="{record_head}{row.pk}{record_tail}">{escape(row.public_title)}</a></td>'
            f"<td>{escape(row.holding_unit)}</td>"
            f"<td>{_cited(row.codes)}<br><small>{escape(row.statutes)}</small></td>"
            f"<td>{escape(row.harm)}</td><td>{escape(row.balancing)}</td>"
            f"<td>{periods[period]}</td>"
            f'<td><a href="{decision_head}{row.published_in_id}{decision_tail}">'
            f"{escape(row.published_in__number)}</a>, {dates[date_set]}</td>"
            f"<td>{_status(row, today, exempt, ended, partly)}"
            + (
                f'<br><a href="{copy_head}{row.pk}{copy_tail}">{copy}</a>'
                if row.redacted_copy
                else ""
            )
            + "</td></tr>\n"
        )
    return "".join(html)


def _status(row, today, exempt, ended, partly):
    if row.ends_on and row.ends_on < today:
        return ended
    return partly if row.exemption_scope == "part" else exempt


def _long(day):
    return f"{day.day} {MONTHS[day.month]} {day.year}"


def _period_cell(period_type, years, until, event, ends_on, privacy):
    # The codes matter only for the Pasal 18(2) exceptions: one stands for all of 17g/17h.
    text = escape(str(period_text(period_type, years, until, event, ["17h"] if privacy else [])))
    if ends_on is None:
        return text
    ends = escape(gettext("ends %(date)s") % {"date": _long(ends_on)})
    return f"{text}<br><small>{ends}</small>"
