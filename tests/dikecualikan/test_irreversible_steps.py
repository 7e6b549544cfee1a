"""Every step that cannot be undone goes through a page that confirms it.

The `/staf/` URL patterns are walked (as tests/browser/test_staff_on_a_phone.py walks
them): each is either the page of an irreversible step (IRREVERSIBLE: its GET says what
will happen and who is told, with a button named after the action) or says why it is not
one (NOT_IRREVERSIBLE). A new pattern in neither fails the test, so whoever adds a step
decides. Then every staff page is opened, and none may post to an irreversible step's
address except that step's own confirmation page.
"""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from dikecualikan import office, workflow
from dikecualikan.models import Office, Record
from dikecualikan.roles import Role, grant

from ..conftest import pdf_file, receive_objection

# url name: (the actor's username, the object it is opened on, the button's words)
IRREVERSIBLE = {
    "dikecualikan:staff-record-submit": ("ppid", "classified", "Ajukan persetujuan"),
    "dikecualikan:staff-record-close-open": (
        "ppid",
        "concludes_open",
        "Tutup sebagai informasi terbuka",
    ),
    "dikecualikan:staff-record-publish-listed": (
        "desk",
        "listed_decided",
        "Umumkan berdasarkan keputusannya",
    ),
    "dikecualikan:staff-record-open": ("ppid", "published", "Buka entri"),
    "dikecualikan:staff-record-request": ("ppid", "archived", "Ajukan ke KPU"),
    "dikecualikan:staff-record-withdraw": ("ppid", "decided", "Tarik dari keputusan"),
    "dikecualikan:staff-decision-publish": ("ppid", "unpublished_decision", "Umumkan keputusan"),
    "dikecualikan:staff-objection-answer": ("atasan", "objection", "Catat tanggapan"),
    "dikecualikan:staff-objection-ruling": ("atasan", "answered_objection", "Catat putusan"),
    "arsip:archive": ("desk", "ready_to_archive", "Arsipkan entri"),
    "dikecualikan:staff-request-new": ("ppid", None, "Kirim permohonan"),
    "dikecualikan:staff-request-forward": ("ppid_kalbar", "sent_request", "Teruskan ke KPU"),
    "dikecualikan:staff-request-return": ("ppid_kalbar", "sent_request", "Kembalikan permohonan"),
    "dikecualikan:staff-request-decide": ("ppid_kpu", "forwarded_request", "Catat keputusan KPU"),
    # Only KPU changes what its decision says (workflow.kept_by_its_body): no office withdraws it.
    "dikecualikan:staff-decision-open-in-offices": (
        "ppid_kpu",
        "kpu_revocation",
        "Tetapkan informasi ini",
    ),
}

