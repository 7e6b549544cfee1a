"""A form is sent once in Chromium: a second click while the first post is on its way sends
nothing, and the server's summary (not the browser's English bubble) reports what is missing."""

import re

import pytest
from playwright.sync_api import expect

from dikecualikan.models import Record

from .test_forms import signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_double_click_on_save_sends_one_post(browser, live_server, desk):
    page = signed_in(browser, live_server, "desk")
    page.goto(f"{live_server.url}/staf/entri/baru/")
    for field, text in [
        ("title", "Berkas internal dari klik ganda"),
        ("public_title", "Informasi dari klik ganda"),
        ("holding_unit", "Divisi Teknis"),
        ("document_type", "Dokumen"),
    ]:
        page.fill(f"#id_{field}", text)
    # The first post is held on its way, as on a slow line; the second click comes meanwhile.
    held = []
    page.route(
        "**/staf/entri/baru/",
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    box = page.get_by_role("button", name="Simpan").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    page.wait_for_timeout(500)
    assert len(held) == 1
    held[0].continue_()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dihimpun")
    assert Record.objects.filter(public_title="Informasi dari klik ganda").count() == 1


def test_an_empty_required_field_is_reported_by_the_server_not_the_browser(
    browser, live_server, desk
):
    page = signed_in(browser, live_server, "desk")
    page.goto(f"{live_server.url}/staf/entri/baru/")
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    page.get_by_role("button", name="Simpan").click()
    expect(page).to_have_title(re.compile("^Kesalahan: "))
    assert len(posts) == 1  # the browser did not stop the post with its own bubble
    expect(page.locator("#error-summary")).to_contain_text("Judul internal")
