"""Objections (keberatan) and rulings: UU 14/2008 Pasal 35-37 (issue "Exemptions end", item 5)."""

import datetime

import pytest
from django.urls import reverse

from dikecualikan import workdays, workflow
from dikecualikan.forms import OpenForm
from dikecualikan.models import DikChange, Objection, ObjectionAnswer, Record
from dikecualikan.workflow import WorkflowError

from ..arsip import samples
from ..conftest import OBJECTION, receive_objection

D = datetime.date
receive = receive_objection


def answer(objection, by, outcome="upheld", **changes):
    values = {
        "outcome": outcome,
        "number": "01/PPID-KPU-PTK/XI/2026",
        "answered_on": D(2026, 11, 20),
        "reasons": "Setelah diuji kembali, kepentingan publik lebih besar.",
        **changes,
    }
    return workflow.answer_objection(objection=objection, by=by, **values)


def url(name, objection):
    return reverse(f"dikecualikan:{name}", args=[objection.pk])


def test_an_objection_is_registered_with_its_deadline_in_working_days(
    client, make_record, desk, atasan
):
    record = make_record("published")
    client.force_login(desk)
    response = client.post(
        reverse("dikecualikan:staff-objection-new"),
        {**{k: str(v) for k, v in OBJECTION.items()}, "records": [record.pk]},
    )
    objection = Objection.objects.get()
    assert response.url == url("staff-objection", objection)
    assert objection.answer_due == workdays.working_days_after(D(2026, 11, 2), 30)
    assert objection.answer_due == D(2026, 12, 14)
    assert record.transitions.last().action == "object"
    client.force_login(atasan)
    page = client.get(reverse("dikecualikan:dashboard")).content.decode()
    assert url("staff-objection", objection) in page and "14 Desember 2026" in page


def test_an_objection_received_on_a_saturday_counts_from_monday(make_record, ppid):
    record = make_record("published")
    objection = receive(ppid, [record], received_on=D(2026, 11, 7))
    assert objection.answer_due == workdays.working_days_after(D(2026, 11, 9), 29)


@pytest.mark.parametrize("state", ["requested", "decided", "opened"])
def test_an_objection_on_a_record_that_is_not_published_is_refused(make_record, ppid, state):
    record = make_record(state)
    with pytest.raises(WorkflowError):
        receive(ppid, [record])
    assert not Objection.objects.exists()


def test_an_objection_refused_before_it_was_received_is_refused(make_record, ppid):
    with pytest.raises(WorkflowError) as refusal:
        receive(ppid, [make_record("published")], request_refused_on=D(2026, 11, 3))
    assert "request_refused_on" in refusal.value.field_errors


def test_only_the_atasan_answers_and_an_upheld_objection_opens_the_records(
    client, make_record, ppid, atasan
):
    first, second = make_record("published"), make_record("published")
    objection = receive(ppid, [first, second])
    with pytest.raises(WorkflowError, match="Atasan PPID"):
        answer(objection, ppid)
    client.force_login(ppid)
    assert client.post(url("staff-objection-answer", objection)).status_code == 403
    client.force_login(atasan)
    page = client.get(url("staff-objection", objection)).content.decode()
    assert url("staff-objection-answer", objection) in page
    response = client.post(
        url("staff-objection-answer", objection),
        {
            "jawaban-outcome": "upheld",
            "jawaban-number": "01/PPID-KPU-PTK/XI/2026",
            "jawaban-answered_on": "2026-11-20",
            "jawaban-reasons": "Kepentingan publik lebih besar daripada potensi bahaya.",
            "jawaban-pdf": samples.upload("jawaban.pdf", samples.pdf("Jawaban atas keberatan")),
        },
    )
    assert response.status_code == 302
    for record in (first, second):
        record.refresh_from_db()
        assert record.state == "opened" and record.opened_reason == "objection"
        assert "01/PPID-KPU-PTK/XI/2026" in record.transitions.last().instrument
    assert DikChange.objects.filter(kind="opened").count() == 2
    assert (
        client.get(
            reverse("dikecualikan:staff-objection-file", args=[objection.pk, "jawaban"])
        ).status_code
        == 200
    )


def test_an_objection_is_answered_once(make_record, atasan):
    objection = receive(atasan, [make_record("published")])
    answer(objection, atasan, outcome="refused")
    with pytest.raises(WorkflowError, match="sudah dijawab"):
        answer(objection, atasan, outcome="upheld")
    assert ObjectionAnswer.objects.get().outcome == "refused"


