"""The staff's documents, prepared by the worker: of any length, never while someone waits.

A person asks for a document (the DIK of a collection period, the nota dinas of a day's
submissions, the softcopy access report); the page writes a Document row and enqueues
`prepare` in the same transaction, and shows it on their page of documents. The worker
renders the rows in chunks (pdf.render_rows_pdf: memory bounded at any length), reports
its progress on the row, stores the PDF in private storage (documents.put: whole or not
at all) and marks it ready; a list longer than PPID_DOCUMENT_MAIL_ROWS is announced by
mail too. A render that fails is tried again twice, then shown as failed, and the person
is told by mail. The same document asked for twice while it is being prepared is
prepared once (a partial unique constraint on the row).

The mail from the outbox and the public DIK's PDF are tasks too: outbox.deliver and
documents.render_dik, below the workflow that enqueues them.
"""

from __future__ import annotations

import datetime
import json
import tempfile

from django.conf import settings
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django_tasks import task

from arsip.models import AccessLog

from . import office
from .dik import dik_values, document_row, signing_ppid
from .documents import put
from .models import Action, CollectionPeriod, Document, State, Transition
from .outbox import enqueue
from .pdf import render_rows_pdf
from .roles import Role
from .workflow.mail import send_later

Kind, Status = Document.Kind, Document.Status
# Minutes before a failed render is tried again; after these, it is shown as failed.
RETRY_MINUTES = (1, 5)
# Who may ask for (and download) each kind: the access report is for auditors alone.
AUDITORS = (Role.PPID, Role.ATASAN)
ROLES = {Kind.PERIOD_DIK: (), Kind.SUBMISSION_MEMO: (), Kind.ACCESS_REPORT: AUDITORS}


def ask_for(user, kind: str, params: dict, title: str) -> tuple[Document, bool]:
    """Ask the worker for a document; return it and whether it was asked for just now.

    The same document (kind and parameters) already being prepared for this person is
    returned as it is: a double click, or two tabs, prepare it once.
    """
    key = f"{kind}:{json.dumps(params, sort_keys=True)}"
    working = Document.objects.filter(requested_by=user, key=key, status__in=Document.WORKING)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                kind=kind, params=params, key=key, title=title, requested_by=user
            )
            enqueue(prepare, document.pk)
    except IntegrityError:  # asked for a moment ago, and not ready yet
        return working.get(), False
    return document, True


@task(queue_name="documents")
def prepare(document_id: int) -> str:
    """Render one asked-for document in its office; safe to run twice (a ready one is left
    as it is)."""
    document = Document._base_manager.filter(pk=document_id).first()
    if document is None:
        return "missing"
    with office.acting_for(document):
        return _prepare(document_id)


def _prepare(document_id: int) -> str:
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status not in Document.WORKING:
            return document.status if document else "missing"
        document.status, document.started_at = Status.RENDERING, timezone.now()
        document.attempts += 1
        document.rows_done = 0
        document.save(update_fields=["status", "started_at", "attempts", "rows_done"])
    try:
        _render(document)
    except BaseException as error:  # a forced stop of the worker too: tried again
        _failed(document, error)
        raise
    return document.status


def _render(document: Document) -> None:
    template, context, rows, count, filename, landscape = BUILDERS[document.kind](document.params)
    Document.objects.filter(pk=document.pk).update(rows_total=count)

    def progress(done):
        Document.objects.filter(pk=document.pk).update(rows_done=done)

    name = f"dokumen/{office.current().slug}/{document.pk}/{filename}"
    with tempfile.TemporaryFile() as out:
        pages = render_rows_pdf(
            template, context, rows, count=count, out=out, landscape=landscape, progress=progress
        )
        size = out.tell()
        put(storages["private"], name, out)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        document.status, document.finished_at = Status.READY, timezone.now()
        document.file, document.size, document.pages = name, size, pages
        document.rows_total = document.rows_done = count
        document.error = ""
        document.save()
        if count > settings.PPID_DOCUMENT_MAIL_ROWS:
            _tell(document, "document_ready")


