"""What the register no longer takes on trust (issue 25, items 1 and 5): a redacted copy
is never the original and is confirmed by someone else; the instruments' dates tell one
story (shared/DOMAIN.md section 4, "The instruments' order" and "Redaction").

Rulings and objections: tests/dikecualikan/test_objections.py.
"""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from dikecualikan import workflow
from dikecualikan.models import Record
from dikecualikan.roles import Role, grant
from dikecualikan.workflow import WorkflowError

from ..arsip import samples
from ..conftest import CLASSIFICATION, pdf_file

D = datetime.date
PART = {
    "exemption_scope": "part",
    "withheld_part": "Halaman 3-4: rincian diagnosis dan hasil laboratorium",
}


def url(name, record):
    return reverse(f"dikecualikan:{name}", args=[record.pk])


def copy(text="Salinan publik: halaman 1-2"):
    return samples.upload("salinan.pdf", samples.pdf(text))


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def ppid2(db):
    user = User.objects.create_user("ppid2", "ppid2@example.org", "pw", is_staff=True)
    grant(user, Role.PPID)
    return user


# --- A redacted copy is never the original -------------------------------------------------


def test_a_redacted_copy_that_is_the_records_original_is_refused(client, make_record, desk):
    record = make_record("archived", classification=PART)  # its softcopy is pdf_file()
    client.force_login(desk)
    response = client.post(
        url("staff-record-redacted", record), {"file": pdf_file("salinan.pdf")}, follow=True
    )
    assert "dokumen asli yang dikecualikan itu sendiri" in messages_of(response)
    assert "scan.pdf" in messages_of(response)
    record.refresh_from_db()
    assert not record.redacted_copy and record.transitions.last().action != "redact"


def test_a_redacted_copy_that_is_another_records_original_is_refused(make_record, desk):
    other = make_record("approved")
    record = make_record("archived", classification=PART)
    workflow.upload_softcopy(record=other, by=desk, file=pdf_file(text="Asli lain"))
    with pytest.raises(WorkflowError) as refusal:
        workflow.upload_redacted_copy(
            record=record, by=desk, file=pdf_file("salinan.pdf", "Asli lain")
        )
    assert f"#{other.pk}" in refusal.value.message and "file" in refusal.value.field_errors
    assert not Record.objects.get(pk=record.pk).redacted_copy


def test_a_redacted_copy_keeps_its_sha256_and_waits_for_a_confirmation(make_record, desk):
    record = workflow.upload_redacted_copy(
        record=make_record("archived", classification=PART), by=desk, file=copy()
    )
    assert len(record.redacted_sha256) == 64 and record.redacted_by == desk
    assert not record.redaction_confirmed
    row = record.transitions.last()
    assert row.action == "redact" and row.details["sha256"] == record.redacted_sha256


def test_the_ppid_confirms_a_copy_the_desk_uploaded_and_the_history_names_who_and_when(
    client, make_record, desk, ppid
):
    record = make_record("decided", classification=PART)
    workflow.upload_redacted_copy(record=record, by=desk, file=copy())
    client.force_login(desk)  # the desk does not confirm
    assert (
        url("staff-record-redaction-confirm", record)
        not in client.get(url("staff-record", record)).content.decode()
    )
    client.force_login(ppid)
    page = client.get(url("staff-record", record)).content.decode()
    assert url("staff-record-redaction-confirm", record) in page
    assert client.get(url("staff-record-redacted-file", record)).status_code == 200
    record.refresh_from_db()
    response = client.post(
        url("staff-record-redaction-confirm", record), {"version": record.version}, follow=True
    )
    assert "telah dikonfirmasi" in messages_of(response)
    record.refresh_from_db()
    assert record.redaction_confirmed and record.redaction_confirmed_by == ppid
    row = record.transitions.last()
    assert row.action == "confirm_redact" and row.actor == ppid and row.at
    assert row.details["sha256"] == record.redacted_sha256
    assert "Dikonfirmasi oleh" in client.get(url("staff-record", record)).content.decode()


