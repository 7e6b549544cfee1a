"""Ordinary PDFs, as real producers write them, are checked and accepted at every upload point.

The security review (issue 24) found that every PDF from Ghostscript crashed the check with a
500: pdfwrite writes `/Length 6 0 R` for each stream, and pikepdf hands the indirect number
over as a Python int, which the walker asked for its object number. The corpus that keeps it
from coming back, and where each file comes from:

- corpus/ghostscript-ps2pdf.pdf (3.4 KB, committed): made on 2 December 2026 with GPL
  Ghostscript 10.00.0 from POSTSCRIPT below: `ps2pdf corpus.ps ghostscript-ps2pdf.pdf`;
- corpus/ghostscript-pdfwrite-1.7.pdf (3.4 KB, committed): the same source and day,
  `gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -dCompatibilityLevel=1.7
  -sOutputFile=ghostscript-pdfwrite-1.7.pdf corpus.ps`;
- Ghostscript's ps2pdf again at test time, when it is installed (whatever version is);
- WeasyPrint, the project's own PDF writer, at test time;
- qpdf at test time, when its command is installed: the Ghostscript file linearised, and
  rewritten with object streams and an xref stream; pikepdf (qpdf's library) linearised;
- an incremental update with an xref table (as a signing tool writes one) and one with an
  xref stream (hostile_pdfs.py, by hand);
- a PDF with every kind of scalar written as an indirect object (hostile_pdfs.py).

LibreOffice is not installed on the development machine, so its export is not in the corpus.
"""

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from django.urls import reverse

from arsip import validation
from arsip.models import SoftcopyVersion
from dikecualikan import workflow
from dikecualikan.models import (
    DecidingBody,
    Decision,
    DecisionItem,
    ObjectionAnswer,
    Record,
    Ruling,
)

from ..conftest import LINKED, pdf_file, receive_objection
from . import hostile_pdfs as hostile
from . import samples
from .test_pdf_walk import walk

CORPUS = Path(__file__).parent / "corpus"

POSTSCRIPT = b"""%!PS-Adobe-3.0
%%Title: Dokumen uji
/Helvetica findfont 14 scalefont setfont
72 770 moveto (Daftar Informasi Publik yang Dikecualikan) show
/Helvetica findfont 11 scalefont setfont
72 740 moveto (KPU Kota Pontianak - contoh dokumen biasa, dibuat dengan Ghostscript.) show
72 720 moveto (Tautan: https://kpu.go.id/) show
[ /Rect [70 715 300 732] /Border [0 0 0] /Action << /Subtype /URI /URI (https://kpu.go.id/) >>
  /Subtype /Link /ANN pdfmark
[ /Title (Halaman 1) /Page 1 /View [/XYZ 0 842 0] /OUT pdfmark
[ /Title (Dokumen uji) /Author (PPID) /DOCINFO pdfmark
showpage
72 770 moveto (Halaman kedua.) show
showpage
"""

