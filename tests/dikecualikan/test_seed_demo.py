"""The demo: one user per role and 20 records driven to their demo states through the workflow."""

import csv
import datetime
import re
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from dikecualikan import office, workflow
from dikecualikan.models import (
    Decision,
    DecisionRequest,
    DikVersion,
    Objection,
    ObjectionAnswer,
    Office,
    Record,
    Transition,
)
from dikecualikan.roles import roles_of

CSV = Path(__file__).resolve().parents[2] / "dikecualikan" / "data" / "demo-records.csv"


def seed(**kwargs):
    out = StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


def test_seed_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        seed()
    assert not User.objects.exists()


def test_seed_demo_creates_every_role_and_every_state_of_the_demo(db, settings):
    output = seed(force=True)
    rows = csv.DictReader(CSV.open(encoding="utf-8"))
    # "listed": listed under a national decision in force, then archived and published;
    # "expired": published, its period ended since (review_due opens it); "objected": opened
    # by an objection the Atasan PPID upheld.
    after = {"listed": "published", "expired": "published", "objected": "opened"}
    # "archived": sent to KPU through KPU Provinsi Kalimantan Barat, which forwarded it; KPU
    # decided it, Pontianak published it, and KPU's revocation in part opened it.
    after["archived"] = "opened"
    expected = Counter(after.get(row["tahap_demo"], row["tahap_demo"]) for row in rows)
    assert Counter(Record.objects.values_list("state", flat=True)) == expected
    for username in ("desk", "ppid", "pembina", "pertimbangan", "atasan"):
        assert User.objects.get(username=username).check_password(settings.DEMO_PASSWORD)
        assert username in output
    # Pontianak's three, the one on Kubu Raya's items, and the two KPU entered itself.
    assert Decision.objects.count() == 6 and Decision.objects.in_force_somewhere().count() == 5
    assert Decision.objects.published().count() == 4  # by Pontianak, for its own list
    # Driven through the workflow: every record starts with a collect row and has a history.
    assert Transition.objects.filter(action="collect").count() == 20
    published = Record.objects.filter(state="published").first()
    assert list(published.transitions.values_list("action", flat=True)) == [
        "collect",
        "classify",
        "submit",
        "approve",
        "approve",
        "upload",
        "place",
        "archive",
        "request",
        "decide",
        "publish",
    ]


