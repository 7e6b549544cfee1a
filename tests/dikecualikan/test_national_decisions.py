"""A decision of KPU binds every office (DOMAIN.md section 6): an office lists an item under a
decision in force, chosen from the decisions themselves; KPU's revocation in part names the
items it opens in any office, and publishing it opens them in each office's list."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dikecualikan import office, workflow
from dikecualikan.history import verify_chain
from dikecualikan.models import (
    DecidingBody,
    Decision,
    DikChange,
    DikVersion,
    Office,
    Record,
    State,
    Transition,
)
from dikecualikan.roles import Role, grant
from tests.conftest import LINKED, tiny_pdf
from tests.dikecualikan.test_shared_decisions import decision_fields


def serve(slug: str) -> Office:
    place = Office.objects.get(slug=slug)
    place.in_service = True
    place.save()
    return place


def kpu_person() -> User:
    """KPU's PPID, once KPU uses the register (before, the offices typed its decisions in)."""
    person = User.objects.create_user("ppid-kpu", email="ppid-kpu@example.org", is_staff=True)
    grant(person, Role.PPID, place=serve("kpu"))
    return person


def kpu_fields(**changes) -> dict:
    """A decision of KPU as KPU's own PPID enters it, in KPU's office."""
    return {**decision_fields(), "number": "2/HM.02-Kpt/05/KPU/XI/2026", **changes}


def enter_at_kpu(ppid_kpu, **changes) -> Decision:
    with office.acting(Office.objects.get(slug="kpu")):
        return workflow.create_decision(by=ppid_kpu, **kpu_fields(**changes))


# --- Listing an item under a decision in force -------------------------------------------


def test_an_office_lists_an_item_under_kpus_published_decision_chosen_from_the_list(
    client, make_record, make_decision, same_roles_in, ppid, desk, cast
):
    national = make_decision(title="tentang DIK nasional")
    make_record("decided", decision=national)
    workflow.publish_decision(decision=national, by=ppid)
    draft = make_decision(title="tentang DIK yang belum diumumkan")  # Pontianak's own draft
    kubu = serve("kuburayakab")
    same_roles_in(kubu)
    with office.acting(kubu):
        record = make_record("collected", public_title="Data pemilih Kubu Raya")
    client.force_login(desk)
    client.post(reverse("dikecualikan:office-switch"), {"office": kubu.slug})
    url = reverse("dikecualikan:staff-record-link", args=[record.pk])
    page = client.get(url).content.decode()
    assert f'value="{national.pk}"' in page
    assert f'value="{draft.pk}"' not in page  # not in force, and not Kubu Raya's to use
    form = {"decision": national.pk, **LINKED}
    form["test_sheet"] = ContentFile(tiny_pdf(["Lembar"]), name="lembar.pdf")
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    with office.acting(kubu):
        listed = Record.objects.get(pk=record.pk)
    assert listed.state == State.LISTED


def test_a_decision_not_in_force_for_the_office_is_neither_offered_nor_taken(
    make_record, make_decision, same_roles_in, ppid, desk
):
    published = make_decision()
    make_record("decided", decision=published)
    workflow.publish_decision(decision=published, by=ppid)
    published.refresh_from_db()
    revocation = make_decision(revokes=published, date_set=datetime.date(2025, 9, 1))
    # KPU Provinsi Kalimantan Barat's decision, typed in and published by Pontianak: it binds
    # the offices of its province, not Bekasi's.
    provincial = make_decision(
        body=DecidingBody.objects.get(kind="kpu_provinsi", province="Kalimantan Barat"),
        date_set=datetime.date(2026, 1, 5),
        year=2026,
    )
    make_record("decided", decision=provincial)
    workflow.publish_decision(decision=provincial, by=ppid)
    unpublished = enter_at_kpu(kpu_person())  # entered by KPU, published by no office yet
    assert set(Decision.objects.linkable()) == {published, provincial}
    record = make_record("collected")
    refusals = {
        unpublished: "belum diumumkan",
        revocation: "mencabut keputusan lain",
    }
    bekasi = serve("bekasikota")
    same_roles_in(bekasi)
    with office.acting(bekasi):
        assert set(Decision.objects.linkable()) == {published}
        theirs = make_record("collected")
        with pytest.raises(workflow.WorkflowError) as refused:
            workflow.link_record(record=theirs, decision=provincial, by=desk, **LINKED)
        assert "tidak mengikat kantor ini" in str(refused.value)
        assert Record.objects.get(pk=theirs.pk).state == State.COLLECTED
    for decision, words in refusals.items():
        with pytest.raises(workflow.WorkflowError) as refused:
            workflow.link_record(record=record, decision=decision, by=desk, **LINKED)
        assert words in str(refused.value)
    assert Record.objects.get(pk=record.pk).state == State.COLLECTED


