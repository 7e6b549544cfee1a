"""What a softcopy may be: its type is read from its content and checked by parsing it.

The extension and the browser's declared type say nothing: an executable or an
HTML page renamed `.pdf` is refused, and so is a file that starts with `%PDF-`
but is not a PDF. PDFs that can run code (JavaScript, launch actions) or carry
embedded files are refused too: the archive keeps documents, not programs.
"""

import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ACCEPTED = "PDF, JPEG, PNG, DOCX, XLSX, ODT"
ODT = b"application/vnd.oasis.opendocument.text"


class Refused(ValueError):
    """The file is not accepted; the message says why, for the person who uploaded it."""


def max_upload_bytes() -> int:
    return settings.ARSIP_MAX_UPLOAD_MB * 1024 * 1024


def check(file) -> str:
    """Return the MIME type of an acceptable softcopy, or raise Refused saying why not."""
    size = file.size
    if not size:
        raise Refused(_("The file is empty."))
    if size > max_upload_bytes():
        raise Refused(
            _("The file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_upload_bytes())}
        )
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return _check_pdf(file)
        if head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff"):
            return _check_image(file)
        if head.startswith(b"PK\x03\x04"):
            return _check_office(file)
    finally:
        file.seek(0)
    raise Refused(
        _("This type of file is not accepted. Upload one of: %(types)s.") % {"types": ACCEPTED}
    )


def _check_pdf(file) -> str:
    import pikepdf

    try:
        with pikepdf.open(file) as pdf:
            if not len(pdf.pages):
                raise Refused(_("The PDF has no pages."))
            if "/EmbeddedFiles" in pdf.Root.get("/Names", {}):
                raise Refused(_("The PDF carries embedded files; save it without them."))
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Dictionary) and _is_active(obj):
                    raise Refused(
                        _(
                            "The PDF contains JavaScript or actions that start programs; "
                            "print it to a new PDF and upload that."
                        )
                    )
    except pikepdf.PdfError:
        raise Refused(_("The file starts like a PDF but is not a readable PDF.")) from None
    return "application/pdf"


def _is_active(obj) -> bool:
    if "/JS" in obj or "/JavaScript" in obj or obj.get("/Type") == "/EmbeddedFile":
        return True
    return obj.get("/S") in ("/JavaScript", "/Launch", "/ImportData", "/SubmitForm")


def _check_image(file) -> str:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Refused(_("The file starts like an image but is not a readable image.")) from None
    if kind not in ("PNG", "JPEG"):
        raise Refused(_("Only PNG and JPEG images are accepted."))
    return "image/png" if kind == "PNG" else "image/jpeg"


def _check_office(file) -> str:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise Refused(_("Documents with macros are not accepted; save without macros."))
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if "mimetype" in names and archive.read("mimetype").strip() == ODT:
                return ODT.decode()
    except zipfile.BadZipFile:
        raise Refused(_("The file is damaged (not a readable document).")) from None
    raise Refused(
        _("This type of file is not accepted. Upload one of: %(types)s.") % {"types": ACCEPTED}
    )
