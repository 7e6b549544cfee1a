"""Form pieces both apps' pages share."""

from django import forms


class DateInput(forms.DateInput):
    """A browser date picker that sends and shows ISO dates (2025-08-21)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)
