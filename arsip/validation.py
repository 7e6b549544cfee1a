"""What a softcopy may be: its type is read from its content and checked by parsing it.

The extension and the browser's declared type say nothing: an executable or an
HTML page renamed `.pdf` is refused, and so is a file that starts with `%PDF-`
but is not a PDF. The archive keeps documents, not programs, so a file that
can run code, fetch something from elsewhere or carry another file is refused
(docs/archive.md, "What the archive refuses"). Every check is bounded before it reads:
a hostile file gets a clear refusal, never a full disk, a 500 or a killed worker.
"""

import contextlib
import functools
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import office_check, pdf_walk
from .office_check import DOCX, ODT, XLSX

ACCEPTED = "PDF, JPEG, PNG, DOCX, XLSX, ODT"
PDF = "application/pdf"
PNG, JPEG = "image/png", "image/jpeg"
# A download is named after what the file is, never after what the uploader called it.
EXTENSION = {PDF: "pdf", PNG: "png", JPEG: "jpg", DOCX: "docx", XLSX: "xlsx", ODT: "odt"}

logger = logging.getLogger(__name__)

# A revision ends in %%EOF and padding; what follows it can only be the next revision.
PDF_PADDING = b"\x00\t\n\f\r "
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


def _never_a_500(check_file):
    """Make an unexpected error inside a file check a logged refusal, never a 500.

    A check reads files written by anyone, with parsers that are larger than this module;
    an error nobody foresaw must still end in a message the person uploading can act on.
    """

    @functools.wraps(check_file)
    def checked(file):
        try:
            return check_file(file)
        except Refused:
            raise
        except Exception:
            logger.exception("A file check failed unexpectedly; the file is refused")
            raise Refused(
                _(
                    "This file could not be checked. Save it again as PDF (or print it to a "
                    "new PDF) and upload that."
                )
            ) from None

    return checked


@_never_a_500
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


@_never_a_500
def check_pdf(file) -> str:
    """Return "application/pdf" for an inert, intact, unencrypted PDF; raise Refused otherwise.

    Two steps: a scan of the bytes, in chunks, that bounds what parsing will cost and refuses
    data after the PDF; then the parse itself (pikepdf), in a child process under a time and
    a memory limit, so that no file can hold or kill the web worker.
    """
    file.seek(0)
    if file.read(5) != b"%PDF-":
        raise Refused(_("The file is not a PDF."))
    _check_pdf_structure(file)
    verdict = _pdf_verdict(file)
    if verdict is not None:
        raise _pdf_refusal(verdict)
    return PDF


def _pdf_refusal(verdict: str) -> Refused:
    """The refusal for a code of pdf_walk.check_file()."""
    if verdict == "encrypted":
        return _encrypted()
    if verdict == "too_many_objects":
        return _too_many_objects()
    scripts = _(
        "The PDF contains JavaScript or actions that start programs; "
        "print it to a new PDF and upload that."
    )
    messages = {
        "no_pages": _("The PDF has no pages."),
        # qpdf repaired it to read it: what it guessed is not the original.
        "damaged": _(
            "The PDF is damaged or incomplete. Save it again from the original "
            "(or scan it again) and upload the new file."
        ),
        "unreadable": _("The file starts like a PDF but is not a readable PDF."),
        "embedded_file": _("The PDF carries embedded files; save it without them."),
        "xfa": _(
            "The PDF is an XFA form, which can run scripts; print it to a new PDF and upload that."
        ),
        "link": _(
            "The PDF has a link to something other than a web page or an e-mail address "
            "(only http, https and mailto links are accepted). Remove the link, or print "
            "the document to a new PDF, and upload that."
        ),
    }
    return Refused(messages.get(verdict, scripts))  # javascript, action, rich_media


def _encrypted() -> Refused:
    return Refused(
        _(
            "The PDF is protected with a password, so it cannot be checked. Remove the "
            "password and upload again."
        )
    )


