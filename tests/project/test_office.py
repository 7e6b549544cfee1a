"""The office is asked in one place (dikecualikan/office.py): its name, town and time zone on
every page, paper and mail, and no template writes "Pontianak" or "WIB" itself."""

import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_otp.plugins.otp_totp.models import TOTPDevice

from dikecualikan import office, pdf, workflow
from dikecualikan.models import Record

from ..conftest import totp_code
from ..dikecualikan.test_pdf import MEMO, SUBMITTED, body, has, prepared, rendered, text_of
from .test_security import sign_in

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture
def makassar(edit_office):
    """An office in another town and zone, as its administrator sets it up in the admin."""
    return edit_office(
        name="KPU Kota Makassar",
        place="Makassar",
        address="Jl. Andi Pangeran Pettarani No. 1 Makassar",
        phone="(0411) 000000",
        email="kota_makassar@kpu.go.id",
        province="Sulawesi Selatan",
        logo="",  # the shipped emblem spells out KPU Kota Pontianak
        time_zone="Asia/Makassar",
    )


def test_no_template_writes_the_offices_town_or_time_zone_itself():
    written = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:80]}"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.suffix in {".html", ".txt", ".xml", ".svg"}
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"Pontianak|\bWIB\b", line)
    ]
    assert written == []


def test_the_default_office_is_kpu_kota_pontianak_writing_its_times_in_wib(db):
    here = office.current()
    assert (here.name, here.place, here.province) == (
        "KPU Kota Pontianak",
        "Pontianak",
        "Kalimantan Barat",
    )
    assert (here.time_zone, here.zone) == ("Asia/Pontianak", "WIB")
    assert here.logo_url == "/static/img/logo-ppid.svg" and here.ppid_name == ""


@pytest.mark.parametrize(
    "zone, abbreviation",
    [
        ("Asia/Jakarta", "WIB"),
        ("Asia/Pontianak", "WIB"),
        ("Asia/Makassar", "WITA"),
        ("Asia/Jayapura", "WIT"),
    ],
)
def test_each_zone_of_indonesia_is_written_as_the_office_writes_it(zone, abbreviation):
    assert office.Office(time_zone=zone).zone == abbreviation


def test_an_office_elsewhere_dates_its_consequence_test_sheet_from_its_own_town(
    client, make_record, ppid, makassar
):
    record = make_record("classified")
    Record.objects.filter(pk=record.pk).update(test_place="")  # the place left to the office
    client.force_login(ppid)
    response = client.get(reverse("dikecualikan:staff-record-test-pdf", args=[record.pk]))
    text, _pages = text_of(response.content)
    assert has(text, "Makassar, 1 Agustus 2025") and "Pontianak" not in text
    assert has(text, "KPU KOTA MAKASSAR") and has(text, "kota_makassar@kpu.go.id")  # letterhead


def test_an_office_elsewhere_signs_its_memo_and_its_dik_from_its_own_town(
    client, make_record, ppid, worker, makassar
):
    record = make_record("published")
    worker()
    client.force_login(ppid)
    memo, _pages = text_of(body(prepared(client, worker, f"{MEMO}?tanggal={SUBMITTED}")))
    assert has(memo, f"Makassar, {date_format(SUBMITTED, 'j F Y')}")
    dik, _pages = text_of(body(rendered(client, worker)))
    signed = date_format(timezone.localtime(record.published_at), "j F Y")
    assert has(dik, f"Makassar, {signed}") and "Pontianak" not in dik


def test_an_office_elsewhere_prints_its_access_report_in_its_own_zone(makassar):
    now = timezone.now()
    text, _pages = text_of(
        pdf.render_pdf("pdf/access_report.html", {"now": now, "rows": [], "count": 0})
    )
    printed = date_format(timezone.localtime(now), "j F Y H.i")
    assert has(text, f"dicetak {printed} WITA") and "WIB" not in text


def test_the_sign_in_pause_names_the_time_in_the_offices_zone(
    client, pembina, settings, edit_office
):
    import time_machine

    edit_office(time_zone="Asia/Jayapura")
    moment = datetime.datetime(2026, 12, 2, 2, 0, tzinfo=datetime.UTC)  # 11.00 in Jayapura
    with time_machine.travel(moment, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "pembina", "salah")
        page = sign_in(client, "pembina", "pw").content.decode()
    assert "Coba lagi mulai pukul 11.15 WIT, 2 Desember 2026." in page


def test_the_admin_header_the_second_factor_and_the_authenticator_name_the_office(
    client, desk, atasan, sign_in_halfway, makassar
):
    client.force_login(atasan)
    admin = client.get(reverse("admin:index")).content.decode()
    assert "PPID KPU Kota Makassar: informasi yang dikecualikan" in admin
    client.logout()
    totp_code(desk)  # the person has an authenticator app
    sign_in_halfway(client, desk)
    page = client.get(reverse("second-factor")).content.decode()
    assert "kode yang ditampilkannya untuk PPID KPU Kota Makassar." in page
    device = TOTPDevice(user=desk, name="Ponsel")
    assert "issuer=PPID%20KPU%20Kota%20Makassar" in device.config_url


def test_mail_is_signed_by_the_office(
    make_record, ppid, pembina, django_capture_on_commit_callbacks, makassar
):
    record = make_record("classified")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(record=record, by=ppid)
    (message,) = [m for m in mail.outbox if pembina.email in m.to]
    assert "-- PPID KPU Kota Makassar" in message.body


def test_a_retest_proposes_the_offices_town_when_the_record_names_none(
    client, make_record, ppid, makassar
):
    record = make_record("published")
    Record.objects.filter(pk=record.pk).update(test_place="")
    client.force_login(ppid)
    page = client.get(reverse("dikecualikan:staff-record-retest", args=[record.pk]))
    assert page.context["form"]["test_place"].initial == "Makassar"


def test_a_ppid_name_the_office_configured_signs_the_dik(
    client, make_record, ppid, worker, edit_office
):
    edit_office(ppid_name="Dra. Siti Aminah, M.Si.")
    make_record("published")
    worker()
    text, _pages = text_of(body(rendered(client, worker)))
    assert has(text, "Dra. Siti Aminah, M.Si.")
