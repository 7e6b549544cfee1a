"""A citizen on a cheap phone: the DIK reads at 360 px, without JavaScript, and prints."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = (
    ROOT / ("docs" if os.environ.get("SAVE_SCREENSHOTS") == "1" else "var") / "screenshots"
)


def test_a_citizen_finds_a_decision_and_an_item_on_a_phone_without_javascript(
    browser, live_server, make_record
):
    record = make_record("published", public_title="Surat keterangan kesehatan bakal calon")
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="id-ID", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_title(
        "Daftar Informasi Publik yang Dikecualikan (DIK) · PPID KPU Kota Pontianak"
    )
    # The page itself never scrolls sideways; only the wide table scrolls in its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "public-phone.png", full_page=True)

    page.fill("input[name=q]", "kesehatan")
    page.get_by_role("button", name="Cari").click()
    page.get_by_role("link", name="Surat keterangan kesehatan bakal calon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(record.public_title)
    page.get_by_role("link", name=record.published_in.number).first.click()
    expect(page.get_by_role("link", name="Naskah keputusan (PDF)")).to_be_visible()
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    context.close()
