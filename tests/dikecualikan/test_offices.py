"""The offices are data: KPU's 553 offices as a tree from Kemendagri's region codes, the
default office seeded from the settings of a one-office install, its identity and approvals
kept in the admin, and the office acting for a request or a command."""

import contextvars
import datetime
import json

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.urls import reverse

from arsip.models import Location
from dikecualikan import office
from dikecualikan.models import CollectionPeriod, OfficeDay, OutgoingMail, Record
from dikecualikan.office import Office
from dikecualikan.provinces import PROVINCES
from dikecualikan.roles import Role, grant, parse_approvals, required_approvals

Kind = Office.Kind


def test_the_table_holds_kpu_38_provinces_416_kabupaten_and_98_kota(db):
    counts = {kind: Office.objects.filter(kind=kind).count() for kind in Kind.values}
    assert counts == {"kpu": 1, "provinsi": 38, "kabupaten": 416, "kota": 98}
    assert Office.objects.count() == 553


def test_each_office_hangs_under_the_office_above_it_in_its_own_province(db):
    kpu = Office.objects.get(kind=Kind.KPU)
    assert (kpu.slug, kpu.parent, kpu.time_zone) == ("kpu", None, "Asia/Jakarta")
    provinces = Office.objects.filter(kind=Kind.PROVINCE)
    assert set(provinces.values_list("parent", flat=True)) == {kpu.pk}
    assert sorted(provinces.values_list("province", flat=True)) == sorted(PROVINCES)
    strays = Office.objects.filter(kind__in=[Kind.REGENCY, Kind.CITY]).exclude(
        parent__kind=Kind.PROVINCE, parent__province=F("province")
    )
    assert list(strays) == []


def test_the_four_papua_provinces_of_2022_and_their_zones_are_there(db):
    names = ["Papua Selatan", "Papua Tengah", "Papua Pegunungan", "Papua Barat Daya"]
    new = Office.objects.filter(kind=Kind.PROVINCE, province__in=names)
    assert new.count() == 4 and set(new.values_list("time_zone", flat=True)) == {"Asia/Jayapura"}
    zones = {
        "kalbar": "Asia/Pontianak",
        "sulsel": "Asia/Makassar",
        "bali": "Asia/Makassar",
        "jatim": "Asia/Jakarta",
        "malut": "Asia/Jayapura",
    }
    for slug, zone in zones.items():
        assert Office.objects.get(slug=slug).time_zone == zone