# --- KPU's revocation in part reaches every office -------------------------------------


@pytest.fixture
def published_in_two_offices(make_record, make_decision, same_roles_in, ppid):
    """A decision of KPU typed in by the offices before KPU used the register, published by
    Pontianak and Kubu Raya for two items each."""
    revoked = make_decision()
    ours = [
        make_record("decided", decision=revoked, public_title=f"Data Pontianak {n}") for n in (1, 2)
    ]
    kubu = serve("kuburayakab")
    same_roles_in(kubu)
    with office.acting(kubu):
        theirs = [
            make_record("decided", decision=revoked, public_title=f"Data Kubu Raya {n}")
            for n in (1, 2)
        ]
        workflow.publish_decision(decision=revoked, by=ppid)
    workflow.publish_decision(decision=revoked, by=ppid)
    revoked.refresh_from_db()
    return revoked, ours, theirs


def test_kpus_revocation_in_part_opens_the_items_it_names_in_each_office(
    client, published_in_two_offices, mailoutbox, django_capture_on_commit_callbacks
):
    revoked, ours, theirs = published_in_two_offices
    ppid_kpu = kpu_person()
    revocation = enter_at_kpu(ppid_kpu, revokes=revoked)
    client.force_login(ppid_kpu)
    page = client.get(reverse("dikecualikan:staff-decision", args=[revocation.pk])).content.decode()
    assert "Tetapkan informasi yang dibukanya" in page and "Belum ada informasi" in page
    url = reverse("dikecualikan:staff-decision-open-in-offices", args=[revocation.pk])
    form = client.get(url).content.decode()
    for record in (*ours, *theirs):
        assert f'value="{record.pk}"' in form
    assert "KPU Kabupaten Kubu Raya: #" in form and "Berkas internal" not in form
    response = client.post(url, {"records": [ours[0].pk, theirs[0].pk]})
    assert response.status_code == 302
    page = client.get(reverse("dikecualikan:staff-decision", args=[revocation.pk])).content.decode()
    assert "Data Pontianak 1" in page and "Data Kubu Raya 1" in page
    assert "Data Pontianak 2" not in page
    with office.acting(Office.objects.get(slug="kpu")):
        with django_capture_on_commit_callbacks(execute=True):
            workflow.publish_decision(decision=revocation, by=ppid_kpu)
    kubu = Office.objects.get(slug="kuburayakab")
    for place, (named, kept), site in (
        (office.default(), ours, ""),
        (kubu, theirs, "/kuburayakab"),
    ):
        with office.acting(place):
            opened = Record.objects.get(pk=named.pk)
            assert opened.state == State.OPENED and opened.opened_reason == "revoked"
            assert timezone.localtime(opened.opened_at).date() == revocation.date_set
            assert Record.objects.get(pk=kept.pk).state == State.PUBLISHED
            assert sorted(DikVersion.objects.values_list("number", flat=True)) == [1, 2]
        listed = b"".join(Client().get(f"{site}/dik.json").streaming_content).decode()
        assert kept.public_title in listed and named.public_title not in listed
        public = Client().get(f"{site}/keputusan/{revoked.pk}/").content.decode()
        assert "Dicabut sebagian dengan" in public and f"/keputusan/{revocation.pk}/" in public
    told = {address for message in mailoutbox for address in message.to}
    assert "ppid@example.org" in told


