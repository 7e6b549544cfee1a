"""Every staff page fits a 360 px phone: no sideways scrolling, filters folded away.

The pages are found from the URL patterns, not listed by hand, so that a new staff page is
checked too: each `/staf/` pattern (PDF and CSV files aside) is filled with the first of the
demo objects for which the page answers 200 to the PPID.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from playwright.sync_api import expect

from ..conftest import browser_sign_in, receive_objection

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STATES = ["collected", "classified", "awaiting_approval", "approved", "archived", "requested"]
STATES += ["decided", "published", "listed", "returned"]


def staff_routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from staff_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("staf/"):
            if not re.search(r"\.(pdf|csv)$|<str:kind>", route):
                yield route


def fill(route, objects):
    """Each way to fill the route's parameters with existing objects."""
    names = re.findall(r"<int:(\w+)>", route)
    if not names:
        return [route]
    if route.startswith("staf/keputusan/"):
        firsts = objects["decisions"]
    elif route.startswith("staf/keberatan/"):
        firsts = objects["objections"]
    elif route.startswith("staf/arsip/berkas/"):
        firsts = objects["versions"]
    else:
        firsts = objects["records"]
    seconds = objects["records"] if len(names) == 2 else [None]
    routes = []
    for first in firsts:
        for second in seconds:
            filled = re.sub(r"<int:\w+>", str(first), route, count=1)
            routes.append(re.sub(r"<int:\w+>", str(second), filled, count=1))
    return routes


@pytest.fixture
def objects(make_record, make_decision, ppid):
    records = {state: make_record(state) for state in STATES}
    receive_objection(ppid, [records["published"]])
    from arsip.models import SoftcopyVersion
    from dikecualikan.models import Decision, Objection

    return {
        "records": [r.pk for r in records.values()],
        "decisions": [make_decision().pk, *Decision.objects.values_list("pk", flat=True)],
        "objections": list(Objection.objects.values_list("pk", flat=True)),
        "versions": list(SoftcopyVersion.objects.values_list("pk", flat=True)),
    }


def signed_in_phone(browser, live_server, client):
    """A 360 px phone carrying the test client's session (signed in as its user)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return context


def test_no_staff_page_is_wider_than_a_360_px_phone(browser, live_server, objects, ppid, atasan):
    # The PPID opens nearly every page; only the Atasan PPID answers objections.
    clients = {user: Client() for user in (ppid, atasan)}
    for user, client in clients.items():
        client.force_login(user)
    pages, unreached = [], []
    for route in staff_routes():
        found = None
        for url in fill(route, objects):
            for client in clients.values():
                status = client.get("/" + url).status_code
                if status == 405:  # a step that only takes a post: not a page
                    found = "post"
                elif status == 200:
                    found = (client, "/" + url)
                if found:
                    break
            if found:
                break
        if found is None:
            unreached.append(route)
        elif found != "post":
            pages.append(found)
    assert unreached == []  # a staff page that no object opens: add the object above
    assert len(pages) >= 25

    too_wide = {}
    for client in clients.values():
        context = signed_in_phone(browser, live_server, client)
        phone = context.new_page()
        for url in [url for owner, url in pages if owner is client]:
            phone.goto(live_server.url + url)
            assert not phone.url.endswith("/accounts/login/?next=" + url)
            width = phone.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                too_wide[url] = width
        context.close()
    assert too_wide == {}


def test_the_register_s_filters_fold_away_on_a_phone_and_stay_open_on_a_desk(
    browser, phone, live_server, make_record, ppid
):
    make_record("collected")
    browser_sign_in(phone, live_server.url, "ppid")
    phone.wait_for_url("**/staf/")
    phone.goto(f"{live_server.url}/staf/entri/")
    filters = phone.locator("details.filter-panel")
    expect(filters).not_to_have_attribute("open", "")
    expect(phone.locator("#id_q")).to_be_hidden()
    phone.locator("details.filter-panel > summary").click()
    expect(phone.locator("#id_q")).to_be_visible()
    phone.fill("#id_q", "Berkas")
    phone.locator("details.filter-panel button[type=submit]").click()
    # Filters in use stay in view, and say how many there are.
    expect(filters).to_have_attribute("open", "")
    expect(phone.locator("details.filter-panel > summary")).to_contain_text("1")

    desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    page = desk.new_page()
    page.context.add_cookies(phone.context.cookies())
    page.goto(f"{live_server.url}/staf/entri/")
    expect(page.locator("#id_q")).to_be_visible()
    desk.close()
