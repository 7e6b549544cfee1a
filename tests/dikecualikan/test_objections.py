"""Objections (keberatan) and rulings: UU 14/2008 Pasal 35-37 (issue "Exemptions end", item 5)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dikecualikan import workdays, workflow
from dikecualikan.forms import OpenForm
from dikecualikan.models import (
    DikChange,
    Objection,
    ObjectionAnswer,
    Record,
    Ruling,
    RulingBody,
    RulingBodyChange,
)
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
    assert refusal.value.field_errors["received_on"] == (
        "Tanggal diterima tidak boleh sebelum tanggal penolakan."
    )


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


def body(name="Komisi Informasi Provinsi Kalimantan Barat"):
    return RulingBody.objects.get(name=name)


def rule(objection, by, opens=False, **changes):
    values = {
        "body": body(),
        "number": "015/KIP-KB/PS-A/2026",
        "ruled_on": D(2026, 11, 30),
        "opens": opens,
        "pdf": samples.upload("putusan.pdf", samples.pdf("Putusan")),
        **changes,
    }
    return workflow.record_ruling(objection=objection, by=by, **values)


def ruling_form(**changes):
    return {
        "putusan-body": body().pk,
        "putusan-number": "015/KIP-KB/PS-A/2026",
        "putusan-ruled_on": "2026-11-30",
        "putusan-opens": "on",
        "putusan-pdf": samples.upload("putusan.pdf", samples.pdf("Putusan")),
        **changes,
    }


def test_a_ruling_that_orders_opening_opens_the_records(client, make_record, ppid, atasan):
    record = make_record("published")
    objection = receive(ppid, [record])
    answer(objection, atasan, outcome="refused")
    client.force_login(atasan)
    response = client.post(url("staff-objection-ruling", objection), ruling_form())
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == "opened" and record.opened_reason == "ki_court"
    assert "015/KIP-KB/PS-A/2026" in record.transitions.last().instrument
    ruling = Ruling.objects.get()
    assert ruling.body == body() and ruling.body_name == body().name and ruling.pdf


def test_only_the_atasan_records_a_ruling_that_opens_information(client, make_record, ppid, atasan):
    record = make_record("published")
    objection = receive(ppid, [record])
    answer(objection, atasan, outcome="refused")
    client.force_login(ppid)
    page = client.post(url("staff-objection-ruling", objection), ruling_form()).content.decode()
    assert "Hanya Atasan PPID yang mencatat putusan yang membuka informasi" in page
    assert not Ruling.objects.exists()
    assert Record.objects.get(pk=record.pk).state == "published"


def test_a_ruling_that_upholds_the_exemption_is_kept_in_each_history(make_record, ppid, atasan):
    record = make_record("published")
    objection = receive(ppid, [record])
    answer(objection, atasan, outcome="refused")
    rule(objection, ppid, number="016/KIP-KB/PS-A/2026")
    record.refresh_from_db()
    assert record.state == "published" and record.transitions.last().action == "ruling"
    with pytest.raises(WorkflowError):  # the same ruling twice
        rule(objection, atasan, number="016/KIP-KB/PS-A/2026")


def test_a_ruling_by_the_ppid_of_the_office_is_impossible(client, make_record, ppid, atasan):
    objection = receive(ppid, [make_record("published")])
    answer(objection, atasan, outcome="refused")
    assert not RulingBody.objects.filter(name__icontains="PPID").exists()
    client.force_login(atasan)
    form = ruling_form(**{"putusan-body": "PPID KPU Kota Pontianak"})
    response = client.post(url("staff-objection-ruling", objection), form)
    assert response.status_code == 200 and not Ruling.objects.exists()
    with pytest.raises(WorkflowError) as refusal:
        rule(objection, atasan, body="PPID KPU Kota Pontianak")
    assert "body" in refusal.value.field_errors
    assert not Ruling.objects.exists()


def test_a_ruling_dated_the_day_after_its_objection_is_refused(client, make_record, ppid, atasan):
    """Not answered, and the Atasan's 30 working days not lapsed: no dispute yet."""
    objection = receive(ppid, [make_record("published")])
    client.force_login(atasan)
    form = ruling_form(**{"putusan-ruled_on": "2026-11-03"})
    page = client.post(url("staff-objection-ruling", objection), form).content.decode()
    assert "UU 14/2008 Pasal 36-37" in page and not Ruling.objects.exists()
    with pytest.raises(WorkflowError) as refusal:
        rule(objection, atasan, ruled_on=D(2026, 11, 3))
    assert "ruled_on" in refusal.value.field_errors


def test_a_ruling_before_the_answer_is_refused_and_on_its_day_allowed(make_record, atasan):
    objection = receive(atasan, [make_record("published")])
    answer(objection, atasan, outcome="refused")  # 20 November 2026
    with pytest.raises(WorkflowError) as refusal:
        rule(objection, atasan, ruled_on=D(2026, 11, 19))
    assert "ruled_on" in refusal.value.field_errors
    assert rule(objection, atasan, ruled_on=D(2026, 11, 20)).ruled_on == D(2026, 11, 20)


def test_a_ruling_after_the_answer_lapsed_unanswered_is_allowed(make_record, atasan):
    objection = receive(
        atasan,
        [make_record("published")],
        received_on=D(2026, 9, 1),
        request_refused_on=D(2026, 8, 25),
    )
    assert workflow.dispute_opens_on(objection) == objection.answer_due + datetime.timedelta(1)
    with pytest.raises(WorkflowError):
        rule(objection, atasan, ruled_on=objection.answer_due)
    ruling = rule(objection, atasan, ruled_on=objection.answer_due + datetime.timedelta(1))
    assert ruling.pk


