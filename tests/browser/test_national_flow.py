"""The way up and back in Chromium, as the offices' own people, each in their own browser.

KPU Kota Pontianak and KPU Kabupaten Kubu Raya each send a request; KPU Provinsi Kalimantan
Barat forwards both; KPU enters its decision and decides both requests under it; each office
publishes it for its own list; KPU revokes it in part, naming Pontianak's item, and
publishes the revocation; a visitor reads the national DIK at /kpu/ and Pontianak's page
of the revoked decision.
"""

import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from dikecualikan import office
from dikecualikan.models import Decision, DecisionRequest, Office, Record
from dikecualikan.roles import Role, grant

from ..arsip import samples
from ..conftest import browser_sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def person(username: str, slug: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "pw", is_staff=True)
    grant(user, Role.PPID, place=Office.objects.get(slug=slug))
    return user


def serve(slug: str) -> Office:
    place = Office.objects.get(slug=slug)
    place.in_service = True
    place.save()
    return place


@pytest.fixture
def sign_in(browser, live_server):
    contexts = []

    def open_as(username):
        context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="id-ID")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        browser_sign_in(page, live_server.url, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


def send(page, base, record, number, today):
    page.goto(f"{base}/staf/permintaan/baru/")
    page.check(f"input[name=records][value='{record.pk}']")
    page.fill("#id_letter_number", number)
    page.fill("#id_letter_date", today.isoformat())
    page.get_by_role("button", name="Kirim permohonan").click()
    expect(page.get_by_text("Permohonan telah dikirim")).to_be_visible()


def enter_decision(page, base, number, title, pdf, revokes=None):
    """KPU's PPID enters a decision of KPU, as set and signed, in KPU's office."""
    today = timezone.localdate()
    page.goto(f"{base}/staf/keputusan/baru/")
    page.select_option("#id_body", label="Komisi Pemilihan Umum")
    page.fill("#id_number", f"{number}/HM.02-Kpt/05/KPU/XII/{today.year}")
    page.fill("#id_year", str(today.year))
    page.fill("#id_title", title)
    page.fill("#id_date_set", today.isoformat())
    page.fill("#id_place", "Jakarta")
    page.fill("#id_signatory", "Ketua KPU")
    if revokes is not None:
        page.select_option("#id_revokes", value=str(revokes.pk))
    page.set_input_files("#id_pdf", pdf)
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)


def test_two_offices_request_the_provinsi_forwards_kpu_decides_and_revokes_part(
    sign_in, live_server, make_record, same_roles_in, tmp_path
):
    today = timezone.localdate()
    base = live_server.url
    kubu = serve("kuburayakab")
    serve("kalbar")
    serve("kpu")
    same_roles_in(kubu)
    ours = make_record("archived", public_title="Rekam medis bakal calon Wali Kota")
    with office.acting(kubu):
        theirs = make_record("archived", public_title="Rekam medis bakal calon Bupati")
    person("ppid-kuburaya", "kuburayakab")
    person("ppid-kalbar", "kalbar")
    person("ppid-kpu", "kpu")

    # The Kota and the Kabupaten each send one letter to their KPU Provinsi.
    pontianak = sign_in("ppid")
    send(pontianak, base, ours, "131/PP.01-SD/6171/2026", today)
    kuburaya = sign_in("ppid-kuburaya")
    send(kuburaya, base, theirs, "20/PP.01-SD/6112/2026", today)

    # KPU Provinsi Kalimantan Barat forwards both with its cover letters.
    kalbar = sign_in("ppid-kalbar")
    with office.every_office():
        requests = list(DecisionRequest.objects.order_by("pk"))
    for number, request in enumerate(requests, start=45):
        kalbar.goto(f"{base}/staf/permintaan/{request.pk}/")
        expect(kalbar.get_by_text("Rekam medis bakal calon").first).to_be_visible()
        kalbar.get_by_role("link", name="Teruskan ke KPU").click()
        kalbar.fill("#id_letter_number", f"{number}/PP.01-SD/61/2026")
        kalbar.fill("#id_letter_date", today.isoformat())
        kalbar.get_by_role("button", name="Teruskan ke KPU").click()
        expect(kalbar.get_by_text("Permohonan telah diteruskan ke KPU")).to_be_visible()

    # KPU enters its decision once and decides both requests under it.
    kpu = sign_in("ppid-kpu")
    pdf = tmp_path / "keputusan.pdf"
    pdf.write_bytes(samples.pdf("Keputusan KPU"))
    enter_decision(kpu, base, "1320", "tentang Daftar Informasi Publik yang Dikecualikan", pdf)
    decision = Decision.objects.get(number__startswith="1320/")
    for request in requests:
        kpu.goto(f"{base}/staf/permintaan/{request.pk}/")
        kpu.get_by_role("link", name="Catat keputusan KPU").click()
        kpu.select_option("#id_decision", value=str(decision.pk))
        kpu.check("input[type=radio][value=exempt]")
        kpu.get_by_role("button", name="Catat keputusan KPU").click()
        expect(kpu.get_by_text("Keputusan KPU telah dicatat")).to_be_visible()

    # Each office publishes KPU's decision for its own list.
    for page in (pontianak, kuburaya):
        page.goto(f"{base}/staf/keputusan/{decision.pk}/")
        page.get_by_role("link", name="Umumkan (langkah 4 SOP)").click()
        page.get_by_role("button", name="Umumkan keputusan").click()
        expect(page.get_by_text("Diumumkan: keputusan dan entri-entrinya")).to_be_visible()

    # KPU revokes it in part: it names Pontianak's item, then publishes the revocation.
    title = "tentang Pencabutan Sebagian Keputusan Nomor 1320"
    enter_decision(kpu, base, "1321", title, pdf, revokes=decision)
    kpu.get_by_role("link", name="Tetapkan informasi yang dibukanya").click()
    expect(kpu.get_by_text("KPU Kabupaten Kubu Raya: #")).to_be_visible()
    kpu.check(f"input[name=records][value='{ours.pk}']")
    kpu.get_by_role("button", name="Tetapkan informasi ini").click()
    expect(kpu.get_by_text("Informasi telah ditetapkan")).to_be_visible()
    kpu.get_by_role("link", name="Umumkan (langkah 4 SOP)").click()
    kpu.get_by_role("button", name="Umumkan keputusan").click()
    expect(kpu.get_by_text("Diumumkan: keputusan")).to_be_visible()
    assert Record.objects.get(pk=ours.pk).state == "opened"
    with office.acting(kubu):
        assert Record.objects.get(pk=theirs.pk).state == "published"

    # A visitor reads the national DIK and Pontianak's page of the revoked decision.
    visitor = pontianak.context.browser.new_context(locale="id-ID").new_page()
    visitor.goto(f"{base}/kpu/")
    row = visitor.locator("tr", has_text="KPU Kabupaten Kubu Raya")
    expect(row).to_contain_text(re.compile(r"\b1\b"))
    visitor.goto(f"{base}/keputusan/{decision.pk}/")
    expect(visitor.get_by_text("Dicabut sebagian dengan")).to_be_visible()
    visitor.context.close()