HTML = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Uji</title></head>
<body><h1>Daftar Informasi</h1><p><a href="https://kpu.go.id/">kpu.go.id</a>,
<a href="mailto:ppid@kpu.go.id">surel</a>, <a href="#bab-2">Bab 2</a></p>
<h2 id="bab-2" style="break-before: page">Bab 2</h2><p>Isi.</p></body></html>"""


def ghostscript_file() -> bytes:
    return (CORPUS / "ghostscript-ps2pdf.pdf").read_bytes()


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed here; the committed files stand in for it")
    return found


def ghostscript_now(tmp_path) -> bytes:
    source, out = tmp_path / "corpus.ps", tmp_path / "corpus.pdf"
    source.write_bytes(POSTSCRIPT)
    subprocess.run([tool("ps2pdf"), source, out], check=True, timeout=60)
    return out.read_bytes()


def qpdf(tmp_path, *options: str) -> bytes:
    source, out = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(ghostscript_file())
    subprocess.run([tool("qpdf"), *options, source, out], check=True, timeout=60)
    return out.read_bytes()


def weasyprint(_tmp_path) -> bytes:
    from weasyprint import HTML as Html

    return Html(string=HTML).write_pdf()


def pikepdf_linearised(tmp_path) -> bytes:
    out = tmp_path / "linear.pdf"
    with pikepdf.open(CORPUS / "ghostscript-pdfwrite-1.7.pdf") as pdf:
        pdf.save(out, linearize=True)
    return out.read_bytes()


PRODUCERS = {
    "Ghostscript ps2pdf (committed)": lambda _tmp: ghostscript_file(),
    "Ghostscript pdfwrite 1.7 (committed)": lambda _tmp: (
        CORPUS / "ghostscript-pdfwrite-1.7.pdf"
    ).read_bytes(),
    "Ghostscript ps2pdf (made now)": ghostscript_now,
    "WeasyPrint": weasyprint,
    "qpdf --linearize": lambda tmp: qpdf(tmp, "--linearize"),
    "qpdf --object-streams=generate": lambda tmp: qpdf(tmp, "--object-streams=generate"),
    "pikepdf linearised": pikepdf_linearised,
    "incremental update, xref table (signed)": lambda _tmp: hostile.incremental_update_pdf(),
    "incremental update, xref stream": lambda _tmp: hostile.xref_stream_update_pdf(),
    "indirect scalars everywhere": lambda _tmp: hostile.indirect_scalars_pdf(),
}


# --- The walker -------------------------------------------------------------------------------


def test_the_committed_ghostscript_files_have_indirect_numbers_as_top_level_objects():
    for name in ("ghostscript-ps2pdf.pdf", "ghostscript-pdfwrite-1.7.pdf"):
        with pikepdf.open(CORPUS / name) as pdf:
            assert "Ghostscript" in str(pdf.docinfo.Producer)
            assert any(type(obj) is int for obj in pdf.objects)  # /Length N 0 R, as an int
            assert pdf.get_warnings() == []


def test_the_walker_treats_indirect_numbers_names_strings_and_booleans_as_leaves():
    assert walk(ghostscript_file()) is None
    assert walk(hostile.indirect_scalars_pdf()) is None


def test_an_indirect_uri_string_behind_an_indirect_s_name_is_still_judged():
    assert walk(hostile.indirect_scalars_pdf(b"ms-msdt:/id PCWDiagnostic")) == "link"


# --- Every producer, at the two checks every upload point goes through ------------------------


@pytest.fixture
def softcopy_upload(client, make_record, desk):
    record = make_record("collected")
    client.force_login(desk)
    url = reverse("arsip:upload", args=[record.pk])
    return lambda name, data: client.post(url, {"file": samples.upload(name, data)})


@pytest.mark.parametrize("producer", PRODUCERS)
def test_a_pdf_from_each_producer_is_stored_as_a_softcopy(softcopy_upload, tmp_path, producer):
    data = PRODUCERS[producer](tmp_path)
    response = softcopy_upload("dokumen.pdf", data)
    assert response.status_code == 302, response.status_code
    assert SoftcopyVersion.objects.get().content_type == "application/pdf"


def post_decision(client, upload, number="9/HM.02-Kpt/05/KPU/2025"):
    url = reverse("dikecualikan:staff-decision-new")
    values = {
        "body": DecidingBody.objects.get(name="Komisi Pemilihan Umum").pk,
        "number": number,
        "year": "2025",
        "title": "tentang Daftar Informasi Publik yang Dikecualikan",
        "date_set": "2025-08-21",
        "place": "Jakarta",
        "signatory": "Ketua KPU",
        "pdf": upload,
    }
    return client.post(url, filled(client.get(url).context["form"], **values))


@pytest.mark.parametrize("producer", PRODUCERS)
def test_a_pdf_from_each_producer_is_taken_as_a_decision_pdf(client, ppid, tmp_path, producer):
    client.force_login(ppid)
    response = post_decision(client, samples.upload("keputusan.pdf", PRODUCERS[producer](tmp_path)))
    assert response.status_code == 302, response.context["form"].errors
    assert Decision.objects.get().pdf


# --- The Ghostscript file at every upload page --------------------------------------------------


def filled(form, **values):
    """The form's data as posted: `values`, else its initial values, else a first choice."""
    data = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        initial = form.initial.get(name, field.initial)
        if name in values:
            data[key] = values[name]
        elif initial not in (None, "", []):
            if isinstance(initial, list | tuple):
                data[key] = [getattr(v, "pk", v) for v in initial]
            else:
                value = getattr(initial, "pk", initial)
                data[key] = value.isoformat() if hasattr(value, "isoformat") else value
        elif field.required and getattr(field, "choices", None):
            choice = next(value for value, _label in field.choices if value not in ("", None))
            data[key] = str(getattr(choice, "value", choice))
    return data


