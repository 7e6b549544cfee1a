"""An automated accessibility check of the main pages: axe-core in Chromium, offline.

axe-core comes inside the axe-playwright-python wheel (axe.min.js), so nothing is fetched
from the network; it checks the rules of WCAG 2.1 levels A and AA on each page as rendered.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node['html'][:120]}"
        for v in results.response["violations"]
        for node in v["nodes"]
    ]


def context_of(browser, live_server, user=None):
    context = browser.new_context(locale="id-ID")
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    return context


def check(context, live_server, urls, status=None) -> dict:
    """Return {url: violations} of the pages that fail; each url answers 200 (404 if so named,
    or the status `status` gives it)."""
    page = context.new_page()
    found = {}
    for url in urls:
        response = page.goto(live_server.url + url)
        expected = (status or {}).get(url, 404 if "tidak-ada" in url else 200)
        assert response.status == expected, url
        if problems := violations(page):
            found[url] = problems
    context.close()
    return found


def test_the_public_pages_pass_axe(browser, live_server, make_record):
    record = make_record("published", public_title="Surat keterangan kesehatan bakal calon")
    decision = record.decision_items.get().decision
    urls = ["/", f"/informasi/{record.pk}/", f"/keputusan/{decision.pk}/", "/dibuka/"]
    urls += ["/dik/riwayat/", "/?q=zzz", "/accounts/login/", "/tidak-ada/"]
    assert check(context_of(browser, live_server), live_server, urls) == {}


def test_the_staff_pages_and_a_failed_form_pass_axe(browser, live_server, make_record, ppid, desk):
    collected = make_record("collected")
    approved = make_record("approved")
    published = make_record("published")
    urls = ["/staf/", "/staf/entri/", "/staf/entri/baru/", f"/staf/entri/{published.pk}/"]
    urls += [f"/staf/entri/{collected.pk}/klasifikasi/", f"/staf/arsip/entri/{approved.pk}/"]
    urls += ["/staf/keputusan/", "/staf/keberatan/", "/staf/arsip/akses/"]
    assert check(context_of(browser, live_server, ppid), live_server, urls) == {}

    # The page after a failed post, with its error summary and the fields marked.
    context = context_of(browser, live_server, desk)
    page = context.new_page()
    page.goto(f"{live_server.url}/staf/entri/baru/")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_selector("#error-summary")
    assert violations(page) == []
    context.close()


def test_the_approver_s_verdict_screen_passes_axe(browser, live_server, make_record, pembina):
    record = make_record("awaiting_approval")
    urls = [
        "/admin/dikecualikan/record/?antrean=saya",
        f"/admin/dikecualikan/record/{record.pk}/change/",
        f"/admin/dikecualikan/record/{record.pk}/putusan/approve/",
    ]
    assert check(context_of(browser, live_server, pembina), live_server, urls) == {}


def test_the_confirmation_pages_of_irreversible_steps_and_what_waits_pass_axe(
    browser, live_server, make_record, ppid, atasan
):
    from django.utils import timezone

    from ..conftest import receive_objection

    concludes_open = make_record("classified", classification={"test_conclusion": "open"})
    archived = make_record("archived")
    objection = receive_objection(
        ppid, [make_record("published")], received_on=timezone.localdate()
    )
    urls = [f"/staf/entri/{concludes_open.pk}/terbuka/", f"/staf/entri/{archived.pk}/ajukan-kpu/"]
    assert check(context_of(browser, live_server, ppid), live_server, urls) == {}
    urls = ["/staf/", f"/staf/keberatan/{objection.pk}/", f"/staf/keberatan/{objection.pk}/jawab/"]
    assert check(context_of(browser, live_server, atasan), live_server, urls) == {}


def test_the_documents_pages_and_the_pdf_being_prepared_pass_axe(
    browser, live_server, ppid, desk, period, documents_in_every_state, worker
):
    # The `worker` fixture keeps tasks on the real queue and no worker runs: /dik.pdf has not
    # been rendered, so it answers with its page (503).
    documents_in_every_state(ppid)
    urls = ["/staf/dokumen/", f"/staf/periode/{period.pk}/dik.pdf", "/staf/nota-dinas.pdf"]
    urls += ["/staf/arsip/akses/?format=pdf", "/staf/"]
    assert check(context_of(browser, live_server, ppid), live_server, urls) == {}
    assert check(context_of(browser, live_server, desk), live_server, ["/staf/dokumen/"]) == {}
    public = context_of(browser, live_server)
    assert check(public, live_server, ["/dik.pdf"], status={"/dik.pdf": 503}) == {}
