"""A staff document in Chromium: asked for on the dashboard, prepared by the real worker,
shown ready without a reload (documents.js), downloaded as a PDF; the page fits a phone."""

import pytest
from playwright.sync_api import expect

from dikecualikan.models import Document

from ..conftest import browser_sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_ppid_asks_for_the_period_dik_and_downloads_it_once_the_worker_prepared_it(
    browser, live_server, ppid, period, worker
):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="id-ID", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    browser_sign_in(page, live_server.url, "ppid")
    page.wait_for_url("**/staf/")

    ask = page.get_by_role("button", name="Siapkan DIK periode ini (PDF)")
    box = ask.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 390  # a thumb-sized target
    ask.click()
    page.wait_for_url("**/staf/dokumen/")
    expect(
        page.get_by_text("Usulan DIK periode Pemutakhiran DIK 2026 sedang disiapkan")
    ).to_be_visible()
    table = page.locator("#documents")
    expect(table).to_contain_text("Menunggu giliran diproses")
    expect(table.get_by_role("link", name="Unduh PDF")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The worker (the real one, on the real database backend) prepares it meanwhile; the
    # page, left as it is, shows the download when it next asks (documents.js). In this
    # transactional test the worker's writes commit, so the live server's thread sees them.
    page.evaluate("window.leftAsItWas = true")
    worker()
    assert Document.objects.get().status == Document.Status.READY
    download_link = table.get_by_role("link", name="Unduh PDF")
    expect(download_link).to_be_visible()
    expect(table).to_contain_text("Siap")
    # Said once to a screen reader, not the whole table at each refresh.
    expect(page.locator("#documents-news")).to_contain_text("Usulan DIK periode")
    expect(page.locator("#documents-news")).to_contain_text("Siap")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("window.leftAsItWas") is True  # not reloaded

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("dik-periode-")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    context.close()


def test_on_a_phone_the_memo_button_is_one_of_the_record_s_actions_and_as_large(
    browser, live_server, make_record, ppid
):
    record = make_record("awaiting_approval")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    page = context.new_page()
    browser_sign_in(page, live_server.url, "ppid")
    page.goto(f"{live_server.url}/staf/entri/{record.pk}/")
    memo = page.get_by_role("button", name="Siapkan nota dinas permohonan persetujuan (PDF)")
    sheet = page.get_by_role("link", name="Lembar uji konsekuensi (PDF)")
    # In the row of actions (its form does not start a line of its own or push it wider),
    # drawn as they are, and thumb-sized.
    assert memo.evaluate("e => e.closest('.actions') !== null")
    memo_box, sheet_box = memo.bounding_box(), sheet.bounding_box()
    assert memo_box["x"] == sheet_box["x"] and memo_box["y"] > sheet_box["y"]
    assert memo_box["height"] >= 44 and sheet_box["height"] >= 44
    assert memo_box["x"] + memo_box["width"] <= 390
    style = "e => [getComputedStyle(e).borderColor, getComputedStyle(e).color]"
    assert memo.evaluate(style) == sheet.evaluate(style)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
