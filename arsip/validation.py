"""What a softcopy may be: its type is read from its content and checked by parsing it.

The extension and the browser's declared type say nothing: an executable or an
HTML page renamed `.pdf` is refused, and so is a file that starts with `%PDF-`
but is not a PDF. The archive keeps documents, not programs, so a file that
can run code, fetch something from elsewhere or carry another file is refused
(README, "What the archive refuses"). Every check is bounded before it reads:
a hostile file gets a clear refusal, never a full disk, a 500 or a killed worker.
"""

import posixpath
import re
import warnings
import zipfile
from xml.etree import ElementTree

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import pdf_walk

ACCEPTED = "PDF, JPEG, PNG, DOCX, XLSX, ODT"
PDF = "application/pdf"
PNG, JPEG = "image/png", "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
# A download is named after what the file is, never after what the uploader called it.
EXTENSION = {PDF: "pdf", PNG: "png", JPEG: "jpg", DOCX: "docx", XLSX: "xlsx", ODT: "odt"}

# The main part of a document, as [Content_Types].xml declares it, decides its type.
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
# Declared types and relationship types that carry code or other programs' objects.
OOXML_ACTIVE = re.compile(r"macroenabled|vbaproject|vbadata|activex|oleobject|/control$", re.I)

# Zip archives are judged by what their directory declares, before a byte is inflated.
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_TOTAL = 1024 * 1024 * 1024  # declared uncompressed size of all members
ZIP_MAX_RATIO = 100  # compression ratio above which a large member is a bomb
ZIP_RATIO_FLOOR = 1024 * 1024  # small members may compress well (XML does)
XML_MAX = 4 * 1024 * 1024  # the manifest parts we parse are a few kilobytes

# A revision ends in %%EOF and padding; what follows it can only be the next revision.
PDF_PADDING = b"\x00\t\n\f\r "
PDF_EOF = re.compile(rb"%%EOF[\x00\t\n\f\r ]*")
PDF_NEXT_REVISION = re.compile(rb"\d+[\x00\t\n\f\r ]+\d+[\x00\t\n\f\r ]+obj\b|xref\b")


class Refused(ValueError):
    """The file is not accepted; the message says why, for the person who uploaded it."""


def max_upload_bytes() -> int:
    return settings.ARSIP_MAX_UPLOAD_MB * 1024 * 1024


def _not_accepted() -> Refused:
    return Refused(
        _("This type of file is not accepted. Upload one of: %(types)s.") % {"types": ACCEPTED}
    )


