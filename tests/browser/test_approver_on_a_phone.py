"""An approver on a phone signs in, finds the record in the queue and approves it, in Chromium."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dikecualikan import workflow
from dikecualikan.models import Approval, Record

from ..conftest import CLASSIFICATION, browser_sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
# The README shows docs/screenshots/; refresh them with SAVE_SCREENSHOTS=1 make test.
SCREENSHOTS = (
    ROOT / ("docs" if os.environ.get("SAVE_SCREENSHOTS") == "1" else "var") / "screenshots"
)


def sign_in(page, base, username):
    browser_sign_in(page, base, username)


def test_an_approver_on_a_phone_approves_from_the_queue(phone, live_server, make_record, pembina):
    record = make_record("awaiting_approval", title="Surat keterangan kesehatan bakal calon")
    sign_in(phone, live_server.url, "pembina")
    phone.wait_for_url("**/admin/dikecualikan/record/?antrean=saya")
    expect(phone.locator("#result_list").get_by_text(record.title)).to_be_visible()
    # The queue shows each record's state and wait, all of it inside the screen.
    expect(phone.locator("#result_list td.field-state")).to_have_text("Menunggu persetujuan")
    expect(phone.locator("#result_list td.field-waiting time")).to_be_visible()
    table = phone.locator("#result_list").bounding_box()
    assert table["x"] + table["width"] <= 360
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=SCREENSHOTS / "admin-queue-phone.png", full_page=True)

    phone.locator("#result_list").get_by_text(record.title).click()
    # A summary on top; the verdicts at the bottom, after the record, thumb-sized.
    expect(phone.locator(".verdict-summary")).to_contain_text(record.public_title)
    approve = phone.locator(".verdict-buttons a[href*='/putusan/approve/']")
    approve.scroll_into_view_if_needed()
    expect(approve).to_be_visible()
    box = approve.bounding_box()
    assert box["x"] + box["width"] <= 360 and box["height"] >= 44 and box["width"] >= 300
    fieldset = phone.locator("fieldset").last.bounding_box()
    assert box["y"] > fieldset["y"]  # below the classification it judges
    reject = phone.locator(".verdict-buttons a.reject")
    assert reject.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(212, 53, 28)"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=SCREENSHOTS / "admin-record-phone.png", full_page=True)
    approve.click()

    phone.fill("textarea[name=note]", "Setuju, uji konsekuensi memadai.")
    phone.click("button[type=submit].default")
    expect(phone.locator("ul.messagelist li.success")).to_be_visible()
    approval = Approval.objects.get(record=record)
    assert (approval.user, approval.note) == (pembina, "Setuju, uji konsekuensi memadai.")
    assert Record.objects.get(pk=record.pk).state == "awaiting_approval"  # the Tim is next


def test_a_return_without_a_note_is_refused_on_the_page_and_changes_nothing(
    phone, live_server, make_record, pertimbangan
):
    record = make_record("awaiting_approval")
    sign_in(phone, live_server.url, "pertimbangan")
    phone.goto(f"{live_server.url}/admin/dikecualikan/record/{record.pk}/change/")
    phone.click(".verdict-buttons a[href*='/putusan/return/']")
    phone.click("button[type=submit].default")  # empty: the browser itself asks for the note
    expect(phone.locator("textarea[name=note]:invalid")).to_have_count(1)
    phone.fill("textarea[name=note]", "   ")  # passes the browser, not the server
    phone.click("button[type=submit].default")
    expect(phone.locator(".errorlist").first).to_be_visible()
    expect(phone.locator("textarea[name=note] ~ .errorlist")).to_have_count(1)  # under it
    assert Record.objects.get(pk=record.pk).state == "awaiting_approval"
    assert not Approval.objects.exists()


def test_on_a_phone_the_approver_sees_what_changed_since_the_round_before(
    phone, live_server, make_record, ppid, pembina
):
    record = make_record("returned")  # the Pembina PPID returned it with a note
    record = workflow.classify(
        record=record,
        by=ppid,
        **{**CLASSIFICATION, "harm": "Mengungkap riwayat medis calon kepada publik"},
    )
    workflow.submit(record=record, by=ppid)
    sign_in(phone, live_server.url, "pembina")
    phone.goto(f"{live_server.url}/admin/dikecualikan/record/{record.pk}/change/")
    summary = phone.locator(".verdict-summary")
    expect(summary).to_contain_text("Berubah sejak putaran sebelumnya")
    expect(summary.locator("del")).to_contain_text(CLASSIFICATION["harm"])
    expect(summary.locator("ins")).to_contain_text("Mengungkap riwayat medis calon")
    box = summary.bounding_box()
    assert box["x"] + box["width"] <= 360  # readable without sideways scrolling
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_verdict_is_given_with_the_keyboard_alone(phone, live_server, make_record, pembina):
    record = make_record("awaiting_approval")
    sign_in(phone, live_server.url, "pembina")
    phone.goto(f"{live_server.url}/admin/dikecualikan/record/{record.pk}/change/")
    approve = phone.locator(".verdict-buttons a[href*='/putusan/approve/']")
    for _ in range(300):  # Tab through the page until the approve button has the focus
        phone.keyboard.press("Tab")
        if approve.evaluate("e => e === document.activeElement"):
            break
    expect(approve).to_be_focused()
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/putusan/approve/**")
    note = phone.locator("textarea[name=note]")
    for _ in range(100):
        phone.keyboard.press("Tab")
        if note.evaluate("e => e === document.activeElement"):
            break
    expect(note).to_be_focused()
    phone.keyboard.type("Setuju, dari papan ketik.")
    phone.keyboard.press("Tab")
    expect(phone.locator("button[type=submit].default")).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.locator("ul.messagelist li.success")).to_be_visible()
    approval = Approval.objects.get(record=record)
    assert (approval.user, approval.note) == (pembina, "Setuju, dari papan ketik.")


@pytest.mark.parametrize("verdict", ["approve", "return", "reject"])
def test_the_verdict_is_confirmed_on_a_page_made_for_a_phone(
    phone, live_server, make_record, pembina, verdict
):
    record = make_record("awaiting_approval")
    sign_in(phone, live_server.url, "pembina")
    phone.goto(f"{live_server.url}/admin/dikecualikan/record/{record.pk}/putusan/{verdict}/")
    # One line says what is judged: the public title, the ground, the period.
    line = phone.locator(".verdict-line")
    expect(line).to_contain_text(record.public_title)
    expect(line).to_contain_text("17h2")
    expect(line).to_contain_text("5 (lima) tahun")
    note = phone.locator("textarea[name=note]").bounding_box()
    assert note["x"] >= 0 and note["x"] + note["width"] <= 360 and note["width"] >= 300
    submit = phone.locator(".verdict-confirm button[type=submit]")
    for button in (submit, phone.locator(".verdict-confirm a.cancel-link")):
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300 and box["x"] + box["width"] <= 360
    colour = submit.evaluate("e => getComputedStyle(e).backgroundColor")
    help_text = phone.locator(".verdict-confirm .help").inner_text()
    if verdict == "reject":
        assert colour == "rgb(212, 53, 28)"
        expect(submit).to_have_text("Tolak (final)")
        assert "final" in help_text and "terbuka" in help_text
    else:
        assert colour != "rgb(212, 53, 28)"
    if verdict == "return":
        assert "Sebutkan apa yang perlu diubah" in help_text
    # The admin's header and breadcrumbs leave the screen to the form: a line each.
    wide = phone.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter((e) => !e.closest("#header") && e.getBoundingClientRect().right > 361)
        .map((e) => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8)""")
    assert wide == []
    header = phone.locator("#header").bounding_box()
    crumbs = phone.locator("div.breadcrumbs").bounding_box()
    assert header["height"] <= 60 and crumbs["height"] <= 40
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
