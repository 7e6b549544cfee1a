"""What KPU decided, beside what the office proposed: decided values, linked items,
revocations, corrections before publication and withdrawals (issue "Who decides")."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from dikecualikan import workflow
from dikecualikan.models import Decision, DecisionItem, DecisionLog, DikChange, Record
from dikecualikan.workflow import WorkflowError

from ..arsip import samples
from ..conftest import LINKED, pdf_file
from .test_staff_decisions import add_url, as_proposed, decision_url, record_url


def dik_json(client):
    return json.loads(b"".join(client.get("/dik.json").streaming_content))


def items_of(client):
    data = dik_json(client)
    return data["items"] if isinstance(data, dict) else data


# --- Decided values (item 3) ------------------------------------------------------------


def test_a_decision_that_differs_from_the_proposal_is_what_the_public_dik_shows(
    client, make_record, make_decision, ppid
):
    record = make_record("requested")
    decision = make_decision()
    client.force_login(ppid)
    form = client.get(add_url(decision, record)).context["form"]
    response = client.post(
        add_url(decision, record), as_proposed(form, outcome="exempt", period_years="3")
    )
    assert response.status_code == 302
    workflow.publish_decision(decision=decision, by=ppid)
    (row,) = items_of(client)
    assert row["jangka_waktu"].startswith("3 (tiga) tahun sejak tanggal keputusan, kecuali")
    assert row["berakhir"] == "2028-08-21"  # three years from the decision
    assert row["keputusan_nomor"] == decision.number
    # The staff record page shows both: the office proposed five years, KPU decided three.
    page = client.get(record_url(record)).content.decode()
    assert "Keputusan berbeda dari usulan" in page
    assert "5 (lima) tahun" in page and "3 (tiga) tahun" in page
    item = DecisionItem.objects.get(record=record)
    assert item.proposed["period_years"] == 5 and item.period_years == 3


def test_a_decision_as_proposed_shows_no_difference(client, make_record, ppid):
    record = make_record("published")
    client.force_login(ppid)
    assert "Keputusan berbeda dari usulan" not in client.get(record_url(record)).content.decode()
    assert DecisionItem.objects.get(record=record).differences() == []


def test_a_decided_period_that_breaks_pasal_20_is_refused_like_a_proposal(
    make_record, make_decision, ppid
):
    record = make_record("requested")
    with pytest.raises(WorkflowError) as refusal:
        workflow.record_decision(
            decision=make_decision(),
            record=record,
            outcome="exempt",
            by=ppid,
            grounds=["17a1"],
            period_type="indefinite",
        )
    assert "Pasal 20" in refusal.value.field_errors["period_type"]
    record.refresh_from_db()
    assert record.state == "requested" and not record.decision_items.exists()
    assert list(record.grounds.values_list("code", flat=True)) == ["17h2"]


def test_decided_grounds_without_any_ground_are_refused(make_record, make_decision, ppid):
    with pytest.raises(WorkflowError) as refusal:
        workflow.record_decision(
            decision=make_decision(),
            record=make_record("requested"),
            outcome="exempt",
            by=ppid,
            grounds=[],
        )
    assert "grounds" in refusal.value.field_errors


def test_kpus_own_test_sheet_is_checked_and_public_once_the_decision_is(
    client, make_record, make_decision, ppid
):
    record, decision = make_record("requested"), make_decision()
    hostile = samples.upload("lembar.pdf", samples.pdf_with_javascript())
    with pytest.raises(WorkflowError) as refusal:
        workflow.record_decision(
            decision=decision, record=record, outcome="exempt", by=ppid, test_sheet=hostile
        )
    assert "test_sheet" in refusal.value.field_errors
    assert not DecisionItem.objects.exists()
    item = workflow.record_decision(
        decision=decision, record=record, outcome="exempt", by=ppid, test_sheet=pdf_file()
    )
    public = reverse("dikecualikan:decision-test-sheet", args=[decision.pk, item.pk])
    assert client.get(public).status_code == 404  # not before publication
    workflow.publish_decision(decision=decision, by=ppid)
    response = client.get(public)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        public in client.get(reverse("dikecualikan:decision", args=[decision.pk])).content.decode()
    )


# --- A national decision is linked (item 4) ----------------------------------------------


def test_an_item_exempted_nationally_is_listed_archived_and_published_without_a_proposal(
    client, make_record, desk, location
):
    published = make_record("published").published_in
    record = make_record("collected")
    client.force_login(desk)
    assert (
        reverse("dikecualikan:staff-record-link", args=[record.pk])
        in client.get(record_url(record)).content.decode()
    )
    response = client.post(
        reverse("dikecualikan:staff-record-link", args=[record.pk]),
        {
            "decision": published.pk,
            "grounds": ["17h1"],
            "statutes": LINKED["statutes"],
            "harm": LINKED["harm"],
            "balancing": LINKED["balancing"],
            "period_type": "indefinite",
            "version": record.version,
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == "listed" and record.statutes == LINKED["statutes"]
    workflow.upload_softcopy(record=record, by=desk, file=pdf_file(text="DPT"))
    workflow.place_hardcopy(record=record, by=desk, location=location)
    workflow.archive(record=record, by=desk)
    record.refresh_from_db()
    assert record.state == "decided"
    versions = DikChange.objects.count()
    client.post(
        reverse("dikecualikan:staff-record-publish-listed", args=[record.pk]),
        {"version": record.version},
    )
    record.refresh_from_db()
    assert record.state == "published" and record.published_in == published
    assert DikChange.objects.count() == versions + 1  # a new DIK version with the addition
    actions = list(record.transitions.values_list("action", flat=True))
    assert actions == ["collect", "link", "upload", "place", "archive", "publish"]
    assert record.transitions.get(action="link").instrument == str(published)
    assert record.public_title in [row["informasi"] for row in items_of(client)]


def test_a_listed_item_is_published_with_its_decision_when_that_is_published(
    make_record, make_decision, ppid, desk, location
):
    decision = make_decision()
    record = make_record("listed", decision=decision)
    workflow.upload_softcopy(record=record, by=desk, file=pdf_file())
    workflow.place_hardcopy(record=record, by=desk, location=location)
    workflow.archive(record=record, by=desk)
    assert "publish_listed" not in workflow.allowed_steps(Record.objects.get(pk=record.pk), desk)
    workflow.publish_decision(decision=decision, by=ppid)
    assert Record.objects.get(pk=record.pk).state == "published"


def test_nothing_is_listed_under_a_decision_revoked_in_whole(make_record, ppid):
    revoked = make_record("published").published_in
    revoking = workflow.create_decision(
        by=ppid,
        body=revoked.body,
        number="Keputusan Komisi Pemilihan Umum Nomor 805 Tahun 2025",
        year=2025,
        title="tentang Pencabutan",
        date_set=datetime.date(2025, 9, 16),
        place="Jakarta",
        signatory="Ketua KPU",
        revokes=revoked,
        revokes_whole=True,
        pdf=pdf_file(),
    )
    workflow.publish_decision(decision=revoking, by=ppid)
    record = make_record("collected")
    with pytest.raises(WorkflowError, match="dicabut seluruhnya"):
        workflow.link_record(record=record, decision=revoked, by=ppid, **LINKED)
    assert Record.objects.get(pk=record.pk).state == "collected"


# --- A revocation is a decision (item 5) ----------------------------------------------


def revoke(revoked, ppid, whole=False, date=datetime.date(2025, 9, 16)):
    return workflow.create_decision(
        by=ppid,
        body=revoked.body,
        number="Keputusan Komisi Pemilihan Umum Nomor 805 Tahun 2025",
        year=date.year,
        title="tentang Pencabutan Keputusan",
        date_set=date,
        place="Jakarta",
        signatory="Ketua KPU",
        revokes=revoked,
        revokes_whole=whole,
        pdf=pdf_file(),
    )


def test_a_revocation_opens_the_items_it_names_on_its_own_date(client, make_record, ppid):
    kept = make_record("published")
    revoked = kept.published_in
    other = make_record("published")  # under another decision: a revocation leaves it
    revocation = revoke(revoked, ppid)
    workflow.record_decision(decision=revocation, record=kept, outcome="open", by=ppid)
    assert Record.objects.get(pk=kept.pk).state == "published"  # not before publication
    workflow.publish_decision(decision=revocation, by=ppid)
    kept.refresh_from_db()
    assert kept.state == "opened" and kept.opened_reason == "revoked"
    assert timezone.localtime(kept.opened_at).date() == datetime.date(2025, 9, 16)
    assert kept.transitions.last().instrument == str(revocation)
    assert DikChange.objects.filter(record=kept, kind="opened").count() == 1
    page = client.get(reverse("dikecualikan:decision", args=[revoked.pk])).content.decode()
    assert "Dicabut sebagian dengan" in page and str(revocation) in page
    record_page = client.get(reverse("dikecualikan:record", args=[kept.pk])).content.decode()
    assert "Dicabut dengan" in record_page
    assert reverse("dikecualikan:decision", args=[revocation.pk]) in record_page
    assert Record.objects.get(pk=other.pk).state == "published"


def test_a_revocation_in_whole_opens_every_published_item_of_the_decision(make_record, ppid):
    first = make_record("published")
    decision = first.published_in
    revocation = revoke(decision, ppid, whole=True)  # names no item: it revokes them all
    workflow.publish_decision(decision=revocation, by=ppid)
    assert Record.objects.get(pk=first.pk).state == "opened"
    assert decision.revoked_in_whole()


def test_a_decision_cannot_revoke_one_that_was_never_published(make_decision, ppid):
    unpublished = make_decision()
    with pytest.raises(WorkflowError) as refusal:
        revoke(unpublished, ppid)
    assert "tidak pernah diumumkan" in refusal.value.field_errors["revokes"]
    assert not Decision.objects.filter(revokes=unpublished).exists()


def test_a_revocation_cannot_open_a_record_of_another_decision(make_record, ppid):
    revoked = make_record("published").published_in
    other = make_record("published")
    revocation = revoke(revoked, ppid)
    with pytest.raises(WorkflowError, match="tidak diumumkan berdasarkan"):
        workflow.record_decision(decision=revocation, record=other, outcome="open", by=ppid)


def test_a_revocation_cannot_be_earlier_than_the_decision_it_revokes(make_record, ppid):
    revoked = make_record("published").published_in
    with pytest.raises(WorkflowError) as refusal:
        revoke(revoked, ppid, date=datetime.date(2025, 8, 20))
    assert "revokes" in refusal.value.field_errors


def test_opening_by_revocation_without_the_revoking_decision_is_refused(make_record, ppid):
    record = make_record("published")
    with pytest.raises(WorkflowError) as refusal:
        workflow.open_record(record=record, by=ppid, reason="revoked", instrument="Keputusan 805")
    assert "reason" in refusal.value.field_errors
    assert Record.objects.get(pk=record.pk).state == "published"


# --- The test's conclusion (item 6) -------------------------------------------------------


def test_a_test_concluding_terbuka_cannot_be_submitted_and_closes_the_record_as_open(
    client, make_record, ppid
):
    record = make_record("classified", classification={"test_conclusion": "open"})
    assert record.period_type == "" and not record.grounds.exists()
    with pytest.raises(WorkflowError, match="terbuka"):
        workflow.submit(record=record, by=ppid)
    client.force_login(ppid)
    page = client.get(record_url(record)).content.decode()
    assert reverse("dikecualikan:staff-record-submit", args=[record.pk]) not in page
    close = reverse("dikecualikan:staff-record-close-open", args=[record.pk])
    assert close in page
    client.post(close, {"version": Record.objects.get(pk=record.pk).version})
    record.refresh_from_db()
    assert record.state == "rejected"
    assert record.transitions.last().action == "close_open"


def test_a_test_concluding_dikecualikan_cannot_close_the_record(make_record, ppid):
    record = make_record("classified")
    with pytest.raises(WorkflowError, match="terbuka"):
        workflow.close_as_open(record=record, by=ppid)


@pytest.mark.parametrize("missing", ["test_scope", "test_conclusion", "test_place"])
def test_the_test_needs_its_scope_its_conclusion_and_its_place(make_record, ppid, missing):
    from ..conftest import CLASSIFICATION

    record = make_record("collected")
    with pytest.raises(WorkflowError) as refusal:
        workflow.classify(record=record, by=ppid, **{**CLASSIFICATION, missing: ""})
    assert missing in refusal.value.field_errors
    assert Record.objects.get(pk=record.pk).state == "collected"


# --- Corrections before publication (item 8) --------------------------------------------


def test_a_decision_is_corrected_before_publication_and_its_log_keeps_old_and_new(
    client, make_decision, ppid
):
    decision = make_decision()
    old_pdf = decision.pdf.name
    client.force_login(ppid)
    edit = decision_url(decision, "staff-decision-edit")
    assert edit in client.get(decision_url(decision)).content.decode()
    response = client.post(
        edit,
        {
            "body": decision.body_id,
            "number": "Keputusan Komisi Pemilihan Umum Nomor 1211 Tahun 2025",
            "year": "2025",
            "title": decision.title,
            "date_set": "2025-08-22",
            "place": "Jakarta",
            "signatory": "Ketua KPU",
            "pdf": samples.upload("baru.pdf", samples.pdf("Keputusan baru")),
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.number.endswith("1211 Tahun 2025") and decision.pdf.name != old_pdf
    assert decision.pdf.storage.exists(old_pdf)  # the earlier file is kept
    entry = decision.log.get(kind=DecisionLog.Kind.CORRECTED)
    assert entry.changes["date_set"] == ["2025-08-21", "2025-08-22"]
    assert entry.changes["pdf"] == [old_pdf, decision.pdf.name]
    assert "1211 Tahun 2025" in client.get(decision_url(decision)).content.decode()


def test_a_published_decision_cannot_be_corrected(client, make_record, ppid):
    decision = make_record("published").published_in
    client.force_login(ppid)
    assert (
        decision_url(decision, "staff-decision-edit")
        not in client.get(decision_url(decision)).content.decode()
    )
    response = client.get(decision_url(decision, "staff-decision-edit"), follow=True)
    assert any("sudah diumumkan" in str(m) for m in response.context["messages"])
    with pytest.raises(WorkflowError):
        workflow.correct_decision(
            decision=decision, by=ppid, **{n: getattr(decision, n) for n in Decision.FORM_FIELDS}
        )


def test_a_correction_cannot_date_the_decision_before_a_test_it_relies_on(
    make_record, make_decision, ppid
):
    decision = make_decision()
    make_record("decided", decision=decision)  # tested on 1 August 2025
    fields = {n: getattr(decision, n) for n in Decision.FORM_FIELDS}
    with pytest.raises(WorkflowError) as refusal:
        workflow.correct_decision(
            decision=decision, by=ppid, **{**fields, "date_set": datetime.date(2025, 7, 30)}
        )
    assert "date_set" in refusal.value.field_errors
    assert Decision.objects.get(pk=decision.pk).date_set == datetime.date(2025, 8, 21)


def test_an_item_added_by_mistake_is_withdrawn_and_the_proposal_comes_back(
    client, make_record, make_decision, ppid
):
    record = make_record("requested")
    decision = make_decision()
    workflow.record_decision(
        decision=decision, record=record, outcome="exempt", by=ppid, period_years=2
    )
    assert Record.objects.get(pk=record.pk).period_years == 2
    client.force_login(ppid)
    withdraw = reverse("dikecualikan:staff-record-withdraw", args=[record.pk])
    assert withdraw in client.get(record_url(record)).content.decode()
    record.refresh_from_db()
    refused = client.post(withdraw, {"version": record.version, "note": ""})
    assert refused.status_code == 200 and Record.objects.get(pk=record.pk).state == "decided"
    client.post(withdraw, {"version": record.version, "note": "Salah memilih entri"})
    record.refresh_from_db()
    assert record.state == "requested" and record.period_years == 5
    item = DecisionItem.objects.get(record=record)
    assert item.withdrawn_at and item.withdrawal_note == "Salah memilih entri"
    assert record.transitions.last().action == "withdraw"
    assert "Ditarik pada" in client.get(decision_url(decision)).content.decode()
    # Withdrawn, it may be added again; the withdrawn item stays.
    workflow.record_decision(decision=decision, record=record, outcome="exempt", by=ppid)
    assert DecisionItem.objects.filter(record=record).count() == 2
    workflow.publish_decision(decision=decision, by=ppid)
    assert Record.objects.get(pk=record.pk).state == "published"


def test_an_item_of_a_published_decision_cannot_be_withdrawn(make_record, ppid):
    record = make_record("published")
    assert "withdraw" not in workflow.allowed_steps(record, ppid)
    with pytest.raises(WorkflowError, match="diumumkan"):
        workflow.withdraw_item(record=record, by=ppid, note="Salah")
    assert Record.objects.get(pk=record.pk).state == "published"


def test_a_correction_without_a_new_file_keeps_the_pdf(client, make_decision, ppid):
    decision = make_decision()
    pdf = decision.pdf.name
    client.force_login(ppid)
    form = client.get(decision_url(decision, "staff-decision-edit")).context["form"]
    data = {
        name: (value.isoformat() if hasattr(value, "isoformat") else value)
        for name, value in form.initial.items()
        if name != "pdf" and value is not None
    }
    response = client.post(decision_url(decision, "staff-decision-edit"), {**data, "title": "x y"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.pdf.name == pdf and decision.title == "x y"
    assert "pdf" not in decision.log.get(kind="corrected").changes


@pytest.mark.parametrize("username", ["pembina", "pertimbangan", "atasan"])
def test_approvers_cannot_correct_a_decision(client, make_decision, cast, username):
    decision = make_decision()
    client.force_login(cast[username])
    response = client.post(decision_url(decision, "staff-decision-edit"), {"title": "lain"})
    assert response.status_code == 403
    assert Decision.objects.get(pk=decision.pk).title == decision.title


def test_the_decision_pages_cost_the_same_queries_for_two_items_or_six(client, make_record, ppid):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(decision):
        counts = []
        for url in (decision_url(decision), reverse("dikecualikan:decision", args=[decision.pk])):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    client.force_login(ppid)
    small, big = make_record.decision(), make_record.decision()
    for decision, n in ((small, 2), (big, 6)):
        for _ in range(n):
            make_record("decided", decision=decision)
        workflow.publish_decision(decision=decision, by=ppid)
    cost(small)  # the first request fills the caches
    assert cost(small) == cost(big)
