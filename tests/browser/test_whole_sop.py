"""The whole SOP in Chromium, each role in its own browser, against a live server.

Desk collects a record and uploads its PDF; the PPID classifies and submits; the Pembina
PPID and the Tim Pertimbangan approve in the admin; desk records the hardcopy place and
archives; the PPID enters the decision and publishes it; a signed-out visitor finds the
public title on / and cannot reach the file.
"""

import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from arsip.models import SoftcopyVersion
from dikecualikan.models import Record

from ..arsip import samples
from ..conftest import browser_sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Collected today, so tested, requested and decided today: the instruments' dates follow
# one another (shared/DOMAIN.md section 4, "The instruments' order").

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = (
    ROOT / ("docs" if os.environ.get("SAVE_SCREENSHOTS") == "1" else "var") / "screenshots"
)


@pytest.fixture
def sign_in(browser, live_server):
    contexts = []

    def open_as(username, width=1100):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="id-ID")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        browser_sign_in(page, live_server.url, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_the_whole_sop_from_collection_to_publication(
    sign_in, live_server, cast, location, tmp_path
):
    TODAY = timezone.localdate()  # when it runs: a run may cross midnight
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    # Step 1: desk collects the record on the DIK form and uploads its softcopy.
    desk = sign_in("desk")
    expect(desk).to_have_url(f"{base}/staf/")
    desk.get_by_role("link", name="Entri baru (formulir DIK)").click()
    desk.fill("#id_title", "Surat keterangan kesehatan Sdr. Fulan, bakal calon Wali Kota")
    desk.fill("#id_public_title", "Surat keterangan kesehatan bakal calon Wali Kota")
    desk.fill("#id_holding_unit", "Divisi Teknis Penyelenggaraan")
    desk.fill("#id_document_type", "Dokumen persyaratan calon")
    desk.get_by_role("button", name="Simpan").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Dihimpun")
    record = Record.objects.get()
    desk.get_by_role("link", name="Berkas dan hardcopy").click()
    scan = tmp_path / "surat-kesehatan.pdf"
    scan.write_bytes(samples.pdf("Surat keterangan kesehatan"))
    desk.set_input_files("input[name=file]", scan)
    desk.get_by_role("button", name="Unggah").click()
    expect(desk.get_by_text("surat-kesehatan.pdf").first).to_be_visible()

    # Step 2: the PPID classifies, runs the consequence test and submits.
    ppid = sign_in("ppid")
    ppid.goto(f"{base}/staf/entri/{record.pk}/")
    ppid.get_by_role("link", name="Klasifikasi (uji konsekuensi)").click()
    ppid.locator("summary", has_text="Pasal 17 huruf h").click()
    ppid.check("input[name=grounds][value='17h2']")
    ppid.fill("#id_test_scope", "Rincian hasil pemeriksaan kesehatan bakal calon")
    ppid.fill("#id_statutes", "UU 14/2008 Pasal 17 huruf h angka 2")
    ppid.fill("#id_harm", "Mengungkap kondisi kesehatan seseorang kepada publik")
    ppid.fill("#id_public_interest", "Publik perlu tahu bahwa calon memenuhi syarat")
    ppid.fill("#id_balancing", "Kesimpulan memenuhi syarat diumumkan; rincian medis dilindungi")
    ppid.check("input[name=test_conclusion][value=exempt]")
    ppid.check("input[name=period_type][value=fixed]")
    ppid.fill("#id_period_years", "5")
    # Pasal 18(2) is asked, never assumed; the officials are chosen by name.
    ppid.check("input[name=concerns_public_office][value=False]")
    ppid.get_by_label("pertimbangan").check()
    ppid.fill("#id_test_experts", "Dr. Yusuf Hamdani, dosen hukum Universitas Tanjungpura")
    ppid.fill("#id_test_date", TODAY.isoformat())
    ppid.fill("#id_test_place", "Pontianak")
    ppid.get_by_role("button", name="Simpan klasifikasi").click()
    expect(ppid.get_by_role("heading", level=1)).to_contain_text("Diklasifikasi")
    ppid.screenshot(path=SCREENSHOTS / "staff-record.png", full_page=True)
    ppid.get_by_role("link", name="Ajukan persetujuan").click()
    # A confirmation page says what submitting does and who is told, then submits.
    expect(ppid.locator(".confirm")).to_contain_text("Pembina PPID")
    ppid.get_by_role("button", name="Ajukan persetujuan").click()
    expect(ppid.get_by_role("heading", level=1)).to_contain_text("Menunggu persetujuan")

    # The approvers decide in the admin, each from their own queue.
    for approver in ("pembina", "pertimbangan"):
        page = sign_in(approver)
        expect(page.locator("#result_list")).to_contain_text(
            "Surat keterangan kesehatan Sdr. Fulan"
        )
        if approver == "pembina":
            page.screenshot(path=SCREENSHOTS / "admin-queue.png", full_page=True)
        page.locator("#result_list").get_by_text("Surat keterangan kesehatan Sdr. Fulan").click()
        page.click(".verdict-buttons a[href*='/putusan/approve/']")
        page.fill("textarea[name=note]", "Setuju.")
        page.click("button[type=submit].default")
        expect(page.locator("ul.messagelist li.success")).to_be_visible()
    assert Record.objects.get(pk=record.pk).state == "approved"

    # Step 3: desk records the hardcopy place and archives.
    desk.goto(f"{base}/staf/")
    expect(desk.locator("section", has_text="Menunggu saya")).to_contain_text("Sdr. Fulan")
    desk.screenshot(path=SCREENSHOTS / "staff-dashboard.png", full_page=True)
    desk.goto(f"{base}/staf/arsip/entri/{record.pk}/")
    desk.select_option("select[name=location]", str(location.pk))
    desk.fill("input[name=box]", "Boks 2")
    desk.get_by_role("button", name="Simpan lokasi").click()
    desk.get_by_role("link", name="Arsipkan entri ini").click()
    desk.get_by_role("button", name="Arsipkan entri").click()
    expect(desk.get_by_text("Entri telah diarsipkan.")).to_be_visible()

    # Only KPU decides: the PPID records the letter asking it, through KPU Provinsi.
    ppid.goto(f"{base}/staf/entri/{record.pk}/")
    ppid.get_by_role("link", name="Ajukan ke KPU").click()
    ppid.fill("#id_letter_number", "145/PP.01-SD/6171/2025")
    ppid.fill("#id_letter_date", TODAY.isoformat())
    # The page says what happens and who is told; its button names the action.
    expect(ppid.locator(".confirm")).to_contain_text("Yang diberi tahu")
    ppid.get_by_role("button", name="Ajukan ke KPU").click()
    expect(ppid.get_by_text("entri ini menunggu keputusan KPU")).to_be_visible()

    # Step 4: the PPID enters KPU's decision, adds the record and publishes.
    ppid.goto(f"{base}/staf/keputusan/baru/")
    ppid.select_option("#id_body", label="Komisi Pemilihan Umum")
    ppid.fill("#id_number", "1210/HM.02-Kpt/05/KPU/VIII/2025")
    ppid.fill("#id_year", str(TODAY.year))
    ppid.fill("#id_title", "tentang Daftar Informasi Publik yang Dikecualikan")
    ppid.fill("#id_date_set", TODAY.isoformat())
    ppid.fill("#id_place", "Jakarta")  # place and signatory are part of the decision
    ppid.fill("#id_signatory", "Ketua KPU")
    decision_pdf = tmp_path / "keputusan.pdf"
    decision_pdf.write_bytes(samples.pdf("Keputusan KPU RI"))
    ppid.set_input_files("#id_pdf", decision_pdf)
    ppid.get_by_role("button", name="Simpan").click()
    # Each record waiting for KPU opens a form prefilled with the proposal.
    ppid.get_by_role("link", name=f"#{record.pk} Surat keterangan kesehatan").click()
    expect(ppid.locator("#id_period_years")).to_have_value("5")
    ppid.check("input[name=outcome][value=exempt]")
    ppid.get_by_role("button", name="Simpan").click()
    expect(ppid.get_by_text("Entri telah ditambahkan ke keputusan.")).to_be_visible()
    ppid.get_by_role("link", name="Umumkan (langkah 4 SOP)").click()
    expect(ppid.locator(".confirm")).to_contain_text("Tindakan ini tidak dapat dibatalkan")
    ppid.get_by_role("button", name="Umumkan keputusan").click()
    expect(ppid.get_by_text("Diumumkan: keputusan dan entri-entrinya")).to_be_visible()
    assert Record.objects.get(pk=record.pk).state == "published"

    # A signed-out visitor finds the public title, never the internal one or the file.
    public = desk.context.browser.new_context(locale="id-ID").new_page()
    public.goto(f"{base}/")
    expect(
        public.get_by_role("link", name="Surat keterangan kesehatan bakal calon Wali Kota")
    ).to_be_visible()
    assert "Sdr. Fulan" not in public.content()
    version = SoftcopyVersion.objects.get()
    for path in (f"/media/{version.file.name}", f"/staf/arsip/berkas/{version.pk}/unduh/"):
        response = public.goto(f"{base}{path}")
        assert response.status == 404 or "/accounts/login/" in public.url, path
    public.context.close()
