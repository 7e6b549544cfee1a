"""The offices are data: KPU's 553 offices as a tree from Kemendagri's region codes, the
default office seeded from the settings of a one-office install, its identity and approvals
kept in the admin, and the office acting for a request or a command."""

import pytest
from django.db.models import F
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from dikecualikan import office
from dikecualikan.office import Office
from dikecualikan.provinces import PROVINCES
from dikecualikan.roles import parse_approvals, required_approvals

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
    assert (here.slug, here.name, here.place) == ("pontianakkota", "KPU Kota Pontianak", "Pontianak")
    assert (here.address, here.phone) == ("Jl. Johar No. 1A Pontianak", "(0561) 740021")
    assert (here.time_zone, here.approvals) == ("Asia/Pontianak", "pembina:1,tim_pertimbangan:1")
    assert list(Office.objects.filter(in_service=True)) == [here]
    assert office.current() == here


def test_a_default_office_that_names_no_row_is_a_clear_configuration_error(db, settings):
    settings.PPID_DEFAULT_OFFICE = "pontianak"
    with pytest.raises(ImproperlyConfigured, match="names no office"):
        office.current()


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
        **changes,
    }


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
