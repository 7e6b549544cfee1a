"""The archive in Chromium: desk uploads, records the place, archives, downloads with a reason."""

import pytest
from playwright.sync_api import expect

from arsip.models import AccessLog, SoftcopyVersion
from dikecualikan.models import Record

from ..arsip import samples
from ..conftest import browser_sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_desk_archives_a_record_and_downloads_its_softcopy_with_a_reason(
    browser, live_server, make_record, desk, location, tmp_path
):
    record = make_record("approved")
    page = browser.new_context(locale="id-ID", accept_downloads=True).new_page()
    page.set_default_timeout(10_000)
    browser_sign_in(page, live_server.url, "desk")
    page.wait_for_url("**/staf/")

    page.goto(f"{live_server.url}/staf/arsip/entri/{record.pk}/")
    archive_button = page.get_by_role("button", name="Arsipkan entri ini")
    expect(archive_button).to_be_disabled()  # neither softcopy nor place yet
    assert page.locator("input[name=file]").get_attribute("accept").startswith(".docx,")

    # A refused file: the page says why, and a refresh does not post the file again.
    fake = tmp_path / "palsu.pdf"
    fake.write_bytes(samples.FAKE_PDF)
    page.set_input_files("input[name=file]", fake)
    page.get_by_role("button", name="Unggah").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert page.url.endswith(f"/staf/arsip/entri/{record.pk}/#upload")
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else 0)
    page.reload()
    assert posts == [] and not SoftcopyVersion.objects.exists()
    expect(page.locator("#error-summary")).to_have_count(0)  # said once

    scan = tmp_path / "pindaian surat.pdf"
    scan.write_bytes(samples.pdf("Surat keterangan kesehatan"))
    page.set_input_files("input[name=file]", scan)
    page.get_by_role("button", name="Unggah").click()
    expect(page.get_by_text("pindaian surat.pdf").first).to_be_visible()

    page.select_option("select[name=location]", str(location.pk))
    page.fill("input[name=box]", "Boks 7")
    page.get_by_role("button", name="Simpan lokasi").click()
    expect(page.get_by_text("Boks 7")).to_be_visible()

    expect(page.locator(".checklist li.done")).to_have_count(2)
    page.get_by_role("link", name="Arsipkan entri ini").click()
    page.get_by_role("button", name="Arsipkan entri").click()
    expect(page.get_by_text("Entri telah diarsipkan.")).to_be_visible()
    assert Record.objects.get(pk=record.pk).state == "archived"

    page.get_by_role("link", name="Unduh").click()
    page.fill("textarea[name=reason]", "Pemeriksaan kelengkapan arsip")
    with page.expect_download() as download:
        page.get_by_role("button", name="Catat alasan lalu unduh").click()
    saved = tmp_path / "unduhan.pdf"
    download.value.save_as(saved)
    version = SoftcopyVersion.objects.get(softcopy__record=record)
    assert download.value.suggested_filename == "pindaian surat.pdf"
    assert saved.read_bytes() == samples.pdf("Surat keterangan kesehatan")
    log = AccessLog.objects.get()
    assert (log.user, log.version, log.reason) == (desk, version, "Pemeriksaan kelengkapan arsip")
