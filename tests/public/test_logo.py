"""The office's logo ships as a default: a neutral emblem under static/, in the header of
every page and on the documents' letterhead, until the office configures its own."""

import base64
from pathlib import Path

import pytest
from django.core import checks
from django.urls import reverse

from dikecualikan import pdf

ROOT = Path(__file__).resolve().parents[2]

DEFAULT = "/static/img/logo-ppid.svg"


def test_the_header_shows_the_shipped_logo_when_no_other_is_configured(client, desk):
    header = f'<img src="{DEFAULT}" alt="" height="32">'
    assert header in client.get(reverse("dikecualikan:home")).content.decode()
    client.force_login(desk)
    assert header in client.get(reverse("dikecualikan:dashboard")).content.decode()


def test_the_shipped_logo_is_served_as_an_svg_with_the_office_name(client, db):
    response = client.get(DEFAULT)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    svg = b"".join(response.streaming_content).decode()
    assert svg.startswith("<svg") and "<title" in svg and "KPU KOTA PONTIANAK" in svg
    assert "<script" not in svg and 'href="http' not in svg  # a picture, nothing that runs


def test_the_letterhead_embeds_the_same_logo(db):
    logo = pdf.letterhead()["logo"]
    assert logo.startswith("data:image/svg+xml;base64,")
    assert b"KPU KOTA PONTIANAK" in base64.b64decode(logo.split(",", 1)[1])


@pytest.mark.parametrize(
    "value, shown",
    [
        ("img/logo-ppid.svg", True),
        ("/static/img/logo-ppid.svg", True),  # the URL the pages print names the same file
        ("", False),
        # A document never fetches, and the pages' content security policy would block it.
        ("https://contoh.example/logo.png", False),
        # A path on the server's disk is no static file: a page could not show it.
        (str(ROOT / "static" / "img" / "logo-ppid.svg"), False),
        ("img/tidak-ada.png", False),
        ("../ppid/settings.py", False),  # out of the static files
        ("img", False),  # a folder
    ],
)
def test_the_logo_setting_means_one_thing_to_pages_and_documents_and_never_breaks_them(
    client, edit_office, value, shown
):
    edit_office(logo=value)
    page = client.get(reverse("dikecualikan:home")).content.decode()
    assert (f'<img src="{DEFAULT}" alt="" height="32">' in page) is shown
    assert ("<img" not in page.split('class="brand"')[1].split("</a>")[0]) is not shown
    assert pdf.letterhead()["logo"].startswith("data:image/svg+xml;base64,") is shown
    document = pdf.render_pdf("pdf/access_report.html", {"rows": [], "count": 0})
    assert document.startswith(b"%PDF-")


def test_a_logo_setting_that_names_no_static_file_is_warned_of_by_the_checks(settings):
    settings.PPID_OFFICE_LOGO = "https://contoh.example/logo.png"
    warnings = [message.id for message in checks.run_checks()]
    assert "dikecualikan.W001" in warnings
    settings.PPID_OFFICE_LOGO = ""  # the name alone, on purpose
    assert "dikecualikan.W001" not in [message.id for message in checks.run_checks()]
