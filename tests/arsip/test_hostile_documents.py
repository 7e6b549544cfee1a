"""Office documents, zip archives and images as an attacker would make them: each refused.

Each file is built here, by the rules of its format, in the hostile form the issue
names: a macro declared under an innocent part name, a remote template, an UNC
picture, a bomb that lies about nothing but its ratio. Everything goes through
the upload page, so what is tested is what the desk sees.
"""

import io
import struct
import zipfile
import zlib

import pytest
from django.urls import reverse

from arsip.models import Softcopy, SoftcopyVersion
from arsip.validation import DOCX, ODT, XLSX

from . import hostile_pdfs as hostile
from . import samples
from .samples import REL, relation

VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


def post(client, record, name, data):
    url = reverse("arsip:upload", args=[record.pk])
    return client.post(url, {"file": samples.upload(name, data)})


@pytest.fixture
def desk_at_a_record(client, make_record, desk):
    record = make_record("collected")
    client.force_login(desk)
    return lambda name, data: post(client, record, name, data)


def refusal(response) -> str:
    page = samples.refused(response)
    assert not Softcopy.objects.exists() and not SoftcopyVersion.objects.exists()
    return " ".join(page.context["upload_form"].errors["file"])


HOSTILE_OFFICE = {
    "a macro-enabled main part in a file named .docx": samples.ooxml(
        main_type="application/vnd.ms-word.document.macroEnabled.main+xml"
    ),
    "a vbaProject relationship to a part named like a picture": samples.ooxml(
        part_relations=[relation("rId9", VBA, "media/gambar.png")],
        parts={"word/media/gambar.png": b"\xd0\xcf\x11\xe0 makro"},
    ),
    "a vbaProject content type declared for an extension": samples.ooxml(
        types=['<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'],
        parts={"word/data.bin": b"\xd0\xcf\x11\xe0"},
    ),
    "a remote template": samples.ooxml(
        part_relations=[
            relation(
                "rId7",
                f"{REL}/attachedTemplate",
                "http://penyerang.example/templat.dotm",
                external=True,
            )
        ]
    ),
    "a picture on an UNC path": samples.ooxml(
        part_relations=[
            relation("rId8", f"{REL}/image", "\\\\penyerang\\berbagi\\a.png", external=True)
        ]
    ),
    "an external link in a workbook": samples.ooxml(
        "xlsx",
        part_relations=[
            relation("rId3", f"{REL}/externalLinkPath", "file:///C:/rahasia.xlsx", external=True)
        ],
    ),
    "an embedded OLE object": samples.ooxml(
        part_relations=[relation("rId4", f"{REL}/oleObject", "embeddings/oleObject1.bin")],
        parts={"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"},
    ),
    "an ActiveX control": samples.ooxml(
        types=[
            '<Override PartName="/word/activeX/activeX1.xml" '
            'ContentType="application/vnd.ms-office.activeX+xml"/>'
        ],
        parts={"word/activeX/activeX1.xml": "<ax:ocx/>"},
    ),
    "an ODT with Basic macros": samples.odt({"Basic/Standard/Module1.xml": "<script/>"}),
    "an ODT with a Scripts folder": samples.odt({"Scripts/python/jalan.py": "import os"}),
    "an ODT whose manifest declares a script": samples.odt(
        manifest_entries=(
            '<manifest:file-entry manifest:full-path="Makro/a.js" '
            'manifest:media-type="application/javascript"/>'
            '<manifest:file-entry manifest:full-path="Lain/skrip" '
            'manifest:media-type="application/vnd.sun.star.script"/>'
        )
    ),
}


@pytest.mark.parametrize("case", HOSTILE_OFFICE)
def test_an_office_document_that_carries_code_or_reaches_outside_is_refused(desk_at_a_record, case):
    message = refusal(desk_at_a_record("surat.docx", HOSTILE_OFFICE[case]))
    assert "makro" in message.lower() or "luar" in message.lower()


def test_a_document_with_a_hyperlink_to_the_web_is_refused_with_what_to_do(desk_at_a_record):
    data = samples.ooxml(
        part_relations=[relation("rId5", f"{REL}/hyperlink", "https://kpu.go.id", external=True)]
    )
    assert "PDF" in refusal(desk_at_a_record("surat.docx", data))


@pytest.mark.parametrize(
    "data",
    [
        samples.zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}),
        samples.ooxml(main_type="application/vnd.openxmlformats-officedocument.theme+xml"),
        samples.zipped({"mimetype": "application/x-msdownload", "a.exe": b"MZ"}),
    ],
    ids=["parts named like Word without declarations", "an undeclared main type", "odd mimetype"],
)
def test_a_zip_that_only_looks_like_a_document_is_not_accepted(desk_at_a_record, data):
    assert "PDF, JPEG, PNG, DOCX, XLSX, ODT" in refusal(desk_at_a_record("surat.docx", data))


def test_an_xml_part_with_entity_expansion_is_refused(desk_at_a_record):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "hahahahaha">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Types>&b;</Types>'
    )
    data = samples.zipped({"[Content_Types].xml": laughs, "_rels/.rels": "<Relationships/>"})
    assert refusal(desk_at_a_record("surat.docx", data))


def test_a_plain_document_goes_out_under_its_detected_extension(client, desk_at_a_record, desk):
    response = desk_at_a_record("laporan.docm", samples.office("docx"))
    assert response.status_code == 302
    version = SoftcopyVersion.objects.get()
    assert version.content_type == DOCX
    download = client.post(
        reverse("arsip:download", args=[version.pk]), {"reason": "Pemeriksaan isi berkas"}
    )
    assert download["Content-Disposition"] == 'attachment; filename="laporan.docx"'