def test_a_ruling_needs_its_pdf(make_record, atasan):
    objection = receive(atasan, [make_record("published")])
    answer(objection, atasan, outcome="refused")
    with pytest.raises(WorkflowError) as refusal:
        rule(objection, atasan, pdf=None)
    assert "pdf" in refusal.value.field_errors


def test_an_appeal_follows_a_ruling_of_the_instance_before(make_record, atasan):
    objection = receive(atasan, [make_record("published")])
    answer(objection, atasan, outcome="refused")
    ptun = body("Pengadilan Tata Usaha Negara (PTUN) Pontianak")
    with pytest.raises(WorkflowError) as refusal:
        rule(objection, atasan, body=ptun, number="5/G/KI/2026/PTUN.PTK")
    assert "body" in refusal.value.field_errors
    rule(objection, atasan, ruled_on=D(2026, 11, 25))
    appeal = rule(objection, atasan, body=ptun, number="5/G/KI/2026/PTUN.PTK")
    assert appeal.body == ptun


def test_ruling_bodies_change_only_by_a_superuser_and_each_change_is_logged(
    client, atasan, it_admin
):
    ki = body()
    change = reverse("admin:dikecualikan_rulingbody_change", args=[ki.pk])
    client.force_login(atasan)
    assert client.post(change, {"name": "PPID", "instance": 1, "basis": "-"}).status_code == 403
    client.force_login(it_admin)
    response = client.post(
        change,
        {
            "name": ki.name,
            "instance": 1,
            "basis": "UU 14/2008 Pasal 23-27, 37-38",
            "changes-TOTAL_FORMS": "0",
            "changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    logged = RulingBodyChange.objects.get()
    assert logged.body == ki and logged.actor == it_admin
    assert logged.changes["basis"][1] == "UU 14/2008 Pasal 23-27, 37-38"
    with pytest.raises(PermissionDenied):
        logged.delete()


def test_an_objection_to_a_refusal_before_the_publication_is_refused(client, make_record, desk):
    record = make_record("published")  # published on 1 September 2025
    client.force_login(desk)
    response = client.post(
        reverse("dikecualikan:staff-objection-new"),
        {
            **{k: str(v) for k, v in OBJECTION.items()},
            "received_on": "2025-09-02",
            "request_refused_on": "2025-08-29",
            "records": [record.pk],
        },
    )
    assert response.status_code == 200 and "UU 14/2008 Pasal 35" in response.content.decode()
    assert not Objection.objects.exists()
    on_the_day = receive(desk, [record], request_refused_on=D(2025, 9, 1))
    assert on_the_day.pk


@pytest.mark.parametrize("reason", ["objection", "ki_court"])
def test_objection_and_ruling_cannot_be_typed_by_hand_as_reasons(make_record, ppid, reason):
    record = make_record("published")
    with pytest.raises(WorkflowError) as refusal:
        workflow.open_record(record=record, by=ppid, reason=reason, instrument="-")
    assert "reason" in refusal.value.field_errors
    assert reason not in dict(OpenForm.base_fields["reason"].choices)
    assert Record.objects.get(pk=record.pk).state == "published"


def test_the_public_item_page_says_how_to_object_and_never_names_a_requester(
    client, make_record, ppid
):
    record = make_record("published")
    receive(ppid, [record])
    page = client.get(reverse("dikecualikan:record", args=[record.pk])).content.decode()
    assert "Atasan PPID" in page and "30 (tiga puluh) hari kerja" in page
    assert "kota_pontianak@kpu.go.id" in page
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


# --- Every fault of the answer and the ruling in one pass (issue 26, item 8) -------------


def test_the_answer_form_shows_a_missing_number_and_a_date_before_receipt_together(
    client, make_record, ppid, atasan
):
    objection = receive(ppid, [make_record("published")])  # received 2 November 2026
    client.force_login(atasan)
    response = client.post(
        url("staff-objection-answer", objection),
        {
            "jawaban-outcome": "refused",
            "jawaban-number": "",
            "jawaban-answered_on": "2026-10-30",
            "jawaban-reasons": "Pengecualian tetap berlaku setelah diuji kembali.",
        },
    )
    errors = response.context["form"].errors
    assert set(errors) >= {"number", "answered_on"}
    assert "sebelum tanggal keberatan diterima" in str(errors["answered_on"])
    assert not ObjectionAnswer.objects.exists()


def test_the_ruling_form_shows_a_missing_number_and_a_premature_date_together(
    client, make_record, ppid, atasan
):
    objection = receive(ppid, [make_record("published")])
    answer(objection, atasan, outcome="refused")  # answered 20 November 2026
    client.force_login(atasan)
    data = ruling_form(**{"putusan-number": "", "putusan-ruled_on": "2026-11-19"})
    response = client.post(url("staff-objection-ruling", objection), data)
    errors = response.context["form"].errors
    assert set(errors) >= {"number", "ruled_on"}
    assert "Pasal 36-37" in str(errors["ruled_on"])
    assert not Ruling.objects.exists()


def test_the_decided_values_form_marks_what_the_workflow_requires(
    client, make_record, make_decision, ppid
):
    record, decision = make_record("requested"), make_decision()
    client.force_login(ppid)
    page = client.get(
        reverse("dikecualikan:staff-decision-add", args=[decision.pk, record.pk])
    ).content.decode()
    for field in ("statutes", "harm", "balancing"):
        label = page.split(f'for="id_{field}"', 1)[1].split("</label>", 1)[0]
        assert "wajib" in label, field
