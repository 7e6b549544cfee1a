"""An office's public site on a host name of its own (KPU's subsites, such as
kuburayakabppid.kpu.go.id): its pages from the root, the staff pages at the deployment's one
address, kept by the deployment's administrators in the admin."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from dikecualikan import office
from dikecualikan.models import Office, OfficeHost
from dikecualikan.workflow.mail import notify_decision
from tests.dikecualikan.test_offices import office_form
from tests.public.test_office_sites import body

HOST = "kuburayakabppid.kpu.go.id"


@pytest.fixture
def subsite(kubu_raya, settings):
    """Kubu Raya in service (tests/public/conftest.py), with its subsite's name."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    OfficeHost.objects.create(office=kubu_raya, host=HOST)
    return kubu_raya


def test_an_office_on_a_host_of_its_own_serves_its_public_site_from_the_root(
    client, subsite, published_records
):
    (ours,) = published_records(1)
    with office.acting(subsite):
        (theirs,) = published_records(2, unit="Sekretariat KPU Kubu Raya")[:1]
    page = body(client.get("/", HTTP_HOST=HOST))
    assert "KPU Kabupaten Kubu Raya" in page and "Sekretariat KPU Kubu Raya" in page
    assert 'href="/dik.csv"' in page and "/kuburayakab/" not in page
    items = json.loads(body(client.get("/dik.json", HTTP_HOST=HOST)))["items"]
    assert {item["unit_penguasa"] for item in items} == {"Sekretariat KPU Kubu Raya"}
    assert client.get(f"/informasi/{theirs.pk}/", HTTP_HOST=HOST).status_code == 200
    assert client.get(f"/informasi/{ours.pk}/", HTTP_HOST=HOST).status_code == 404
    # The deployment's own address is as it was: the default office at /, Kubu Raya's under
    # its short name.
    assert "Sekretariat KPU Kubu Raya" not in body(client.get("/"))
    assert "Sekretariat KPU Kubu Raya" in body(client.get("/kuburayakab/"))


def test_the_same_address_on_two_hosts_is_never_served_from_the_others_cached_page(
    client, subsite, published_records, settings
):
    settings.PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    published_records(1)
    with office.acting(subsite):
        published_records(1, unit="Sekretariat KPU Kubu Raya")
    for stored in (False, True):  # the second round from the cache
        theirs, ours = client.get("/", HTTP_HOST=HOST), client.get("/")
        assert "Sekretariat KPU Kubu Raya" in body(theirs)
        assert "KPU Kota Pontianak" in body(ours) and "Sekretariat KPU Kubu Raya" not in body(ours)
        rendered = not stored
        assert bool(theirs.templates) == bool(ours.templates) == rendered


def test_on_a_subsite_the_staff_pages_and_its_own_short_name_lead_to_their_one_address(
    client, subsite, settings
):
    settings.SITE_URL = "https://ppid.kpu.go.id"
    for path in ("/staf/", "/admin/", "/accounts/login/?next=/staf/"):
        response = client.get(path, HTTP_HOST=HOST)
        assert response.status_code == 301 and response["Location"] == settings.SITE_URL + path
    response = client.get("/kuburayakab/dik.json?x=1", HTTP_HOST=HOST)
    assert response.status_code == 301 and response["Location"] == "/dik.json?x=1"
    assert client.get("/kuburayakab", HTTP_HOST=HOST)["Location"] == "/"
    # Another office's site is not served on this one's subsite.
    assert client.get("/pontianakkota/", HTTP_HOST=HOST).status_code == 404


def test_a_host_of_an_office_not_in_service_serves_nothing(client, subsite):
    Office.objects.filter(pk=subsite.pk).update(in_service=False)
    office.forget()
    assert client.get("/", HTTP_HOST=HOST).status_code == 404
    assert client.get("/dik.json", HTTP_HOST=HOST).status_code == 404


def test_the_publication_mail_links_to_the_offices_subsite(
    subsite, make_record, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://ppid.kpu.go.id"
    with office.acting(subsite):
        decision = make_record("published").published_in
        with django_capture_on_commit_callbacks(execute=True):
            notify_decision(decision)
    link = f"https://{HOST}{reverse('dikecualikan:decision', args=[decision.pk])}"
    assert link in "".join(message.body for message in mailoutbox)


def test_the_deployments_administrator_adds_a_subsite_and_the_names_it_cannot_serve_are_refused(
    client, it_admin, settings
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".kpu.go.id"]
    settings.SITE_URL = "https://ppid.kpu.go.id"
    place = Office.objects.get(slug="kuburayakab")
    place.in_service = True
    place.save()
    client.force_login(it_admin)
    url = reverse("admin:dikecualikan_office_change", args=[place.pk])

    def post(host):
        added = {"hosts-TOTAL_FORMS": 1, "hosts-0-host": host, "hosts-0-id": ""}
        return client.post(url, office_form(place, **added))

    refused = {
        "https://kuburayakabppid.kpu.go.id/": "Tuliskan nama host saja",
        "kuburayakabppid.kpu.go.id:8443": "Tuliskan nama host saja",
        "ppid.kubu-raya.example": "tambahkan dahulu ke ALLOWED_HOSTS",
        "ppid.kpu.go.id": "alamat halaman staf (SITE_URL)",
    }
    for host, message in refused.items():
        response = post(host)
        assert response.status_code == 200 and message in body(response), host
    assert not OfficeHost.objects.exists()
    assert post(" KubuRayaKabPPID.kpu.go.id ").status_code == 302
    assert list(OfficeHost.objects.values_list("host", flat=True)) == [HOST]
    client.logout()
    assert "KPU Kabupaten Kubu Raya" in body(client.get("/", HTTP_HOST=HOST))
    assert client.get("/", HTTP_HOST="kuburayakabppid.kpu.go.id.").status_code == 200


def test_while_the_database_is_down_a_subsite_serves_its_own_stored_page_or_503_never_anothers(
    client, subsite, published_records, settings
):
    from tests.project.test_operations import database_down

    settings.PUBLIC_CACHE_SECONDS = 300
    published_records(1)
    with office.acting(subsite):
        published_records(1, unit="Sekretariat KPU Kubu Raya")
    client.raise_request_exception = False  # as in production: the handlers answer
    assert client.get("/").status_code == 200  # both homes stored
    assert client.get("/", HTTP_HOST=HOST).status_code == 200
    with database_down():
        page = body(client.get("/", HTTP_HOST=HOST))
    assert "Sekretariat KPU Kubu Raya" in page and "Divisi Teknis" not in page
    # A process just started (nothing read yet) knows the subsites from the shared cache:
    # 503 there, where the office cannot be read, and the default office's stored page at
    # the deployment's own address.
    office.forget()
    with database_down():
        response = client.get("/", HTTP_HOST=HOST)
        assert response.status_code == 503 and "Kubu Raya" not in body(response)
        home = client.get("/")
        assert home.status_code == 200 and "KPU Kota Pontianak" in body(home)
