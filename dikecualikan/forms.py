import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from arsip.uploads import RefusalsMixin
from ppid.forms import Bounded, DateInput

from . import office, workflow
from .models import (
    DECIDED_FIELDS,
    PERIOD_FIELDS,
    SCOPE_FIELDS,
    STATUTE_FIELDS,
    TEST_FIELDS,
    ConsequenceTest,
    Decision,
    DecisionItem,
    ExemptionGround,
    Objection,
    ObjectionAnswer,
    Outcome,
    PeriodType,
    Record,
    Ruling,
    Scope,
    State,
)


def add_missing_errors(form, found: dict) -> None:
    """Show the workflow's refusals beside the fields that have no error of the form's own."""
    for name, message in found.items():
        if name in form.fields and name not in form.errors:
            form.add_error(name, message)


def new_upload(value):
    """The file uploaded with this form, or None: the workflow checks and stores only that."""
    return value if isinstance(value, UploadedFile) else None


def used_values(field: str) -> list[str]:
    """The values already used for a field, for a datalist: one spelling of each unit."""
    values = Record.objects.exclude(**{field: ""}).values_list(field, flat=True)
    return list(values.order_by(field).distinct()[:200])


class RecordForm(Bounded, forms.ModelForm):
    """The DIK form (SOP step 1); `token` makes a second post of the same form harmless."""

    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
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
        # Offer the units and types already used, so that the public filter is not split by
        # two spellings of one unit.
        self.datalists = {}
        for name in ("holding_unit", "document_type"):
            self.fields[name].widget.attrs["list"] = f"{name}-used"
            self.datalists[f"{name}-used"] = used_values(name)


class GroundsWidget(forms.CheckboxSelectMultiple):
    """The 38 grounds grouped under the ten letters of Pasal 17, each letter folded away
    unless one of its grounds is chosen; every ground keeps its full text."""

    template_name = "dikecualikan/widgets/grounds.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        letters = {}
        for _group, options, _index in context["widget"]["optgroups"]:
            for option in options:
                ground = option["value"].instance
                letter = letters.setdefault(ground.letter, {"options": [], "chosen": 0})
                letter["options"].append(option)
                letter["chosen"] += bool(option["selected"])
                if ground.parent_id is None:
                    letter["ground"] = ground
        context["widget"]["letters"] = list(letters.values())
        return context


def grounds_field(label):
    # Not required here: the workflow says what is missing, with the law's words.
    return forms.ModelMultipleChoiceField(
        ExemptionGround.objects.all(),
        label=label,
        widget=GroundsWidget,
        required=False,
    )


def period_type_field(label):
    return forms.ChoiceField(
        label=label, choices=PeriodType.choices, widget=forms.RadioSelect, required=False
    )


class OfficialsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username


