"""Form pieces both apps' pages share."""

import datetime

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

# A free-text box holds a long answer, not a pasted document: bounded in the browser (with
# a counter, static/js/site.js) and on the server alike.
TEXT_LIMIT = 4000


class DateInput(forms.DateInput):
    """A browser date picker that sends and shows ISO dates (2025-08-21)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# A date the register can hold and count working days from: a letter of 9999 or of year 1
# is a typing slip, and the calendar arithmetic on it would overflow.
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2199, 12, 31)


def sane_date(day: datetime.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


class KeptFileInput(forms.ClearableFileInput):
    """A file box that never offers to clear the file (nothing here is deleted): it links
    the file kept now ("PDF saat ini", when the form gives `current_url`), and a new file
    replaces it."""

    template_name = "includes/kept_file_input.html"
    current_url = ""
    current_label = _("Current file")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(current_url=self.current_url, current_label=self.current_label)
        return context


class Bounded:
    """Every text box of the form gets a maximum length (unless its model field has one),
    and every date a range the calendar can count in, in the browser and on the server.

    `marked_required` names fields the form leaves optional but the workflow requires (it
    names every gap at once): the page marks them "(wajib)" like the required ones.
    """

    marked_required = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.marked_required:
            if name in self.fields:
                self.fields[name].marked_required = True
        for field in self.fields.values():
            if type(field.widget) is forms.ClearableFileInput:
                field.widget = KeptFileInput(attrs=field.widget.attrs)
            if isinstance(field.widget, forms.Textarea) and getattr(field, "max_length", 0) is None:
                field.max_length = TEXT_LIMIT
                field.validators.append(MaxLengthValidator(TEXT_LIMIT))
                field.widget.attrs["maxlength"] = str(TEXT_LIMIT)
            if isinstance(field, forms.DateField):
                field.validators += [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]
                field.widget.attrs.update(min=FIRST_DAY.isoformat(), max=LAST_DAY.isoformat())
