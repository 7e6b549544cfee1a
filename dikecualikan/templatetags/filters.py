"""The staff pages' filter panels (folded away on a phone, open when a filter is in use), and
multi-line values shown as lists."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

NOT_FILTERS = ("urut", "format")  # the sort order and the export format filter nothing


@register.filter
def filters_in_use(form) -> int:
    """How many of a filter form's fields the visitor has set."""
    if not form.is_bound:
        return 0
    return sum(1 for name in form.fields if name not in NOT_FILTERS and form.data.get(name))


def lines_as_list(value):
    """A value of several lines (participants, statutes) as a list, one item a line; a value
    of one line as it is (escaped either way)."""
    lines = [line.strip() for line in str(value).splitlines() if line.strip()]
    if len(lines) < 2:
        return format_html("{}", value)
    items = format_html_join("", "<li>{}</li>", ((line,) for line in lines))
    return format_html('<ul class="lines">{}</ul>', items)


register.filter("as_list", lines_as_list)
