"""The staff pages: dashboard, register, record page, and the forms of SOP steps 1 and 2."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dikecualikan import workdays, workflow
from dikecualikan.models import Record

DASHBOARD = reverse("dikecualikan:dashboard")
RECORDS = reverse("dikecualikan:staff-records")
NEW = reverse("dikecualikan:staff-record-new")


def url(name, record):
    return reverse(f"dikecualikan:{name}", args=[record.pk])


def test_the_dashboard_counts_records_by_state_and_shows_what_waits_for_me(
    client, make_record, ppid
):
    make_record("collected", title="Perlu diklasifikasi")
    make_record("awaiting_approval", title="Menunggu pembina")
    client.force_login(ppid)
    response = client.get(DASHBOARD)
    counts = dict(response.context["counts"])
    assert (counts["collected"], counts["awaiting_approval"]) == (1, 1)
    waiting = [r.title for r in response.context["waiting"]]
    assert waiting == ["Perlu diklasifikasi"]  # the PPID has nothing to do on the other


def test_the_dashboard_shows_hardcopies_out_past_their_due_date(client, make_record, desk):
    record = make_record("archived")
    workflow.check_out_hardcopy(
        record=record,
        by=desk,
        holder="Sdr. Anton",
        purpose="Periksa",
        due_date=timezone.localdate() + datetime.timedelta(days=1),
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):  # it is late now
        client.force_login(desk)
        assert "Sdr. Anton" in client.get(DASHBOARD).content.decode()


def test_the_staff_pages_are_for_sop_roles_only(client, make_record, it_admin):
    record = make_record("collected")
    client.force_login(it_admin)
    for path in (DASHBOARD, RECORDS, NEW, url("staff-record", record)):
        assert client.get(path).status_code == 403, path
    client.logout()
    assert client.get(DASHBOARD).url.startswith(reverse("login"))


def test_desk_collects_a_record_on_the_dik_form(client, desk):
    client.force_login(desk)
    form = client.get(NEW).context["form"]
    data = {
        "title": "Berkas internal",
        "public_title": "Informasi publik",
        "holding_unit": "Divisi Hukum",
        "document_type": "Memorandum",
        "token": form["token"].initial,
    }
    response = client.post(NEW, data)
    record = Record.objects.get()
    assert response.url == url("staff-record", record)
    assert (record.state, record.created_by) == ("collected", desk)


def test_the_same_dik_form_posted_twice_creates_one_record_and_says_so(client, desk):
    client.force_login(desk)
    data = {
        "title": "Berkas",
        "public_title": "Informasi",
        "holding_unit": "Unit",
        "document_type": "Jenis",
        "token": "satu-formulir",
    }
    client.post(NEW, data)
    response = client.post(NEW, data, follow=True)
    assert Record.objects.count() == 1
    assert any("sudah" in str(m) or "already" in str(m) for m in response.context["messages"])


def test_a_dik_form_with_empty_fields_shows_errors_beside_them_and_keeps_the_input(client, desk):
    client.force_login(desk)
    response = client.post(
        NEW,
        {
            "title": "Ada judul",
            "public_title": "",
            "holding_unit": "",
            "document_type": "X",
            "token": "t",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"public_title", "holding_unit"}
    assert "Ada judul" in response.content.decode()
    assert not Record.objects.exists()


def test_approvers_cannot_open_the_dik_form(client, pembina):
    client.force_login(pembina)
    assert client.get(NEW).status_code == 403


def test_the_ppid_classifies_through_the_form(client, make_record, ppid, pertimbangan, desk):
    record = make_record("collected")
    client.force_login(ppid)
    page = client.get(url("staff-record-classify", record))
    # The officials to choose are the users holding a role, by name, as checkboxes.
    choices = [str(label) for _pk, label in page.context["form"].fields["test_officials"].choices]
    assert "pertimbangan" in choices and "desk" in choices and "ppid" not in choices
    assert page.context["form"]["concerns_public_office"].value() is None  # asked, not assumed
    response = client.post(
        url("staff-record-classify", record),
        {
            "grounds": ["17h2"],
            "test_scope": "Rincian hasil pemeriksaan kesehatan bakal calon",
            "statutes": "UU 14/2008 Pasal 17 huruf h angka 2",
            "harm": "Mengungkap kondisi kesehatan bakal calon kepada publik",
            "public_interest": "Kelayakan calon perlu diawasi oleh publik",
            "balancing": "Kesimpulan kelayakan diumumkan, rincian medis tetap dilindungi",
            "test_conclusion": "exempt",
            "concerns_public_office": "False",
            "period_type": "fixed",
            "period_years": "5",
            "test_officials": [pertimbangan.pk],
            "test_experts": "Dr. Yusuf Hamdani, dosen hukum Universitas Tanjungpura",
            "test_date": "2025-08-01",
            "test_place": "Pontianak",
            "version": page.context["form"]["version"].initial,
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == "classified" and record.period_years == 5
    assert record.test_participants.splitlines()[1:] == [
        "pertimbangan, Tim Pertimbangan PPID",
        "Dr. Yusuf Hamdani, dosen hukum Universitas Tanjungpura",
    ]
    page = client.get(url("staff-record-classify", record))
    assert page.context["form"]["concerns_public_office"].value() is False  # answered then
    assert page.context["form"]["test_officials"].value() == [pertimbangan.pk]


def test_an_indefinite_period_on_17a_is_shown_beside_the_period_field(client, make_record, ppid):
    record = make_record("collected")
    client.force_login(ppid)
    response = client.post(
        url("staff-record-classify", record),
        {
            "grounds": ["17a1"],
            "statutes": "UU 14/2008",
            "harm": "H",
            "public_interest": "P",
            "balancing": "B",
            "period_type": "indefinite",
            "version": record.version,
        },
    )
    assert response.status_code == 200
    assert "17a1" in " ".join(response.context["form"].errors["period_type"])
    assert Record.objects.get(pk=record.pk).state == "collected"


def test_a_stale_edit_form_is_refused_and_keeps_the_other_change(client, make_record, desk, ppid):
    record = make_record("collected")
    client.force_login(desk)
    version = client.get(url("staff-record-edit", record)).context["form"]["version"].initial
    workflow.edit(record=record, by=ppid, title="Diubah PPID")
    response = client.post(
        url("staff-record-edit", record),
        {
            "title": "Versi desk",
            "public_title": "P",
            "holding_unit": "U",
            "document_type": "D",
            "version": version,
        },
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert Record.objects.get(pk=record.pk).title == "Diubah PPID"


def test_the_record_page_offers_exactly_the_steps_this_user_may_take(client, make_record, cast):
    record = make_record("classified")
    client.force_login(cast["ppid"])
    page = client.get(url("staff-record", record)).content.decode()
    assert url("staff-record-submit", record) in page
    assert url("staff-record-classify", record) in page
    client.force_login(cast["desk"])
    page = client.get(url("staff-record", record)).content.decode()
    assert url("staff-record-submit", record) not in page
    assert url("staff-record-classify", record) not in page


def test_submitting_from_the_record_page(client, make_record, ppid):
    record = make_record("classified")
    client.force_login(ppid)
    client.post(url("staff-record-submit", record), {"version": record.version})
    assert Record.objects.get(pk=record.pk).state == "awaiting_approval"


@pytest.mark.parametrize("username", ["desk", "pembina", "admin"])
def test_a_submit_posted_by_someone_who_may_not_changes_nothing(
    client, make_record, cast, username
):
    record = make_record("classified")
    client.force_login(cast[username])
    response = client.post(url("staff-record-submit", record), {"version": record.version})
    assert Record.objects.get(pk=record.pk).state == "classified"
    assert response.status_code in (302, 403)


def test_a_get_on_a_transition_url_changes_nothing(client, make_record, ppid):
    record = make_record("classified")
    client.force_login(ppid)
    # A step that asks for confirmation shows its page on a GET, and only that (closing as
    # open is not possible on this record: the page sends the person back to it).
    assert client.get(url("staff-record-close-open", record)).status_code == 302
    assert client.get(url("staff-record-submit", record)).status_code == 200
    assert Record.objects.get(pk=record.pk).state == "classified"


def test_the_record_page_shows_its_timeline_and_approvals(client, make_record, ppid, pembina):
    record = make_record("awaiting_approval")
    workflow.approve(record=record, by=pembina, note="Setuju, lengkap")
    client.force_login(ppid)
    page = client.get(url("staff-record", record)).content.decode()
    assert "Setuju, lengkap" in page and "Dihimpun melalui formulir DIK" in page


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"state": "collected"},
        {"q": "berkas"},
        {"q": "%_'\\\u202e"},
        {"setelah": "x"},
        {"halaman": "akhir"},
        {"tahun": "99999"},
        {"urut": "lama"},
        {"dasar": "17h"},
    ],
)
def test_the_register_lists_filters_and_pages_without_errors(client, make_record, desk, params):
    make_record("collected", title="Berkas satu")
    make_record("classified", title="Berkas dua")
    client.force_login(desk)
    assert client.get(RECORDS, params).status_code == 200


def test_staff_pages_cost_a_fixed_number_of_queries(
    client, make_record, ppid, django_assert_max_num_queries
):
    records = [make_record("awaiting_approval") for _ in range(3)]
    client.force_login(ppid)
    counted = {}
    for path in (DASHBOARD, RECORDS, url("staff-record", records[0])):
        with django_assert_max_num_queries(30) as queries:
            client.get(path)
        counted[path] = len(queries.captured_queries)
    more = [make_record("awaiting_approval") for _ in range(12)]
    for path in (DASHBOARD, RECORDS, url("staff-record", more[-1])):
        key = path if path != url("staff-record", more[-1]) else url("staff-record", records[0])
        with django_assert_max_num_queries(counted[key]):
            client.get(path)


def test_the_dashboard_shows_the_collection_period_and_what_is_late(client, make_record, ppid):
    from dikecualikan.models import CollectionPeriod

    late = make_record("collected", title="Belum diklasifikasi")
    make_record("classified", title="Sudah diklasifikasi")
    collected = timezone.localdate(late.created_at)  # the day of make_record's story
    CollectionPeriod.objects.create(
        name="Pemutakhiran DIK 2026",
        starts_on=collected - datetime.timedelta(days=14),
        collect_by=collected + datetime.timedelta(days=6),
    )
    client.force_login(ppid)
    response = client.get(DASHBOARD)
    page = response.content.decode()
    assert "Pemutakhiran DIK 2026" in page
    assert [r.title for r in response.context["late"]] == ["Belum diklasifikasi"]


def test_within_the_deadline_nothing_is_late_and_the_days_left_are_shown(client, make_record, desk):
    from dikecualikan.models import CollectionPeriod

    today = timezone.localdate()
    make_record("collected")
    CollectionPeriod.objects.create(
        name="Putaran", starts_on=today, collect_by=today + datetime.timedelta(days=13)
    )
    client.force_login(desk)
    response = client.get(DASHBOARD)
    # Counted in working days (weekends and national holidays do not count).
    expected = workdays.working_days_between(today, today + datetime.timedelta(days=13))
    assert 7 <= expected <= 10
    assert response.context["days_left"] == expected and list(response.context["late"]) == []


def test_the_register_filters_by_decision(client, make_record, desk):
    record = make_record("published", title="Dalam keputusan")
    make_record("archived", title="Belum ada keputusan")
    client.force_login(desk)
    page = client.get(RECORDS, {"keputusan": record.published_in.pk}).content.decode()
    assert "Dalam keputusan" in page and "Belum ada keputusan" not in page


def test_what_waits_for_the_desk_comes_from_the_workflow_table(client, make_record, desk):
    make_record("approved", title="Siap diarsipkan")
    make_record("collected", title="Menunggu klasifikasi PPID")
    client.force_login(desk)
    waiting = [r.title for r in client.get(DASHBOARD).context["waiting"]]
    assert waiting == ["Siap diarsipkan"]  # the PPID, not the desk, classifies
    # archive (a proposal approved, or an item listed under a decision in force), publish
    assert workflow.waiting_states(desk) == {"approved", "listed", "decided"}


def test_a_record_of_the_next_period_is_not_late_for_the_one_before(make_record):
    from dikecualikan.models import CollectionPeriod

    today = timezone.localdate()
    record = make_record("collected")
    collected = timezone.localdate(record.created_at)  # in the second period
    earlier = CollectionPeriod.objects.create(
        name="Putaran 1",
        starts_on=collected - datetime.timedelta(days=40),
        collect_by=collected - datetime.timedelta(days=30),
    )
    CollectionPeriod.objects.create(
        name="Putaran 2",
        starts_on=collected - datetime.timedelta(days=10),
        collect_by=collected + datetime.timedelta(days=1),
    )
    assert list(earlier.late_records()) == []
    assert list(CollectionPeriod.objects.current(today).late_records()) == [record]


def test_the_ppid_requests_kpus_decision_from_the_record_page_and_the_dashboard_waits(
    client, make_record, ppid, desk
):
    record = make_record("archived")
    client.force_login(desk)
    assert "ajukan-kpu" not in client.get(url("staff-record", record)).content.decode()
    client.force_login(ppid)
    page = client.get(url("staff-record", record)).content.decode()
    request_url = reverse("dikecualikan:staff-record-request", args=[record.pk])
    assert request_url in page
    form = client.get(request_url).content.decode()
    assert "KPU Provinsi Kalimantan Barat, untuk diteruskan kepada KPU" in form
    response = client.post(
        request_url,
        {
            "version": record.version,
            "letter_number": "145/PP.01-SD/6171/2025",
            "letter_date": "2025-09-01",
            "addressee": "KPU Provinsi Kalimantan Barat, untuk diteruskan kepada KPU",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.state, record.request_number) == ("requested", "145/PP.01-SD/6171/2025")
    dashboard = client.get(DASHBOARD)
    assert [r.pk for r in dashboard.context["with_kpu"]] == [record.pk]
    assert record.pk not in [r.pk for r in dashboard.context["waiting"]]  # KPU acts now
    assert "1 September 2025" in dashboard.content.decode()


def test_a_request_without_a_letter_number_is_explained_beside_the_field(client, make_record, ppid):
    record = make_record("archived")
    client.force_login(ppid)
    response = client.post(
        reverse("dikecualikan:staff-record-request", args=[record.pk]),
        {"version": record.version, "letter_number": "", "letter_date": "2025-09-01"},
    )
    assert response.status_code == 200 and response.context["form"].errors["letter_number"]
    assert Record.objects.get(pk=record.pk).state == "archived"


def test_the_dashboard_offers_only_the_buttons_the_role_can_use(client, pembina, desk, ppid):
    new_record = reverse("dikecualikan:staff-record-new")
    new_decision = reverse("dikecualikan:staff-decision-new")
    client.force_login(pembina)
    assert new_record not in client.get(DASHBOARD).content.decode()
    assert new_decision not in client.get(reverse("dikecualikan:staff-decisions")).content.decode()
    client.force_login(desk)
    assert new_record in client.get(DASHBOARD).content.decode()
    client.force_login(ppid)
    assert new_decision in client.get(reverse("dikecualikan:staff-decisions")).content.decode()
