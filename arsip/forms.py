from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dikecualikan.models import Record
from ppid.forms import Bounded, DateInput

from .models import Location, Placement, Softcopy
from .uploads import RefusalsMixin
from .validation import EXTENSION, max_upload_bytes

# What the file chooser offers: the kinds the archive accepts (checked again on the server).
ACCEPT = ",".join(sorted({f".{ext}" for ext in EXTENSION.values()} | {".jpeg"}) + sorted(EXTENSION))


class UploadForm(RefusalsMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    softcopy = forms.ModelChoiceField(
        Softcopy.objects.none(),
        required=False,
        label=_("Replaces"),
        empty_label=_("(a new softcopy)"),
        help_text=_("Choose a softcopy to add a new version of it; the old version stays."),
    )

    def __init__(self, *args, record: Record, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["softcopy"].queryset = record.softcopies.all()
        limit = filesizeformat(max_upload_bytes())
        accepted = _("PDF, JPEG, PNG, DOCX, XLSX or ODT; at most %(limit)s.")
        self.fields["file"].help_text = accepted % {"limit": limit}


class PlacementForm(Bounded, forms.ModelForm):
    # The acting office's places in use (__init__): none are read when the form is defined.
    location = Placement._meta.get_field("location").formfield(queryset=Location.objects.none())

    class Meta:
        model = Placement
        fields = ["location", "box", "folder"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(is_active=True)


class CheckOutForm(Bounded, forms.Form):
    holder = forms.CharField(label=_("Taken by (name)"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("Due back"), widget=DateInput())


class DownloadForm(Bounded, forms.Form):
    reason = forms.CharField(
        label=_("Reason for access"),
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why you need to see this withheld document. It is kept in the access log."),
    )


class AccessReportForm(Bounded, forms.Form):
    record = forms.IntegerField(
        label=_("Record number"), required=False, min_value=1, max_value=2**31 - 1
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        if end and end > timezone.localdate():
            data["date_to"] = timezone.localdate()
        return data
