"""The consequence test as PKPU 22/2023 Pasal 25(3) asks: a real analysis, its people, its date."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from dikecualikan import workflow
from dikecualikan.models import Record

from ..conftest import CLASSIFICATION
from .test_pdf import has, text_of


def classify(make_record, ppid, **changes):
    record = make_record("collected")
    return record, lambda: workflow.classify(
        record=record, by=ppid, **{**CLASSIFICATION, **changes}
    )


@pytest.mark.parametrize("field", ["harm", "public_interest", "balancing"])
def test_a_one_word_analysis_is_refused_and_a_sentence_accepted(make_record, ppid, field):
    record, take = classify(make_record, ppid, **{field: "Bahaya"})
    with pytest.raises(workflow.WorkflowError) as refused:
        take()
    assert field in refused.value.field_errors
    assert Record.objects.get(pk=record.pk).state == "collected"


@pytest.mark.parametrize(
    "participants",
    ["", "   ", "PPID; Tim Pertimbangan", "Rina Wulandari, PPID; Tim Pertimbangan"],
)
def test_participants_without_name_and_position_are_refused(make_record, ppid, participants):
    _record, take = classify(make_record, ppid, test_participants=participants)
    with pytest.raises(workflow.WorkflowError) as refused:
        take()
    assert "test_participants" in refused.value.field_errors


@pytest.mark.parametrize(
    "date", [None, timezone.localdate() + datetime.timedelta(days=1)], ids=["none", "future"]
)
def test_a_test_without_a_date_or_dated_in_the_future_is_refused(make_record, ppid, date):
    _record, take = classify(make_record, ppid, test_date=date)
    with pytest.raises(workflow.WorkflowError) as refused:
        take()
    assert "test_date" in refused.value.field_errors


@pytest.mark.parametrize(
    "statutes,accepted",
    [
        ("UU 14/2008 Pasal 17 huruf j", False),
        ("UU 14/2008 Pasal 17 huruf j; PKPU 22/2023; Perki 1/2021", False),
        ("UU 14/2008 Pasal 17 huruf j; UU 15/2004 tentang BPK", True),
        ("Undang-Undang Nomor 43 Tahun 2009 tentang Kearsipan", True),
    ],
)
def test_17j_needs_an_undang_undang_not_only_a_lower_regulation(
    make_record, ppid, statutes, accepted
):
    record, take = classify(make_record, ppid, grounds=["17j"], statutes=statutes)
    if accepted:
        assert take().state == "classified"
        return
    with pytest.raises(workflow.WorkflowError) as refused:
        take()
    assert "undang-undang" in refused.value.field_errors["statutes"].lower()
    assert Record.objects.get(pk=record.pk).state == "collected"


def test_a_decision_cannot_rely_on_a_test_dated_after_it(make_record, make_decision, ppid):
    record = make_record("requested", classification={"test_date": datetime.date(2025, 9, 1)})
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.record_decision(
            decision=make_decision(date_set=datetime.date(2025, 8, 21)),
            record=record,
            outcome="exempt",
            by=ppid,
        )
    assert "1 September 2025" in str(refused.value) and "21 Agustus 2025" in str(refused.value)
    assert Record.objects.get(pk=record.pk).state == "requested"


def test_the_sheet_prints_the_tests_own_date_never_the_print_date(client, make_record, ppid):
    record = make_record("classified", classification={"test_date": datetime.date(2025, 7, 3)})
    client.force_login(ppid)
    response = client.get(reverse("dikecualikan:staff-record-test-pdf", args=[record.pk]))
    text, _pages = text_of(response.content)
    assert has(text, "3 Juli 2025") and has(text, "Rina Wulandari")
    assert not has(text, date_format(timezone.localdate(), "j F Y"))  # not the day printed
