"""Official documents as PDF: the one place that calls WeasyPrint.

A template renders to HTML (always in Indonesian, the language of the office's papers),
WeasyPrint lays it out on A4 with the letterhead and "Halaman x dari y". The URL fetcher
serves only the app's own static files: whatever text users typed, rendering never makes
the server fetch or embed anything else (no http://, no file://).
"""

import contextlib
import io
import itertools
import mimetypes
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from .office import current as current_office

# A base URL that resolves nowhere: relative links in templates become URLs the fetcher
# recognises as the app's static files, and nothing else matches.
BASE_URL = "https://pdf.ppid.invalid/"


class FetchRefused(ValueError):
    """A document asked for something outside the app's static files."""


def _static_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            prefix = BASE_URL + settings.STATIC_URL.lstrip("/")
            if url.startswith("data:image/"):  # the letterhead's logo, embedded by us
                return super().fetch(url, headers)
            if not url.startswith(prefix):
                raise FetchRefused(f"PDF rendering fetches only the app's static files: {url[:80]}")
            path = finders.find(url[len(prefix) :].split("?")[0].split("#")[0])
            if not path:
                raise FetchRefused(f"No such static file: {url[:80]}")
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, Path(path).read_bytes(), {"Content-Type": content_type})

    return StaticOnlyFetcher()


def letterhead() -> dict:
    """Return the office's letterhead, its place and zone (for "Pontianak, 21 Agustus 2025"
    and "09.00 WIB"), and its logo, if any, as a data URI."""
    office = current_office()
    return {
        "name": office.name,
        "address": office.address,
        "phone": office.phone,
        "email": office.email,
        "logo": office.logo_data_uri(),
        "place": office.place,
        "zone": office.zone,
    }


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=_static_fetcher()).write_pdf()


def render_pdf(template_name: str, context: dict, *, landscape: bool = False) -> bytes:
    """Render a template under templates/pdf/ to PDF bytes."""
    with translation.override("id"):
        html = render_to_string(
            template_name, {**context, "letterhead": letterhead(), "landscape": landscape}
        )
    return html_to_pdf(html)


def render_rows_pdf(
    template_name: str,
    context: dict,
    rows,
    *,
    count: int,
    out,
    landscape: bool = False,
    progress=None,
) -> int:
    """Render a list of any length to the open binary file `out`; return its page count.

    WeasyPrint lays out a whole document in memory (about 0.3 MiB a row of the DIK), so a
    long list is rendered in chunks of settings.PPID_PDF_CHUNK_ROWS rows, each starting on
    a new page: the first with the document's opening, the last with its closing and
    signature (the template reads `continued` and `more`; `start` numbers the rows and
    `count` is the whole list's length). Each chunk goes to a temporary file, and pikepdf
    joins them reading from the files as it writes `out` (a copied page needs its source
    until then: kept in memory, every chunk would stay there). No chunk knows the whole
    count, so "Halaman x dari y" is written on each page afterwards (`number_pages`).
    `progress(done)` is called after each chunk. A list of one chunk is rendered exactly as
    `render_pdf` does.
    """
    import pikepdf

    size = settings.PPID_PDF_CHUNK_ROWS
    chunks = _chunks(rows, size)
    if count <= size:
        whole = {**context, "rows": next(chunks, []), "count": count, "start": 0}
        data = render_pdf(template_name, whole, landscape=landscape)
        out.write(data)
        return len(pikepdf.open(io.BytesIO(data)).pages)
    with tempfile.TemporaryDirectory(prefix="ppid-pdf-") as folder:
        parts, done = [], 0
        for chunk in chunks:
            part = {
                **context,
                "rows": chunk,
                "count": count,
                "start": done,
                "continued": done > 0,
                "more": done + len(chunk) < count,
                "numbered": False,
            }
            parts.append(Path(folder) / f"{len(parts):05d}.pdf")
            parts[-1].write_bytes(render_pdf(template_name, part, landscape=landscape))
            done += len(chunk)
            if progress:
                progress(done)
        with contextlib.ExitStack() as stack:
            joined = stack.enter_context(pikepdf.new())
            for path in parts:
                joined.pages.extend(stack.enter_context(pikepdf.open(path)).pages)
            number_pages(joined)
            joined.docinfo["/Title"] = context.get("document_title", "")
            joined.save(out)
            return len(joined.pages)


# Helvetica's widths (1/1000 em) of the characters of "Halaman 12 dari 345": a PDF viewer
# has this font built in, so the numbers need no embedded font and no layout engine.
HELVETICA = {**dict.fromkeys("0123456789", 556), " ": 278, "H": 722, "a": 556, "l": 222}
HELVETICA |= {"m": 833, "n": 556, "d": 556, "r": 333, "i": 222}
FOOTER_SIZE = 8  # points, as pdf.css's footer
FOOTER_BASELINE = 22.5  # points above the page's bottom edge: the middle of its 18 mm margin


def number_pages(document) -> None:
    """Write "Halaman x dari y" centred in the bottom margin of every page of a pikepdf Pdf.

    What pdf.css's footer shows on a document rendered whole; one of 2,500 pages is numbered
    in well under a second this way (rendering numbered empty pages took 41 s and 280 MiB).
    """
    import pikepdf

    font = document.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    total = len(document.pages)
    for number, page in enumerate(document.pages, start=1):
        text = f"Halaman {number} dari {total}"
        width = sum(HELVETICA[c] for c in text) * FOOTER_SIZE / 1000
        left, bottom, right, _top = (float(v) for v in page.mediabox)
        x, y = (left + right - width) / 2, bottom + FOOTER_BASELINE
        name = page.add_resource(font, pikepdf.Name.Font, prefix="PPIDNo")
        # The page's own drawing is closed in q ... Q, whatever state it leaves behind.
        page.contents_add(document.make_stream(b"q\n"), prepend=True)
        footer = (
            f"Q q BT {name} {FOOTER_SIZE} Tf 0.2 0.2 0.2 rg {x:.2f} {y:.2f} Td ({text}) Tj ET Q"
        )
        page.contents_add(document.make_stream(f"{footer} ET Q".encode()))


def stamp_superseded(source, out, *, landscape: bool = False) -> None:
    """Write `source` (an open PDF) to `out` with a line in page 1's top margin: a newer
    version of this list is being prepared (pdf/banner.html)."""
    import pikepdf

    banner = pikepdf.open(io.BytesIO(render_pdf("pdf/banner.html", {}, landscape=landscape)))
    source.seek(0)
    with pikepdf.open(source) as document:
        document.pages[0].add_overlay(banner.pages[0])
        document.save(out)


def _chunks(rows, size):
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    """Return an internal document as a download that no cache keeps."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
