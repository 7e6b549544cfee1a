"""Form pieces both apps' pages share."""

import datetime

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator

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


class Bounded:
    """Every text box of the form gets a maximum length (unless its model field has one),
    and every date a range the calendar can count in, in the browser and on the server."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea) and getattr(field, "max_length", 0) is None:
                field.max_length = TEXT_LIMIT
                field.validators.append(MaxLengthValidator(TEXT_LIMIT))
                field.widget.attrs["maxlength"] = str(TEXT_LIMIT)
            if isinstance(field, forms.DateField):
                field.validators += [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]
                field.widget.attrs.update(min=FIRST_DAY.isoformat(), max=LAST_DAY.isoformat())
