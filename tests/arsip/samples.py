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


def office(kind):
    parts = {
        "docx": {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"},
        "xlsx": {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"},
        "odt": {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<c/>"},
        "docm": {
            "[Content_Types].xml": "<Types/>",
            "word/document.xml": "<w:document/>",
            "word/vbaProject.bin": "macro",
        },
        "zip": {"readme.txt": "bukan dokumen kantor"},
    }[kind]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
FAKE_PDF = b"%PDF-1.7\n<html><body><script>fetch('/steal')</script></body></html>\n"
