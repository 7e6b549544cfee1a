"""Never a leak: internal fields full of markers never reach a public page, export or error."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from arsip.models import SoftcopyVersion
from dikecualikan import workflow
from dikecualikan.models import Record

from ..conftest import pdf_file

MARK = "BOCOR"


@pytest.fixture
def marked(make_record, cast, location):
    """A published record whose every internal field carries a marker, beside unpublished ones."""
    for user in User.objects.all():
        user.first_name, user.last_name = f"{MARK}nama{user.pk}", f"{MARK}keluarga"
        user.save()
    record = make_record("approved", title=f"{MARK}judul-internal rahasia")
    workflow.upload_softcopy(
        record=record, by=cast["desk"], file=pdf_file(name=f"{MARK}berkas.pdf")
    )
    workflow.place_hardcopy(
        record=record, by=cast["desk"], location=location, box=f"{MARK}boks", folder=f"{MARK}map"
    )
    workflow.archive(record=record, by=cast["desk"], note=f"{MARK}catatan-arsip")
    workflow.request_decision(
        record=record,
        by=cast["ppid"],
        letter_number=f"{MARK}surat-permohonan",
        letter_date=datetime.date(2025, 8, 4),
        note=f"{MARK}catatan-permohonan",
    )
    decision = make_record.decision()
    workflow.record_decision(
        decision=decision,
        record=record,
        outcome="exempt",
        by=cast["ppid"],
        note=f"{MARK}catatan-keputusan",
    )
    workflow.publish_decision(decision=decision, by=cast["ppid"], note=f"{MARK}catatan-umum")
    Record.objects.filter(pk=record.pk).update(
        public_interest=f"{MARK}kepentingan",
        test_participants=f"{MARK}peserta",
        test_experts=f"{MARK}ahli",
        public_office_reason=f"{MARK}alasan-jabatan",
    )
    for state in ("collected", "awaiting_approval", "decided", "rejected"):
        make_record(state, title=f"{MARK}judul-{state}", public_title=f"{MARK}publik-{state}")
    version = SoftcopyVersion.objects.get(softcopy__record=record)
    return Record.objects.get(pk=record.pk), version


def fetch(client, path):
    response = client.get(path)
    if response.get("Content-Type") == "application/pdf":
        import io

        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(b"".join(response.streaming_content)))
        return response.status_code, "".join(p.extract_text() for p in reader.pages)
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        import io
        import zipfile

        workbook = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        return response.status_code, "".join(workbook.read(n).decode() for n in workbook.namelist())
    if response.streaming:
        return response.status_code, b"".join(response.streaming_content).decode()
    return response.status_code, response.content.decode()


def test_no_public_page_export_version_or_error_page_shows_an_internal_field(
    client, marked, worker
):
    record, version = marked
    worker()  # the DIK's PDFs, rendered by the worker as in use
    decision = record.published_in
    # Searching words of the internal title must find nothing either.
    paths = [
        "/",
        "/?q=rahasia",
        "/?q=judul-internal",
        "/dibuka/",
        "/dik/riwayat/",
        "/dik.csv",
        "/dik.xlsx",
        "/dik.json",
        "/dik.pdf",
        "/dik/riwayat/1.csv",
        "/dik/riwayat/1.xlsx",
        "/dik/riwayat/1.json",
        "/dik/riwayat/1.pdf",
        f"/keputusan/{decision.pk}/",
        f"/informasi/{record.pk}/",
        "/informasi/999999/",
        "/tidak-ada/",
        "/sitemap.xml",
        "/robots.txt",
    ]
    # The DIK as a document closes with the PPID's name and signature block (DOMAIN.md
    # section 7): the one name a public page carries, the office's signing official's.
    ppid = User.objects.get(memberships__role="ppid")
    signing = ppid.get_full_name()
    seen = {}
    for path in paths:
        status, text = fetch(client, path)
        seen[path] = status
        if path.endswith(".pdf") and "dik" in path:
            assert signing in text
            text = text.replace(signing, "")
        assert MARK not in text, f"{path} leaks an internal field"
        assert version.file.name not in text and version.sha256 not in text
    assert seen["/"] == 200 and seen[f"/informasi/{record.pk}/"] == 200
    assert seen["/dik.pdf"] == 200 and seen["/dik/riwayat/1.pdf"] == 200
    assert seen["/dik.xlsx"] == 200 and seen["/dik/riwayat/1.xlsx"] == 200
    # A guessed storage path finds nothing (its 404 page only echoes the visitor's own URL).
    status, text = fetch(client, f"/media/{version.file.name}")
    assert status == 404 and MARK not in text


# --- Flash messages: a staff member's never reaches a visitor --------------------------

SAID = ("telah dihimpun", "is collected")  # "Record #n is collected.", in either language


def leave_a_message(client, desk):
    """Sign in and collect a record, stopping before the page that would show its message."""
    client.force_login(desk)
    data = {
        "title": f"{MARK} internal",
        "public_title": "Informasi",
        "holding_unit": "Unit",
        "document_type": "Jenis",
    }
    response = client.post(reverse("dikecualikan:staff-record-new"), data)
    assert response.status_code == 302 and client.cookies["messages"].value
    return response.url


def shows_a_message(response) -> bool:
    page = response.content.decode()
    return 'role="status"' in page or any(words in page for words in SAID)


def test_staff_see_their_message_on_the_next_page(client, desk):
    assert shows_a_message(client.get(leave_a_message(client, desk)))


def test_a_message_pending_at_sign_out_is_not_shown_to_the_signed_out_browser(client, desk):
    leave_a_message(client, desk)
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("signed-out")
    assert not shows_a_message(response)
    assert not shows_a_message(client.get("/"))


@pytest.mark.parametrize("seconds", [3600, 0], ids=["cached", "uncached"])
def test_a_message_pending_at_sign_out_never_reaches_another_visitor(
    client, desk, settings, seconds
):
    settings.PUBLIC_CACHE_SECONDS = seconds
    leave_a_message(client, desk)
    client.post(reverse("logout"))
    client.get("/")  # the signed-out browser first, so a page made for it would be cached
    assert not shows_a_message(Client().get("/"))


def test_a_message_pending_at_sign_out_is_gone_at_the_next_sign_in(client, desk):
    leave_a_message(client, desk)
    client.post(reverse("logout"))
    client.force_login(desk)
    assert not shows_a_message(client.get(reverse("dikecualikan:dashboard")))


def test_a_visitor_whose_browser_holds_a_message_sees_none_on_public_pages(client, desk):
    leave_a_message(client, desk)
    visitor = Client()
    visitor.cookies["messages"] = client.cookies["messages"].value
    for path in ("/", "/dibuka/", "/dik/riwayat/"):
        assert not shows_a_message(visitor.get(path)), path


@pytest.mark.parametrize("cookie", ["messages", settings.SESSION_COOKIE_NAME])
def test_a_public_page_made_for_a_browser_holding_a_message_is_not_cached(client, desk, cookie):
    leave_a_message(client, desk)
    visitor = Client()
    visitor.cookies[cookie] = client.cookies[cookie].value
    if cookie == settings.SESSION_COOKIE_NAME:
        client.post(reverse("logout"))  # a session of the past: the visitor is anonymous
    visitor.get("/")
    fresh = Client().get("/")
    assert fresh.templates and not shows_a_message(fresh)  # made for this visitor, not cached
    assert not Client().get("/").templates  # and that one is served from the cache