def softcopy_point(client, make_record, make_decision, cast, upload):
    record = make_record("collected")
    client.force_login(cast["desk"])
    client.post(reverse("arsip:upload", args=[record.pk]), {"file": upload})
    return SoftcopyVersion.objects.filter(softcopy__record=record).first()


def softcopy_version_point(client, make_record, make_decision, cast, upload):
    record = make_record("collected")
    first = workflow.upload_softcopy(record=record, by=cast["desk"], file=pdf_file())
    client.force_login(cast["desk"])
    url = reverse("arsip:upload", args=[record.pk])
    client.post(url, {"file": upload, "softcopy": first.softcopy_id})
    return first.softcopy.versions.filter(number=2).first()


def redacted_copy_point(client, make_record, make_decision, cast, upload):
    part = {"exemption_scope": "part", "withheld_part": "Halaman 2-3"}
    record = make_record("decided", classification=part)
    client.force_login(cast["desk"])
    client.post(reverse("dikecualikan:staff-record-redacted", args=[record.pk]), {"file": upload})
    return Record.objects.get(pk=record.pk).redacted_copy


def decision_new_point(client, make_record, make_decision, cast, upload):
    client.force_login(cast["ppid"])
    post_decision(client, upload, number="7/HM.02-Kpt/05/KPU/2025")
    decision = Decision.objects.filter(number="7/HM.02-Kpt/05/KPU/2025").first()
    return decision and decision.pdf


def decision_correction_point(client, make_record, make_decision, cast, upload):
    decision = make_decision()
    client.force_login(cast["ppid"])
    url = reverse("dikecualikan:staff-decision-edit", args=[decision.pk])
    client.post(url, filled(client.get(url).context["form"], pdf=upload))
    corrected = Decision.objects.get(pk=decision.pk)
    return corrected.pdf if corrected.pdf.name != decision.pdf.name else None


def kpu_test_sheet_point(client, make_record, make_decision, cast, upload):
    record, decision = make_record("requested"), make_decision()
    client.force_login(cast["ppid"])
    url = reverse("dikecualikan:staff-decision-add", args=[decision.pk, record.pk])
    form = client.get(url).context["form"]
    client.post(url, filled(form, outcome="exempt", test_sheet=upload))
    item = DecisionItem.objects.filter(record=record).first()
    return item and item.test_sheet


def listed_test_sheet_point(client, make_record, make_decision, cast, upload):
    in_force = make_record("published").published_in
    record = make_record("collected")
    client.force_login(cast["desk"])
    url = reverse("dikecualikan:staff-record-link", args=[record.pk])
    form = client.get(url).context["form"]
    values = {**LINKED, "decision": in_force.pk, "version": record.version}
    client.post(url, filled(form, test_sheet=upload, **values))
    item = DecisionItem.objects.filter(record=record).first()
    return item and item.test_sheet


def answer_point(client, make_record, make_decision, cast, upload):
    objection = receive_objection(cast["desk"], [make_record("published")])
    client.force_login(cast["atasan"])
    url = reverse("dikecualikan:staff-objection-answer", args=[objection.pk])
    values = {
        "outcome": "refused",
        "number": "3/PPID/2026",
        "answered_on": "2026-11-20",
        "reasons": "Pengecualian tetap diperlukan.",
        "pdf": upload,
    }
    client.post(url, filled(client.get(url).context["form"], **values))
    answer = ObjectionAnswer.objects.filter(objection=objection).first()
    return answer and answer.pdf