def test_the_uploader_never_confirms_their_own_redacted_copy(client, make_record, ppid, ppid2):
    record = make_record("decided", classification=PART)
    workflow.upload_redacted_copy(record=record, by=ppid, file=copy())
    record.refresh_from_db()
    client.force_login(ppid)
    page = client.get(url("staff-record", record)).content.decode()
    assert url("staff-record-redaction-confirm", record) not in page
    response = client.post(
        url("staff-record-redaction-confirm", record), {"version": record.version}, follow=True
    )
    assert "orang lain yang mengonfirmasinya" in messages_of(response)
    assert not Record.objects.get(pk=record.pk).redaction_confirmed
    workflow.confirm_redaction(record=record, by=ppid2)
    assert Record.objects.get(pk=record.pk).redaction_confirmed_by == ppid2


def test_a_new_upload_needs_a_new_confirmation_before_the_public_reads_it(
    client, make_record, make_decision, desk, ppid
):
    decision = make_decision()
    record = make_record("decided", decision=decision, classification=PART)
    workflow.upload_redacted_copy(record=record, by=desk, file=copy())
    workflow.confirm_redaction(record=record, by=ppid)
    workflow.upload_redacted_copy(record=record, by=desk, file=copy("Salinan kedua"))
    with pytest.raises(WorkflowError, match="belum dikonfirmasi"):
        workflow.publish_decision(decision=decision, by=ppid)
    workflow.confirm_redaction(record=record, by=ppid)
    workflow.publish_decision(decision=decision, by=ppid)
    public = url("record-redacted", record)
    assert client.get(public).status_code == 200
    # Uploaded again once published: the public reads it only once it is confirmed.
    workflow.upload_redacted_copy(record=record, by=desk, file=copy("Salinan ketiga"))
    assert client.get(public).status_code == 404
    workflow.confirm_redaction(record=record, by=ppid)
    assert client.get(public).status_code == 200


def test_an_upload_warns_of_withheld_words_and_nik_numbers_but_stores_the_copy(
    client, make_record, desk
):
    record = make_record("archived", classification=PART)
    client.force_login(desk)
    leaky = copy("Diagnosis: tifus. NIK 6171012345678901")
    response = client.post(url("staff-record-redacted", record), {"file": leaky}, follow=True)
    said = messages_of(response)
    assert "diagnosis" in said and "1 angka 16 digit" in said
    assert "6171012345678901" not in said  # the warning never repeats a NIK
    record.refresh_from_db()
    assert record.redacted_copy and record.transitions.last().details["warnings"] == 2
    response = client.post(url("staff-record-redacted", record), {"file": copy()}, follow=True)
    assert "angka 16 digit" not in messages_of(response)


@pytest.mark.parametrize(
    ("reference", "valid"),
    [
        ("-", False),
        ("—", False),
        ("lihat laman PPID", False),
        ("ftp://ppid.example.org/dip", False),
        ("DIP No. 12/2025, butir 4", True),
        ("https://pontianakkotappid.kpu.go.id/dip", True),
    ],
)
def test_a_dip_reference_is_an_address_or_a_dip_number(client, make_record, ppid, reference, valid):
    record = make_record("collected")
    client.force_login(ppid)
    form = {
        **{k: v for k, v in CLASSIFICATION.items() if k not in ("grounds", "test_date")},
        **PART,
        "grounds": ["17h2"],
        "test_date": "2025-08-01",
        "dip_reference": reference,
        "version": record.version,
    }
    response = client.post(url("staff-record-classify", record), form)
    assert (response.status_code == 302) is valid
    if not valid:
        assert "dip_reference" in response.context["form"].errors


def test_a_partial_record_whose_dip_reference_is_a_dash_is_not_published(
    make_record, make_decision, ppid
):
    decision = make_decision()
    record = make_record("decided", decision=decision, classification=PART)
    Record.objects.filter(pk=record.pk).update(dip_reference="-")  # entered before the rule
    with pytest.raises(WorkflowError, match="nomor atau alamat DIP"):
        workflow.publish_decision(decision=decision, by=ppid)


# --- The instruments' dates tell one story ---------------------------------------------


