"""The staff pages' filter panels: folded away on a phone, open when a filter is in use."""

from django import template

register = template.Library()

NOT_FILTERS = ("urut", "format")  # the sort order and the export format filter nothing


@register.filter
def filters_in_use(form) -> int:
    """How many of a filter form's fields the visitor has set."""
    if not form.is_bound:
        return 0
    return sum(1 for name in form.fields if name not in NOT_FILTERS and form.data.get(name))
