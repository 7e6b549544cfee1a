"""The archive pages (SOP step 3): softcopies, hardcopy place and custody, downloads, access log.

Only people who hold one of the five SOP roles see anything here; an IT
administrator without a role does not. Every download asks for a reason and
writes an access-log row before a byte is served.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict, ErrorList
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dikecualikan import workflow
from dikecualikan.exports import csv_response
from dikecualikan.models import Document
from dikecualikan.roles import has_role
from dikecualikan.staff import ask_for_document
from dikecualikan.tasks import AUDITORS, access_logs
from ppid.access import record_for, require_role, role_required
from ppid.signin import client_ip
from ppid.views import confirm_page, take_step

from . import uploads
from .forms import AccessReportForm, CheckOutForm, DownloadForm, PlacementForm, UploadForm
from .models import AccessLog, SoftcopyVersion
from .storage import download_name
from .validation import EXTENSION, max_upload_bytes


def _version_for(request, pk) -> SoftcopyVersion:
    require_role(request.user)  # before the 404, so that a guess learns nothing
    return get_object_or_404(SoftcopyVersion.objects.select_related("softcopy__record"), pk=pk)


REFUSED_UPLOAD = "arsip-refused-upload-%s"


class SeeOther(HttpResponseRedirect):
    """After a refused post, the browser fetches the page with GET (nothing posts on refresh)."""

    status_code = 303


def _page(request, record, status=200, **forms):
    softcopies = record.softcopies.prefetch_related("versions__uploaded_by")
    steps = workflow.allowed_steps(record, request.user)
    # Archiving is this page's goal while the record may be archived: show what it needs.
    needs = None
    if record.state in workflow.STEPS["archive"].sources:
        needs = workflow.archive_needs(record)
    context = {
        "record": record,
        "softcopies": softcopies,
        "placement": record.placements.select_related("location").first(),
        "custody": record.custody.select_related("checked_out_by", "checked_in_by"),
        "steps": steps,
        "needs": needs,
        "ready": needs is not None and all(done for _label, done in needs),
        "can_audit": has_role(request.user, *AUDITORS),
        "upload_form": forms.get("upload_form") or _refused_upload(request, record),
        "place_form": forms.get("place_form") or PlacementForm(),
        "check_out_form": forms.get("check_out_form") or CheckOutForm(),
    }
    return render(request, "arsip/record_archive.html", context, status=status)


def _refused_upload(request, record) -> UploadForm:
    """The upload form, showing why the last upload was refused (kept across the redirect)."""
    form = UploadForm(record=record)
    errors = request.session.pop(REFUSED_UPLOAD % record.pk, None)
    if errors:
        form._errors = ErrorDict(
            {field: ErrorList([e["message"] for e in listed]) for field, listed in errors.items()}
        )
    return form


@login_required
@never_cache
def record_archive(request, pk):
    return _page(request, record_for(request, pk))


@login_required
@require_POST
def upload(request, pk):
    record = record_for(request, pk)
    # Refuse a body far over the limit before Django reads it at all.
    if int(request.META.get("CONTENT_LENGTH") or 0) > max_upload_bytes() + 1024 * 1024:
        messages.error(request, _("The file is larger than the limit; nothing was stored."))
        return redirect("arsip:record", pk=record.pk)
    form = UploadForm(
        request.POST, request.FILES, record=record, refusals=uploads.refusals(request)
    )

    def done(version):
        return _("Stored %(name)s (version %(number)s).") % {
            "name": version.original_name,
            "number": version.number,
        }

    if not take_step(request, form, workflow.upload_softcopy, done, record=record):
        # Back to the page with the reasons, so that a refresh does not post the file again.
        request.session[REFUSED_UPLOAD % record.pk] = form.errors.get_json_data()
        return SeeOther(reverse("arsip:record", args=[record.pk]) + "#upload")
    return redirect("arsip:record", pk=record.pk)


def _form_step(request, record, form, form_name, step, done):
    """Take a workflow step with a form's data; on a refusal show the form again with why."""
    if take_step(request, form, step, done, record=record):
        return redirect("arsip:record", pk=record.pk)
    return _page(request, record, status=400, **{form_name: form})


@login_required
@require_POST
def place(request, pk):
    return _form_step(
        request,
        record_for(request, pk),
        PlacementForm(request.POST),
        "place_form",
        workflow.place_hardcopy,
        _("The hardcopy place is recorded."),
    )


@login_required
@require_POST
def check_out(request, pk):
    return _form_step(
        request,
        record_for(request, pk),
        CheckOutForm(request.POST),
        "check_out_form",
        workflow.check_out_hardcopy,
        _("The hardcopy is recorded as taken out."),
    )


@login_required
@require_POST
def check_in(request, pk):
    return _act(request, pk, workflow.check_in_hardcopy, _("The hardcopy is back in its place."))