def test_seed_demo_shows_a_second_office_with_its_own_people_records_and_site(db, settings):
    output = seed(force=True)
    kubu_raya = Office.objects.get(slug="kuburayakab")
    assert kubu_raya.in_service
    for role in ("desk", "ppid", "pembina", "pertimbangan", "atasan"):
        person = User.objects.get(username=f"{role}-kuburaya")
        assert person.check_password(settings.DEMO_PASSWORD) and person.username in output
        assert roles_of(person) == frozenset()  # nobody in Pontianak
        with office.acting(kubu_raya):
            assert len(roles_of(person)) == 1
    with office.acting(kubu_raya):
        # The demo's published items whole in Pontianak (a partial one needs its redacted copy).
        whole = [
            row
            for row in csv.DictReader(CSV.open(encoding="utf-8"))
            if row["tahap_demo"] == "published" and "Daftar Pemilih Tetap" not in row["informasi"]
        ]
        # Besides: one decided by KPU and published, one listed under KPU's decision and
        # opened by its revocation in part, one waiting at KPU Provinsi Kalimantan Barat.
        states = Counter(Record.objects.values_list("state", flat=True))
        assert states == {"published": len(whole) + 1, "opened": 1, "requested": 1}
        assert len(whole) >= 2
        assert sorted(DikVersion.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
        titles = list(Record.objects.on_dik().values_list("public_title", flat=True))
    page = Client().get("/kuburayakab/").content.decode()
    assert "KPU Kabupaten Kubu Raya" in page and all(title in page for title in titles)
    assert "/kuburayakab/" in output


def test_seed_demo_plays_a_request_through_the_provinsi_kpus_decision_and_its_revocation(
    db, settings
):
    output = seed(force=True)
    for username, slug in (("ppid-kalbar", "kalbar"), ("ppid-kpu", "kpu")):
        person = User.objects.get(username=username)
        assert person.check_password(settings.DEMO_PASSWORD) and username in output
        with office.acting(Office.objects.get(slug=slug)):
            assert roles_of(person) == {"ppid"}
    request = DecisionRequest.objects.get()  # Pontianak's own
    assert request.state == "decided" and request.forwarded_at and request.via.slug == "kalbar"
    assert set(request.records.values_list("state", flat=True)) == {"opened"}
    kubu_raya = Office.objects.get(slug="kuburayakab")
    with office.acting(kubu_raya):
        decided, waiting = DecisionRequest.objects.filter(office=kubu_raya).order_by("pk")
    assert decided.state == "decided" and waiting.state == "sent"
    # KPU decided both under one decision it entered itself, and revoked part of it.
    with office.every_office():
        decision = decided.records.get().decision_items.get().decision
        assert decision.entered_in.slug == "kpu" and decision.publications.count() == 2
        revocation = decision.revoked_by.get()
        opened = Record.objects.filter(decision_items__decision=revocation, state="opened")
        assert set(opened.values_list("office__slug", flat=True)) == {
            "pontianakkota",
            "kuburayakab",
        }
    with office.acting(Office.objects.get(slug="kpu")):
        assert list(workflow.waiting_here()) == []
    with office.acting(Office.objects.get(slug="kalbar")):
        assert list(workflow.waiting_here()) == [waiting]
    call_command("verify_history", stdout=StringIO())


def test_seed_demo_run_twice_adds_nothing(db):
    seed(force=True)
    counts = (
        Record.objects.count(),
        Transition.objects.count(),
        User.objects.count(),
        DecisionRequest.objects.count(),
    )
    assert "already" in seed(force=True)
    assert (
        Record.objects.count(),
        Transition.objects.count(),
        User.objects.count(),
        DecisionRequest.objects.count(),
    ) == counts


def test_seed_demo_shows_each_path_of_a_decision(db):
    """A proposal decided as proposed, one decided otherwise, a linked item, a revocation."""
    seed(force=True)
    first = Decision.objects.get(number__contains="Nomor 1210")
    revoking = Decision.objects.get(number__contains="Nomor 1588")
    assert revoking.revokes == first and revoking.is_published
    (opened,) = revoking.items.active()
    opened.record.refresh_from_db()
    assert opened.record.state == "opened" and opened.record.opened_reason == "revoked"
    assert timezone.localdate(opened.record.opened_at) == revoking.date_set
    linked = Record.objects.get(transitions__action="link")
    assert linked.state == "published" and linked.published_in == first
    assert not linked.transitions.filter(action__in=["classify", "submit", "request"]).exists()
    # A voter list of which only the identity columns are withheld, with its redacted copy.
    (partial,) = Record.objects.filter(exemption_scope="part")
    assert partial.state == "published" and partial.redacted_copy
    # An objection to a refused request waits for the Atasan PPID's answer.
    (objection,) = Objection.objects.filter(answer__isnull=True)
    assert not ObjectionAnswer.objects.filter(objection=objection).exists()
    differing = [item for item in first.items.active() if item.differences()]
    assert len(differing) == 1 and differing[0].record.period_years == 3


def test_the_demo_history_happened_on_the_dates_its_documents_bear(db):
    seed(force=True)
    first = Decision.objects.get(number__contains="Nomor 1210")
    assert timezone.localdate(first.published_at) == datetime.date(2025, 10, 20)
    collected = Transition.objects.filter(action="collect").order_by("at").first()
    assert timezone.localdate(collected.at) == datetime.date(2025, 9, 1)
    # Every history row is later than the one before it: the demo played its year in order.
    times = list(Transition.objects.order_by("pk").values_list("at", flat=True))
    assert times == sorted(times)


def test_the_demo_has_an_objection_upheld_that_opened_its_item(db):
    seed(force=True)
    (answer,) = ObjectionAnswer.objects.filter(outcome="upheld")
    (record,) = answer.objection.records.all()
    assert record.state == "opened" and record.opened_reason == "objection"
    assert answer.answered_on == datetime.date(2026, 2, 10)


def test_review_due_opens_the_demo_item_that_ended_on_the_first_make_run(db):
    seed(force=True)
    ended = Record.objects.get(public_title__startswith="Dokumen evaluasi penawaran")
    assert ended.state == "published" and ended.has_ended()
    out = StringIO()
    call_command("review_due", stdout=out)
    ended.refresh_from_db()
    assert ended.state == "opened" and ended.opened_reason == "expired"
    assert ended.public_title[:30] in Client().get("/dibuka/").content.decode()
    # The procurement item ending within 30 working days waits in the review queue instead.
    soon = Record.objects.get(public_title__startswith="Dokumen penawaran dan rincian")
    assert soon.state == "published" and not soon.has_ended()


def test_the_demo_analyses_are_written_per_item_no_sentence_repeated_across_records(db, settings):
    settings.DEBUG = True
    seed(force=True)
    seen = {}
    classified = Record.objects.exclude(public_interest="")
    assert classified.count() >= 10
    for record in classified:
        for name in ("test_scope", "harm", "public_interest", "balancing"):
            for sentence in re.split(r"(?<=[.;])\s+", getattr(record, name)):
                assert sentence not in seen, (record.pk, name, sentence, seen.get(sentence))
                seen[sentence] = (record.pk, name)
    j = Record.objects.get(grounds__code="17j")
    assert (j.statute_type, j.statute_number, j.statute_year, j.statute_article) == (
        "uu",
        "15",
        2004,
        "Pasal 19",
    )
    assert Record.objects.filter(concerns_public_office=True).exclude(public_office_reason="")
