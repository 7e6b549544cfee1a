"""The Atasan PPID's "Menunggu saya" lists the objections waiting for its answer (Chromium)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ..conftest import browser_sign_in, receive_objection

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_atasan_sees_the_objections_waiting_for_its_answer_and_their_count(
    phone, live_server, make_record, ppid, atasan
):
    today = timezone.localdate()
    later = receive_objection(ppid, [make_record("published")], received_on=today)
    earlier = receive_objection(
        ppid, [make_record("published")], received_on=today - datetime.timedelta(days=7)
    )
    browser_sign_in(phone, live_server.url, "atasan")
    phone.goto(f"{live_server.url}/staf/")
    waiting = phone.locator("section[aria-labelledby=waiting]")
    expect(waiting).not_to_contain_text("Tidak ada yang menunggu Anda")
    rows = waiting.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(str(earlier))  # the earliest deadline first
    expect(rows.nth(1)).to_contain_text(str(later))
    expect(rows.nth(0)).to_contain_text("Tanggapi keberatan")
    expect(phone.locator("header a.waiting-count")).to_have_text("Menunggu saya (2)")
    # From the list to the answer: the objection's page offers it, on a page of its own.
    rows.nth(0).get_by_role("link").first.click()
    phone.get_by_role("link", name="Tanggapi keberatan").click()
    expect(phone.locator("button.button-confirm")).to_have_text("Catat tanggapan")
    expect(phone.locator("section.confirm")).to_contain_text("Yang diberi tahu")