def _too_many_objects() -> Refused:
    return Refused(
        _(
            "The PDF has more than %(max)s objects, more than the archive checks. "
            "Print it to a new PDF, or split it, and upload that."
        )
        % {"max": settings.ARSIP_PDF_MAX_OBJECTS}
    )


def _too_complex() -> Refused:
    return Refused(
        _(
            "The PDF is too complex to check within the archive's limits of time and "
            "memory. Print it to a new PDF, or split it, and upload that."
        )
    )


def _pdf_verdict(file) -> str | None:
    """Return pdf_walk.check_file()'s verdict on the file, worked out in a child process.

    Parsing is where a hostile PDF costs time and memory, so the worker never parses: the
    child (pdf_walk.py run as a script, `-I` so that it loads nothing but the standard
    library and pikepdf) gets ARSIP_PDF_CHECK_SECONDS of CPU and of wall-clock time, below
    gunicorn's 30 s, and ARSIP_PDF_CHECK_MEMORY_MB of address space. It reads the file from
    disk, by its path, and prints a small JSON verdict.
    """
    seconds = settings.ARSIP_PDF_CHECK_SECONDS
    with _on_disk(file) as path:
        command = [
            sys.executable,
            "-I",
            pdf_walk.__file__,
            path,
            str(settings.ARSIP_PDF_MAX_OBJECTS),
            str(seconds),
            str(settings.ARSIP_PDF_CHECK_MEMORY_MB),
        ]
        try:
            child = subprocess.run(command, capture_output=True, timeout=seconds, check=False)
        except subprocess.TimeoutExpired:  # run() has killed it
            logger.warning(
                "A PDF check ran past %s s and was stopped; the file is refused", seconds
            )
            raise _too_complex() from None
    # Killed by a signal: SIGXCPU at the CPU limit, or SIGSEGV/SIGABRT when an allocation
    # failed at the memory limit where qpdf could not turn it into an exception.
    if child.returncode < 0 or child.returncode == pdf_walk.OUT_OF_MEMORY:
        logger.warning(
            "A PDF check stopped at its limits (exit status %s); the file is refused",
            child.returncode,
        )
        raise _too_complex()
    try:
        return json.loads(child.stdout)["verdict"]
    except (ValueError, KeyError, TypeError):
        stderr = child.stderr.decode(errors="replace")[-2000:]
        raise RuntimeError(f"The PDF check failed (exit {child.returncode}): {stderr}") from None


@contextlib.contextmanager
def _on_disk(file):
    """Yield a path to the file's bytes: the upload's own spool file, or a copy made in
    FILE_UPLOAD_TEMP_DIR (inside the private area) and removed afterwards."""
    if hasattr(file, "temporary_file_path"):
        file.seek(0)  # flushes what the upload handler may still hold in its buffer
        yield file.temporary_file_path()
        return
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, mode=0o700, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR, suffix=".pdf") as copy:
        file.seek(0)
        shutil.copyfileobj(file, copy, PDF_CHUNK)
        copy.flush()
        yield copy.name


