"""Every staff page fits a 360 px phone: no sideways scrolling, filters folded away.

The pages are found from the URL patterns, not listed by hand, so that a new staff page is
checked too: each `/staf/` pattern (PDF and CSV files aside, but the pages a document's link
opens included) is filled with the first of the demo objects for which the page answers 200
to the PPID. On a phone the actions (`a.button`, `button.button`) are thumb-sized.
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


# A document's link answers a GET with the page that offers to prepare it (the worker makes
# the PDF): a page. A prepared document's download is a file, not a page.
ASK_PAGES = {"staf/nota-dinas.pdf", "staf/periode/<int:pk>/dik.pdf"}
FILES = r"\.(pdf|csv)$|<str:kind>|/unduh/$"


def staff_routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from staff_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("staf/"):
            if route in ASK_PAGES or not re.search(FILES, route):
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
    elif route.startswith("staf/periode/"):
        firsts = objects["periods"]
    elif route.startswith("staf/permintaan/"):
        firsts = objects["requests"]
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
def objects(
    make_record, make_decision, ppid, atasan, desk, location, period, documents_in_every_state
):
    records = {state: make_record(state) for state in STATES}
    documents_in_every_state(ppid)  # the PPID's documents page, one in each state
    receive_objection(ppid, [records["published"]])
    from arsip.models import SoftcopyVersion
    from dikecualikan import workflow
    from dikecualikan.models import Decision, Objection

    from ..conftest import pdf_file

    # The confirmation pages that open only where their step can happen now: closing a
    # test that concludes "terbuka", publishing an item listed under a published decision,
    # a ruling once the objection is answered.
    records["open"] = make_record("classified", classification={"test_conclusion": "open"})
    listed = make_record("listed", decision=records["published"].published_in)
    workflow.upload_softcopy(record=listed, by=desk, file=pdf_file(text="DPT"))
    workflow.place_hardcopy(record=listed, by=desk, location=location)
    records["listed_decided"] = workflow.archive(record=listed, by=desk)
    answered = receive_objection(ppid, [make_record("published")])
    workflow.answer_objection(
        objection=answered,
        by=atasan,
        outcome="refused",
        number="05/PPID/XI/2026",
        answered_on=answered.received_on,
        reasons="Pengecualian tetap berlaku.",
    )
    # KPU Provinsi uses the register, and the office's request travels through it.
    from dikecualikan.models import Office

    Office.objects.filter(slug="kalbar").update(in_service=True)
    sent = workflow.send_request(
        records=[make_record("archived")],
        by=ppid,
        letter_number="7/PP.01-SD/6171/2026",
        letter_date=answered.received_on,
    )
    # Out of the register again: the page that records a letter typed on a record opens too.
    Office.objects.filter(slug="kalbar").update(in_service=False)
    # KPU's PPID, whose revocation in part names the items it opens in every office.
    decisions = [make_decision().pk, *Decision.objects.values_list("pk", flat=True)]
    from django.contrib.auth.models import User

    from dikecualikan import office
    from dikecualikan.models import DecidingBody
    from dikecualikan.roles import Role, grant

    kpu = Office.objects.get(slug="kpu")
    ppid_kpu = User.objects.create_user("ppid-kpu", is_staff=True)
    grant(ppid_kpu, Role.PPID, place=kpu)
    revoked = records["published"].published_in
    with office.acting(kpu):
        revocation = workflow.create_decision(
            by=ppid_kpu,
            body=DecidingBody.objects.get(kind="kpu"),
            number="9/HM.02-Kpt/05/KPU/XII/2026",
            year=answered.received_on.year,
            title="tentang pencabutan sebagian",
            date_set=answered.received_on,
            place="Jakarta",
            signatory="Ketua KPU",
            revokes=revoked,
        )

    return {
        "ppid_kpu": ppid_kpu,
        "requests": [sent.pk],
        "records": [r.pk for r in records.values()],
        "decisions": [*decisions, revocation.pk],
        "objections": list(Objection.objects.values_list("pk", flat=True)),
        "versions": list(SoftcopyVersion.objects.values_list("pk", flat=True)),
        "periods": [period.pk],
    }


# Each visible radio or checkbox whose label text is not on its line, within 24 px of it.
FAR_LABELS = """() => {
  const far = [];
  const boxes = "main input[type=radio], main input[type=checkbox]";
  for (const input of document.querySelectorAll(boxes)) {
    const label = input.labels && input.labels[0];
    if (!input.offsetParent || !label) continue;
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    let node, text = null;
    while ((node = walker.nextNode())) {
      if (!node.data.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      text = range.getClientRects()[0];
      if (text) break;
    }
    if (!text) continue;
    const box = input.getBoundingClientRect();
    const gap = text.left >= box.right ? text.left - box.right : box.left - text.right;
    const middle = (r) => (r.top + r.bottom) / 2;
    if (gap > 24 || Math.abs(middle(text) - middle(box)) > 16) {
      far.push(`${input.name}: ${Math.round(gap)} px`);
    }
  }
  return far;
}"""

# Words of table cells cut across lines ("Sta/tus"); hashes and file names may break.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll("main td, main th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      if (node.parentElement.closest(".hash, .file-name, code")) continue;
      for (const match of node.data.matchAll(/[^\\s\\-\\/]{2,}/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width);
        const lines = new Set(rects.map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


# Each action button (a link or a post dressed as one) lower than a thumb: 44 px.
SMALL_TARGETS = """() => [...document.querySelectorAll("main a.button, main button.button")]
  .filter((e) => e.offsetParent && e.getBoundingClientRect().height < 44)
  .map((e) => `${e.textContent.trim()}: ${Math.round(e.getBoundingClientRect().height)} px`)"""


def signed_in_phone(browser, live_server, client, width=360):
    """A phone (or a desk) carrying the test client's session (signed in as its user)."""
    context = browser.new_context(viewport={"width": width, "height": 740}, locale="id-ID")
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return context


def test_every_staff_page_fits_a_phone_with_labels_beside_their_boxes_and_words_whole(
    browser, live_server, objects, ppid, atasan
):
    # The PPID opens nearly every page; only the Atasan PPID answers objections, and only
    # KPU's PPID names the items its revocation opens in every office.
    clients = {user: Client() for user in (ppid, atasan, objects["ppid_kpu"])}
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

    too_wide, far_labels, broken_words, small_targets = {}, {}, {}, {}
    for client in clients.values():
        for width in (360, 1280):
            context = signed_in_phone(browser, live_server, client, width)
            phone = context.new_page()
            for url in [url for owner, url in pages if owner is client]:
                phone.goto(live_server.url + url)
                assert not phone.url.endswith("/accounts/login/?next=" + url)
                far = phone.evaluate(FAR_LABELS)
                if far:
                    far_labels[f"{url} at {width} px"] = far
                if width > 360:
                    continue
                scroll_width = phone.evaluate("document.documentElement.scrollWidth")
                if scroll_width > 360:
                    too_wide[url] = scroll_width
                broken = phone.evaluate(BROKEN_WORDS)
                if broken:
                    broken_words[url] = broken
                small = phone.evaluate(SMALL_TARGETS)
                if small:
                    small_targets[url] = small
            context.close()
    assert too_wide == {}
    assert far_labels == {}  # every radio and checkbox beside its label
    assert broken_words == {}  # table cells keep whole words on a phone
    assert small_targets == {}  # the actions are thumb-sized on a phone


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
