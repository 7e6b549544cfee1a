"""Who may decide is fixed data, with jurisdiction (DOMAIN.md sections 2 and 6).

KPU, and KPU Provinsi by delegation, on a positive list that only a superuser keeps
(every change logged); a KPU Provinsi decides only for the offices of its own province;
only the issuer, or KPU, revokes a decision.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from dikecualikan import workflow
from dikecualikan.management.commands.seed_demo import tiny_pdf
from dikecualikan.models import DecidingBody, DecidingBodyChange, Decision

KPU = "Komisi Pemilihan Umum"
KALBAR = "Komisi Pemilihan Umum Provinsi Kalimantan Barat"


def enter(ppid, body, **fields):
    values = {
        "number": "Keputusan Komisi Pemilihan Umum Nomor 1 Tahun 2026",
        "year": 2026,
        "title": "tentang Daftar Informasi Publik yang Dikecualikan",
        "date_set": datetime.date(2026, 3, 2),
        "place": "Jakarta",
        "signatory": "Ketua KPU",
        "pdf": ContentFile(tiny_pdf(["Keputusan"]), name="k.pdf"),
        **fields,
    }
    return workflow.create_decision(by=ppid, body=body, **values)


def kpu():
    return DecidingBody.objects.get(name=KPU)


def kalbar():
    return DecidingBody.objects.get(name=KALBAR)


def jabar():
    """A KPU Provinsi of another province, as a superuser would add it."""
    return DecidingBody.objects.create(
        name="Komisi Pemilihan Umum Provinsi Jawa Barat",
        kind=DecidingBody.Kind.KPU_PROVINSI,
        province="Jawa Barat",
        decides_from=datetime.date(2025, 12, 29),
        basis="PKPU 4/2025 (delegasi dari KPU)",
        by_delegation=True,
    )


# --- The list -------------------------------------------------------------------------


def test_the_list_holds_kpu_and_kpu_provinsi_kalimantan_barat_with_kinds_and_dates(db):
    assert (kpu().kind, kpu().province, kpu().by_delegation) == ("kpu", "", False)
    assert (kalbar().kind, kalbar().province) == ("kpu_provinsi", "Kalimantan Barat")
    assert kalbar().by_delegation and kalbar().decides_from == datetime.date(2025, 12, 29)
    assert "PKPU 4/2025" in kalbar().basis
    assert DecidingBody.objects.count() == 2


def test_the_ppid_role_may_only_read_the_list(db):
    codenames = set(Group.objects.get(name="ppid").permissions.values_list("codename", flat=True))
    assert "view_decidingbody" in codenames
    assert not {"add_decidingbody", "change_decidingbody"} & codenames


BODY_FORM = {
    "name": "KPU Pontianak",
    "kind": "kpu",
    "province": "",
    "decides_from": "2024-01-01",
    "basis": "SOP 3/2025",
    "changes-TOTAL_FORMS": "0",
    "changes-INITIAL_FORMS": "0",
}


def test_the_ppid_cannot_add_kpu_pontianak_as_a_deciding_body(client, ppid):
    client.force_login(ppid)
    url = reverse("admin:dikecualikan_decidingbody_add")
    assert client.get(url).status_code == 403
    assert client.post(url, BODY_FORM).status_code == 403
    assert not DecidingBody.objects.filter(name="KPU Pontianak").exists()


def test_the_ppid_reads_a_body_but_cannot_change_it(client, ppid):
    client.force_login(ppid)
    url = reverse("admin:dikecualikan_decidingbody_change", args=[kalbar().pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**BODY_FORM, "name": KALBAR, "decides_from": "2020-01-01"})
    assert response.status_code == 403
    assert kalbar().decides_from == datetime.date(2025, 12, 29)
    assert not DecidingBodyChange.objects.exists()


@pytest.mark.parametrize(
    ("kind", "province", "field"),
    [
        ("kpu", "", "kind"),  # there is one KPU
        ("kpu", "Kalimantan Barat", "province"),  # KPU is national
        ("kpu_provinsi", "", "province"),  # a KPU Provinsi has its province
        ("kpu_provinsi", "Pontianak", "province"),  # a town is no province
        ("kpu_provinsi", "Kalimantan Barat", "province"),  # that province has its body
    ],
)
def test_a_superuser_cannot_add_kpu_pontianak_outside_the_lists_rules(
    client, it_admin, kind, province, field
):
    client.force_login(it_admin)
    response = client.post(
        reverse("admin:dikecualikan_decidingbody_add"),
        {**BODY_FORM, "kind": kind, "province": province},
    )
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not DecidingBody.objects.filter(name="KPU Pontianak").exists()
    assert not DecidingBodyChange.objects.exists()


def test_a_superuser_adds_a_kpu_provinsi_and_the_log_keeps_who_and_what(client, it_admin):
    client.force_login(it_admin)
    response = client.post(
        reverse("admin:dikecualikan_decidingbody_add"),
        {
            **BODY_FORM,
            "name": "Komisi Pemilihan Umum Provinsi Jawa Barat",
            "kind": "kpu_provinsi",
            "province": "Jawa Barat",
            "decides_from": "2025-12-29",
            "basis": "PKPU 4/2025",
            "by_delegation": "on",
        },
    )
    assert response.status_code == 302
    body = DecidingBody.objects.get(province="Jawa Barat")
    change = DecidingBodyChange.objects.get()
    assert (change.body, change.actor) == (body, it_admin)
    assert change.changes["province"] == [None, "Jawa Barat"]
    assert change.changes["decides_from"] == [None, "2025-12-29"]


def test_a_superusers_change_is_logged_with_the_old_and_new_values(client, it_admin):
    client.force_login(it_admin)
    url = reverse("admin:dikecualikan_decidingbody_change", args=[kalbar().pk])
    form = {
        **BODY_FORM,
        "name": KALBAR,
        "kind": "kpu_provinsi",
        "province": "Kalimantan Barat",
        "decides_from": "2026-01-05",
        "basis": kalbar().basis,
        "by_delegation": "on",
        "home_office": kalbar().home_office_id,
    }
    assert client.post(url, form).status_code == 302
    change = DecidingBodyChange.objects.get()
    assert change.changes == {"decides_from": ["2025-12-29", "2026-01-05"]}
    assert change.actor == it_admin
    # The log is append-only, in the database too.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {DecidingBodyChange._meta.db_table} SET changes = '{{}}'")


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "kpu", "province": ""},
        {"kind": "kpu_provinsi", "province": ""},
        {"kind": "kpu_provinsi", "province": "Kalimantan Barat"},
        {"kind": "kabupaten_kota", "province": "Kalimantan Barat"},
    ],
)
def test_the_database_refuses_what_the_rules_refuse(db, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        DecidingBody.objects.create(
            name="KPU Kota Pontianak", decides_from=datetime.date(2010, 1, 1), basis="-", **fields
        )


# --- Deciding ---------------------------------------------------------------------------


def test_a_decision_by_a_deciding_body_is_entered_under_its_name(ppid):
    decision = enter(ppid, kpu())
    assert (decision.body.name, decision.issuer) == (KPU, KPU)
    assert str(decision) == "Keputusan Komisi Pemilihan Umum Nomor 1 Tahun 2026"


@pytest.mark.parametrize("issuer", ["KPU Kota Pontianak", "KPU RI", "", None])
def test_an_issuer_typed_freely_is_refused(ppid, issuer):
    with pytest.raises(workflow.WorkflowError) as refused:
        enter(ppid, issuer)
    assert "body" in refused.value.field_errors
    assert not Decision.objects.exists()


def test_the_kpu_provinsi_of_this_province_decides_for_this_office(ppid):
    assert enter(ppid, kalbar()).body == kalbar()


def test_a_kpu_provinsi_of_another_province_cannot_decide_for_this_office(client, ppid):
    body = jabar()
    with pytest.raises(workflow.WorkflowError) as refused:
        enter(ppid, body)
    message = refused.value.field_errors["body"]
    assert "Jawa Barat" in message and "Kalimantan Barat" in message
    client.force_login(ppid)
    response = client.post(
        reverse("dikecualikan:staff-decision-new"),
        {
            "body": body.pk,
            "number": "Keputusan KPU Provinsi Jawa Barat Nomor 2 Tahun 2026",
            "year": "2026",
            "title": "tentang DIK",
            "date_set": "2026-03-02",
            "place": "Jakarta",
            "signatory": "Ketua KPU",
            "pdf": ContentFile(tiny_pdf(["Keputusan"]), name="k.pdf"),
        },
    )
    assert response.status_code == 200
    assert "Jawa Barat" in " ".join(response.context["form"].errors["body"])
    assert not Decision.objects.exists()


def test_the_offices_province_is_its_rows(ppid, edit_office):
    edit_office(province="Jawa Barat")
    with pytest.raises(workflow.WorkflowError):
        enter(ppid, kalbar())
    assert enter(ppid, jabar()).body.province == "Jawa Barat"
    assert enter(ppid, kpu(), number="2/Kpts/KPU/2026").body == kpu()  # KPU binds everyone


def test_a_decision_dated_before_its_body_could_decide_cites_the_rule(ppid):
    with pytest.raises(workflow.WorkflowError) as refused:
        enter(ppid, kalbar(), date_set=datetime.date(2025, 6, 2), year=2025)
    message = refused.value.field_errors["date_set"]
    assert "29 Desember 2025" in message and "PKPU 4/2025" in message and "2 Juni 2025" in message


def test_a_decision_dated_in_the_future_or_with_another_year_is_refused(ppid):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(workflow.WorkflowError) as future:
        enter(ppid, kpu(), date_set=tomorrow, year=tomorrow.year)
    assert "date_set" in future.value.field_errors
    with pytest.raises(workflow.WorkflowError) as year:
        enter(ppid, kpu(), year=2025)
    assert "2026" in year.value.field_errors["year"]
    assert not Decision.objects.exists()


def test_the_staff_form_offers_only_the_list_and_explains_a_refusal_beside_the_field(client, ppid):
    client.force_login(ppid)
    url = reverse("dikecualikan:staff-decision-new")
    page = client.get(url).content.decode()
    assert KPU in page and KALBAR in page and "Kota Pontianak</option>" not in page
    response = client.post(
        url,
        {
            "body": kalbar().pk,
            "number": "Keputusan KPU Provinsi Kalimantan Barat Nomor 5 Tahun 2025",
            "year": "2025",
            "title": "tentang DIK",
            "date_set": "2025-06-02",
            "place": "Jakarta",
            "signatory": "Ketua KPU",
        },
    )
    assert response.status_code == 200
    assert "29 Desember 2025" in " ".join(response.context["form"].errors["date_set"])
    assert not Decision.objects.exists()


# --- Revoking ---------------------------------------------------------------------------


def revoke(client, ppid, body, revoked, number):
    """Enter, through the staff form, a decision of `body` that revokes `revoked` in whole."""
    client.force_login(ppid)
    return client.post(
        reverse("dikecualikan:staff-decision-new"),
        {
            "body": body.pk,
            "number": number,
            "year": "2026",
            "title": "tentang Pencabutan",
            "date_set": "2026-04-01",
            "place": "Jakarta",
            "signatory": "Ketua KPU",
            "revokes": revoked.pk,
            "revokes_whole": "on",
            "pdf": ContentFile(tiny_pdf(["Pencabutan"]), name="c.pdf"),
        },
    )


def test_a_kpu_provinsi_cannot_revoke_a_kpu_decision(client, ppid, make_record):
    record = make_record("published")  # under a KPU decision
    response = revoke(client, ppid, kalbar(), record.published_in, "3/PL/KPU-Prov/2026")
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["revokes"])
    assert "KPU" in message and KALBAR in message
    assert not Decision.objects.filter(revokes__isnull=False).exists()


def test_only_the_issuer_or_kpu_revokes_a_kpu_provinsi_decision(
    client, ppid, make_record, make_decision
):
    mine = make_decision(
        body=kalbar(), number="1/PL/KPU-Prov/2026", year=2026, date_set=datetime.date(2026, 3, 2)
    )
    make_record("published", decision=mine)
    other = jabar()
    with pytest.raises(workflow.WorkflowError) as refused:
        make_decision(
            body=other,
            number="9/PL/KPU-Jabar/2026",
            year=2026,
            date_set=datetime.date(2026, 4, 1),
            revokes=mine,
            revokes_whole=True,
        )
    assert "body" in refused.value.field_errors or "revokes" in refused.value.field_errors
    response = revoke(client, ppid, kalbar(), mine, "2/PL/KPU-Prov/2026")
    assert response.status_code == 302  # the issuer itself
    assert Decision.objects.get(number="2/PL/KPU-Prov/2026").revokes == mine


def test_kpu_revokes_a_kpu_provinsi_decision(client, ppid, make_record, make_decision):
    theirs = make_decision(
        body=kalbar(), number="1/PL/KPU-Prov/2026", year=2026, date_set=datetime.date(2026, 3, 2)
    )
    make_record("published", decision=theirs)
    response = revoke(client, ppid, kpu(), theirs, "Keputusan KPU Nomor 5 Tahun 2026")
    assert response.status_code == 302
    assert Decision.objects.get(number="Keputusan KPU Nomor 5 Tahun 2026").revokes == theirs


def test_the_public_decision_page_names_its_issuer(client, make_record):
    record = make_record("published")
    page = client.get(f"/keputusan/{record.published_in_id}/").content.decode()
    assert "Diterbitkan oleh" in page and KPU in page
