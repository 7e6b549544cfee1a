"""Documents the worker prepares: the public DIK's PDF, and the staff's lists of any length.

Through the real database backend and a real worker (`db_worker`, the `worker` fixture);
the PDFs are read back as text.
"""

import datetime
import errno
import os

import pytest
from django.core import mail
from django.core.files.storage import default_storage, storages
from django.db import transaction
from django.urls import reverse
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dikecualikan import documents, office, tasks
from dikecualikan.models import CollectionPeriod, DikVersion, Document, OutgoingMail, RenderedDik

from ..conftest import CLASSIFICATION
from .test_pdf import body, has, text_of

NEWER = "Versi yang lebih baru dari daftar ini sedang disiapkan"


def render_tasks():
    return DBTaskResult.objects.filter(task_path="dikecualikan.documents.render_dik")


# --- The public DIK ---------------------------------------------------------------------


def test_a_publication_returns_at_once_and_the_worker_renders_its_pdf(client, make_record, worker):
    make_record("published", public_title="Surat keterangan kesehatan bakal calon")
    assert render_tasks().count() == 1  # enqueued by the publication, in its transaction
    response = client.get("/dik.pdf")
    # Nothing rendered yet, and the visitor does not render: try again shortly.
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert "sedang disiapkan" in response.content.decode()
    worker()
    response = client.get("/dik.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, _pages = text_of(body(response))
    assert has(text, "Surat keterangan kesehatan bakal calon") and not has(text, NEWER)


def test_until_the_new_version_is_rendered_the_previous_one_is_served_saying_so(
    client, make_record, worker
):
    make_record("published", public_title="Berita acara rapat pleno tertutup")
    worker()
    make_record("published", public_title="Identitas pelapor dan saksi")
    response = client.get("/dik.pdf")
    assert response.status_code == 200 and response["Cache-Control"].startswith("no-cache")
    text, _pages = text_of(body(response))
    assert has(text, NEWER) and has(text, "Versi 1") and not has(text, "Identitas pelapor")
    assert 'filename="dik-v1.pdf"' in response["Content-Disposition"]
    worker()
    text, _pages = text_of(body(client.get("/dik.pdf")))
    assert has(text, "Versi 2") and has(text, "Identitas pelapor") and not has(text, NEWER)


def test_a_publication_that_rolls_back_enqueues_no_render(make_record, worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_record("published")
        assert render_tasks().count() == 1
        raise RuntimeError("something after the publication failed")
    assert not render_tasks().exists() and not DikVersion.objects.exists()


def test_a_render_that_fails_is_tried_again_later_and_the_previous_pdf_is_still_served(
    client, make_record, worker, monkeypatch
):
    make_record("published", public_title="Berita acara rapat pleno tertutup")
    worker()
    make_record("published")

    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setattr(documents, "dik_document", broken)
    worker()
    failed = render_tasks().get(status=TaskResultStatus.FAILED)
    assert "WeasyPrint fell over" in str(failed.exception_class_path) + str(failed.traceback)
    retry = render_tasks().get(status=TaskResultStatus.READY)
    # Version 2, attempt 2, for the same office.
    assert retry.run_after is not None
    assert retry.args_kwargs["args"] == [2, 2, office.current().pk]
    text, _pages = text_of(body(client.get("/dik.pdf")))
    assert has(text, "Berita acara rapat pleno tertutup") and has(text, NEWER)
    assert RenderedDik.objects.count() == 1


def test_a_full_disk_leaves_no_half_pdf_and_no_temporary_file(make_record, monkeypatch):
    make_record("published")
    real = documents.shutil.copyfileobj

    def disk_full(source, target, length=0):
        target.write(source.read(1000))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(documents.shutil, "copyfileobj", disk_full)
    with pytest.raises(OSError):
        documents.render_dik.call(1, 99)  # the last attempt: no retry enqueued
    folder = default_storage.path("dik")
    assert os.listdir(folder) == [] and not RenderedDik.objects.exists()
    monkeypatch.setattr(documents.shutil, "copyfileobj", real)
    documents.render_dik.call(1)
    assert sorted(os.listdir(folder)) == ["dik-v1-lama.pdf", "dik-v1.pdf"]


def test_a_render_run_twice_renders_once(make_record, monkeypatch):
    make_record("published")
    assert documents.render_dik.call(1) == "dik/dik-v1.pdf"
    monkeypatch.setattr(documents, "dik_document", lambda *a, **k: pytest.fail("rendered again"))
    assert documents.render_dik.call(1) == "dik/dik-v1.pdf"
    assert RenderedDik.objects.count() == 1


def test_a_long_list_is_rendered_in_chunks_numbered_as_one_document(
    client, published_records, worker, settings
):
    settings.PPID_PDF_CHUNK_ROWS = 7
    published_records(20)
    client.get("/dik.pdf")
    worker()
    text, pages = text_of(body(client.get("/dik.pdf")))
    flat = "".join(text.split())
    # Every page numbered against the whole; the rows numbered 1..20 across the chunks.
    for page in range(1, pages + 1):
        assert f"Halaman{page}dari{pages}" in flat
    numbers = [flat.index(f"{n}Informasimassal") for n in range(1, 21)]
    assert numbers == sorted(numbers)
    # One opening (letterhead, legal basis) and one signature, not one per chunk.
    assert flat.count("Dasarhukum:") == 1 and flat.count("PejabatPengelolaInformasi") == 1


def test_an_earlier_version_pdf_is_rendered_by_the_worker_too(client, make_record, worker):
    make_record("published", public_title="Berita acara rapat pleno tertutup")
    make_record("published")
    worker()
    url = reverse("dikecualikan:version-export", args=[1, "pdf"])
    # Two publications in a row: the worker rendered the newest; the first is asked for now.
    assert client.get(url).status_code == 503
    worker()
    text, _pages = text_of(body(client.get(url)))
    assert has(text, "Versi 1") and has(text, "Berita acara rapat pleno tertutup")
    assert client.get(reverse("dikecualikan:version-export", args=[9, "pdf"])).status_code == 404


# --- The staff's documents ----------------------------------------------------------------


@pytest.fixture
def period(db):
    # From before make_record's collection day (its story in tests/conftest.py) to after today.
    return CollectionPeriod.objects.create(
        name="Pemutakhiran DIK 2026",
        starts_on=CLASSIFICATION["test_date"] - datetime.timedelta(days=10),
        collect_by=datetime.date.today() + datetime.timedelta(days=10),
    )


def period_url(period):
    return reverse("dikecualikan:staff-period-dik-pdf", args=[period.pk])


def test_a_period_dik_is_asked_for_prepared_by_the_worker_and_downloaded(
    client, make_record, ppid, period, worker
):
    make_record("collected", title="Daftar riwayat hidup calon", public_title="Riwayat hidup")
    client.force_login(ppid)
    response = client.post(period_url(period), follow=True)
    page = response.content.decode()
    assert "sedang disiapkan" in page and "Usulan DIK periode Pemutakhiran DIK 2026" in page
    document = Document.objects.get()
    assert document.status == Document.Status.QUEUED and document.requested_by == ppid
    worker()
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.rows_total == 1
    assert document.pages == 1 and document.size > 1000
    page = client.get(reverse("dikecualikan:documents")).content.decode()
    download = reverse("dikecualikan:document-file", args=[document.pk])
    assert download in page and "data-working" not in page
    response = client.get(download)
    assert response["Cache-Control"] == "private, no-store"
    assert 'attachment; filename="dik-periode-' in response["Content-Disposition"]
    text, _pages = text_of(body(response))
    assert has(text, "Judul internal: Daftar riwayat hidup calon")
    # It was stored in the private storage, never the public one.
    assert storages["private"].exists(document.file)
    assert not default_storage.exists(document.file)


def test_asking_for_a_document_does_not_render_it_in_the_request(client, ppid, period, monkeypatch):
    from dikecualikan import pdf

    monkeypatch.setattr(pdf, "render_pdf", lambda *a, **k: pytest.fail("rendered in a request"))
    client.force_login(ppid)
    assert client.post(period_url(period)).status_code == 302


def test_a_get_of_the_document_link_only_offers_to_prepare_it(client, ppid, period):
    client.force_login(ppid)
    page = client.get(period_url(period)).content.decode()
    assert "Siapkan PDF" in page and 'method="post"' in page
    assert not Document.objects.exists()


def test_a_document_asked_for_twice_at_once_is_prepared_once(client, ppid, period, worker):
    client.force_login(ppid)
    client.post(period_url(period))
    response = client.post(period_url(period), follow=True)
    assert "masih disiapkan" in response.content.decode()
    assert Document.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path="dikecualikan.tasks.prepare").count() == 1


def test_another_persons_document_is_not_found_and_the_access_report_is_for_auditors(
    client, ppid, desk, period, worker
):
    client.force_login(ppid)
    client.post(period_url(period))
    worker()
    document = Document.objects.get()
    client.force_login(desk)
    assert client.get(reverse("dikecualikan:document-file", args=[document.pk])).status_code == 404
    assert document.title not in client.get(reverse("dikecualikan:documents")).content.decode()
    report = reverse("arsip:access-report") + "?format=pdf"
    assert client.post(report).status_code == 403
    assert Document.objects.count() == 1


def test_a_document_not_ready_is_not_downloaded(client, ppid, period):
    client.force_login(ppid)
    client.post(period_url(period))
    document = Document.objects.get()
    response = client.get(reverse("dikecualikan:document-file", args=[document.pk]), follow=True)
    assert "belum siap diunduh" in response.content.decode()
    page = client.get(reverse("dikecualikan:documents")).content.decode()
    assert "data-working" in page and "Menunggu giliran diproses" in page


def test_a_long_document_shows_its_progress_and_is_announced_by_mail(
    client, make_record, ppid, period, worker, settings
):
    settings.PPID_PDF_CHUNK_ROWS = 2
    settings.PPID_DOCUMENT_MAIL_ROWS = 4
    for _ in range(5):
        make_record("collected")
    seen = []
    real = tasks.render_rows_pdf

    def watched(*args, progress, **kwargs):
        def spy(done):
            progress(done)
            seen.append(Document.objects.get().rows_done)

        return real(*args, progress=spy, **kwargs)

    tasks.render_rows_pdf, saved = watched, tasks.render_rows_pdf
    try:
        client.force_login(ppid)
        client.post(period_url(period))
        worker()
    finally:
        tasks.render_rows_pdf = saved
    assert seen == [2, 4, 5]  # the row says how far the worker has come, chunk by chunk
    document = Document.objects.get()
    assert document.status == "ready" and document.percent == 100
    told = OutgoingMail.objects.get(to=ppid.email)
    assert document.title in told.subject and "/staf/dokumen/" in told.body
    worker()  # the mail's own task
    assert [ppid.email] in [m.to for m in mail.outbox]


def test_a_document_that_fails_is_tried_again_then_shown_as_failed_and_the_person_told(
    client, ppid, period, worker, monkeypatch
):
    def broken(params):
        raise RuntimeError("the list could not be read")

    monkeypatch.setitem(tasks.BUILDERS, Document.Kind.PERIOD_DIK, broken)
    client.force_login(ppid)
    client.post(period_url(period))
    worker()
    document = Document.objects.get()
    assert document.status == "queued" and document.attempts == 1
    assert "the list could not be read" in document.error
    for _attempt in range(2):  # the retries wait 1 and 5 minutes; run them now
        with pytest.raises(RuntimeError):
            tasks.prepare.call(document.pk)
    document.refresh_from_db()
    assert document.status == "failed" and document.attempts == 3
    assert OutgoingMail.objects.filter(to=ppid.email, subject__contains="tidak dapat").exists()
    page = client.get(reverse("dikecualikan:documents")).content.decode()
    assert "Gagal" in page and "the list could not be read" in page
    # Asked for again from its row, it is a new document: the failed one holds no place.
    assert f'action="{period_url(period)}"' in page and "Minta lagi" in page
    monkeypatch.undo()
    client.post(period_url(period))
    assert Document.objects.filter(status="queued").count() == 1


def test_the_access_report_is_prepared_with_the_filters_of_its_page(
    client, atasan, worker, make_record, ppid, location
):
    client.force_login(atasan)
    url = reverse("arsip:access-report") + "?date_from=2025-01-01&format=pdf"
    response = client.post(url)
    assert response["Location"] == reverse("dikecualikan:documents")
    document = Document.objects.get()
    assert document.params == {"record": None, "date_from": "2025-01-01", "date_to": None}
    worker()
    document.refresh_from_db()
    text, _pages = text_of(
        body(client.get(reverse("dikecualikan:document-file", args=[document.pk])))
    )
    assert has(text, "LAPORAN AKSES SOFTCOPY") and has(text, "1 Januari 2025")


def test_a_dik_pdf_not_rendered_in_time_is_shown_to_the_ppid_and_the_atasan(
    client, make_record, ppid, desk, atasan, worker
):
    make_record("published")  # its version was made in 2025 (make_record's story)
    warning = "belum selesai disiapkan"
    for person, shown in ((ppid, True), (atasan, True), (desk, False)):
        client.force_login(person)
        page = client.get(reverse("dikecualikan:dashboard")).content.decode()
        assert (warning in page) is shown and ("PDF DIK versi 1" in page) is shown
    worker()  # the worker is back: the PDF is rendered, and the warning goes
    client.force_login(ppid)
    assert warning not in client.get(reverse("dikecualikan:dashboard")).content.decode()


def test_a_version_made_minutes_ago_is_not_late_yet(client, published_records, ppid):
    published_records(1)  # a version made now, not rendered yet
    client.force_login(ppid)
    assert (
        "belum selesai disiapkan"
        not in client.get(reverse("dikecualikan:dashboard")).content.decode()
    )


def test_the_nightly_review_asks_the_worker_for_the_day_s_pdf(make_record, worker):
    from django.core.management import call_command

    make_record("published")
    worker()
    call_command("review_due", stdout=open(os.devnull, "w"))
    assert render_tasks().filter(status=TaskResultStatus.READY).count() == 1
    worker()  # nothing changed today: the PDF already rendered is not rendered again
    assert RenderedDik.objects.count() == 1


def test_a_worker_stopped_by_force_mid_document_leaves_it_to_be_tried_again(
    client, ppid, period, worker, monkeypatch
):
    def stopped(params):
        raise SystemExit(1)  # what django-tasks-db's worker does on a second signal

    monkeypatch.setitem(tasks.BUILDERS, Document.Kind.PERIOD_DIK, stopped)
    client.force_login(ppid)
    client.post(period_url(period))
    with pytest.raises(SystemExit):
        tasks.prepare.call(Document.objects.get().pk)
    document = Document.objects.get()
    assert document.status == "queued" and "SystemExit" in document.error  # not stuck
    retry = DBTaskResult.objects.filter(task_path="dikecualikan.tasks.prepare").latest(
        "enqueued_at"
    )
    assert retry.run_after is not None


def test_a_restarted_worker_takes_back_at_once_what_its_killed_predecessor_left(
    make_record, worker
):
    from django.core.management import call_command

    make_record("published")
    task = render_tasks().get()
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.RUNNING, worker_ids=["host-documents"], started_at=task.enqueued_at
    )
    out = open(os.devnull, "w")
    call_command("requeue_stale_tasks", worker_id="host-mail", stdout=out)
    assert render_tasks().get().status == TaskResultStatus.RUNNING  # another worker's
    call_command("requeue_stale_tasks", worker_id="host-documents", stdout=out)
    assert render_tasks().get().status == TaskResultStatus.READY
    worker()
    assert RenderedDik.objects.count() == 1


def test_the_nightly_clean_up_removes_partial_files_an_hour_old(make_record, worker):
    import time

    from django.core.management import call_command

    make_record("published")
    worker()
    folder = default_storage.path("dik")
    old, fresh = os.path.join(folder, ".tmp-old"), os.path.join(folder, ".tmp-fresh")
    for path in (old, fresh):
        open(path, "wb").write(b"%PDF-1.7 half")
    os.utime(old, (time.time() - 2 * 3600, time.time() - 2 * 3600))
    call_command("clean_up", stdout=open(os.devnull, "w"))
    assert sorted(os.listdir(folder)) == [".tmp-fresh", "dik-v1-lama.pdf", "dik-v1.pdf"]
