"""Official documents as PDF: the one place that calls WeasyPrint.

A template renders to HTML (always in Indonesian, the language of the office's papers),
WeasyPrint lays it out on A4 with the letterhead and "Halaman x dari y". The URL fetcher
serves only the app's own static files: whatever text users typed, rendering never makes
the server fetch or embed anything else (no http://, no file://).
"""

import base64
import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

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
    """Return the office's letterhead from settings; the logo, if any, as a data URI."""
    return {
        "name": settings.PPID_OFFICE_NAME,
        "address": settings.PPID_OFFICE_ADDRESS,
        "phone": settings.PPID_OFFICE_PHONE,
        "email": settings.PPID_OFFICE_EMAIL,
        "logo": logo_data_uri(settings.PPID_OFFICE_LOGO),
    }


def logo_data_uri(name: str) -> str:
    """Return the logo the pages show (a file under static/) as a data URI, or "" for none.

    A full URL is the pages' alone: a document never fetches from elsewhere. An absolute
    path to a file is read as it is (an office's artwork kept outside the code).
    """
    if not name or "://" in name:
        return ""
    if Path(name).is_absolute():
        path = Path(name) if Path(name).is_file() else None
    else:
        found = finders.find(name)
        path = Path(found) if found else None
    if path is None:
        return ""
    kind = mimetypes.guess_type(path.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


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


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    """Return an internal document as a download that no cache keeps."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def too_many_rows(request, count: int, advice: str) -> bool:
    """Refuse a document too big to render while the user waits (settings.PPID_PDF_MAX_ROWS)."""
    if count <= settings.PPID_PDF_MAX_ROWS:
        return False
    refusal = _("This document would list %(count)s rows; a PDF can hold at most %(max)s.") % {
        "count": count,
        "max": settings.PPID_PDF_MAX_ROWS,
    }
    messages.error(request, f"{refusal} {advice}")
    return True
