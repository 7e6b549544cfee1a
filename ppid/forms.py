"""Form pieces both apps' pages share."""

from django import forms
from django.core.validators import MaxLengthValidator

# A free-text box holds a long answer, not a pasted document: bounded in the browser (with
# a counter, static/js/site.js) and on the server alike.
TEXT_LIMIT = 4000


class DateInput(forms.DateInput):
    """A browser date picker that sends and shows ISO dates (2025-08-21)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class BoundedText:
    """Every text box of the form gets a maximum length, unless its model field has one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea) and getattr(field, "max_length", 0) is None:
                field.max_length = TEXT_LIMIT
                field.validators.append(MaxLengthValidator(TEXT_LIMIT))
                field.widget.attrs["maxlength"] = str(TEXT_LIMIT)