def ruling_point(client, make_record, make_decision, cast, upload):
    objection = receive_objection(cast["desk"], [make_record("published")])
    workflow.answer_objection(
        objection=objection,
        by=cast["atasan"],
        outcome="refused",
        number="3/PPID/2026",
        answered_on=objection.received_on,
        reasons="Pengecualian tetap diperlukan.",
    )
    client.force_login(cast["ppid"])
    url = reverse("dikecualikan:staff-objection-ruling", args=[objection.pk])
    values = {"number": "020/KIP-KB/2026", "ruled_on": "2026-11-30", "pdf": upload}
    client.post(url, filled(client.get(url).context["form"], **values))
    ruling = Ruling.objects.filter(objection=objection).first()
    return ruling and ruling.pdf


UPLOAD_POINTS = {
    "a softcopy": softcopy_point,
    "a new version of a softcopy": softcopy_version_point,
    "the redacted public copy": redacted_copy_point,
    "a new decision's PDF": decision_new_point,
    "a corrected decision's PDF": decision_correction_point,
    "KPU's test sheet in a decision": kpu_test_sheet_point,
    "the test sheet of an item listed under a decision in force": listed_test_sheet_point,
    "the answer to an objection": answer_point,
    "a ruling": ruling_point,
}


@pytest.mark.parametrize("point", UPLOAD_POINTS)
def test_a_ghostscript_pdf_is_accepted_at_every_upload_page(
    client, make_record, make_decision, cast, point
):
    upload = samples.upload("dokumen.pdf", ghostscript_file())
    stored = UPLOAD_POINTS[point](client, make_record, make_decision, cast, upload)
    assert stored, f"nothing stored at {point}"


@pytest.mark.parametrize("point", ["a softcopy", "a new decision's PDF", "a ruling"])
def test_a_ms_msdt_link_is_refused_at_the_upload_pages(
    client, make_record, make_decision, cast, point
):
    upload = samples.upload("a.pdf", hostile.uri_link_pdf("ms-msdt:/id PCWDiagnostic /skip force"))
    assert not UPLOAD_POINTS[point](client, make_record, make_decision, cast, upload)


# --- Never a 500 ---------------------------------------------------------------------------


def broken(_file):
    raise RuntimeError("a bug nobody foresaw")


def test_an_unexpected_error_in_a_pdf_check_is_a_logged_refusal(
    softcopy_upload, monkeypatch, caplog
):
    monkeypatch.setattr(validation, "_pdf_verdict", broken)
    page = samples.refused(softcopy_upload("dokumen.pdf", ghostscript_file()))
    assert "tidak dapat diperiksa" in " ".join(page.context["upload_form"].errors["file"])
    (record,) = [r for r in caplog.records if r.name == "arsip.validation"]
    assert record.levelname == "ERROR" and "a bug nobody foresaw" in record.exc_text


def test_an_unexpected_error_in_an_image_check_is_a_logged_refusal(
    softcopy_upload, monkeypatch, caplog
):
    monkeypatch.setattr(validation, "_check_image", broken)
    page = samples.refused(softcopy_upload("foto.png", samples.image("PNG")))
    assert "tidak dapat diperiksa" in " ".join(page.context["upload_form"].errors["file"])
    assert any(r.exc_info for r in caplog.records if r.name == "arsip.validation")


def test_an_unexpected_error_in_a_decision_pdf_check_is_a_refusal_beside_the_field(
    client, make_record, make_decision, cast, monkeypatch
):
    monkeypatch.setattr(validation, "_check_pdf_structure", broken)
    client.force_login(cast["ppid"])
    response = post_decision(client, samples.upload("keputusan.pdf", ghostscript_file()))
    assert response.status_code == 200
    assert "tidak dapat diperiksa" in " ".join(response.context["form"].errors["pdf"])
    assert not Decision.objects.exists()