def _failed(document: Document, error: Exception) -> None:
    """Keep why it failed; try again later, or mark it failed and tell the person."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        document.error = f"{type(error).__name__}: {error}"[:2000]
        if document.attempts <= len(RETRY_MINUTES):
            document.status = Status.QUEUED
            later = datetime.timedelta(minutes=RETRY_MINUTES[document.attempts - 1])
            enqueue(prepare, document.pk, later=later)
        else:
            document.status, document.finished_at = Status.FAILED, timezone.now()
            _tell(document, "document_failed")
        document.save(update_fields=["status", "error", "finished_at"])


def _tell(document: Document, template: str) -> None:
    if document.requested_by.email:
        send_later(template, {"document": document}, [], people=[document.requested_by.email])


# --- What each kind lists -----------------------------------------------------------------
# Each returns (template, context, rows, count, file name, landscape); rows may be a
# generator, read once, chunk by chunk.


def period_dik(params: dict):
    """The DIK form of a collection period: every record collected in it, in any state."""
    period = CollectionPeriod.objects.get(pk=params["period"])
    records = period.records()
    with translation.override("id"):
        subtitle = f"{period.name}: dihimpun mulai {date_format(period.starts_on, 'j F Y')}"

    def rows():
        with translation.override("id"):
            for row in dik_values(records, "title", "state").order_by("pk").iterator(2000):
                yield document_row(
                    row,
                    status=str(State(row.state).label),
                    title=row.public_title or row.title,
                    internal_title=row.title,
                )

    context = {
        "subtitle": subtitle,
        "signed_on": timezone.localdate(),
        "ppid_name": signing_ppid(),
        "proposals": True,  # the office's proposals, not KPU's decisions
        "empty": "Belum ada informasi yang dihimpun pada periode ini.",
        "document_title": "Usulan Daftar Informasi Publik yang Dikecualikan",
    }
    return "pdf/dik.html", context, rows(), records.count(), f"dik-periode-{period.pk}.pdf", True


def submission_memo(params: dict):
    """The nota dinas asking the approvers to approve the records submitted on one day."""
    day = datetime.date.fromisoformat(params["day"])
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    submissions = (
        Transition.objects.filter(
            action=Action.SUBMIT, at__gte=start, at__lt=start + datetime.timedelta(days=1)
        )
        .select_related("record", "actor")
        .prefetch_related("record__grounds")
        .order_by("at", "id")
    )
    latest = {row.record_id: row for row in submissions}  # a record submitted twice: once
    rows = sorted(latest.values(), key=lambda row: row.record_id)
    asker = rows[-1].actor if rows else None  # who submitted last signs the memo
    context = {
        "day": day,
        "signer": (asker.get_full_name() or asker.username) if asker else "",
        "document_title": "Nota Dinas",
    }
    return "pdf/nota_dinas.html", context, rows, len(rows), f"nota-dinas-{day}.pdf", False


def access_report(params: dict):
    """Who saw which softcopy, when and why: the filters of the access report's page."""
    day = {
        key: datetime.date.fromisoformat(params[key]) if params.get(key) else None
        for key in ("date_from", "date_to")
    }
    logs = access_logs(params.get("record"), day.get("date_from"), day.get("date_to"))
    context = {
        "record": params.get("record"),
        "date_from": day.get("date_from"),
        "date_to": day.get("date_to"),
        "now": timezone.now(),
        "document_title": "Laporan Akses Softcopy",
    }
    rows = logs.order_by("at", "id").iterator(2000)
    return "pdf/access_report.html", context, rows, logs.count(), "laporan-akses.pdf", False


def access_logs(record=None, date_from=None, date_to=None):
    """The access log filtered as the access report's page and its PDF both filter it."""
    logs = AccessLog.objects.select_related("user", "version__softcopy__record")
    if record:
        logs = logs.filter(version__softcopy__record_id=record)
    if date_from:
        logs = logs.filter(at__date__gte=date_from)
    if date_to:
        logs = logs.filter(at__date__lte=date_to)
    return logs


BUILDERS = {
    Kind.PERIOD_DIK: period_dik,
    Kind.SUBMISSION_MEMO: submission_memo,
    Kind.ACCESS_REPORT: access_report,
}