NOT_IRREVERSIBLE = {
    "dikecualikan:dashboard": "a page to read",
    "dikecualikan:office-switch": "switched back with the same button",
    "dikecualikan:staff-records": "a page to read",
    "dikecualikan:staff-record": "a page to read",
    "dikecualikan:staff-decisions": "a page to read",
    "dikecualikan:staff-decision": "a page to read",
    "dikecualikan:staff-objections": "a page to read",
    "dikecualikan:staff-objection": "a page to read",
    "dikecualikan:staff-requests": "a page to read",
    "dikecualikan:staff-request": "a page to read",
    "arsip:record": "a page to read",
    "arsip:access-report": "a page to read",
    "dikecualikan:staff-record-new": "a new record is edited until it is classified",
    "dikecualikan:staff-record-edit": "an edit is edited again; the history keeps both",
    "dikecualikan:staff-record-classify": "classified again until it is submitted",
    "dikecualikan:staff-record-link": "an item listed by mistake is withdrawn (confirmed)",
    "dikecualikan:staff-record-retest": "a test beside the earlier ones; no state changes",
    "dikecualikan:staff-record-redacted": "a later copy replaces it; the earlier one is kept",
    "dikecualikan:staff-record-redaction-confirm": (
        "its button is itself the confirmation, in words: what the PPID read and found"
    ),
    "dikecualikan:staff-record-redacted-file": "a file to read",
    "dikecualikan:staff-record-test-pdf": "a file to read",
    "dikecualikan:staff-submission-memo-pdf": "asks the worker for a file to read",
    "dikecualikan:staff-period-dik-pdf": "asks the worker for a file to read",
    "dikecualikan:documents": "a list of the files one asked for",
    "dikecualikan:document-file": "a file to read",
    "dikecualikan:staff-decision-pdf": "a file to read",
    "dikecualikan:staff-decision-test-sheet": "a file to read",
    "dikecualikan:staff-objection-file": "a file to read",
    "dikecualikan:staff-objection-ruling-file": "a file to read",
    "dikecualikan:staff-decision-new": "corrected until it is published (confirmed)",
    "dikecualikan:staff-decision-edit": "a correction before publication, logged",
    "dikecualikan:staff-decision-add": "an item withdrawn before publication (confirmed)",
    "dikecualikan:staff-decision-withdraw-in-offices": "an item withdrawn is named again",
    "dikecualikan:staff-objection-new": "a letter received is registered; nothing opens",
    "arsip:upload": "a new version replaces a softcopy; every version is kept",
    "arsip:place": "the place is recorded again when the file moves",
    "arsip:check-out": "the return is recorded (check-in)",
    "arsip:check-in": "a loan is recorded again (check-out)",
    "arsip:download": "a read, logged with its reason",
}


def staff_patterns(patterns=None, prefix="", namespace=""):
    """Yield (route, url name) of every pattern under /staf/."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{pattern.namespace}:" if pattern.namespace else namespace
            yield from staff_patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and route.startswith("staf/"):
            yield route, namespace + pattern.name


@pytest.fixture
def objects(make_record, make_decision, cast, location):
    desk, ppid, atasan = cast["desk"], cast["ppid"], cast["atasan"]
    ready = make_record("approved")
    workflow.upload_softcopy(record=ready, by=desk, file=pdf_file())
    workflow.place_hardcopy(record=ready, by=desk, location=location)
    published = make_record("published")
    listed = make_record("listed", decision=published.published_in)
    workflow.upload_softcopy(record=listed, by=desk, file=pdf_file(text="DPT"))
    workflow.place_hardcopy(record=listed, by=desk, location=location)
    workflow.archive(record=listed, by=desk)
    decided = make_record("decided")
    today = timezone.localdate()
    objection = receive_objection(ppid, [published], received_on=today)
    answered = receive_objection(ppid, [make_record("published")], received_on=today)
    workflow.answer_objection(
        objection=answered,
        by=atasan,
        outcome="refused",
        number="04/PPID/XII/2026",
        answered_on=today,
        reasons="Pengecualian tetap berlaku.",
    )
    for_kpu, for_kpu_too = make_record("archived"), make_record("archived")
    made = {
        "classified": make_record("classified"),
        "concludes_open": make_record("classified", classification={"test_conclusion": "open"}),
        "listed_decided": listed,
        "published": published,
        "archived": make_record("archived"),
        "decided": decided,
        "unpublished_decision": decided.decision_items.get().decision,
        "objection": objection,
        "answered_objection": answered,
        "ready_to_archive": ready,
        "returned": make_record("returned"),
        "awaiting_approval": make_record("awaiting_approval"),
        "collected": make_record("collected"),
    }
    # Last: once KPU Provinsi uses the register, the office's requests travel through it.
    kalbar = Office.objects.get(slug="kalbar")
    kalbar.in_service = True
    kalbar.save()
    made["ppid_kalbar"] = User.objects.create_user("ppid-kalbar", is_staff=True)
    grant(made["ppid_kalbar"], Role.PPID, place=kalbar)
    made["sent_request"] = workflow.send_request(
        records=[for_kpu], by=ppid, letter_number="1/PP.01-SD/6171/2026", letter_date=today
    )
    forwarded = workflow.send_request(
        records=[for_kpu_too], by=ppid, letter_number="2/PP.01-SD/6171/2026", letter_date=today
    )
    with office.acting(kalbar):
        made["forwarded_request"] = workflow.forward_request(
            asked=forwarded, by=made["ppid_kalbar"], letter_number="3/PP/61", letter_date=today
        )
    made["ppid_kpu"] = User.objects.create_user("ppid-kpu", is_staff=True)
    kpu = Office.objects.get(slug="kpu")
    grant(made["ppid_kpu"], Role.PPID, place=kpu)
    with office.acting(kpu):
        made["kpu_revocation"] = workflow.create_decision(
            by=made["ppid_kpu"],
            body=published.published_in.body,
            number="5/HM.02-Kpt/05/KPU/XII/2026",
            year=today.year,
            title="tentang pencabutan sebagian",
            date_set=today,
            place="Jakarta",
            signatory="Ketua KPU",
            revokes=published.published_in,
        )
    return made


def forms_posting_to(page: str) -> list[str]:
    return re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', page)


def irreversible(action: str, page: str = ""):
    """The irreversible step a form's action takes, or None (an action "?..." posts to `page`)."""
    name = resolve(action.split("?")[0] or page).view_name
    return name if name in IRREVERSIBLE else None


