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


@pytest.mark.parametrize(
    "text", ["Bahaya", "x y z", "a b c d e f", "bahaya bahaya bahaya bahaya bahaya"]
)
@pytest.mark.parametrize("field", ["test_scope", "harm", "public_interest", "balancing"])
def test_an_analysis_step_that_is_not_a_sentence_is_refused(make_record, ppid, field, text):
    record, take = classify(make_record, ppid, **{field: text})
    with pytest.raises(workflow.WorkflowError) as refused:
        take()
    assert field in refused.value.field_errors
    assert Record.objects.get(pk=record.pk).state == "collected"


def test_a_step_that_repeats_another_step_word_for_word_is_refused(make_record, ppid):
    _record, take = classify(make_record, ppid, balancing=CLASSIFICATION["harm"].upper() + ".")
    with pytest.raises(workflow.WorkflowError) as refused:
        take()
    assert "kata demi kata" in str(refused.value.field_errors["balancing"])


def test_the_ppid_and_the_officials_chosen_are_the_participants_with_their_roles(
    make_record, ppid, pertimbangan
):
    ppid.first_name, ppid.last_name = "Rina", "Wulandari"
    ppid.save()
    record, take = classify(
        make_record,
        ppid,
        test_officials=[pertimbangan],
        test_experts="Dr. Yusuf Hamdani, dosen hukum Universitas Tanjungpura",
    )
    take()
    record.refresh_from_db()
    assert record.test_participants.splitlines() == [
        "Rina Wulandari, PPID",
        f"{pertimbangan.get_full_name() or pertimbangan.username}, Tim Pertimbangan PPID",
        "Dr. Yusuf Hamdani, dosen hukum Universitas Tanjungpura",
    ]
    assert list(record.test_officials.all()) == [pertimbangan]


def test_someone_without_a_role_cannot_be_chosen_as_an_official(
    make_record, ppid, django_user_model
):
    outsider = django_user_model.objects.create_user("tamu", password="x")
    record, take = classify(make_record, ppid, test_officials=[outsider])
    with pytest.raises(workflow.WorkflowError) as refused:
        take()
    assert "test_officials" in refused.value.field_errors
    assert Record.objects.get(pk=record.pk).state == "collected"


@pytest.mark.parametrize("experts", ["Tim Pertimbangan", "Rina Wulandari, PPID\nAhmad Fauzi"])
def test_an_expert_without_name_and_position_is_refused(make_record, ppid, experts):
    _record, take = classify(make_record, ppid, test_experts=experts)
    with pytest.raises(workflow.WorkflowError) as refused:
        take()
    assert "test_experts" in refused.value.field_errors


@pytest.mark.parametrize("days", [None, 1], ids=["none", "future"])
def test_a_test_without_a_date_or_dated_in_the_future_is_refused(make_record, ppid, days):
    # Counted when the test runs (a run that crosses midnight would otherwise see "today").
    date = days and timezone.localdate() + datetime.timedelta(days=days)
    _record, take = classify(make_record, ppid, test_date=date)
    with pytest.raises(workflow.WorkflowError) as refused:
        take()
    assert "test_date" in refused.value.field_errors


# 17j: the Undang-Undang that forbids disclosure, as a reference (DOMAIN.md section 4).
UU_BPK = {
    "statutes": "UU 14/2008 Pasal 17 huruf j; UU 15/2004 Pasal 7 tentang pemeriksaan keuangan",
    "statute_type": "uu",
    "statute_number": "15",
    "statute_year": 2004,
    "statute_article": "Pasal 7",
}


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"statute_type": "pp"}, "statute_type"),
        ({"statute_type": "pkpu"}, "statute_type"),
        ({"statute_type": ""}, "statute_type"),
        ({"statute_number": "", "statute_year": None}, "statute_number"),
        ({"statute_year": 1890}, "statute_year"),
        ({"statute_article": ""}, "statute_article"),
        (
            {"statute_number": "14", "statute_year": 2008, "statutes": "UU 14/2008 Pasal 17"},
            "statute_number",
        ),
        ({"statutes": "UU 14/2008 Pasal 17 huruf j; UU 27/2022 Pasal 4"}, "statutes"),
    ],
    ids=["pp", "pkpu", "none", "no-number", "old-year", "no-pasal", "uu-14-2008", "not-cited"],
)
def test_17j_needs_a_structured_undang_undang_that_step_c_cites(make_record, ppid, changes, field):
    record, take = classify(make_record, ppid, grounds=["17j"], **{**UU_BPK, **changes})
    with pytest.raises(workflow.WorkflowError) as refused:
        take()
    assert field in refused.value.field_errors
    assert Record.objects.get(pk=record.pk).state == "collected"


def test_17j_with_an_undang_undang_cited_in_step_c_is_accepted(make_record, ppid):
    record, take = classify(make_record, ppid, grounds=["17j"], **UU_BPK)
    assert take().state == "classified"
    record.refresh_from_db()
    assert (record.statute_type, record.statute_number, record.statute_year) == ("uu", "15", 2004)


# Pasal 18(2): 17g and 17h say whether it concerns a public office (DOMAIN.md section 4).
def test_17h_needs_an_answer_whether_it_concerns_a_public_office(make_record, ppid):
    _record, take = classify(make_record, ppid, concerns_public_office=None)
    with pytest.raises(workflow.WorkflowError) as refused:
        take()
    assert "concerns_public_office" in refused.value.field_errors


def test_about_a_public_office_the_whole_is_withheld_only_with_a_written_reason(make_record, ppid):
    _record, take = classify(make_record, ppid, concerns_public_office=True)
    with pytest.raises(workflow.WorkflowError) as refused:
        take()
    assert "public_office_reason" in refused.value.field_errors
    reason = "Surat keterangan memuat riwayat penyakit yang tidak berkaitan dengan jabatan."
    record, take = classify(
        make_record, ppid, concerns_public_office=True, public_office_reason=reason
    )
    take()
    record.refresh_from_db()
    assert record.concerns_public_office and record.public_office_reason == reason


def test_about_a_public_office_a_part_may_be_withheld_without_a_reason(make_record, ppid):
    record, take = classify(
        make_record,
        ppid,
        concerns_public_office=True,
        exemption_scope="part",
        withheld_part="Rincian diagnosis pada halaman 2",
        dip_reference="DIP No. 12/2025, butir 4",
    )
    assert take().state == "classified"


def test_grounds_other_than_g_and_h_need_no_answer_and_keep_no(make_record, ppid):
    record, take = classify(
        make_record,
        ppid,
        grounds=["17b"],
        statutes="UU 14/2008 Pasal 17 huruf b",
        concerns_public_office=None,
        public_office_reason="Tidak berlaku untuk dokumen pengadaan ini sama sekali.",
    )
    take()
    record.refresh_from_db()
    assert record.concerns_public_office is False and record.public_office_reason == ""


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
    assert has(text, "3 Juli 2025") and has(text, "Ahmad Fauzi, Ketua Tim Pertimbangan PPID")
    assert has(text, "ppid, PPID")  # the PPID who recorded the test, by the account's name
    assert not has(text, date_format(timezone.localdate(), "j F Y"))  # not the day printed
