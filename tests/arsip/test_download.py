"""Downloading softcopies: a role, a reason, a log row, safe headers; nothing guessable."""

import pytest
from django.db import connection
from django.urls import reverse

from arsip.models import AccessLog

from . import samples


@pytest.fixture
def version(make_record):
    return make_record("archived").softcopies.get().versions.get()


def download_url(version):
    return reverse("arsip:download", args=[version.pk])


@pytest.mark.parametrize("username", ["desk", "ppid", "pembina", "pertimbangan", "atasan"])
def test_each_role_downloads_after_giving_a_reason_and_the_access_is_logged(
    client, cast, version, username
):
    client.force_login(cast[username])
    response = client.post(
        download_url(version), {"reason": "Pemeriksaan oleh Atasan PPID"}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    assert (
        b"".join(response.streaming_content) == version.file.storage.open(version.file.name).read()
    )
    log = AccessLog.objects.get()
    assert (log.user, log.version, log.sha256, log.reason, log.ip) == (
        cast[username],
        version,
        version.sha256,
        "Pemeriksaan oleh Atasan PPID",
        "10.1.2.3",
    )


def test_the_file_is_served_as_an_attachment_that_is_never_cached_or_sniffed(client, desk, version):
    client.force_login(desk)
    response = client.post(download_url(version), {"reason": "Untuk uji konsekuensi ulang"})
    assert response["Content-Disposition"] == 'attachment; filename="scan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert response["Content-Type"] == "application/pdf"


def test_a_hostile_name_cannot_break_the_content_disposition_header(client, make_record, desk):
    record = make_record("collected")
    client.force_login(desk)
    client.post(
        reverse("arsip:upload", args=[record.pk]),
        {"file": samples.upload('a";\u202e evil.pdf', samples.pdf())},
    )
    version = record.softcopies.get().versions.get()
    response = client.post(download_url(version), {"reason": "Memeriksa nama berkas"})
    header = response["Content-Disposition"]
    assert header.startswith("attachment;") and "\u202e" not in header and '";' not in header[22:]


def test_no_file_without_a_reason(client, desk, version):
    client.force_login(desk)
    page = client.get(download_url(version))
    assert page.status_code == 200 and b'name="reason"' in page.content
    response = client.post(download_url(version), {"reason": "lihat"})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    assert not AccessLog.objects.exists()


def test_an_administrator_without_a_role_cannot_download(client, it_admin, version):
    client.force_login(it_admin)
    response = client.post(download_url(version), {"reason": "Saya admin TI, ingin melihat"})
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client, version):
    response = client.post(download_url(version), {"reason": "Tanpa masuk, ingin melihat"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not AccessLog.objects.exists()


def test_a_guessed_file_number_or_storage_path_finds_nothing(client, desk, version):
    client.force_login(desk)
    assert client.get(reverse("arsip:download", args=[version.pk + 999])).status_code == 404
    assert client.get("/media/" + version.file.name).status_code == 404
    assert client.get("/staf/arsip/" + version.file.name).status_code == 404


def test_the_download_costs_at_most_five_queries_beyond_the_session(
    client, desk, version, django_assert_max_num_queries
):
    client.force_login(desk)
    # The office's first access log row starts its chain's head (once in its life).
    client.post(download_url(version), {"reason": "Pembacaan pertama"})
    # Three queries are the session, the user and the second factor's device, which every
    # signed-in page pays, and the person's roles; the access log's row reads the head of
    # its office's chain and moves it on (and takes the office's chains' lock on
    # PostgreSQL, one statement more).
    extra = 1 if connection.vendor == "postgresql" else 0
    with django_assert_max_num_queries(4 + 4 + extra):
        response = client.post(download_url(version), {"reason": "Mengukur jumlah kueri"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "uploaded,served",
    [
        ("laporan\u202efdp.exe", "laporanfdp.pdf"),  # the override is gone, the type decides
        ("baris\x07\x1bkontrol.pdf", "bariskontrol.pdf"),
        ("n" * 300 + ".pdf", "n" * 120 + ".pdf"),  # cut, keeping its extension
        ("\u202e\u200f.pdf", "berkas.pdf"),  # nothing harmless left
        ("surat.docx", "surat.pdf"),  # named after what it is, not what it was called
    ],
)
def test_a_download_is_named_after_the_detected_type_without_control_characters(
    client, make_record, desk, uploaded, served
):
    from dikecualikan import workflow

    record = make_record("collected")
    version = workflow.upload_softcopy(
        record=record, by=desk, file=samples.upload(uploaded, samples.pdf())
    )
    client.force_login(desk)
    response = client.post(download_url(version), {"reason": "Memeriksa nama unduhan"})
    assert response["Content-Disposition"] == f'attachment; filename="{served}"'
