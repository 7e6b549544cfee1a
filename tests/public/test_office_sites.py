"""Each office in service has its own public site at /<slug>/, with its own list and its own
numbered DIK versions; / stays the default office's, every address as it was."""

import json

from django.urls import reverse

from dikecualikan import office
from dikecualikan.models import DikVersion, Office
from dikecualikan.roles import Role, grant
from dikecualikan.workflow.mail import notify_decision


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_an_office_in_service_has_its_own_public_home_under_its_short_name(
    client, kubu_raya, published_records
):
    published_records(2)
    with office.acting(kubu_raya):
        published_records(1, unit="Sekretariat KPU Kubu Raya")
    page = body(client.get("/kuburayakab/"))
    assert "KPU Kabupaten Kubu Raya" in page and "Sekretariat KPU Kubu Raya" in page
    assert "Divisi Teknis Penyelenggaraan" not in page  # Pontianak's rows
    # Its links stay on its site; the staff sign-in is the deployment's one address.
    assert 'href="/kuburayakab/dik.csv"' in page and 'href="/kuburayakab/dibuka/"' in page
    assert 'href="/accounts/login/"' in page
    home = body(client.get("/"))
    assert "KPU Kota Pontianak" in home and "Sekretariat KPU Kubu Raya" not in home
    assert 'href="/dik.csv"' in home


def test_each_office_numbers_its_own_dik_versions_and_serves_its_own_open_data(
    client, kubu_raya, published_records
):
    published_records(2)
    published_records(1)  # Pontianak: versions 1 and 2
    with office.acting(kubu_raya):
        published_records(3, unit="Sekretariat KPU Kubu Raya")  # Kubu Raya: its version 1
        assert list(DikVersion.objects.values_list("number", flat=True)) == [1]
    assert list(DikVersion.objects.values_list("number", flat=True)) == [2, 1]
    theirs = json.loads(body(client.get("/kuburayakab/dik.json")))
    ours = json.loads(body(client.get("/dik.json")))
    assert len(theirs["items"]) == 3 and len(ours["items"]) == 3
    assert {item["unit_penguasa"] for item in theirs["items"]} == {"Sekretariat KPU Kubu Raya"}
    assert theirs["versi"] == 1 and ours["versi"] == 2
    assert client.get("/kuburayakab/dik/riwayat/1.csv").status_code == 200
    assert client.get("/kuburayakab/dik/riwayat/2.csv").status_code == 404  # Pontianak's only
    versions = body(client.get("/kuburayakab/dik/riwayat/"))
    assert "/kuburayakab/dik/riwayat/1.csv" in versions and "riwayat/2." not in versions


def test_another_offices_item_is_not_found_on_this_offices_site(
    client, kubu_raya, published_records
):
    (ours,) = published_records(1)
    with office.acting(kubu_raya):
        (theirs,) = published_records(1)
    assert client.get(f"/informasi/{ours.pk}/").status_code == 200
    assert client.get(f"/informasi/{theirs.pk}/").status_code == 404
    assert client.get(f"/kuburayakab/informasi/{theirs.pk}/").status_code == 200
    assert client.get(f"/kuburayakab/informasi/{ours.pk}/").status_code == 404


def test_an_office_not_in_service_has_no_site(client, db):
    assert client.get("/kuburayakab/").status_code == 404
    assert client.get("/kuburayakab/dik.json").status_code == 404


def test_short_addresses_lead_to_the_page_meant(client, kubu_raya):
    assert client.get("/kuburayakab")["Location"] == "/kuburayakab/"
    # The default office is at /: its short name leads there.
    response = client.get("/pontianakkota/dik.json?x=1")
    assert response.status_code == 301 and response["Location"] == "/dik.json?x=1"
    # An office's site has no staff pages: they are the signed-in person's office's.
    assert client.get("/kuburayakab/staf/")["Location"] == "/staf/"
    assert client.get("/kuburayakab/admin/")["Location"] == "/admin/"


