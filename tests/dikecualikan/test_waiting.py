"""What waits: "Menunggu saya" holds all that waits for the person; the record page agrees.

Objections awaiting the Atasan PPID's answer, the PPID's review queue, decisions ready to
publish and each record's next step come from one set of rules (workflow/waiting.py): the
dashboard's list, the header's count and the record page's panel.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dikecualikan import workdays, workflow
from dikecualikan.roles import has_role

from ..conftest import receive_objection
from .test_after_publication import published_ending

DASHBOARD = reverse("dikecualikan:dashboard")


def waiting_titles(client, user):
    client.force_login(user)
    return [item.title for item in client.get(DASHBOARD).context["waiting"]]


def panel_of(client, record):
    page = client.get(reverse("dikecualikan:staff-record", args=[record.pk])).content.decode()
    panel = page[page.index('class="next-panel"') :]
    return panel[: panel.index("</section>")]


def test_the_atasan_waits_for_nothing_but_the_objections_to_answer_earliest_due_first(
    client, make_record, ppid, atasan
):
    today = timezone.localdate()
    later = receive_objection(ppid, [make_record("published")], received_on=today)
    earlier = receive_objection(
        ppid, [make_record("published")], received_on=today - datetime.timedelta(days=7)
    )
    make_record("collected")  # the PPID's, not the Atasan's
    client.force_login(atasan)
    response = client.get(DASHBOARD)
    page = response.content.decode()
    assert "Tidak ada yang menunggu Anda" not in page
    assert [item.subject for item in response.context["waiting"]] == [earlier, later]
    assert "Tanggapi keberatan" in page
    assert reverse("dikecualikan:staff-objection", args=[earlier.pk]) in page
    assert "Menunggu saya (2)" in page


def test_a_published_record_with_an_objection_says_the_atasan_acts_and_offers_it_the_answer(
    client, make_record, ppid, atasan
):
    record = make_record("published")
    objection = receive_objection(ppid, [record], received_on=timezone.localdate())
    client.force_login(atasan)
    panel = panel_of(client, record)
    assert "Atasan PPID" in panel and "tidak ada, sampai" not in panel
    assert reverse("dikecualikan:staff-objection-answer", args=[objection.pk]) in panel
    client.force_login(ppid)
    panel = panel_of(client, record)
    assert "Atasan PPID" in panel  # the PPID reads who acts, without the Atasan's button
    assert reverse("dikecualikan:staff-objection-answer", args=[objection.pk]) not in panel


def test_an_item_in_the_review_queue_waits_for_the_ppid_by_its_end_date(
    client, make_record, ppid, atasan
):
    ends = workdays.working_days_after(timezone.localdate(), 6)
    record = published_ending(make_record, ends)
    make_record("collected", title="Tanpa batas waktu")
    assert waiting_titles(client, ppid) == [record.title, "Tanpa batas waktu"]  # a date first
    client.force_login(ppid)
    panel = panel_of(client, record)
    assert "PPID" in panel and "tidak ada, sampai" not in panel
    assert "Nyatakan terbuka sekarang" in panel and "segera berakhir" in panel
    assert waiting_titles(client, atasan) == []  # the review queue is the PPID's


def test_a_decided_record_offers_its_decisions_publication_not_another_decision(
    client, make_record, make_decision, ppid, desk
):
    decision = make_decision()
    first = make_record("decided", decision=decision)
    make_record("decided", decision=decision)
    client.force_login(ppid)
    page = client.get(reverse("dikecualikan:staff-record", args=[first.pk])).content.decode()
    assert reverse("dikecualikan:staff-decision-publish", args=[decision.pk]) in page
    assert "Umumkan keputusan" in page and "Catat keputusan" not in page
    # The decision waits once, for each who may publish it, not once per record.
    for user in (ppid, desk):
        assert waiting_titles(client, user) == [str(decision)]


@pytest.mark.parametrize(
    "state",
    [
        "collected",
        "classified",
        "awaiting_approval",
        "returned",
        "approved",
        "archived",
        "requested",
        "decided",
        "listed",
        "published",
        "opened",
        "rejected",
    ],
)
def test_the_list_the_count_and_the_record_panel_name_the_same_people(
    client, make_record, cast, state
):
    record = make_record(state)
    (step,) = workflow.next_steps(record) or [None]
    for username, user in cast.items():
        waiting = workflow.waiting_for(user)
        subjects = {item.subject for item in waiting}
        acts = step is not None and has_role(user, *step.roles)
        assert (step is not None and step.subject in subjects) == acts, username
        assert workflow.waiting_count(user) == len(waiting), username


def test_the_header_counts_what_waits_on_every_staff_page_in_one_query(client, make_record, ppid):
    record = make_record("collected")
    make_record("classified")
    make_record("archived")
    client.force_login(ppid)
    pages = [
        DASHBOARD,
        reverse("dikecualikan:staff-records"),
        reverse("dikecualikan:staff-record", args=[record.pk]),
        reverse("dikecualikan:staff-decisions"),
        reverse("dikecualikan:staff-objections"),
        reverse("arsip:record", args=[record.pk]),
    ]
    for path in pages:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(path).content.decode()
        assert "Menunggu saya (3)" in page, path
        counts = [q["sql"] for q in queries if "COUNT(*) FROM (SELECT" in q["sql"]]
        assert len(counts) == 1, path


def test_the_header_has_no_count_for_an_account_without_a_role(client, it_admin):
    client.force_login(it_admin)
    page = client.get(reverse("dikecualikan:home")).content.decode()
    assert "Menunggu saya (" not in page


def test_a_mail_the_outbox_gave_up_on_waits_for_the_ppid_and_the_atasan(client, ppid, atasan, desk):
    from dikecualikan.models import OutgoingMail

    failed = OutgoingMail.objects.create(
        to="tidak-ada@example.org",
        subject="[PPID] Entri #1 menunggu persetujuan Anda",
        body="-",
        status=OutgoingMail.Status.FAILED,
        attempts=1,
        last_error="SMTPRecipientsRefused: 550",
    )
    OutgoingMail.objects.create(to="ada@example.org", subject="Terkirim", body="-", status="sent")
    for user in (ppid, atasan):
        assert waiting_titles(client, user) == [failed.subject]
        page = client.get(DASHBOARD).content.decode()
        assert "tidak-ada@example.org" in page and "Menunggu saya (1)" in page
        change = reverse("admin:dikecualikan_outgoingmail_change", args=[failed.pk])
        assert change in page
    assert waiting_titles(client, desk) == []
