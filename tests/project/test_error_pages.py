"""The error pages speak Indonesian in the site's style, with DEBUG off and on."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views import defaults


def test_a_forbidden_page_explains_itself_in_indonesian(client, it_admin):
    client.force_login(it_admin)
    response = client.get(reverse("dikecualikan:dashboard"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Tidak diizinkan" in page and "PPID" in page and "Forbidden" not in page
    assert reverse("dikecualikan:home") in page


@pytest.mark.parametrize("debug", [False, True])
def test_a_missing_page_is_the_sites_own_with_debug_off_and_on(client, db, settings, debug):
    settings.DEBUG = debug
    response = client.get(reverse("dikecualikan:record", args=[987654]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "Halaman tidak ditemukan" in page and "Traceback" not in page


def test_with_debug_on_a_forbidden_page_is_the_sites_own_too(client, it_admin, settings):
    settings.DEBUG = True
    client.force_login(it_admin)
    response = client.get(reverse("dikecualikan:dashboard"))
    assert response.status_code == 403 and "Tidak diizinkan" in response.content.decode()


@pytest.mark.parametrize(
    "view,status,text",
    [
        (defaults.bad_request, 400, "Permintaan tidak dapat diproses"),
        (defaults.server_error, 500, "Terjadi kesalahan"),
    ],
)
def test_the_pages_django_renders_without_a_request_are_indonesian_with_english_below(
    db, view, status, text
):
    request = RequestFactory().get("/")
    response = view(request, Exception("x")) if view is defaults.bad_request else view(request)
    page = response.content.decode()
    assert response.status_code == status and text in page and 'lang="en"' in page


def test_every_page_has_a_skip_link_the_office_name_and_a_favicon(client, db, desk):
    for user, urls in [(None, ["home"]), (desk, ["home", "dashboard"])]:
        if user:
            client.force_login(user)
        for url in (reverse(f"dikecualikan:{name}") for name in urls):
            page = client.get(url).content.decode()
            assert '<a class="skip-link" href="#main">Langsung ke isi utama</a>' in page
            assert '<main id="main"' in page and "PPID KPU Kota Pontianak" in page
            assert '<link rel="icon" href="/static/favicon.svg">' in page
        client.logout()


def test_a_logo_is_shown_when_the_office_provides_one(client, edit_office, settings, tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    edit_office(logo="img/logo.png")
    page = client.get(reverse("dikecualikan:home")).content.decode()
    assert '<img src="/static/img/logo.png" alt="" height="32">' in page