def test_the_short_names_are_kpus_own_and_unique(db):
    kubu_raya = Office.objects.get(slug="kuburayakab")
    assert (kubu_raya.name, kubu_raya.code, kubu_raya.parent.slug) == (
        "KPU Kabupaten Kubu Raya",
        "61.12",
        "kalbar",
    )
    assert Office.objects.get(slug="pontianakkota").code == "61.71"
    # A kabupaten and a kota of the same name keep apart by their ending.
    assert Office.objects.get(slug="bekasikab").kind == Kind.REGENCY
    assert Office.objects.get(slug="bekasikota").kind == Kind.CITY
    slugs = list(Office.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == 553 and all(slug.isalpha() and slug.islower() for slug in slugs)


def test_the_default_office_is_pontianak_as_the_settings_seeded_it_and_alone_in_service(db):
    here = office.default()
    assert (here.slug, here.name, here.place) == (
        "pontianakkota",
        "KPU Kota Pontianak",
        "Pontianak",
    )
    assert (here.address, here.phone) == ("Jl. Johar No. 1A Pontianak", "(0561) 740021")
    assert (here.time_zone, here.approvals) == ("Asia/Pontianak", "pembina:1,tim_pertimbangan:1")
    assert list(Office.objects.filter(in_service=True)) == [here]
    assert office.current() == here


def test_a_default_office_that_names_no_row_is_a_clear_configuration_error(db, settings):
    settings.PPID_DEFAULT_OFFICE = "pontianak"
    with pytest.raises(ImproperlyConfigured, match="names no office"):
        office.default()


def test_the_acting_office_answers_for_its_identity_approvals_and_time_zone(db):
    from django.utils import timezone

    kubu_raya = Office.objects.get(slug="kuburayakab")
    kubu_raya.approvals = "pembina:1,tim_pertimbangan:2"
    sorong = Office.objects.get(slug="sorongkota")
    with office.acting(kubu_raya):
        assert office.current().name == "KPU Kabupaten Kubu Raya"
        assert required_approvals() == {"pembina": 1, "tim_pertimbangan": 2}
        with office.acting(sorong):
            assert (office.current().zone, timezone.get_current_timezone_name()) == (
                "WIT",
                "Asia/Jayapura",
            )
        assert office.current() == kubu_raya
    assert office.current().slug == "pontianakkota"
    assert required_approvals() == {"pembina": 1, "tim_pertimbangan": 1}


@pytest.mark.parametrize(
    "text,message",
    [
        ("pembina:1,desk:1", "'desk' bukan peran pemberi persetujuan"),
        ("pembina:0", "Kuorum 'pembina' sekurang-kurangnya 1"),
    ],
)
def test_approvals_that_name_no_approving_role_or_no_quorum_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        parse_approvals(text)


def office_form(here, **changes):
    fields = ("name", "place", "address", "phone", "email", "logo", "ppid_name", "time_zone")
    return {
        **{name: getattr(here, name) for name in fields},
        "approvals": here.approvals,
        "in_service": "on" if here.in_service else "",
        # Its hosts of its own (the deployment's administrators see them): none added.
        **{f"hosts-{name}": count for name, count in HOSTS_NONE.items()},
        **changes,
    }


HOSTS_NONE = {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}


def test_an_administrator_edits_the_offices_identity_and_every_page_shows_it_at_once(
    client, it_admin
):
    here = office.default()
    client.force_login(it_admin)
    url = reverse("admin:dikecualikan_office_change", args=[here.pk])
    form = office_form(here, name="KPU Kota Pontianak (uji)", phone="(0561) 123456")
    assert client.post(url, form).status_code == 302
    client.logout()
    page = client.get(reverse("dikecualikan:home")).content.decode()
    assert "KPU Kota Pontianak (uji)" in page
    assert Office.objects.get(pk=here.pk).phone == "(0561) 123456"


def test_wrong_approvals_or_a_logo_that_is_no_static_file_are_refused_with_the_reason(
    client, it_admin
):
    here = office.default()
    client.force_login(it_admin)
    url = reverse("admin:dikecualikan_office_change", args=[here.pk])
    page = client.post(url, office_form(here, approvals="pembina:1,atasan:0"))
    assert page.status_code == 200
    assert "Kuorum &#x27;atasan&#x27; sekurang-kurangnya 1" in page.content.decode()
    page = client.post(url, office_form(here, logo="https://contoh.example/logo.png"))
    assert "Tidak ada berkas statis dengan nama ini" in page.content.decode()
    assert Office.objects.get(pk=here.pk).approvals == "pembina:1,tim_pertimbangan:1"


def test_no_office_is_added_or_deleted_and_only_an_administrator_changes_one(
    client, it_admin, ppid
):
    here = office.default()
    client.force_login(it_admin)
    assert client.get(reverse("admin:dikecualikan_office_add")).status_code == 403
    delete = reverse("admin:dikecualikan_office_delete", args=[here.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.force_login(ppid)
    url = reverse("admin:dikecualikan_office_change", args=[here.pk])
    assert client.post(url, office_form(here, name="Bukan kantor")).status_code == 403
    assert Office.objects.get(pk=here.pk).name == "KPU Kota Pontianak"


# Every root row of a register knows its office (migrations 0038 and arsip 0010).


def test_what_is_made_while_an_office_acts_is_that_offices(make_record, ppid):
    kubu_raya = Office.objects.get(slug="kuburayakab")
    with office.acting(kubu_raya):
        made = [
            Record.objects.create(title="Notulen rapat pleno", created_by=ppid),
            CollectionPeriod.objects.create(
                name="Pemutakhiran DIK 2027",
                starts_on=datetime.date(2027, 1, 4),
                collect_by=datetime.date(2027, 1, 15),
            ),
            OfficeDay.objects.create(date=datetime.date(2027, 1, 8), name="Hari jadi"),
            Location.objects.create(building="Kantor", room="Arsip", cabinet="L1"),
            OutgoingMail.objects.create(to="ppid@example.org", subject="Uji", body="Uji"),
        ]
    assert {row.office for row in made} == {kubu_raya}
    assert make_record("collected").office == office.default()


def test_a_day_off_and_a_place_may_repeat_in_another_office_but_not_in_the_same(db):
    day, place = datetime.date(2027, 1, 8), {"building": "Kantor", "room": "Arsip", "cabinet": "L1"}
    OfficeDay.objects.create(date=day, name="Hari jadi kota")
    Location.objects.create(**place)
    with office.acting(Office.objects.get(slug="kuburayakab")):
        OfficeDay.objects.create(date=day, name="Hari jadi kabupaten")
        Location.objects.create(**place)
    assert OfficeDay.objects.get(date=day).name == "Hari jadi kota"  # each office sees its own
    with office.every_office():
        assert OfficeDay.objects.filter(date=day).count() == 2
        assert Location.objects.filter(**place).count() == 2


def test_the_admin_refuses_a_day_off_or_a_place_the_office_already_has_with_a_message(
    client, it_admin
):
    OfficeDay.objects.create(date=datetime.date(2027, 1, 8), name="Hari jadi kota")
    Location.objects.create(building="Kantor", room="Arsip", cabinet="L1", shelf="")
    client.force_login(it_admin)
    day = {"date": "2027-01-08", "kind": "off", "name": "Hari jadi (lagi)", "basis": ""}
    page = client.post(reverse("admin:dikecualikan_officeday_add"), day)
    assert page.status_code == 200 and "sudah ada" in page.content.decode()
    place = {"building": "Kantor", "room": "Arsip", "cabinet": "L1", "shelf": "", "is_active": "on"}
    page = client.post(reverse("admin:arsip_location_add"), place)
    assert page.status_code == 200 and "sudah ada" in page.content.decode()
    assert OfficeDay.objects.count() == 1 and Location.objects.count() == 1


# Reads of an office's rows go through a scope that raises when no office acts.


def office_owned_models():
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if model.__name__ not in NOT_YET_SCOPED
        and any(
            getattr(field, "related_model", None) is Office and field.name == "office"
            for field in model._meta.concrete_fields
        )
    ]


# Rows that hang off a record but are not read through the scope yet, and why.
NOT_YET_SCOPED = {
    # A person's roles: read across offices on purpose (where may they act? Django's own
    # uniqueness check), and for one office always by naming it (roles.holders, roles_of).
    "Membership",
    # The nightly check of the one storage: a file nothing knows of is no office's. Each
    # office's files get a prefix of their own next, and their checks with them.
    "FixityCheck",
    # Which office a subsite's host name serves: read before any office acts, to find it.
    "OfficeHost",
}


def test_every_model_of_an_offices_rows_reads_only_the_acting_offices():
    from django.apps import apps

    owned = office_owned_models()
    assert {model.__name__ for model in owned} >= {"Record", "Location", "OutgoingMail"}
    scoped = {m for m in apps.get_models() if isinstance(m._default_manager, office.InOffice)}
    hanging = {
        model
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation
        and field.related_model in scoped
        and model.__name__ not in NOT_YET_SCOPED
    }
    assert {"Transition", "SoftcopyVersion", "AccessLog"} <= {m.__name__ for m in hanging}
    for model in {*owned, *hanging}:
        assert isinstance(model._default_manager, office.InOffice), model


@pytest.mark.parametrize(
    "query",
    [
        lambda: list(Record.objects.all()),
        lambda: Record.objects.filter(state="published").exists(),
        lambda: Record.objects.on_dik().count(),
        lambda: Location.objects.get(pk=1),
        lambda: OutgoingMail.objects.values_list("to", flat=True)[:1],
        lambda: Record.objects.filter(pk__in=Record.objects.all()),
    ],
)
def test_a_query_of_an_offices_rows_with_no_office_acting_raises(db, query):
    # A fresh context: no office acts in it (this test's own acts for the default office).
    with pytest.raises(office.OutsideOffice, match="while an office acts"):
        contextvars.Context().run(query)


def test_every_office_is_read_only_on_purpose_and_an_empty_choice_needs_no_office(db, make_record):
    make_record("collected")

    def counted():
        with office.every_office():
            return Record.objects.count()

    assert contextvars.Context().run(counted) == 1
    assert contextvars.Context().run(lambda: list(Record.objects.none().all())) == []


def test_another_offices_record_is_not_found_by_the_staff_pages(client, make_record, ppid):
    theirs = make_record("collected")
    Record.objects.filter(pk=theirs.pk).update(office=Office.objects.get(slug="kuburayakab"))
    mine = make_record("collected")
    client.force_login(ppid)
    assert client.get(reverse("dikecualikan:staff-record", args=[mine.pk])).status_code == 200
    assert client.get(reverse("dikecualikan:staff-record", args=[theirs.pk])).status_code == 404
    listed = client.get(reverse("dikecualikan:staff-records")).content.decode()
    assert f"/staf/entri/{mine.pk}/" in listed and f"/staf/entri/{theirs.pk}/" not in listed


def test_another_offices_rows_are_not_found_by_any_staff_admin_or_download_page(
    client, make_record, ppid, desk, atasan
):
    """The access matrix: every persona of office A, and the PPID of the KPU Provinsi above
    office B and KPU's, against office B's record, softcopy, place, period, document and
    mail: 404, never the content (DOMAIN.md section 5: the hierarchy reads requests and
    public fields, never an office's files, people or log)."""
    from django.utils import timezone

    from arsip.models import SoftcopyVersion
    from dikecualikan.models import Document

    kubu_raya = Office.objects.get(slug="kuburayakab")
    theirs = make_record("archived", title="Rekam medis calon (Kubu Raya)")
    version = SoftcopyVersion.objects.get(softcopy__record=theirs)
    with office.every_office():
        Record.objects.filter(pk=theirs.pk).update(office=kubu_raya)
    with office.acting(kubu_raya):
        place = Location.objects.create(building="Kantor KPU Kubu Raya", room="Arsip", cabinet="1")
        period = CollectionPeriod.objects.create(
            name="Pemutakhiran DIK Kubu Raya",
            starts_on=datetime.date(2027, 1, 4),
            collect_by=datetime.date(2027, 1, 15),
        )
        mail = OutgoingMail.objects.create(to="ppid@kuburayakab.example", subject="Uji", body="x")
        document = Document.objects.create(
            kind=Document.Kind.PERIOD_DIK,
            params={"period": period.pk},
            key="period_dik:kr",
            title="DIK Kubu Raya",
            requested_by=ppid,
            status="ready",
            file="dokumen/kr/dik.pdf",
            finished_at=timezone.now(),
        )
    urls = [
        ("dikecualikan:staff-record", theirs.pk),
        ("arsip:record", theirs.pk),
        ("arsip:download", version.pk),
        ("dikecualikan:staff-period-dik-pdf", period.pk),
        ("dikecualikan:document-file", document.pk),
        ("admin:dikecualikan_record_change", theirs.pk),
        ("admin:arsip_softcopyversion_change", version.pk),
        ("admin:arsip_location_change", place.pk),
        ("admin:dikecualikan_collectionperiod_change", period.pk),
        ("admin:dikecualikan_outgoingmail_change", mail.pk),
    ]
    upward = []
    for slug, username in (("kalbar", "ppid-kalbar"), ("kpu", "ppid-kpu")):
        upward.append(User.objects.create_user(username, is_staff=True))
        grant(upward[-1], Role.PPID, Role.ATASAN, Role.DESK, place=Office.objects.get(slug=slug))
    for person in (desk, ppid, atasan, *upward):
        client.force_login(person)
        for name, pk in urls:
            response = client.get(reverse(name, args=[pk]))
            # Answered as for an id that exists nowhere: 404, the admin's redirect to its
            # list (302), or 403 where the role may not open such a page at all.
            nowhere = client.get(reverse(name, args=[999_999]))
            assert response.status_code == nowhere.status_code, (person, name)
            assert response.status_code in (404, 302, 403), (person, name)
            assert "Rekam medis calon" not in response.content.decode()
        for listing in (
            reverse("dikecualikan:staff-records"),
            reverse("admin:dikecualikan_record_changelist"),
            reverse("admin:arsip_location_changelist"),
        ):
            page = client.get(listing).content.decode()
            assert "Kubu Raya" not in page, (person, listing)


def test_the_public_list_and_the_staff_pages_cost_the_same_queries_beside_other_offices(
    client,
    published_records,
    make_record,
    ppid,
    django_assert_max_num_queries,
    settings,
    same_roles_in,
):
    settings.PUBLIC_CACHE_SECONDS = 0  # each request builds its page
    published_records(5)
    mine = make_record("collected")
    client.force_login(ppid)
    pages = [
        "/",
        "/dik.json",
        reverse("dikecualikan:dashboard"),
        reverse("dikecualikan:staff-records"),
        reverse("dikecualikan:staff-record", args=[mine.pk]),
    ]
    alone = {}
    for page in pages:
        with django_assert_max_num_queries(40) as counted:
            assert client.get(page).status_code == 200
        alone[page] = len(counted.captured_queries)
    # 40 more offices, each with a register of its own.
    for slug in Office.objects.filter(kind=Kind.REGENCY).values_list("slug", flat=True)[:40]:
        same_roles_in(office.by_slug(slug))
        with office.acting(office.by_slug(slug)):
            published_records(3)
            make_record("collected")
    for page in pages:
        with django_assert_max_num_queries(alone[page]):
            assert client.get(page).status_code == 200
    listed = json.loads(b"".join(client.get("/dik.json").streaming_content))
    with office.every_office():
        everywhere = Record.objects.on_dik().count()
    assert len(listed["items"]) == Record.objects.on_dik().count() == 5 < everywhere


def test_a_public_page_is_cached_for_its_own_office_and_never_served_to_another(
    rf, published_records, settings
):
    from django.contrib.auth.models import AnonymousUser

    from dikecualikan import public

    settings.PUBLIC_CACHE_SECONDS = 3600
    published_records(2)

    def home():
        request = rf.get("/")
        request.user, request.COOKIES = AnonymousUser(), {}
        response = public.home(request)
        return response.content.decode(), response["ETag"]

    ours, our_tag = home()
    with office.acting(Office.objects.get(slug="kuburayakab")):
        theirs, their_tag = home()  # the same path, the same DIK version: not the same page
    assert "Informasi massal" in ours and "Informasi massal" not in theirs
    assert "KPU Kabupaten Kubu Raya" in theirs and our_tag != their_tag
    assert home()[0] == ours  # each office's stored page stays its own


def test_a_record_of_another_office_cannot_join_this_offices_decision_or_objection(
    client, make_record, make_decision, ppid, desk, same_roles_in
):
    """Office A's PPID cannot add office B's record to a decision, nor its desk name it in an
    objection: the record is not found (404), the objection form does not offer it."""
    kubu_raya = Office.objects.get(slug="kuburayakab")
    same_roles_in(kubu_raya)
    with office.acting(kubu_raya):
        requested = make_record("requested", title="Surat permohonan (Kubu Raya)")
        published = make_record("published", title="Daftar hadir (Kubu Raya)")
    decision = make_decision()
    client.force_login(ppid)
    add = reverse("dikecualikan:staff-decision-add", args=[decision.pk, requested.pk])
    assert client.get(add).status_code == 404
    assert client.post(add, {"outcome": "exempt"}).status_code == 404
    assert not decision.items.exists()
    client.force_login(desk)
    new = reverse("dikecualikan:staff-objection-new")
    form = client.get(new).context["form"]
    assert published.pk not in {r.pk for r in form.fields["records"].queryset}
    response = client.post(new, {"records": [published.pk]})
    assert response.status_code == 200 and "records" in response.context["form"].errors


def test_an_objection_is_its_offices_and_cannot_name_another_offices_record(
    make_record, desk, same_roles_in
):
    import datetime as dt

    from dikecualikan import workflow
    from dikecualikan.models import Objection

    kubu_raya = Office.objects.get(slug="kuburayakab")
    same_roles_in(kubu_raya)
    ours = make_record("published")
    with office.acting(kubu_raya):
        theirs = make_record("published")
    fields = {
        "by": desk,
        "requester_name": "Warga",
        "requester_contact": "warga@example.org",
        "request_reference": "PPID/001",
        "grounds": "Permohonan ditolak",
        "received_on": dt.date.today(),
        "request_refused_on": dt.date.today(),
    }
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.receive_objection(records=[ours, theirs], **fields)
    assert "records" in refused.value.field_errors
    assert not Objection.objects.exists()
    with office.acting(kubu_raya):
        objection = workflow.receive_objection(records=[theirs], **fields)
        assert objection.office == kubu_raya
        assert list(Objection.objects.all()) == [objection]
    assert not Objection.objects.exists()  # Pontianak sees none of Kubu Raya's


def test_the_access_report_objections_and_admin_lists_of_another_office_leak_nothing(
    client, make_record, ppid, desk, atasan, it_admin, same_roles_in
):
    """More of the matrix: another office's objection (staff and admin pages), its
    softcopy downloads in the access report (page and CSV), its decision item page, the
    admin's objection and history lists and its search box."""
    import datetime as dt

    from arsip.models import SoftcopyVersion
    from dikecualikan import workflow

    kubu_raya = Office.objects.get(slug="kuburayakab")
    same_roles_in(kubu_raya)
    with office.acting(kubu_raya):
        theirs = make_record("published", title="Berkas rahasia Kubu Raya")
        version = SoftcopyVersion.objects.get(softcopy__record=theirs)
        client.force_login(desk)
        session = client.session
        session["ppid_office"] = "kuburayakab"
        session.save()
        downloaded = client.post(
            reverse("arsip:download", args=[version.pk]), {"reason": "Alasan Kubu Raya"}
        )
        assert downloaded.status_code == 200
        objection = workflow.receive_objection(
            records=[theirs],
            by=desk,
            requester_name="Pemohon Kubu Raya",
            requester_contact="pemohon@kuburaya.example",
            request_reference="PPID-KKR/9",
            grounds="Keberatan atas penolakan",
            received_on=dt.date.today(),
            request_refused_on=dt.date.today(),
        )
    # Acting for Kubu Raya, its PPID sees all of it: the checks below can fail.
    client.force_login(ppid)
    session = client.session
    session["ppid_office"] = "kuburayakab"
    session.save()
    assert "Alasan Kubu Raya" in client.get(reverse("arsip:access-report")).content.decode()
    page = client.get(reverse("dikecualikan:staff-objection", args=[objection.pk]))
    assert "Pemohon Kubu Raya" in page.content.decode()
    secrets = ("Kubu Raya", "Alasan Kubu Raya", "Pemohon Kubu Raya", "PPID-KKR/9")
    client.logout()  # the desk's choice of Kubu Raya goes with its session
    for person in (desk, ppid, atasan):
        client.force_login(person)  # acting for Pontianak, where they hold their roles
        for name, pk in [
            ("dikecualikan:staff-objection", objection.pk),
            ("admin:dikecualikan_objection_change", objection.pk),
        ]:
            response = client.get(reverse(name, args=[pk]))
            nowhere = client.get(reverse(name, args=[999_999]))
            assert response.status_code == nowhere.status_code in (404, 302, 403), (person, name)
        for page in (
            reverse("dikecualikan:staff-objections"),
            reverse("arsip:access-report"),
            reverse("arsip:access-report") + "?format=csv",
            reverse("admin:dikecualikan_objection_changelist"),
            reverse("admin:dikecualikan_transition_changelist"),
            reverse("admin:dikecualikan_record_changelist") + "?q=Kubu",
            reverse("dikecualikan:staff-records") + "?q=Kubu",
        ):
            response = client.get(page)
            text = (
                b"".join(response.streaming_content) if response.streaming else response.content
            ).decode()
            assert not [s for s in secrets if s in text], (person, page)
    # The public item page of one office's record is not another office's.
    assert client.get(reverse("dikecualikan:record", args=[theirs.pk])).status_code == 404