def test_a_decision_dated_before_the_request_letter_is_refused(make_record, make_decision, ppid):
    record = make_record("requested")  # the letter of 4 August 2025
    early = make_decision(date_set=D(2025, 8, 3))
    with pytest.raises(WorkflowError, match="DOMAIN: keputusan bertanggal pada atau setelah"):
        workflow.record_decision(decision=early, record=record, outcome="exempt", by=ppid)
    on_the_day = make_decision(date_set=D(2025, 8, 4))
    item = workflow.record_decision(decision=on_the_day, record=record, outcome="exempt", by=ppid)
    assert item.record.state == "decided"


def test_a_decision_page_says_why_an_early_decision_cannot_take_a_record(
    client, make_record, make_decision, ppid
):
    record = make_record("requested")
    early = make_decision(date_set=D(2025, 8, 1))
    client.force_login(ppid)
    add = reverse("dikecualikan:staff-decision-add", args=[early.pk, record.pk])
    form = client.get(add).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["grounds"] = [g.pk if hasattr(g, "pk") else g for g in data.get("grounds", [])]
    data["outcome"] = "exempt"
    response = client.post(add, data)
    assert "surat permohonan" in response.content.decode()
    assert Record.objects.get(pk=record.pk).state == "requested"


def test_a_record_linked_to_an_older_decision_in_force_is_listed(make_record, make_decision):
    decision = make_decision(date_set=D(2025, 1, 10), year=2025)
    assert make_record("listed", decision=decision).state == "listed"


def test_a_consequence_test_dated_before_the_record_was_collected_is_refused(
    client, make_record, ppid
):
    record = make_record("collected")  # collected on 28 July 2025
    client.force_login(ppid)
    form = {
        **{k: v for k, v in CLASSIFICATION.items() if k not in ("grounds", "test_date")},
        "grounds": ["17h2"],
        "version": record.version,
    }
    early = client.post(url("staff-record-classify", record), {**form, "test_date": "2025-07-27"})
    assert "test_date" in early.context["form"].errors
    assert "DOMAIN: uji konsekuensi dilakukan pada atau setelah" in early.content.decode()
    same_day = client.post(
        url("staff-record-classify", record), {**form, "test_date": "2025-07-28"}
    )
    assert same_day.status_code == 302


def test_a_test_older_than_two_years_is_submitted_only_with_the_ppids_acknowledgement(
    client, make_record, ppid
):
    record = make_record("classified", classification={"test_date": D(2024, 11, 1)})
    client.force_login(ppid)
    submit = url("staff-record-submit", record)
    page = client.get(submit).content.decode()
    assert 'name="old_test_acknowledged"' in page and "lebih dari dua tahun" in page
    response = client.post(submit, {"version": record.version}, follow=True)
    assert "lebih dari dua tahun" in messages_of(response)
    assert Record.objects.get(pk=record.pk).state == "classified"
    client.post(submit, {"version": record.version, "old_test_acknowledged": "on"})
    record.refresh_from_db()
    assert record.state == "awaiting_approval"
    assert record.transitions.last().details == {"old_test_acknowledged": True}


def test_a_current_test_is_submitted_without_an_acknowledgement(client, make_record, ppid):
    record = make_record("classified")  # tested on 1 August 2025
    client.force_login(ppid)
    submit = url("staff-record-submit", record)
    assert 'name="old_test_acknowledged"' not in client.get(submit).content.decode()
    client.post(submit, {"version": record.version})
    assert Record.objects.get(pk=record.pk).state == "awaiting_approval"


def test_a_retest_dated_before_the_publication_it_retests_is_refused(client, make_record, ppid):
    from .test_partial_exemption import RETEST

    record = make_record("published")  # published on 1 September 2025
    client.force_login(ppid)
    again = url("staff-record-retest", record)
    early = client.post(again, {**RETEST, "test_date": "2025-08-31", "version": record.version})
    assert "DOMAIN: uji ulang bertanggal" in early.content.decode()
    assert not record.retests.exists()
    client.post(again, {**RETEST, "test_date": "2025-09-01", "version": record.version})
    assert record.retests.get().test_date == D(2025, 9, 1)