@pytest.mark.parametrize("kind,expected", [("xlsx", XLSX), ("odt", ODT)])
def test_a_real_workbook_and_text_document_are_accepted(desk_at_a_record, kind, expected):
    assert desk_at_a_record(f"berkas.{kind}", samples.office(kind)).status_code == 302
    assert SoftcopyVersion.objects.get().content_type == expected


# --- Bombs: judged by what the archive declares, before anything is inflated ----------------


def zip_bomb(size=20 * 1024 * 1024) -> bytes:
    """A document whose one member inflates a thousandfold (zeros compress to almost nothing)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", b"\0" * size)
    return out.getvalue()


def with_declared_size(data: bytes, size: int) -> bytes:
    """Rewrite a stored member's uncompressed size in the central directory (a lying header)."""
    at = data.rindex(b"PK\x01\x02")
    return data[: at + 24] + struct.pack("<I", size) + data[at + 28 :]


def test_a_zip_bomb_is_refused_by_its_ratio_without_being_inflated(desk_at_a_record):
    data = zip_bomb()
    assert len(data) < 100_000
    assert "bom" in refusal(desk_at_a_record("bom.odt", data)).lower()


def test_a_zip_that_declares_gigabytes_is_refused(desk_at_a_record):
    data = with_declared_size(
        samples.zipped({"mimetype": ODT, "content.xml": "<c/>"}, zipfile.ZIP_STORED),
        0xFFFFFFF0,
    )
    assert "bom" in refusal(desk_at_a_record("besar.odt", data)).lower()


def test_a_zip_of_thousands_of_members_is_refused(desk_at_a_record):
    data = samples.zipped({f"x/{n}.xml": "" for n in range(5001)}, zipfile.ZIP_STORED)
    assert refusal(desk_at_a_record("banyak.docx", data))


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares its size honestly in IHDR but carries a token of pixel data."""

    def chunk(kind, body):
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_an_image_over_the_pixel_cap_is_refused_from_its_header(desk_at_a_record, settings):
    settings.ARSIP_MAX_IMAGE_MEGAPIXELS = 50
    message = refusal(desk_at_a_record("peta.png", png_header(10_000, 6_000)))
    assert "10000 × 6000" in message and "50" in message


def test_a_decompression_bomb_that_pillow_itself_refuses_is_a_refusal_not_a_500(
    desk_at_a_record, settings
):
    settings.ARSIP_MAX_IMAGE_MEGAPIXELS = 10_000  # leave it to Pillow's own limit
    assert refusal(desk_at_a_record("bom.png", png_header(60_000, 60_000)))


def test_the_pixel_cap_is_a_setting(desk_at_a_record, settings):
    settings.ARSIP_MAX_IMAGE_MEGAPIXELS = 1
    assert refusal(desk_at_a_record("foto.png", png_header(2_000, 1_000)))


# --- PDFs: what the walker finds, and what the file around it hides --------------------------

ACTIVE_PDFS = [
    hostile.open_action_javascript_pdf,
    hostile.page_additional_action_pdf,
    hostile.catalog_additional_action_pdf,
    hostile.link_launch_pdf,
    hostile.link_submit_form_pdf,
    hostile.import_data_pdf,
    hostile.goto_embedded_pdf,
    hostile.names_javascript_pdf,
    hostile.xfa_form_pdf,
    hostile.file_attachment_annotation_pdf,
    hostile.orphan_embedded_file_pdf,
    hostile.rich_media_pdf,
    hostile.next_chain_pdf,
    hostile.nested_javascript_pdf,
    hostile.outline_javascript_pdf,
    hostile.javascript_uri_pdf,
]


@pytest.mark.parametrize("build", ACTIVE_PDFS, ids=lambda b: b.__name__)
def test_a_pdf_with_active_content_in_direct_objects_is_refused(desk_at_a_record, build):
    assert "PDF" in refusal(desk_at_a_record("surat.pdf", build()))


@pytest.mark.parametrize(
    "build,says",
    [
        (hostile.repaired_pdf, "rusak"),
        (hostile.polyglot_pdf, "setelah akhir"),
        (lambda: hostile.inert_pdf() + samples.HTML, "setelah akhir"),
        (lambda: hostile.inert_pdf() + hostile.inert_pdf(), "setelah akhir"),
        (hostile.encrypted_pdf, "kata sandi"),
        (hostile.owner_only_encrypted_pdf, "kata sandi"),
    ],
    ids=["repaired", "zip appended", "html appended", "second pdf appended", "password", "owner"],
)
def test_a_damaged_polyglot_or_encrypted_pdf_is_refused_with_what_to_do(
    desk_at_a_record, build, says
):
    assert says in refusal(desk_at_a_record("surat.pdf", build()))


def test_a_pdf_with_more_objects_than_the_cap_is_refused(desk_at_a_record, settings):
    settings.ARSIP_PDF_MAX_OBJECTS = 1000
    assert "1000" in refusal(desk_at_a_record("besar.pdf", hostile.huge_array_pdf(5000)))


@pytest.mark.parametrize(
    "build", [hostile.incremental_update_pdf, hostile.harmless_navigation_pdf, hostile.inert_pdf]
)
def test_an_incremental_update_and_plain_navigation_are_accepted(desk_at_a_record, build):
    assert desk_at_a_record("surat.pdf", build()).status_code == 302
