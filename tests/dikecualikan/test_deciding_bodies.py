"""Only KPU, or KPU Provinsi by delegation, decides: the register's table of deciding bodies."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from dikecualikan import workflow
from dikecualikan.management.commands.seed_demo import tiny_pdf
from dikecualikan.models import DecidingBody, Decision

KPU = "Komisi Pemilihan Umum"
KALBAR = "Komisi Pemilihan Umum Provinsi Kalimantan Barat"


def enter(ppid, body, **fields):
    values = {
        "number": "Keputusan Komisi Pemilihan Umum Nomor 1 Tahun 2026",
        "year": 2026,
        "title": "tentang Daftar Informasi Publik yang Dikecualikan",
        "date_set": datetime.date(2026, 3, 2),
        "pdf": ContentFile(tiny_pdf(["Keputusan"]), name="k.pdf"),
        **fields,
    }
    return workflow.create_decision(by=ppid, body=body, **values)


def test_the_table_holds_kpu_and_kpu_provinsi_by_delegation_with_their_dates(db):
    kpu, kalbar = DecidingBody.objects.get(name=KPU), DecidingBody.objects.get(name=KALBAR)
    assert (kpu.by_delegation, kalbar.by_delegation) == (False, True)
    assert kalbar.decides_from == datetime.date(2025, 12, 29) and "PKPU 4/2025" in kalbar.basis


def test_a_decision_by_a_deciding_body_is_entered_under_its_name(ppid):
    decision = enter(ppid, DecidingBody.objects.get(name=KPU))
    assert (decision.body.name, decision.issuer) == (KPU, KPU)
    assert str(decision) == "Keputusan Komisi Pemilihan Umum Nomor 1 Tahun 2026"


@pytest.mark.parametrize("issuer", ["KPU Kota Pontianak", "KPU RI", "", None])
def test_an_issuer_typed_freely_is_refused(ppid, issuer):
    with pytest.raises(workflow.WorkflowError) as refused:
        enter(ppid, issuer)
    assert "body" in refused.value.field_errors
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "name", ["KPU Kota Pontianak", "KPU Kabupaten Kubu Raya", "PPID KPU Kota Pontianak"]
)
def test_a_body_that_only_proposes_cannot_decide_even_if_someone_put_it_in_the_table(ppid, name):
    body = DecidingBody.objects.create(
        name=name, decides_from=datetime.date(2010, 1, 1), basis="(tidak ada)"
    )
    with pytest.raises(workflow.WorkflowError) as refused:
        enter(ppid, body)
    assert "PKPU 22/2023" in refused.value.field_errors["body"]
    assert not Decision.objects.exists()


def test_a_decision_dated_before_its_body_could_decide_cites_the_rule(ppid):
    kalbar = DecidingBody.objects.get(name=KALBAR)
    with pytest.raises(workflow.WorkflowError) as refused:
        enter(ppid, kalbar, date_set=datetime.date(2025, 6, 2), year=2025)
    message = refused.value.field_errors["date_set"]
    assert "29 Desember 2025" in message and "PKPU 4/2025" in message and "2 Juni 2025" in message
    assert enter(ppid, kalbar).body == kalbar  # 2 March 2026: after the delegation


def test_a_decision_dated_in_the_future_or_with_another_year_is_refused(ppid):
    kpu = DecidingBody.objects.get(name=KPU)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(workflow.WorkflowError) as future:
        enter(ppid, kpu, date_set=tomorrow, year=tomorrow.year)
    assert "date_set" in future.value.field_errors
    with pytest.raises(workflow.WorkflowError) as year:
        enter(ppid, kpu, year=2025)
    assert "2026" in year.value.field_errors["year"]
    assert not Decision.objects.exists()


def test_the_staff_form_offers_only_the_table_and_explains_a_refusal_beside_the_field(client, ppid):
    client.force_login(ppid)
    url = reverse("dikecualikan:staff-decision-new")
    page = client.get(url).content.decode()
    assert KPU in page and KALBAR in page and "Kota Pontianak</option>" not in page
    kalbar = DecidingBody.objects.get(name=KALBAR)
    response = client.post(
        url,
        {
            "body": kalbar.pk,
            "number": "Keputusan KPU Provinsi Kalimantan Barat Nomor 5 Tahun 2025",
            "year": "2025",
            "title": "tentang DIK",
            "date_set": "2025-06-02",
        },
    )
    assert response.status_code == 200
    assert "29 Desember 2025" in " ".join(response.context["form"].errors["date_set"])
    assert not Decision.objects.exists()


def test_the_admin_refuses_to_add_a_body_that_only_proposes(client, ppid):
    client.force_login(ppid)
    response = client.post(
        reverse("admin:dikecualikan_decidingbody_add"),
        {"name": "KPU Kota Pontianak", "decides_from": "2024-01-01", "basis": "SOP 3/2025"},
    )
    assert response.status_code == 200 and "PKPU 22/2023" in response.content.decode()
    assert not DecidingBody.objects.filter(name="KPU Kota Pontianak").exists()


def test_the_public_decision_page_names_its_issuer(client, make_record):
    record = make_record("published")
    page = client.get(f"/keputusan/{record.published_in_id}/").content.decode()
    assert "Diterbitkan oleh" in page and KPU in page
