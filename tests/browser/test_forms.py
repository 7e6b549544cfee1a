"""The staff forms in Chromium: the error summary takes the focus, the period shows what
applies, and the DIK form is completed with the keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from dikecualikan.models import Record

from ..conftest import browser_sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def signed_in(browser, live_server, username):
    page = browser.new_context(locale="id-ID").new_page()
    page.set_default_timeout(10_000)
    browser_sign_in(page, live_server.url, username)
    page.wait_for_url("**/staf/")
    return page


def test_a_failed_post_moves_the_focus_to_the_error_summary(browser, live_server, desk):
    page = signed_in(browser, live_server, "desk")
    page.goto(f"{live_server.url}/staf/entri/baru/")
    page.get_by_role("button", name="Simpan").click()
    expect(page).to_have_title(re.compile("^Kesalahan: "))
    expect(page.locator("#error-summary")).to_be_focused()
    page.locator("#error-summary a[href='#id_title']").click()
    expect(page.locator("#id_title")).to_be_focused()


def test_the_dik_form_is_completed_with_the_keyboard_alone(browser, live_server, desk):
    page = signed_in(browser, live_server, "desk")
    page.goto(f"{live_server.url}/staf/entri/baru/")
    page.locator("#id_title").focus()
    page.keyboard.type("Berkas internal dari papan ketik")
    for field, text in [
        ("public_title", "Informasi dari papan ketik"),
        ("holding_unit", "Divisi Teknis"),
        ("document_type", "Dokumen"),
    ]:
        page.keyboard.press("Tab")
        expect(page.locator(f"#id_{field}")).to_be_focused()
        page.keyboard.type(text)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Simpan")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dihimpun")
    assert Record.objects.filter(public_title="Informasi dari papan ketik").exists()


def test_the_classification_shows_only_the_period_fields_of_the_chosen_type(
    browser, live_server, make_record, ppid
):
    record = make_record("collected")
    page = signed_in(browser, live_server, "ppid")
    page.goto(f"{live_server.url}/staf/entri/{record.pk}/klasifikasi/")
    page.check("input[name=period_type][value=fixed]")
    expect(page.locator("#id_period_years")).to_be_visible()
    expect(page.locator("#id_period_event")).to_be_hidden()
    page.check("input[name=period_type][value=until_event]")
    expect(page.locator("#id_period_event")).to_be_visible()
    expect(page.locator("#id_period_until")).to_be_visible()
    expect(page.locator("#id_period_years")).to_be_hidden()