def _check_pdf_structure(file) -> None:
    """Refuse, before anything parses it, a PDF too large to parse or with data after it.

    Bounds: the largest /Size a trailer or an xref stream declares, and the object headers
    (`N G obj`) in the file plus the objects its object streams declare, are each held to
    ARSIP_PDF_MAX_OBJECTS. The headers count what a parser rebuilding a file without a
    usable xref would load, and the count stops the scan as soon as it is over the limit.

    Tail: an incremental update (a signature, an edit saved by a PDF editor) appends objects
    and an xref section after a %%EOF and ends with its own; so after the last %%EOF only
    padding may follow, every earlier one must be followed by the next revision, and each
    revision after the first must carry its own xref (a table or an xref stream) with a
    startxref pointing at it. Data appended and dressed as a revision (HTML wrapped in
    `N 0 obj`) has none. The one exception is the spec's own: a linearised file's
    startxref points back at the first-page xref at its start. A ZIP is refused however it
    is disguised: its directory sits at the end, where a comment can fake a PDF trailer.
    """
    file.seek(0)
    if zipfile.is_zipfile(file):
        raise _polyglot()
    scan = _scan_pdf(file, settings.ARSIP_PDF_MAX_OBJECTS)
    if max(scan.objects, scan.size - 1) > settings.ARSIP_PDF_MAX_OBJECTS:
        raise _too_many_objects()
    if not scan.eofs or scan.eofs[-1][1] != scan.length:
        raise _polyglot()
    starts = [0] + [end for _start, end in scan.eofs[:-1]]
    for number, (start, (eof, _end)) in enumerate(zip(starts, scan.eofs, strict=True)):
        # The section after a linearised file's first page points back into it (spec F.3).
        floor = 0 if number == 1 and scan.linearized else start
        if number and not _points_at_its_xref(scan, start, eof, floor):
            raise _polyglot()


def _points_at_its_xref(scan: "_PdfScan", start: int, end: int, floor: int) -> bool:
    """Whether the revision in [start, end) has an xref of its own and a startxref pointing
    at an xref (give or take the whitespace before it) that starts at `floor` or later."""
    if not any(start <= at < end for _space, at in scan.xrefs):
        return False
    pointers = [(at, target) for at, target in scan.startxrefs if start <= at < end]
    if not pointers:
        return False
    where, target = pointers[-1]
    return any(space <= target <= at and floor <= at < where for space, at in scan.xrefs)


# What the scan reads, each found by its own pattern (a pattern that starts with a literal is
# searched fast; an alternation of them is not): the end of each revision, each xref table,
# what each startxref points at, each trailer, and the dictionaries of xref streams and
# object streams. Object headers are counted, not parsed: each `obj` that is not the end of
# an `endobj`.
PDF_EOF = re.compile(rb"%%EOF[\x00\t\n\f\r ]*")
PDF_STARTXREF = re.compile(rb"startxref[\x00\t\n\f\r ]+(\d+)")
PDF_XREF = re.compile(rb"xref\b")
PDF_TRAILER = re.compile(rb"trailer\b")
PDF_SPECIAL = re.compile(rb"/Type[\x00\t\n\f\r ]*/(XRef|ObjStm)(?![A-Za-z0-9])")
PDF_HEADER = re.compile(rb"\d+[\x00\t\n\f\r ]+\d+[\x00\t\n\f\r ]+obj\b")
PDF_SIZE = re.compile(rb"/Size[\x00\t\n\f\r ]+(\d+)")
PDF_COUNT = re.compile(rb"/N[\x00\t\n\f\r ]+(\d+)")
PDF_CHUNK = 1024 * 1024
PDF_WINDOW = 4096  # the most read around a token: a trailer's or an xref stream's dictionary


class _PdfScan:
    """What one pass over a PDF's bytes found; positions are offsets in the file."""

    def __init__(self) -> None:
        self.length = 0
        self.linearized = False
        self.objects = 0  # object headers, plus what object streams declare they hold
        self.size = 0  # the largest /Size of a trailer or an xref stream
        self.eofs: list[tuple[int, int]] = []  # each %%EOF: its start, the end of its padding
        self.xrefs: list[tuple[int, int]] = []  # each xref: where the space before it starts, it
        self.startxrefs: list[tuple[int, int]] = []  # each startxref: where, the offset it gives


