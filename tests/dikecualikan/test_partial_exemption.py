"""Partial exemption, and re-tests of a published item (issue "Exemptions end", items 6-7;
shared/DOMAIN.md section 4)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from dikecualikan import workflow
from dikecualikan.models import Record
from dikecualikan.workflow import WorkflowError

from ..arsip import samples

PART = {
    "exemption_scope": "part",
    "withheld_part": "Halaman 3-4: rincian diagnosis dan hasil laboratorium",
}


def csv_rows(client):
    return list(csv.DictReader(io.StringIO(b"".join(client.get("/dik.csv")).decode())))


def test_a_partly_exempt_record_is_published_with_its_redacted_copy(
    client, make_record, make_decision, ppid, desk
):
    decision = make_decision()
    record = make_record("decided", decision=decision, classification=PART)
    with pytest.raises(WorkflowError, match="salinan"):
        workflow.publish_decision(decision=decision, by=ppid)
    client.force_login(desk)
    page = client.get(reverse("dikecualikan:staff-record", args=[record.pk])).content.decode()
    upload = reverse("dikecualikan:staff-record-redacted", args=[record.pk])
    assert upload in page
    client.post(upload, {"file": samples.upload("salinan.pdf", samples.pdf("Halaman 1-2"))})
    record.refresh_from_db()
    assert record.redacted_copy and record.transitions.last().action == "redact"
    with pytest.raises(WorkflowError, match="belum dikonfirmasi"):
        workflow.publish_decision(decision=decision, by=ppid)
    client.force_login(ppid)
    page = client.get(reverse("dikecualikan:staff-record", args=[record.pk])).content.decode()
    confirm = reverse("dikecualikan:staff-record-redaction-confirm", args=[record.pk])
    assert confirm in page
    client.post(confirm, {"version": record.version})
    workflow.publish_decision(decision=decision, by=ppid)
    client.logout()
    (row,) = csv_rows(client)
    assert row["status"] == "dikecualikan sebagian"
    home = client.get("/").content.decode()
    copy = reverse("dikecualikan:record-redacted", args=[record.pk])
    assert "Dikecualikan sebagian" in home and copy in home
    item = client.get(reverse("dikecualikan:record", args=[record.pk])).content.decode()
    assert "Halaman 3-4: rincian diagnosis" in item and copy in item
    response = client.get(copy)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_redacted_copy_is_not_public_before_publication(client, make_record, desk):
    record = make_record("decided", classification=PART)
    workflow.upload_redacted_copy(
        record=record, by=desk, file=samples.upload("s.pdf", samples.pdf("Salinan"))
    )
    assert client.get(reverse("dikecualikan:record-redacted", args=[record.pk])).status_code == 404


def test_a_part_must_say_which_part_is_withheld(make_record, ppid):
    from ..conftest import CLASSIFICATION

    record = make_record("collected")
    with pytest.raises(WorkflowError) as refusal:
        workflow.classify(record=record, by=ppid, **{**CLASSIFICATION, "exemption_scope": "part"})
    assert "withheld_part" in refusal.value.field_errors
    assert Record.objects.get(pk=record.pk).state == "collected"


def test_a_hostile_redacted_copy_is_refused_and_nothing_is_stored(make_record, desk):
    record = make_record("decided", classification=PART)
    with pytest.raises(WorkflowError):
        workflow.upload_redacted_copy(
            record=record, by=desk, file=samples.upload("s.pdf", samples.pdf_with_javascript())
        )
    assert not Record.objects.get(pk=record.pk).redacted_copy


def test_a_whole_document_takes_no_redacted_copy(make_record, desk):
    record = make_record("decided")
    assert "redact" not in workflow.allowed_steps(record, desk)
    with pytest.raises(WorkflowError, match="sebagian|bagian"):
        workflow.upload_redacted_copy(
            record=record, by=desk, file=samples.upload("s.pdf", samples.pdf("Salinan"))
        )


def test_a_part_whose_rest_is_in_the_dip_is_published_without_a_copy(
    client, make_record, make_decision, ppid
):
    decision = make_decision()
    make_record(
        "decided",
        decision=decision,
        classification={**PART, "dip_reference": "DIP 2026 nomor 14 (laman PPID)"},
    )
    workflow.publish_decision(decision=decision, by=ppid)
    (row,) = csv_rows(client)
    assert row["status"] == "dikecualikan sebagian"


# --- Re-testing a published item (item 6) -----------------------------------------------

RETEST = {
    "occasion": "yearly",
    "test_scope": "Hasil pemeriksaan kesehatan bakal calon, rincian medis",
    "harm": "Mengungkap kondisi kesehatan seseorang secara rinci",
    "statutes": "UU 14/2008 Pasal 17 huruf h angka 2; UU 27/2022",
    "public_interest": "Publik perlu tahu calon memenuhi syarat kesehatan",
    "balancing": "Kesimpulan memenuhi syarat tetap diumumkan; rincian dilindungi",
    "test_conclusion": "exempt",
    "scope_unchanged": True,
    "test_experts": "Ahmad Fauzi, Ketua Tim Pertimbangan PPID",
    "test_date": "2026-11-25",
    "test_place": "Pontianak",
}


def test_a_published_item_is_tested_again_beside_its_earlier_tests(client, make_record, ppid):
    record = make_record("published")
    client.force_login(ppid)
    page = client.get(reverse("dikecualikan:staff-record", args=[record.pk])).content.decode()
    again = reverse("dikecualikan:staff-record-retest", args=[record.pk])
    assert again in page
    form = client.get(again).context["form"]
    assert form["harm"].initial == record.harm  # prefilled with the test in force
    client.post(again, {**RETEST, "version": record.version})
    client.post(
        again,
        {
            **RETEST,
            "test_conclusion": "open",
            "test_date": "2026-11-30",
            "version": record.version + 1,
        },
    )
    record.refresh_from_db()
    assert (
        record.state == "published"
        and record.harm == "Mengungkap kondisi kesehatan seseorang kepada publik"
    )
    first, second = record.retests.order_by("test_date")
    assert first.confirms and not second.confirms
    rows = record.transitions.filter(action="retest").order_by("at")
    assert "tidak diperlukan keputusan baru" in rows[0].note and "KPU" in rows[1].note
    page = client.get(reverse("dikecualikan:staff-record", args=[record.pk])).content.decode()
    assert "25 November 2026" in page and "30 November 2026" in page


def test_a_repeated_test_needs_its_analysis_and_participants(make_record, ppid):
    record = make_record("published")
    with pytest.raises(WorkflowError) as refusal:
        workflow.retest(
            record=record,
            by=ppid,
            **{**RETEST, "harm": "Bahaya", "test_experts": "Ahmad Fauzi", "test_date": None},
        )
    assert {"harm", "test_experts", "test_date"} <= set(refusal.value.field_errors)
    assert not record.retests.exists()


def test_only_a_published_item_is_tested_again(make_record, ppid):
    record = make_record("decided")
    with pytest.raises(WorkflowError):
        workflow.retest(
            record=record, by=ppid, **{**RETEST, "test_date": datetime.date(2026, 11, 25)}
        )
    assert not record.retests.exists()
