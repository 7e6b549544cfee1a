"""The admin's title in Chromium: the object tools never cover it, on a phone or wide."""

import pytest

from ..conftest import browser_sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LONG_TITLE = (
    "Salinan KTP pendukung dan formulir dukungan calon perseorangan Wali Kota dan Wakil Wali "
    "Kota Pontianak (berkas internal No. 007/PPID-PTK/2025)"
)


def overlaps(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("width", [360, 1280])
def test_the_object_tools_never_cover_the_record_s_title(
    browser, live_server, make_record, pembina, width
):
    record = make_record("awaiting_approval", title=LONG_TITLE)
    page = browser.new_context(viewport={"width": width, "height": 800}, locale="id-ID").new_page()
    page.set_default_timeout(10_000)
    browser_sign_in(page, live_server.url, "pembina")
    page.goto(f"{live_server.url}/admin/dikecualikan/record/{record.pk}/change/")
    title = page.locator("#content h1")
    assert title.inner_text().startswith(f"Entri #{record.pk} — Salinan KTP")
    box = title.bounding_box()
    tools = page.locator(".object-tools li")
    assert tools.count() >= 2
    for i in range(tools.count()):
        tool = tools.nth(i).bounding_box()
        assert not overlaps(box, tool), f"object tool {i} covers the title at {width} px"
        assert tool["x"] + tool["width"] <= width
    page.context.close()
