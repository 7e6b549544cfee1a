import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from arsip.uploads import RefusalsMixin
from ppid.forms import DateInput

from . import workflow
from .models import (
    PARTICIPANT_FIELDS,
    PERIOD_FIELDS,
    TEST_FIELDS,
    Decision,
    ExemptionGround,
    OpenReason,
    Outcome,
    PeriodType,
    Record,
    State,
)


class RecordForm(forms.ModelForm):
    """The DIK form (SOP step 1); `token` makes a second post of the same form harmless."""

    token = forms.CharField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Record
        fields = ["title", "public_title", "holding_unit", "document_type"]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "public_title": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = uuid.uuid4().hex
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class ClassificationForm(forms.ModelForm):
    """Classification and consequence test (SOP step 2)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    grounds = forms.ModelMultipleChoiceField(
        ExemptionGround.objects.all(),
        label=_("Exemption grounds (UU 14/2008 Pasal 17)"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    period_type = forms.ChoiceField(
        label=_("Exemption period"),
        choices=PeriodType.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    class Meta:
        model = Record
        fields = ["grounds", *TEST_FIELDS, *PERIOD_FIELDS, *PARTICIPANT_FIELDS]
        widgets = {
            "statutes": forms.Textarea(attrs={"rows": 2}),
            "harm": forms.Textarea(attrs={"rows": 3}),
            "public_interest": forms.Textarea(attrs={"rows": 3}),
            "balancing": forms.Textarea(attrs={"rows": 3}),
            "test_participants": forms.Textarea(attrs={"rows": 2}),
            "period_until": DateInput(),
            "test_date": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version


class RecordFilter(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All"))] + list(State.choices)
    )
    unit = forms.CharField(label=_("Holding unit"), required=False, max_length=255)
    dasar = forms.CharField(label=_("Exemption ground"), required=False, max_length=8)
    tahun = forms.IntegerField(
        label=_("Year collected"), required=False, min_value=2000, max_value=2100
    )
    keputusan = forms.ModelChoiceField(
        Decision.objects.order_by("-date_set"), required=False, label=_("Decision")
    )
    urut = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("baru", _("Newest first")), ("lama", _("Oldest first"))],
    )


class DecisionForm(RefusalsMixin, forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["body", "number", "year", "title", "date_set", "pdf"]
        widgets = {"title": forms.Textarea(attrs={"rows": 2}), "date_set": DateInput()}


class DecisionItemForm(forms.Form):
    record = forms.ModelChoiceField(
        Record.objects.filter(
            state__in=workflow.STEPS["decide_exempt"].sources
            | workflow.STEPS["decide_open"].sources
        ).order_by("pk"),
        label=_("Record"),
        help_text=_("Records requested from KPU, and decided ones a later decision opens."),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )


class RequestForm(forms.Form):
    """The letter asking KPU, through KPU Provinsi, for the consequence test and decision."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    letter_number = forms.CharField(label=_("Letter number"), max_length=255)
    letter_date = forms.DateField(label=_("Letter date"), widget=DateInput())
    addressee = forms.CharField(
        label=_("Sent to"),
        max_length=255,
        initial=workflow.DEFAULT_ADDRESSEE,
        help_text=_("A KPU Kota asks KPU through its KPU Provinsi (PKPU 22/2023 Pasal 25)."),
    )


class OpenForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.ChoiceField(
        label=_("Why it is opened"), choices=OpenReason.choices, widget=forms.RadioSelect
    )
    instrument = forms.CharField(
        label=_("Instrument"),
        max_length=500,
        help_text=_("The decision, letter or ruling that opens it."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