def _scan_pdf(file, max_objects: int) -> _PdfScan:
    """Read the file once, in chunks, and note what the checks before parsing need.

    Each chunk is read from `lo` to `hi`: a window short of its end, so that what follows a
    token is there to read; the next chunk carries that window, and one before it, along.
    Stops as soon as there are more than max_objects object headers.
    """
    scan = _PdfScan()
    file.seek(0)
    data, base, lo = b"", 0, 0
    while True:
        chunk = file.read(PDF_CHUNK)
        data += chunk
        final = not chunk
        if not base:
            scan.linearized = b"/Linearized" in data[:1024]
        hi = len(data) if final else max(len(data) - PDF_WINDOW, lo)
        eofs = []
        for match in PDF_EOF.finditer(data, lo):
            if match.start() >= hi:
                break
            if not final and match.end() + 64 > len(data):
                hi = match.start()  # its padding, or what follows it, is in the next chunk
                break
            eofs.append(match)
        _note(scan, data, base, lo, hi, eofs)
        if scan.objects > max_objects or final:
            scan.length = base + len(data)
            return scan
        keep = max(hi - PDF_WINDOW, 0)
        if len(data) - keep > 2 * PDF_CHUNK:  # megabytes of padding: nothing writes that
            raise _polyglot()
        data, base, lo = data[keep:], base + keep, hi - keep


def _note(scan: _PdfScan, data: bytes, base: int, lo: int, hi: int, eofs) -> None:
    """Note what starts in data[lo:hi]."""
    for match in eofs:
        if match.end() < len(data) and not PDF_NEXT_REVISION.match(data, match.end()):
            raise _polyglot()
        scan.eofs.append((base + match.start(), base + match.end()))
    # An `obj` starting in [lo, hi), less those that end an `endobj` (whose `obj` starts there).
    scan.objects += data.count(b"obj", lo, hi + 2) - data.count(b"endobj", max(lo - 3, 0), hi + 2)
    for match in _starting(PDF_STARTXREF, data, lo, hi):
        scan.startxrefs.append((base + match.start(), int(match[1])))
    for match in _starting(PDF_XREF, data, lo, hi):
        if data[match.start() - 5 : match.start()] != b"start":
            scan.xrefs.append((base + _space_before(data, match.start()), base + match.start()))
    for match in _starting(PDF_TRAILER, data, lo, hi):
        stop = _window(data, match.end(), b"startxref")
        scan.size = max(scan.size, _number(PDF_SIZE, data, match.end(), stop))
    for match in _starting(PDF_SPECIAL, data, lo, hi):
        # The object whose dictionary holds this /Type: the last header before it.
        headers = list(PDF_HEADER.finditer(data, max(match.start() - PDF_WINDOW, 0), match.start()))
        if not headers:
            continue
        header = headers[-1]
        stop = _window(data, header.end(), b"endobj", b"stream")
        if match.start() >= stop:
            continue  # not in that object's dictionary
        if match[1] == b"XRef":
            scan.xrefs.append((base + _space_before(data, header.start()), base + header.start()))
            scan.size = max(scan.size, _number(PDF_SIZE, data, header.end(), stop))
        else:
            scan.objects += _number(PDF_COUNT, data, header.end(), stop)


def _starting(pattern: re.Pattern, data: bytes, lo: int, hi: int):
    for match in pattern.finditer(data, lo):
        if match.start() >= hi:
            return
        yield match


def _window(data: bytes, start: int, *ends: bytes) -> int:
    """Where what follows `start` ends: at the first of `ends`, or PDF_WINDOW bytes on."""
    stop = min(len(data), start + PDF_WINDOW)
    for word in ends:
        found = data.find(word, start, stop)
        if found >= 0:
            stop = found
    return stop


def _number(pattern: re.Pattern, data: bytes, start: int, stop: int) -> int:
    found = pattern.search(data, start, stop)
    return int(found[1]) if found else 0


def _space_before(data: bytes, at: int) -> int:
    # A startxref may point at the whitespace before the keyword; parsers skip it.
    start = at
    while start > 0 and at - start < 64 and data[start - 1] in PDF_PADDING:
        start -= 1
    return start


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
    """DOCX, XLSX or ODT, read by arsip/office_check.py: its refusals are ours."""
    try:
        kind = office_check.check(file)
    except office_check.Refused as refusal:
        raise Refused(str(refusal)) from None
    if kind is None:
        raise _not_accepted()
    return kind