def test_only_the_deciding_body_names_items_and_only_of_the_decision_it_revokes(
    client, published_in_two_offices, make_record, make_decision, ppid
):
    revoked, ours, theirs = published_in_two_offices
    other = make_decision(title="tentang keputusan lain")
    elsewhere = make_record("decided", decision=other)
    workflow.publish_decision(decision=other, by=ppid)
    ppid_kpu = kpu_person()
    revocation = enter_at_kpu(ppid_kpu, revokes=revoked)
    # Pontianak's PPID reaches no such page: the revocation is KPU's.
    client.force_login(ppid)
    url = reverse("dikecualikan:staff-decision-open-in-offices", args=[revocation.pk])
    assert client.post(url, {"records": [ours[0].pk]}).status_code == 302
    with office.acting(office.default()):
        with pytest.raises(workflow.WorkflowError, match="dicatat sendiri oleh kantor ini"):
            workflow.open_in_offices(decision=revocation, records=[ours[0]], by=ppid)
    kpu = Office.objects.get(slug="kpu")
    with office.acting(kpu):
        with pytest.raises(workflow.WorkflowError) as refused:
            workflow.open_in_offices(
                decision=revocation, records=[theirs[1], elsewhere], by=ppid_kpu
            )
        assert "hanya membuka entri dari keputusan yang dicabutnya" in str(refused.value)
        with pytest.raises(workflow.WorkflowError, match="Pilih informasi"):
            workflow.open_in_offices(decision=revocation, records=[], by=ppid_kpu)
    with office.every_office():
        assert not revocation.items.exists()  # nothing half-written: Kubu Raya's either
    with office.acting(kpu):
        workflow.open_in_offices(decision=revocation, records=[theirs[1]], by=ppid_kpu)
        workflow.publish_decision(decision=revocation, by=ppid_kpu)
        with pytest.raises(workflow.WorkflowError, match="sudah diumumkan"):
            workflow.open_in_offices(decision=revocation, records=[ours[1]], by=ppid_kpu)
    assert Record.objects.get(pk=ours[1].pk).state == State.PUBLISHED


def test_a_kpu_provinsi_cannot_revoke_a_decision_of_kpu(published_in_two_offices, make_decision):
    revoked, _ours, _theirs = published_in_two_offices
    with pytest.raises(workflow.WorkflowError) as refused:
        make_decision(
            body=DecidingBody.objects.get(kind="kpu_provinsi", province="Kalimantan Barat"),
            date_set=datetime.date(2026, 1, 5),
            year=2026,
            revokes=revoked,
        )
    assert "Hanya badan yang menerbitkan" in refused.value.field_errors["revokes"]


def test_the_public_page_of_a_decision_lists_the_offices_whose_lists_it_governs(
    published_in_two_offices,
):
    revoked, _ours, _theirs = published_in_two_offices
    page = Client().get(f"/kuburayakab/keputusan/{revoked.pk}/").content.decode()
    assert "Kantor yang daftarnya diatur oleh keputusan ini" in page
    assert f'href="/keputusan/{revoked.pk}/">KPU Kota Pontianak</a>' in page
    assert f'href="/kuburayakab/keputusan/{revoked.pk}/">KPU Kabupaten Kubu Raya</a>' in page


# --- The national DIK: KPU's site ------------------------------------------------------


