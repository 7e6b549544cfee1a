"""Small real files of each kind the archive accepts or must refuse, made on the fly."""

import io
import zipfile

import pikepdf
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dikecualikan.management.commands.seed_demo import tiny_pdf


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf(text="Dokumen rahasia"):
    return tiny_pdf([text])


def pdf_of_size(size: int) -> bytes:
    """A valid, inert PDF of exactly `size` bytes (an unused stream pads it)."""
    padding = size - len(pdf())
    for _attempt in range(5):
        document = pikepdf.open(io.BytesIO(pdf()))
        document.Root.Padding = document.make_stream(b"0" * max(padding, 0))
        out = io.BytesIO()
        document.save(out, compress_streams=False, static_id=True)
        data = out.getvalue()
        if len(data) == size:
            return data
        padding += size - len(data)
    raise AssertionError(f"could not make a PDF of {size} bytes")


def _modified_pdf(change):
    document = pikepdf.open(io.BytesIO(pdf()))
    change(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_with_javascript():
    def add(document):
        action = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        document.Root.OpenAction = document.make_indirect(action)

    return _modified_pdf(add)


def pdf_with_launch_action():
    def add(document):
        action = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
        document.Root.OpenAction = document.make_indirect(action)

    return _modified_pdf(add)


def pdf_with_embedded_file():
    def add(document):
        document.attachments["payload.exe"] = pikepdf.AttachedFileSpec(document, b"MZ\x90\x00")

    return _modified_pdf(add)


def image(kind="PNG"):
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, kind)
    return out.getvalue()


CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN_PARTS = {
    "docx": ("word/document.xml", "wordprocessingml.document.main+xml", "<w:document/>"),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml", "<workbook/>"),
}


def zipped(parts: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def relation(rid, kind, target, external=False):
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"{mode}/>'


def ooxml(kind="docx", *, main_type=None, types=(), relations=(), part_relations=(), parts=None):
    """A minimal Office Open XML package as Word or Excel write it: declared types, relations."""
    main, subtype, body = MAIN_PARTS[kind]
    main_type = main_type or f"application/vnd.openxmlformats-officedocument.{subtype}"
    folder, name = main.split("/")
    files = {
        "[Content_Types].xml": (
            f'<Types xmlns="{CONTENT_TYPES}">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main}" ContentType="{main_type}"/>{"".join(types)}</Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{RELATIONSHIPS}">'
            f"{relation('rId1', f'{REL}/officeDocument', main)}{''.join(relations)}"
            "</Relationships>"
        ),
        main: body,
    }
    if part_relations:
        files[f"{folder}/_rels/{name}.rels"] = (
            f'<Relationships xmlns="{RELATIONSHIPS}">{"".join(part_relations)}</Relationships>'
        )
    files.update(parts or {})
    return zipped(files)


def odt(extra=None, manifest_entries=""):
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        f"{manifest_entries}</manifest:manifest>"
    )
    parts = {
        "mimetype": "application/vnd.oasis.opendocument.text",
        "content.xml": "<office:document-content/>",
        "META-INF/manifest.xml": manifest,
    }
    return zipped({**parts, **(extra or {})}, zipfile.ZIP_STORED)


def office(kind):
    if kind in MAIN_PARTS:
        return ooxml(kind)
    if kind == "odt":
        return odt()
    if kind == "docm":  # a macro-enabled document, whatever its name says
        return ooxml(main_type="application/vnd.ms-word.document.macroEnabled.main+xml")
    if kind == "zip":
        return zipped({"readme.txt": "bukan dokumen kantor"})
    raise ValueError(kind)


EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
FAKE_PDF = b"%PDF-1.7\n<html><body><script>fetch('/steal')</script></body></html>\n"


def refused(response):
    """Follow a refused upload to the archive page, which shows why (the upload_form's errors).

    The refusal is a 303 to the page, so that refreshing it in a browser posts nothing again.
    """
    assert response.status_code == 303, response.status_code
    assert response.url.endswith("#upload")
    page = response.client.get(response.url)
    assert page.status_code == 200 and page.context["upload_form"].errors
    return page