def test_a_refused_objection_keeps_the_exemption_and_says_until_when_to_dispute(
    client, make_record, atasan
):
    record = make_record("published")
    objection = receive(atasan, [record])
    refused = answer(objection, atasan, outcome="refused")
    assert Record.objects.get(pk=record.pk).state == "published"
    assert refused.dispute_by == workdays.working_days_after(D(2026, 11, 20), 14)
    client.force_login(atasan)
    page = client.get(url("staff-objection", objection)).content.decode()
    assert "Komisi Informasi" in page and "10 Desember 2026" in page


def test_a_ruling_that_orders_opening_opens_the_records(make_record, ppid, atasan):
    record = make_record("published")
    objection = receive(ppid, [record])
    answer(objection, atasan, outcome="refused")
    workflow.record_ruling(
        objection=objection,
        by=ppid,
        body="Komisi Informasi Provinsi Kalimantan Barat",
        number="015/KIP-KB/PS-A/2026",
        ruled_on=D(2026, 11, 30),
        opens=True,
        pdf=samples.upload("putusan.pdf", samples.pdf("Putusan")),
    )
    record.refresh_from_db()
    assert record.state == "opened" and record.opened_reason == "ki_court"
    assert "015/KIP-KB/PS-A/2026" in record.transitions.last().instrument


def test_a_ruling_that_upholds_the_exemption_is_kept_in_each_history(make_record, ppid, atasan):
    record = make_record("published")
    objection = receive(ppid, [record])
    workflow.record_ruling(
        objection=objection,
        by=atasan,
        body="Komisi Informasi Provinsi Kalimantan Barat",
        number="016/KIP-KB/PS-A/2026",
        ruled_on=D(2026, 11, 30),
        opens=False,
    )
    record.refresh_from_db()
    assert record.state == "published" and record.transitions.last().action == "ruling"
    with pytest.raises(WorkflowError):  # the same ruling twice
        workflow.record_ruling(
            objection=objection,
            by=atasan,
            body="Komisi Informasi Provinsi Kalimantan Barat",
            number="016/KIP-KB/PS-A/2026",
            ruled_on=D(2026, 11, 30),
            opens=False,
        )


@pytest.mark.parametrize("reason", ["objection", "ki_court"])
def test_objection_and_ruling_cannot_be_typed_by_hand_as_reasons(make_record, ppid, reason):
    record = make_record("published")
    with pytest.raises(WorkflowError) as refusal:
        workflow.open_record(record=record, by=ppid, reason=reason, instrument="-")
    assert "reason" in refusal.value.field_errors
    assert reason not in dict(OpenForm.base_fields["reason"].choices)
    assert Record.objects.get(pk=record.pk).state == "published"


def test_the_public_item_page_says_how_to_object_and_never_names_a_requester(
    client, make_record, ppid, settings
):
    record = make_record("published")
    receive(ppid, [record])
    page = client.get(reverse("dikecualikan:record", args=[record.pk])).content.decode()
    assert "Atasan PPID" in page and "30 hari kerja" in page
    assert settings.PPID_OFFICE_EMAIL in page
    assert "Budi Santoso" not in page
    assert "Budi Santoso" not in b"".join(client.get("/dik.csv").streaming_content).decode()


def test_the_objection_pages_are_for_sop_roles_only(client, make_record, ppid, it_admin):
    objection = receive(ppid, [make_record("published")])
    client.force_login(it_admin)
    assert client.get(url("staff-objection", objection)).status_code == 403
    assert client.get(reverse("dikecualikan:staff-objections")).status_code == 403


def test_an_objection_received_after_thirty_working_days_is_kept_and_flagged(
    client, make_record, desk, atasan
):
    last_day = workdays.working_days_after(OBJECTION["request_refused_on"], 30)
    next_day = workdays.working_days_after(last_day, 1)
    assert next_day <= D(2026, 12, 2)  # both in the past of this session's machine
    on_time = receive(desk, [make_record("published")], received_on=last_day)
    late = receive(desk, [make_record("published")], received_on=next_day)
    assert not workflow.received_late(on_time) and workflow.received_late(late)
    client.force_login(atasan)
    assert "lebih dari 30 hari kerja" in client.get(url("staff-objection", late)).content.decode()
    page = client.get(url("staff-objection", on_time)).content.decode()
    assert "lebih dari 30 hari kerja" not in page