def test_every_staff_pattern_says_whether_its_step_can_be_undone():
    names = {name for _route, name in staff_patterns()}
    unclassified = names - set(IRREVERSIBLE) - set(NOT_IRREVERSIBLE)
    assert unclassified == set()  # a new /staf/ address: put it in one of the two tables
    assert set(IRREVERSIBLE) <= names and not set(IRREVERSIBLE) & set(NOT_IRREVERSIBLE)


def test_each_irreversible_step_is_confirmed_on_its_own_page_named_after_its_action(objects, cast):
    people = {**cast, "ppid_kalbar": objects["ppid_kalbar"], "ppid_kpu": objects["ppid_kpu"]}
    for name, (username, key, button) in IRREVERSIBLE.items():
        # A request is sent in the register where KPU Provinsi uses it, else typed on a record.
        in_register = name.startswith("dikecualikan:staff-request-")
        Office.objects.filter(slug="kalbar").update(in_service=in_register)
        client = Client()
        client.force_login(people[username])
        url = reverse(name, args=[objects[key].pk] if key else [])
        response = client.get(url)
        assert response.status_code == 200, name
        page = response.content.decode()
        assert "Yang akan terjadi" in page and "Yang diberi tahu" in page, name
        assert f'class="button-confirm">{button}<' in page, name
        assert ">Simpan<" not in page, name
        # The page posts to itself (no action): the step is taken there, and only there.
        assert '<form method="post" class="stack"' in page, name
        assert all(irreversible(action) in (None, name) for action in forms_posting_to(page))


def test_no_staff_page_posts_straight_to_an_irreversible_step(objects, cast):
    pages = set()
    records = [obj for obj in objects.values() if isinstance(obj, Record)]
    for route, name in staff_patterns():
        if re.search(r"\.pdf$|<str:", route) or name in IRREVERSIBLE:
            continue
        for record in records:
            filled = re.sub(r"<int:\w+>", str(record.pk), route)
            pages.add("/" + filled)
    pages |= {
        reverse("dikecualikan:staff-objection", args=[objects[key].pk])
        for key in ("objection", "answered_objection")
    }
    pages.add(reverse("dikecualikan:staff-decision", args=[objects["unpublished_decision"].pk]))
    offending = {}
    for username in ("desk", "ppid", "atasan"):
        client = Client()
        client.force_login(cast[username])
        for path in sorted(pages):
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            for action in forms_posting_to(response.content.decode()):
                if step := irreversible(action, path):
                    offending.setdefault(path, []).append(step)
    assert offending == {}  # a button that takes an irreversible step without its page