def test_the_staff_pages_act_for_the_person_not_for_an_office_named_in_the_path(
    client, kubu_raya, ppid
):
    client.force_login(ppid)
    page = client.get("/staf/", follow=True)
    assert "KPU Kota Pontianak" in body(page) and "Kubu Raya" not in body(page)


def test_no_office_short_name_is_taken_by_a_page_of_the_site(db):
    from django.urls import get_resolver

    firsts = {
        str(pattern.pattern).split("/")[0].split("<")[0].rstrip("^")
        for pattern in get_resolver().url_patterns
    }
    firsts |= {
        str(pattern.pattern).split("/")[0]
        for pattern in get_resolver("dikecualikan.urls").url_patterns
    }
    slugs = set(Office.objects.values_list("slug", flat=True))
    assert not (firsts - {""}) & slugs


def test_the_publication_mail_links_to_the_offices_own_site(
    kubu_raya, make_record, mailoutbox, django_capture_on_commit_callbacks
):
    with office.acting(kubu_raya):
        record = make_record("published")
        decision = record.published_in
        with django_capture_on_commit_callbacks(execute=True):
            notify_decision(decision)
    bodies = "".join(message.body for message in mailoutbox)
    assert f"/kuburayakab{reverse('dikecualikan:decision', args=[decision.pk])}" in bodies


def test_a_signed_in_person_sees_their_offices_on_an_offices_site_and_may_switch(
    client, kubu_raya, ppid
):
    grant(ppid, Role.ATASAN, place=kubu_raya)
    client.force_login(ppid)
    page = body(client.get("/kuburayakab/"))
    assert 'href="/staf/kantor/"' in page and 'href="/staf/"' in page


def test_an_offices_dik_pdf_is_rendered_for_it_and_kept_under_its_folder(
    client, kubu_raya, published_records
):
    from django.core.files.storage import default_storage

    from dikecualikan import documents

    published_records(1)
    with office.acting(kubu_raya):
        published_records(2, unit="Sekretariat KPU Kubu Raya")
    # The worker renders each office's newest version, acting for that office.
    name = documents.render_dik.call(None, 1, kubu_raya.pk)
    assert name == "dik/kuburayakab/dik-v1.pdf" and default_storage.exists(name)
    assert documents.render_dik.call(None, 1, office.current().pk) == "dik/dik-v1.pdf"
    response = client.get("/kuburayakab/dik.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == default_storage.open(name).read()


def test_one_task_renders_the_dik_pdf_of_each_office_an_instrument_changed(
    kubu_raya, published_records
):
    from django.core.files.storage import default_storage

    from dikecualikan import documents

    published_records(1)
    with office.acting(kubu_raya):
        published_records(2, unit="Sekretariat KPU Kubu Raya")
    # KPU's revocation changes many offices' lists: one task renders each in turn.
    names = documents.render_diks.call([office.current().pk, kubu_raya.pk])
    assert names == ["dik/dik-v1.pdf", "dik/kuburayakab/dik-v1.pdf"]
    assert all(default_storage.exists(name) for name in names)
    with office.acting(kubu_raya):
        assert documents.render_dik.call(None, 1, kubu_raya.pk) == names[1]  # done: kept


def test_each_offices_home_lists_the_decisions_on_its_own_items_at_the_same_version(
    client, kubu_raya, published_records, settings
):
    from django.core.cache import cache

    cache.clear()
    published_records(1)  # Pontianak's version 1, under its decision
    with office.acting(kubu_raya):
        published_records(1)  # Kubu Raya's version 1, under another decision
    from dikecualikan.models import Decision

    ours, theirs = Decision.objects.order_by("pk")
    home = body(client.get("/"))
    kr_home = body(client.get("/kuburayakab/"))
    assert ours.number in home and theirs.number not in home
    assert theirs.number in kr_home and ours.number not in kr_home
