"""Every file the register makes public is checked like a softcopy: the hostile forms of a PDF
are refused at each new upload point (KPU's test sheet, the redacted copy, the answer to an
objection, a ruling), and nothing is stored or written."""

import datetime

import pytest
from django.core.files.storage import default_storage

from dikecualikan import workflow
from dikecualikan.models import DecisionItem, ObjectionAnswer, Ruling, RulingBody
from dikecualikan.workflow import WorkflowError

from ..arsip import hostile_pdfs as hostile
from ..arsip import samples
from ..conftest import receive_objection

HOSTILE = {
    "javascript in a direct OpenAction": hostile.open_action_javascript_pdf,
    "javascript in a page's additional action": hostile.page_additional_action_pdf,
    "a link that launches a program": hostile.link_launch_pdf,
    "a go-to into an embedded file": hostile.goto_embedded_pdf,
    "javascript nested in a Next chain": hostile.nested_javascript_pdf,
    "a PDF with a second file after its end": hostile.polyglot_pdf,
    "HTML behind a %PDF- header": lambda: samples.FAKE_PDF,
}


def stored_files(folder=""):
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return set()
    found = {f"{folder}/{name}" for name in files}
    for sub in folders:
        found |= stored_files(f"{folder}/{sub}" if folder else sub)
    return found


@pytest.fixture
def upload_points(make_record, make_decision, ppid, desk, atasan):
    """Each public upload point: a setup returning the upload, and the model it writes."""

    def test_sheet():
        record, decision = make_record("requested"), make_decision()
        return lambda file: workflow.record_decision(
            decision=decision, record=record, outcome="exempt", by=ppid, test_sheet=file
        )

    def redacted():
        part = {"exemption_scope": "part", "withheld_part": "Halaman 2-3"}
        record = make_record("decided", classification=part)
        return lambda file: workflow.upload_redacted_copy(record=record, by=desk, file=file)

    def objection():
        return receive_objection(desk, [make_record("published")])

    def answer():
        objected = objection()
        return lambda file: workflow.answer_objection(
            objection=objected,
            by=atasan,
            outcome="upheld",
            number="3/PPID/2026",
            answered_on=datetime.date(2026, 11, 20),
            reasons="Kepentingan publik lebih besar.",
            pdf=file,
        )

    def ruling():
        objected = objection()
        workflow.answer_objection(  # a dispute follows the answer (UU 14/2008 Pasal 36-37)
            objection=objected,
            by=atasan,
            outcome="refused",
            number="3/PPID/2026",
            answered_on=datetime.date(2026, 11, 20),
            reasons="Pengecualian tetap berlaku.",
        )
        return lambda file: workflow.record_ruling(
            objection=objected,
            by=atasan,  # only the Atasan PPID records a ruling that opens information
            body=RulingBody.objects.get(name="Komisi Informasi Provinsi Kalimantan Barat"),
            number="020/KIP-KB/2026",
            ruled_on=datetime.date(2026, 11, 30),
            opens=True,
            pdf=file,
        )

    return {
        "KPU's test sheet": (test_sheet, DecisionItem),
        "the redacted copy": (redacted, None),
        "the answer to an objection": (answer, ObjectionAnswer),
        "a ruling": (ruling, Ruling),
    }


POINTS = ["KPU's test sheet", "the redacted copy", "the answer to an objection", "a ruling"]


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_pdf_is_refused_at_every_public_upload_point(upload_points, point, case):
    prepare, model = upload_points[point]
    take = prepare()
    before, rows = stored_files(), model.objects.count() if model else None
    with pytest.raises(WorkflowError) as refusal:
        take(samples.upload("berkas.pdf", HOSTILE[case]()))
    assert refusal.value.field_errors  # said beside the file field
    assert stored_files() == before  # nothing public was written
    if model:
        assert model.objects.count() == rows


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize(
    # A decision signed electronically arrives with an incremental update: it is taken.
    "build",
    [hostile.inert_pdf, hostile.incremental_update_pdf],
    ids=["plain", "signed (incremental update)"],
)
def test_a_plain_or_signed_pdf_is_taken_at_every_public_upload_point(upload_points, point, build):
    prepare, _model = upload_points[point]
    take = prepare()
    before = stored_files()
    take(samples.upload("berkas.pdf", build()))
    assert len(stored_files() - before) == 1