def check_size(file, limit: int) -> None:
    """Refuse an empty file, or one over `limit` bytes (a file exactly at the limit passes)."""
    size = file.size
    if not size:
        raise Refused(_("The file is empty."))
    if size > limit:
        raise Refused(
            _("The file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def check(file) -> str:
    """Return the MIME type of an acceptable softcopy, or raise Refused saying why not."""
    check_size(file, max_upload_bytes())
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return check_pdf(file)
        if head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff"):
            return _check_image(file)
        if head.startswith(b"PK\x03\x04"):
            return _check_office(file)
    finally:
        file.seek(0)
    raise _not_accepted()


# --- PDF ----------------------------------------------------------------------------------


def check_pdf(file) -> str:
    """Return "application/pdf" for an inert, intact, unencrypted PDF; raise Refused otherwise."""
    import pikepdf

    file.seek(0)
    if file.read(5) != b"%PDF-":
        raise Refused(_("The file is not a PDF."))
    _check_pdf_tail(file)
    file.seek(0)
    try:
        with pikepdf.open(file) as pdf:
            if pdf.is_encrypted:
                raise _encrypted()
            # The walk is bounded by its object count, so it goes before anything unbounded.
            found = pdf_walk.active_content(pdf, max_objects=settings.ARSIP_PDF_MAX_OBJECTS)
            if not len(pdf.pages):
                raise Refused(_("The PDF has no pages."))
            # qpdf quietly rebuilds a damaged file, sometimes only when the walk reaches the
            # broken object, so its warnings are read last. What it guessed is not the original.
            if pdf.get_warnings():
                raise Refused(
                    _(
                        "The PDF is damaged or incomplete. Save it again from the original "
                        "(or scan it again) and upload the new file."
                    )
                )
    except pikepdf.PasswordError:
        raise _encrypted() from None
    except pdf_walk.TooComplex:
        raise Refused(
            _(
                "The PDF has more than %(max)s objects, more than the archive checks. "
                "Print it to a new PDF, or split it, and upload that."
            )
            % {"max": settings.ARSIP_PDF_MAX_OBJECTS}
        ) from None
    except pikepdf.PdfError:
        raise Refused(_("The file starts like a PDF but is not a readable PDF.")) from None
    if found == "embedded_file":
        raise Refused(_("The PDF carries embedded files; save it without them."))
    if found == "xfa":
        raise Refused(
            _(
                "The PDF is an XFA form, which can run scripts; print it to a new PDF and "
                "upload that."
            )
        )
    if found:
        raise Refused(
            _(
                "The PDF contains JavaScript or actions that start programs; "
                "print it to a new PDF and upload that."
            )
        )
    return PDF


def _encrypted() -> Refused:
    return Refused(
        _(
            "The PDF is protected with a password, so it cannot be checked. Remove the "
            "password and upload again."
        )
    )


def _check_pdf_tail(file) -> None:
    """Refuse data after the PDF that is not an incremental update of it (a ZIP, an HTML page).

    An incremental update (a signature, an edit saved by a PDF editor) appends objects or
    an xref section after a %%EOF and ends with its own; so after the last %%EOF only
    padding may follow, and every earlier one must be followed by the next revision. A ZIP
    is refused however it is disguised: its directory sits at the end, where a comment can
    fake a PDF trailer. The file is scanned in chunks, never read whole.
    """
    file.seek(0)
    if zipfile.is_zipfile(file):
        raise _polyglot()
    file.seek(0)
    pending = b""
    while True:
        chunk = file.read(1024 * 1024)
        data = pending + chunk
        resume = max(len(data) - 4, 0)  # a "%%EO" cut by the chunk's end is kept
        for match in PDF_EOF.finditer(data):
            rest = len(data) - match.end()
            if chunk and rest < 64:
                resume = match.start()  # its padding or next revision is in the next chunk
                break
            if rest and not PDF_NEXT_REVISION.match(data, match.end()):
                raise _polyglot()
        if not chunk:
            break
        pending = data[resume:]
        if len(pending) > 2 * 1024 * 1024:  # megabytes of padding: nothing writes that
            raise _polyglot()
    if not data.rstrip(PDF_PADDING).endswith(b"%%EOF"):
        raise _polyglot()


def _polyglot() -> Refused:
    return Refused(
        _(
            "The PDF has other data after its end, which can be a second file hidden in it. "
            "Save it again from the original, or print it to a new PDF, and upload that."
        )
    )


# --- Images -------------------------------------------------------------------------------


def _check_image(file) -> str:
    from PIL import Image, UnidentifiedImageError

    limit = settings.ARSIP_MAX_IMAGE_MEGAPIXELS * 1_000_000
    try:
        # Pillow's own bomb check is a warning below twice its limit: make it a refusal.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                kind = image.format
                width, height = image.size  # read from the header, nothing decoded yet
                if width * height <= limit:
                    image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(None, None) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Refused(_("The file starts like an image but is not a readable image.")) from None
    if width * height > limit:
        raise _too_many_pixels(width, height)
    if kind not in ("PNG", "JPEG"):
        raise Refused(_("Only PNG and JPEG images are accepted."))
    return PNG if kind == "PNG" else JPEG


def _too_many_pixels(width, height) -> Refused:
    size = f" ({width} × {height})" if width else ""
    return Refused(
        _(
            "The image is too large%(size)s: at most %(max)s megapixels are accepted. "
            "Scan it at a lower resolution, or as a PDF."
        )
        % {"size": size, "max": settings.ARSIP_MAX_IMAGE_MEGAPIXELS}
    )


# --- Office documents ---------------------------------------------------------------------


def _check_office(file) -> str:
    try:
        with zipfile.ZipFile(file) as archive:
            members = _judge_zip(archive)
            if "mimetype" in members:
                return _check_odt(archive, members)
            if "[Content_Types].xml" in members:
                return _check_ooxml(archive, members)
    except zipfile.BadZipFile:
        raise Refused(_("The file is damaged (not a readable document).")) from None
    raise _not_accepted()


def _judge_zip(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Return the members by name, refusing an archive that would inflate beyond reason."""
    infos = archive.infolist()
    if len(infos) > ZIP_MAX_MEMBERS:
        raise _bomb()
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > ZIP_MAX_TOTAL or (info.file_size > ZIP_RATIO_FLOOR and ratio > ZIP_MAX_RATIO):
            raise _bomb()
    return {info.filename: info for info in infos}


def _bomb() -> Refused:
    return Refused(
        _(
            "The document would unpack to far more than its size (a compressed bomb, or a "
            "damaged file). Save it again from the original, or as PDF, and upload that."
        )
    )


def _macros() -> Refused:
    return Refused(
        _(
            "Documents with macros, ActiveX controls or embedded objects are not accepted; "
            "save it without them (for example as PDF) and upload that."
        )
    )


def _xml(archive, info) -> ElementTree.Element:
    """Parse a small XML part; a DTD (entity expansion, external entities) is refused outright."""
    if info.file_size > XML_MAX:
        raise _bomb()
    data = archive.read(info)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise Refused(_("The file is damaged (not a readable document)."))
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise Refused(_("The file is damaged (not a readable document).")) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_ooxml(archive, members) -> str:
    """DOCX or XLSX, by the main part's declared type; macros and outside links refused."""
    defaults, overrides = {}, {}
    for entry in _xml(archive, members["[Content_Types].xml"]):
        declared = entry.get("ContentType", "")
        if OOXML_ACTIVE.search(declared):
            raise _macros()
        if _local(entry.tag) == "Default":
            defaults[entry.get("Extension", "").lower()] = declared
        elif _local(entry.tag) == "Override":
            overrides[entry.get("PartName", "").lstrip("/")] = declared
    main = None
    for name, info in members.items():
        if not name.endswith(".rels"):
            continue
        for relation in _xml(archive, info):
            if relation.get("TargetMode", "").lower() == "external":
                raise Refused(
                    _(
                        "The document links to files or addresses outside itself (a remote "
                        "template, an external link or picture). Save a copy without links, "
                        "or as PDF, and upload that."
                    )
                )
            kind = relation.get("Type", "")
            if OOXML_ACTIVE.search(kind):
                raise _macros()
            if kind == OFFICE_DOCUMENT and name == "_rels/.rels":
                main = posixpath.normpath(relation.get("Target", "").lstrip("/"))
    if main is None or main not in members:
        raise _not_accepted()
    extension = main.rsplit(".", 1)[-1].lower()
    declared = overrides.get(main) or defaults.get(extension, "")
    if declared not in OOXML_MAIN:
        raise _not_accepted()
    return OOXML_MAIN[declared]


def _check_odt(archive, members) -> str:
    """An ODF text document without Basic macros or scripts."""
    with archive.open(members["mimetype"]) as fh:
        mimetype = fh.read(len(ODT) + 2).strip()  # a few bytes, whatever its declared size
    if mimetype != ODT.encode():
        raise _not_accepted()
    if any(n.lower().startswith(("basic/", "scripts/")) for n in members):
        raise _macros()
    manifest = members.get("META-INF/manifest.xml")
    if manifest is not None:
        for entry in _xml(archive, manifest):
            path = _attribute(entry, "full-path").lower()
            if path.startswith(("basic/", "scripts/")) or "script" in _attribute(
                entry, "media-type"
            ):
                raise _macros()
    return ODT


def _attribute(element, name: str) -> str:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return ""