@login_required
@never_cache
def archive(request, pk):
    """Confirm, then archive (SOP step 3)."""
    if request.method == "POST":
        done = _("The record is archived. Next: the PPID asks KPU for its decision.")
        return _act(request, pk, workflow.archive, done, version=request.POST.get("version"))
    record = record_for(request, pk)
    back = reverse("arsip:record", args=[record.pk])
    if "archive" not in workflow.allowed_steps(record, request.user):
        messages.error(request, _("This record cannot be archived now; its archive page says why."))
        return redirect(back)
    what = [
        _("The record is archived (SOP step 3): its softcopy verified, its hardcopy filed."),
        _("The softcopy and the hardcopy place stay editable; the archiving itself stays."),
    ]
    return confirm_page(
        request,
        title=_("Archive record #%(id)s") % {"id": record.pk},
        what=what,
        told=_("the PPID (by mail): the next step is theirs"),
        button=_("Archive the record"),
        back=back,
        version=record.version,
    )


def _act(request, pk, step, done, **kwargs):
    """Take a step that needs no form; say what happened either way."""
    record = record_for(request, pk)
    try:
        step(record=record, by=request.user, **kwargs)
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("arsip:record", pk=record.pk)


@login_required
@never_cache
def download(request, pk):
    """Ask why, log the access, then serve the file (or a signed URL valid 60 seconds)."""
    version = _version_for(request, pk)
    form = DownloadForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        # The file is opened before the access is logged: a log row claims a real download.
        try:
            response = _serve(version)
        except OSError:  # gone from the storage (FileNotFoundError), or unreadable
            form.add_error(
                None,
                _(
                    "The stored file of this version cannot be found, so nothing was "
                    "downloaded and nothing was logged. Tell the PPID: manage.py verify_fixity "
                    "lists the missing files, and the backup holds a copy."
                ),
            )
            status = 404
        else:
            try:
                AccessLog.objects.create(
                    version=version,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    ip=client_ip(request),  # behind the proxy too (TRUSTED_PROXIES)
                    sha256=version.sha256,
                )
            except BaseException:
                response.close()
                raise
            return response
    return render(
        request,
        "arsip/softcopy_download.html",
        {"version": version, "form": form},
        status=400 if status == 200 and form.errors else status,
    )


def _serve(version):
    storage = version.file.storage
    name = download_name(version.original_name, EXTENSION.get(version.content_type, "bin"))
    disposition = content_disposition_header(True, name)
    if getattr(storage, "querystring_auth", False):
        # A private bucket: the browser fetches the object itself, with a short-lived signature.
        if not storage.exists(version.file.name):
            raise FileNotFoundError(version.file.name)
        url = storage.url(
            version.file.name,
            expire=60,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": version.content_type,
            },
        )
        response = HttpResponseRedirect(url)
    else:
        response = FileResponse(
            storage.open(version.file.name, "rb"), content_type=version.content_type
        )
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*AUDITORS)
@never_cache
def access_report(request):
    """Who saw which softcopy, when and why: for the PPID and the Atasan PPID, also as CSV."""
    form = AccessReportForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    logs = access_logs(data.get("record"), data.get("date_from"), data.get("date_to"))
    if request.GET.get("format") == "csv":
        return _access_csv(logs)
    if request.GET.get("format") == "pdf":
        return _access_pdf(request, form)
    page = Paginator(logs, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "arsip/access_report.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _access_pdf(request, form):
    """Ask the worker for the access report as a paper for auditors: the page's filters."""
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    params = {
        "record": data.get("record"),
        "date_from": str(data["date_from"]) if data.get("date_from") else None,
        "date_to": str(data["date_to"]) if data.get("date_to") else None,
    }
    title = "Laporan akses softcopy"  # the office's papers are named in Indonesian
    if params["record"]:
        title += f" entri #{params['record']}"
    with translation.override("id"):
        for key, words in (("date_from", "mulai"), ("date_to", "sampai")):
            if data.get(key):
                title += f" {words} {date_format(data[key], 'j F Y')}"
    return ask_for_document(request, Document.Kind.ACCESS_REPORT, params, title)


def _without_format(request):
    query = request.GET.copy()
    query.pop("format", None)
    return query.urlencode()


def _access_csv(logs):
    header = ["waktu", "pengguna", "entri", "berkas", "versi", "sha256", "alasan", "ip"]
    rows = (
        [
            log.at.isoformat(),
            log.user.get_username(),
            log.version.softcopy.record_id,
            log.version.original_name,
            log.version.number,
            log.sha256,
            log.reason,
            log.ip,
        ]
        for log in logs.iterator(chunk_size=500)
    )
    response = csv_response(header, rows, "log-akses-softcopy.csv")
    response["Cache-Control"] = "private, no-store"
    return response
