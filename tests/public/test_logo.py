"""The office's logo ships as a default: a neutral emblem under static/, in the header of
every page and on the documents' letterhead, until the office configures its own."""

import base64

from django.urls import reverse

from dikecualikan import pdf

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


def test_the_letterhead_embeds_the_same_logo(settings):
    logo = pdf.letterhead()["logo"]
    assert logo.startswith("data:image/svg+xml;base64,")
    assert b"KPU KOTA PONTIANAK" in base64.b64decode(logo.split(",", 1)[1])


def test_a_document_never_fetches_a_logo_given_as_a_url_and_none_means_none(settings):
    assert pdf.logo_data_uri("https://contoh.example/logo.png") == ""
    assert pdf.logo_data_uri("") == ""
    assert pdf.logo_data_uri("img/tidak-ada.png") == ""