def test_kpus_site_is_the_national_dik_of_every_office(
    published_in_two_offices, django_assert_max_num_queries
):
    revoked, ours, theirs = published_in_two_offices
    serve("kpu")
    serve("kalbar")
    with django_assert_max_num_queries(12):
        page = Client().get("/kpu/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "KPU Kota Pontianak" in text and "KPU Kabupaten Kubu Raya" in text
    assert "Belum menggunakan register" in text  # e.g. KPU Kota Singkawang
    assert 'href="/kpu/provinsi/kalbar/"' in text
    assert f'href="/kpu/keputusan/{revoked.pk}/"' in text and "daftar 2 kantor" in text
    found = Client().get("/kpu/", {"q": "Kubu Raya"}).content.decode()
    assert f'href="/kuburayakab/informasi/{theirs[0].pk}/"' in found
    assert "Berkas internal" not in found
    province = Client().get("/kpu/provinsi/kalbar/").content.decode()
    assert "KPU Kabupaten Kubu Raya" in province and "KPU Kota Pontianak" in province
    assert "KPU Provinsi Jawa Barat" not in province
    assert Client().get("/kuburayakab/provinsi/kalbar/").status_code == 404
    decision = Client().get(f"/kpu/keputusan/{revoked.pk}/").content.decode()
    assert "Kantor yang daftarnya diatur oleh keputusan ini" in decision


def items_shown(page: str, name: str) -> str:
    return re.search(rf">{name}</a></td>\s*<td>([^<]+)</td>", page).group(1)


def test_the_national_counts_follow_each_publication(published_in_two_offices, make_record):
    serve("kpu")
    assert items_shown(Client().get("/kpu/").content.decode(), "KPU Kota Pontianak") == "2"
    kpu = Office.objects.get(slug="kpu")
    kpu.in_service = False  # while KPU kept no register here, Pontianak typed its decisions
    kpu.save()
    make_record("published")  # a publication in Pontianak: a DIK version of its own
    serve("kpu")
    page = Client().get("/kpu/").content.decode()
    assert items_shown(page, "KPU Kota Pontianak") == "3"
    assert items_shown(page, "KPU Kabupaten Kubu Raya") == "2"


def test_the_national_exports_stream_every_offices_rows_with_its_office(published_in_two_offices):
    import csv
    import io
    import json

    _revoked, ours, theirs = published_in_two_offices
    serve("kpu")
    listed = json.loads(b"".join(Client().get("/kpu/dik.json").streaming_content))
    offices = {item["nomor"]: item["kantor"] for item in listed["items"]}
    assert offices == {
        **{r.pk: "KPU Kota Pontianak" for r in ours},
        **{r.pk: "KPU Kabupaten Kubu Raya" for r in theirs},
    }
    table = b"".join(Client().get("/kpu/dik.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(table)))
    assert {row["kantor"] for row in rows} == {"KPU Kota Pontianak", "KPU Kabupaten Kubu Raya"}
    # Each office's own open data is unchanged: its rows, no office column.
    own = json.loads(b"".join(Client().get("/dik.json").streaming_content))
    assert {item["nomor"] for item in own["items"]} == {r.pk for r in ours}
    assert "kantor" not in own["items"][0]


def test_kpu_names_a_long_list_a_page_at_a_time(client, published_in_two_offices, monkeypatch):
    from dikecualikan.workflow import nationwide

    revoked, ours, theirs = published_in_two_offices
    ppid_kpu = kpu_person()
    revocation = enter_at_kpu(ppid_kpu, revokes=revoked)
    monkeypatch.setattr(nationwide, "REVOCABLE_SHOWN", 3)
    monkeypatch.setattr(workflow, "REVOCABLE_SHOWN", 3)
    client.force_login(ppid_kpu)
    url = reverse("dikecualikan:staff-decision-open-in-offices", args=[revocation.pk])
    page = client.get(url).content.decode()
    assert page.count('name="records"') == 3 and "Ditampilkan 3 yang pertama" in page
    first = re.findall(r'name="records" value="(\d+)"', page)  # by office, then number
    assert client.post(url, {"records": first}).status_code == 302
    page = client.get(url).content.decode()
    (rest,) = {str(r.pk) for r in (*ours, *theirs)} - set(first)
    assert re.findall(r'name="records" value="(\d+)"', page) == [rest]
    assert "yang pertama" not in page


def test_kpu_withdraws_an_item_it_named_by_mistake_before_publishing(
    client, published_in_two_offices
):
    revoked, ours, theirs = published_in_two_offices
    ppid_kpu = kpu_person()
    revocation = enter_at_kpu(ppid_kpu, revokes=revoked)
    kpu = Office.objects.get(slug="kpu")
    with office.acting(kpu):
        workflow.open_in_offices(decision=revocation, records=[ours[0], theirs[0]], by=ppid_kpu)
    client.force_login(ppid_kpu)
    url = reverse("dikecualikan:staff-decision-withdraw-in-offices", args=[revocation.pk])
    refused = client.post(url, {"records": [theirs[0].pk]})  # no reason given
    assert (
        refused.status_code == 200 and "Sebutkan alasan entri ditarik." in refused.content.decode()
    )
    response = client.post(url, {"records": [theirs[0].pk], "note": "Keliru dipilih."})
    assert response.status_code == 302
    with office.acting(kpu):
        with pytest.raises(workflow.WorkflowError, match="tidak ditetapkan oleh pencabutan"):
            workflow.withdraw_in_offices(
                decision=revocation, records=[theirs[1]], by=ppid_kpu, note="Salah"
            )
        workflow.publish_decision(decision=revocation, by=ppid_kpu)
        with pytest.raises(workflow.WorkflowError, match="sudah diumumkan"):
            workflow.withdraw_in_offices(
                decision=revocation, records=[ours[0]], by=ppid_kpu, note="Terlambat"
            )
    assert Record.objects.get(pk=ours[0].pk).state == State.OPENED
    with office.acting(Office.objects.get(slug="kuburayakab")):
        kept = Record.objects.get(pk=theirs[0].pk)
        assert kept.state == State.PUBLISHED
        step = kept.transitions.order_by("pk").last()
        assert (
            step.action == "withdraw" and step.actor == ppid_kpu and step.note == "Keliru dipilih."
        )


# --- A revocation of KPU over many offices -------------------------------------------------


def published_by(places, make_record, make_decision, same_roles_in, ppid, number: int):
    """A decision typed in before KPU used the register, published by each of these offices
    for one item of its own."""
    revoked = make_decision(number=f"{number}/HM.02-Kpt/05/KPU/VIII/2025")
    records = []
    for place in places:
        same_roles_in(place)
        with office.acting(place):
            records.append(make_record("decided", decision=revoked, public_title=place.name))
            workflow.publish_decision(decision=revoked, by=ppid)
    revoked.refresh_from_db()
    return revoked, records


def test_kpus_revocation_reaches_any_number_of_offices_in_the_same_queries_each_in_its_zone(
    make_record, make_decision, same_roles_in, ppid, mailoutbox, django_capture_on_commit_callbacks
):
    # The three zones in each group (opening is written once per zone: at most four).
    few = [serve(slug) for slug in ("kuburayakab", "makassarkota", "jayapurakota")]
    many = ("sintangkab", "jembranakab", "tabanankab", "malukutengahkab", "mimikakab", "sanggaukab")
    many = [serve(slug) for slug in many]
    groups = [
        published_by(places, make_record, make_decision, same_roles_in, ppid, number)
        for number, places in ((3, few), (4, many))
    ]
    ppid_kpu, kpu = kpu_person(), Office.objects.get(slug="kpu")
    counts = []
    for (revoked, records), places in zip(groups, (few, many), strict=True):
        number = f"{len(counts) + 5}/HM.02-Kpt/05/KPU/XI/2026"
        revocation = enter_at_kpu(ppid_kpu, number=number, revokes=revoked, revokes_whole=True)
        # The request's statements; the worker's tasks (here run once it commits) after.
        office.served()  # the offices' sites (the mail's links), read once a minute: read now
        with office.acting(kpu), django_capture_on_commit_callbacks(execute=True):
            with CaptureQueriesContext(connection) as queries:
                workflow.publish_decision(decision=revocation, by=ppid_kpu)
        counts.append(len(queries))
        for place, record in zip(places, records, strict=True):
            with office.acting(place):
                opened = Record.objects.get(pk=record.pk)
                assert opened.state == State.OPENED and revocation.is_published
                # Open from the start of the revocation's day in the office's own zone.
                since = timezone.localtime(opened.opened_at)
                assert (since.date(), since.hour, since.minute) == (revocation.date_set, 0, 0)
                versions = DikVersion.objects.order_by("number").values_list("number", "note")
                assert list(versions)[-1] == (2, f"{revocation.issuer} {revocation.number}")
                row = Transition.objects.filter(record=record).latest("pk")
                assert (row.actor_name, row.actor_role) == ("ppid-kpu", "")  # no role here
            link = f"/{place.slug}/keputusan/{revocation.pk}/"
            mailed = [m for m in mailoutbox if link in m.body]
            assert mailed and all(f"PPID {place.name}" in m.body for m in mailed)
        with office.every_office():
            for model in (Transition, DikChange):
                assert verify_chain(model)[1] == 0
    assert counts[0] == counts[1], counts  # three offices or six: the same statements