class ParticipantsMixin(forms.Form):
    """Who takes part in a consequence test: the officials chosen, and outside experts.

    The PPID recording the test takes part without being chosen (the workflow adds them).
    """

    test_officials = OfficialsChoice(
        queryset=get_user_model().objects.none(),  # the acting office's (__init__)
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Officials taking part (besides you)"),
        help_text=_("The office's officials, from their accounts; you take part as PPID."),
    )
    test_experts = forms.CharField(
        label=_("Outside experts taking part"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line: name, position and institution (none: leave it empty)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["test_officials"].queryset = workflow.officials()

    def without(self, user):
        """Leave out the person filling in the form: they take part without being chosen."""
        field = self.fields["test_officials"]
        field.queryset = field.queryset.exclude(pk=user.pk)


# Asked, not assumed: "not chosen" is an answer the workflow refuses for 17g and 17h.
YES_NO = [("True", pgettext_lazy("answer", "Yes")), ("False", pgettext_lazy("answer", "No"))]


def yes_or_no(value):
    return {"True": True, "False": False}.get(value)


# What the workflow requires of a consequence test, which the form leaves optional so that
# the workflow names every gap at once, in the law's words: marked "(wajib)" all the same.
TEST_REQUIRED = (*TEST_FIELDS, "grounds", "period_type", "test_date", "test_place")


class ClassificationForm(Bounded, ParticipantsMixin, forms.ModelForm):
    """Classification and consequence test (SOP step 2)."""

    marked_required = TEST_REQUIRED

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    concerns_public_office = forms.TypedChoiceField(
        label=_("Does it concern a (candidate for) public office?"),
        choices=YES_NO,
        coerce=yes_or_no,
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "For 17g and 17h (required there): personal information about a public office, "
            "or a candidacy for one, is not exempted (UU 14/2008 Pasal 18(2)); every such "
            "period carries this exception and that of the person's written consent."
        ),
    )
    grounds = grounds_field(_("Exemption grounds (UU 14/2008 Pasal 17)"))
    test_conclusion = forms.ChoiceField(
        label=_("(f) Conclusion of the test"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("“Terbuka” ends the proposal: the information is served as open."),
    )
    period_type = period_type_field(_("Exemption period"))

    class Meta:
        model = Record
        fields = [
            *SCOPE_FIELDS,
            "grounds",
            *TEST_FIELDS,
            *STATUTE_FIELDS,
            *PERIOD_FIELDS,
            "public_office_reason",
            "test_officials",
            "test_experts",
            "test_date",
            "test_place",
        ]
        widgets = {
            "statutes": forms.Textarea(attrs={"rows": 2}),
            "harm": forms.Textarea(attrs={"rows": 3}),
            "public_interest": forms.Textarea(attrs={"rows": 3}),
            "balancing": forms.Textarea(attrs={"rows": 3}),
            "test_scope": forms.Textarea(attrs={"rows": 2}),
            "exemption_scope": forms.RadioSelect,
            "withheld_part": forms.Textarea(attrs={"rows": 2}),
            "public_office_reason": forms.Textarea(attrs={"rows": 2}),
            "period_until": DateInput(),
            "test_date": DateInput(),
        }
        labels = {
            # The letters of PKPU 22/2023 Pasal 25(3), in its order.
            "test_scope": _("(a) Material, nature and scope of the information"),
            "harm": _("(b) Potential harm if it is opened"),
            "statutes": _("(c) The statute (Undang-Undang) that is the basis"),
            "public_interest": _("(d) The public interest"),
            "balancing": _("(e) Weighing the harm against the public interest"),
        }
        help_texts = {
            "period_until": _(
                "For “until a date”, that date; for “until an event”, the date by which it "
                "ends at the latest (required for grounds 17a-17f, UU 14/2008 Pasal 20)."
            ),
            "statute_type": _(
                "For ground 17j (required there): the Undang-Undang that forbids disclosure, "
                "which step (c) cites; UU 14/2008 itself does not count."
            ),
            "public_office_reason": _(
                "Only when it concerns a public office and the whole document is withheld."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["exemption_scope"].required = False
        # Not a model field here: an unanswered question (None) is the workflow's to refuse.
        if self.instance.harm:  # classified before: answered then
            self.initial["concerns_public_office"] = self.instance.concerns_public_office
        order = list(self.fields)
        order.remove("concerns_public_office")
        order.insert(order.index("public_office_reason"), "concerns_public_office")
        self.order_fields(order)

    def clean_exemption_scope(self):
        # Not chosen: the whole document, the common case (the form offers it first).
        return self.cleaned_data.get("exemption_scope") or Scope.WHOLE


class RecordFilter(Bounded, forms.Form):
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


class DecisionForm(Bounded, RefusalsMixin, forms.ModelForm):
    """A decision as KPU set it: entered, or corrected before it is published."""

    class Meta:
        model = Decision
        fields = [*Decision.FORM_FIELDS, "pdf"]
        widgets = {"title": forms.Textarea(attrs={"rows": 2}), "date_set": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        revocable = Decision.objects.in_force_somewhere().order_by("-date_set")
        if self.instance.pk:
            revocable = revocable.exclude(pk=self.instance.pk)
        self.fields["revokes"].queryset = revocable
        self.fields["revokes"].help_text = _(
            "Only for a decision that revokes an earlier, published one; leave empty otherwise."
        )
        if self.instance.pk:
            self.fields["pdf"].help_text = _(
                "Choose a file only to replace the PDF; the earlier file is kept."
            )
            if self.instance.pdf:
                widget = self.fields["pdf"].widget
                widget.current_label = _("Current PDF")
                widget.current_url = reverse(
                    "dikecualikan:staff-decision-pdf", args=[self.instance.pk]
                )

    def clean_pdf(self):
        # On a correction, an empty file field keeps the PDF: only a new upload replaces it.
        return new_upload(self.cleaned_data.get("pdf"))

    def clean(self):
        # The workflow's rules for a decision (its number already entered, the date, the
        # body): shown beside the form's own errors, so that every fault shows in one pass.
        data = super().clean()
        values = {name: data.get(name) for name in Decision.FORM_FIELDS}
        decision = self.instance if self.instance.pk else None
        add_missing_errors(self, workflow.decision_errors(**values, decision=decision))
        return data


class DecidedForm(Bounded, RefusalsMixin, forms.ModelForm):
    """What a decision says of a record: prefilled from the proposal, edited where it differs."""

    # What the workflow requires of an exempting item (the form leaves it to say so).
    marked_required = ("grounds", "statutes", "harm", "balancing", "period_type")

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    grounds = grounds_field(_("Exemption grounds as decided"))
    period_type = period_type_field(_("Period as decided"))

    class Meta:
        model = DecisionItem
        fields = ["grounds", *DECIDED_FIELDS, "test_sheet"]
        widgets = {
            "statutes": forms.Textarea(attrs={"rows": 2}),
            "harm": forms.Textarea(attrs={"rows": 3}),
            "balancing": forms.Textarea(attrs={"rows": 3}),
            "period_until": DateInput(),
        }
        help_texts = {
            "test_sheet": _("KPU's own lembar pengujian konsekuensi, if it sent one (PDF)."),
        }

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        if record is not None:
            self.fields["version"].initial = record.version
            for name in DECIDED_FIELDS:
                self.fields[name].initial = getattr(record, name)
            self.fields["grounds"].initial = list(record.grounds.values_list("pk", flat=True))

    def clean_test_sheet(self):
        return new_upload(self.cleaned_data.get("test_sheet"))


class DecisionItemForm(DecidedForm):
    """A record in a decision, with the outcome the decision gives it."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    field_order = ["outcome"]

    def __init__(self, *args, decision=None, **kwargs):
        super().__init__(*args, **kwargs)
        if decision is not None and decision.revokes_id is not None:
            # A revocation opens: nothing else of the record is decided again.
            for name in ["grounds", *DECIDED_FIELDS, "test_sheet"]:
                del self.fields[name]
            self.fields["outcome"].choices = [(Outcome.OPEN, Outcome.OPEN.label)]
            self.fields["outcome"].initial = Outcome.OPEN


class LinkForm(DecidedForm):
    """An item already exempted by a decision in force, listed under it (SOP step 1)."""

    decision = forms.ModelChoiceField(
        Decision.objects.none(),
        label=_("Decision in force"),
        help_text=_(
            "The decision of KPU (or of this office's KPU Provinsi) that already exempts this "
            "information. Not in the list: a decision not yet published, or one whose body "
            "does not use the register and that this office has not entered under Decisions."
        ),
    )
    field_order = ["decision"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["test_sheet"].required = False
        # Chosen from the decisions in force for the acting office, never typed (DOMAIN.md 6).
        linkable = Decision.objects.linkable().order_by("-date_set", "-pk")
        self.fields["decision"].queryset = linkable


class ForRecord:
    """A form of one step on one record: it is given the record (`record=`)."""

    def __init__(self, *args, record=None, **kwargs):
        self.record = record
        super().__init__(*args, **kwargs)


class WithdrawForm(ForRecord, Bounded, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(
        label=_("Why it is withdrawn"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The item stays in the history, marked withdrawn."),
    )


class RequestForm(ForRecord, Bounded, forms.Form):
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


class OpenForm(ForRecord, Bounded, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.ChoiceField(
        label=_("Why it is opened"),
        # Not here: a revocation, an objection and a ruling open through their own records.
        choices=[(r.value, r.label) for r in workflow.OPEN_BY_HAND],
        widget=forms.RadioSelect,
    )
    instrument = forms.CharField(
        label=_("Instrument"),
        max_length=500,
        help_text=_("The decision, letter or ruling that opens it."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.record is None:
            return
        # Only the reasons that apply to this record now (the workflow's rules), and why
        # the others do not.
        why_not = workflow.open_reasons(self.record)
        field = self.fields["reason"]
        field.choices = [(r.value, r.label) for r in workflow.OPEN_BY_HAND if not why_not[r]]
        alike = {}  # reasons refused for the same cause are named together
        for reason, why in why_not.items():
            if why:
                alike.setdefault(str(why), []).append(str(reason.label))
        refused = "; ".join(f"{' / '.join(labels)}: {why}" for why, labels in alike.items())
        if refused:
            field.help_text = _("Not offered for this record now: %(reasons)s.") % {
                "reasons": refused
            }


class ObjectionForm(Bounded, forms.ModelForm):
    """An objection received in writing (UU 14/2008 Pasal 35-36)."""

    records = forms.ModelMultipleChoiceField(
        Record.objects.none(),  # the acting office's published records (__init__)
        label=_("Records the refused request concerned"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Published records only: an objection concerns an exemption on the DIK."),
    )

    class Meta:
        model = Objection
        fields = [
            "requester_name",
            "requester_contact",
            "received_on",
            "request_reference",
            "request_refused_on",
            "grounds",
            "records",
        ]
        widgets = {
            "received_on": DateInput(),
            "request_refused_on": DateInput(),
            "grounds": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        published = Record.objects.filter(state=State.PUBLISHED).order_by("pk")
        self.fields["records"].queryset = published

    def clean(self):
        # The dates' rules are the workflow's: shown with the missing fields, in one pass.
        data = super().clean()
        dates = workflow.objection_date_errors(
            data.get("received_on"), data.get("request_refused_on")
        )
        for name, message in dates.items():
            if name not in self.errors and name in self.fields:
                self.add_error(name, message)
        return data


class ObjectionStepForm(Bounded, RefusalsMixin, forms.ModelForm):
    """A step on one objection with its PDF: the workflow's faults (the dates' order, the
    instances) shown beside the form's own, so that every fault shows in one pass."""

    checked = ()  # the fields `check` takes after the objection, in its order

    def __init__(self, *args, objection=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.objection = objection

    def clean_pdf(self):
        return new_upload(self.cleaned_data.get("pdf"))

    def clean(self):
        data = super().clean()
        if self.objection is not None:
            found = self.check(self.objection, *(data.get(name) for name in self.checked))
            add_missing_errors(self, found)
        return data


class AnswerForm(ObjectionStepForm):
    """The Atasan PPID's written answer."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ObjectionAnswer.Outcome.choices, widget=forms.RadioSelect
    )

    checked = ("outcome", "number", "answered_on", "reasons")
    check = staticmethod(workflow.answer_errors)

    class Meta:
        model = ObjectionAnswer
        fields = ["outcome", "number", "answered_on", "reasons", "pdf"]
        widgets = {"answered_on": DateInput(), "reasons": forms.Textarea(attrs={"rows": 3})}


class RulingForm(ObjectionStepForm):
    """A ruling of the Komisi Informasi (or a court) in the dispute on an objection."""

    checked = ("body", "number", "ruled_on", "pdf")
    check = staticmethod(workflow.ruling_errors)

    class Meta:
        model = Ruling
        fields = ["body", "number", "ruled_on", "opens", "pdf"]
        widgets = {"ruled_on": DateInput()}


class RedactedCopyForm(RefusalsMixin, forms.Form):
    """The redacted copy of a partially exempted record: a public PDF, the exempt part black."""

    file = forms.FileField(
        label=_("Redacted public copy (PDF)"),
        help_text=_("The exempt part blacked out or blurred; the public may read the rest."),
    )


class RetestForm(Bounded, ParticipantsMixin, forms.ModelForm):
    """A consequence test repeated on a published item (every earlier test is kept)."""

    marked_required = ("occasion", *TEST_REQUIRED)

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    occasion = forms.ChoiceField(
        label=_("Why it is tested again"),
        choices=ConsequenceTest.Occasion.choices,
        widget=forms.RadioSelect,
    )
    test_conclusion = forms.ChoiceField(
        label=_("(f) Conclusion of the test"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    class Meta:
        model = ConsequenceTest
        fields = [
            "occasion",
            "test_scope",
            "harm",
            "statutes",
            "public_interest",
            "balancing",
            "test_conclusion",
            "scope_unchanged",
            "test_officials",
            "test_experts",
            "test_date",
            "test_place",
        ]
        widgets = {
            "test_scope": forms.Textarea(attrs={"rows": 2}),
            "harm": forms.Textarea(attrs={"rows": 3}),
            "statutes": forms.Textarea(attrs={"rows": 2}),
            "public_interest": forms.Textarea(attrs={"rows": 3}),
            "balancing": forms.Textarea(attrs={"rows": 3}),
            "test_date": DateInput(),
        }
        labels = ClassificationForm.Meta.labels

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False  # the workflow names what is missing, in the law's words
        self.fields["occasion"].required = True
        if record is not None:  # prefilled with the test in force, to be weighed again
            self.fields["version"].initial = record.version
            for name in ("test_scope", "harm", "statutes", "public_interest", "balancing"):
                self.fields[name].initial = getattr(record, name)
            self.fields["test_place"].initial = record.test_place or office.current().place
            self.fields["test_officials"].initial = list(record.test_officials.all())


# --- Requests to KPU through KPU Provinsi ---------------------------------------------


class SendRequestForm(Bounded, forms.Form):
    """One letter to the office's KPU Provinsi, for the archived records it proposes."""

    marked_required = ("records",)
    records = forms.ModelMultipleChoiceField(
        Record.objects.none(),  # the acting office's archived records (__init__)
        label=_("Archived records the letter asks KPU to decide"),
        widget=forms.CheckboxSelectMultiple,
        required=False,  # the workflow says so, in its words
    )
    letter_number = forms.CharField(label=_("Letter number"), max_length=255)
    letter_date = forms.DateField(label=_("Letter date"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        archived = Record.objects.filter(state=State.ARCHIVED).order_by("pk")
        self.fields["records"].queryset = archived


class ItemsInOfficesForm(Bounded, forms.Form):
    """Items of several offices, chosen by KPU's PPID on a revocation in part: each labelled
    with its office and what the public reads of it (`rows`, from the workflow)."""

    marked_required = ("records",)
    records = forms.TypedMultipleChoiceField(
        coerce=int,
        label=_("Items this decision opens"),
        widget=forms.CheckboxSelectMultiple,
        required=False,  # the workflow says so, in its words
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["records"].choices = [
            (row["pk"], f"{row['office__name']}: #{row['pk']} {row['public_title']}")
            for row in rows
        ]


class WithdrawInOfficesForm(ItemsInOfficesForm):
    """KPU withdraws items its revocation in part named by mistake, before publishing it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["records"].label = _("Items to withdraw")
        self.fields["note"].label = _("Why they are withdrawn")
        self.fields["note"].help_text = _(
            "The items stay in each office's history, marked withdrawn."
        )


class ForwardRequestForm(Bounded, forms.Form):
    """The KPU Provinsi's cover letter, forwarding a request to KPU."""

    letter_number = forms.CharField(label=_("Cover letter number"), max_length=255)
    letter_date = forms.DateField(label=_("Cover letter date"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnRequestForm(Bounded, forms.Form):
    """The KPU Provinsi returns a request: the office's PPID reads the note on each record."""

    note = forms.CharField(
        label=_("Why it is returned"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class DecideRequestForm(Bounded, forms.Form):
    """KPU's decision on a forwarded request: the decision it entered, and for each record
    what the decision says of it (one radio group per record, named outcome_<id>)."""

    decision = forms.ModelChoiceField(
        Decision.objects.none(),  # the decisions entered in the acting office (__init__)
        label=_("KPU's decision"),
        help_text=_("Enter it first under Decisions (number, date, signatory, PDF)."),
    )

    def __init__(self, *args, records=(), **kwargs):
        super().__init__(*args, **kwargs)
        here = office.current()
        self.fields["decision"].queryset = Decision.objects.filter(entered_in=here).order_by(
            "-date_set", "-pk"
        )
        if here.kind == office.Office.Kind.PROVINCE:  # deciding by KPU's delegation
            self.fields["decision"].label = _("The decision of %(body)s") % {"body": here.name}
        for record in records:
            self.fields[f"outcome_{record['pk']}"] = forms.ChoiceField(
                label=f"#{record['pk']} {record['public_title']}",
                choices=Outcome.choices,
                widget=forms.RadioSelect,
                required=False,  # the workflow names every record left without one
            )
            self.fields[f"outcome_{record['pk']}"].marked_required = True

    def outcomes(self) -> dict[int, str]:
        return {
            int(name.removeprefix("outcome_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("outcome_")
        }
