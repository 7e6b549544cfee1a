"""The approvers' admin, through the HTTP client: queue, verdict actions, nothing editable."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from dikecualikan.models import Approval, Record, Transition

CHANGELIST = reverse("admin:dikecualikan_record_changelist")


def change_url(record):
    return reverse("admin:dikecualikan_record_change", args=[record.pk])


def verdict_url(record, verdict):
    return reverse("admin:dikecualikan_record_verdict", args=[record.pk, verdict])


def act(client, verdict, record, **query):
    """Open the confirmation page of a verdict, as the record page's button does."""
    return client.get(verdict_url(record, verdict), query)


def confirm(client, verdict, record, note="", version=None):
    data = {"note": note, "version": record.version if version is None else version}
    return client.post(verdict_url(record, verdict), data, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_an_approver_lands_on_their_queue_after_signing_in(client, pembina):
    response = client.post(reverse("login"), {"username": "pembina", "password": "pw"})
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.url == CHANGELIST + "?antrean=saya"


def test_desk_staff_land_on_their_dashboard_after_signing_in(client, desk):
    client.post(reverse("login"), {"username": "desk", "password": "pw"})
    response = client.get(reverse("dikecualikan:after-login"))
    assert response.url == reverse("dikecualikan:dashboard")


def test_the_queue_shows_only_records_awaiting_this_approvers_verdict(client, make_record, pembina):
    waiting = make_record("awaiting_approval", title="Menunggu pembina")
    make_record("classified", title="Belum diajukan")
    judged = make_record("awaiting_approval", title="Sudah dinilai")
    from dikecualikan import workflow

    workflow.approve(record=judged, by=pembina)
    client.force_login(pembina)
    assert client.get(CHANGELIST).url == CHANGELIST + "?antrean=saya"
    page = client.get(CHANGELIST + "?antrean=saya").content.decode()
    assert "Menunggu pembina" in page
    assert "Belum diajukan" not in page and "Sudah dinilai" not in page
    assert "Belum diajukan" in client.get(CHANGELIST + "?antrean=semua").content.decode()
    assert waiting.pk


def test_the_queue_shows_each_record_s_state_and_wait_the_longest_wait_first(
    client, make_record, pembina
):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)):
        older = make_record(  # submitted on the day of its test (make_record's story)
            "awaiting_approval",
            title="Diajukan lebih dulu",
            classification={"test_date": datetime.date(2026, 11, 2)},
        )
    with time_machine.travel(datetime.datetime(2026, 11, 27, 9, tzinfo=datetime.UTC)):
        newer = make_record(
            "awaiting_approval",
            title="Diajukan kemudian",
            classification={"test_date": datetime.date(2026, 11, 27)},
        )
        # An edit later does not restart the wait: it counts from the submission.
        Record.objects.filter(pk=older.pk).update(updated_at=datetime.datetime.now(datetime.UTC))
    client.force_login(pembina)
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, tzinfo=datetime.UTC)):
        response = client.get(CHANGELIST + "?antrean=saya")
    page = response.content.decode()
    assert [r.pk for r in response.context["cl"].result_list] == [older.pk, newer.pk]
    assert "Menunggu persetujuan" in page and "awaiting_approval</td>" not in page
    assert ">1\xa0bulan</time>" in page and ">5\xa0hari</time>" in page
    assert 'title="2 November 2026' in page  # the date itself, in Pontianak time


def test_the_queue_costs_the_same_number_of_queries_for_5_and_for_40_records(
    client, make_record, pembina, django_assert_max_num_queries
):
    client.force_login(pembina)
    for _ in range(5):
        make_record("awaiting_approval")
    # 12, the second factor, the header count, the sites a minute (ppid.middleware: subsites)
    with django_assert_max_num_queries(15) as five:
        client.get(CHANGELIST + "?antrean=saya")
    for _ in range(35):
        make_record("awaiting_approval")
    with django_assert_max_num_queries(len(five.captured_queries)):
        response = client.get(CHANGELIST + "?antrean=saya")
    assert response.context["cl"].result_count == 40


def test_approving_asks_for_confirmation_then_calls_the_workflow(client, make_record, pembina):
    record = make_record("awaiting_approval")
    client.force_login(pembina)
    response = act(client, "approve", record)
    assert response.templates[0].name == "admin/dikecualikan/record/verdict.html"
    assert not Approval.objects.exists()  # the first post only asks
    response = confirm(client, "approve", record, note="Setuju")
    approval = Approval.objects.get()
    assert (approval.user, approval.verdict, approval.note) == (pembina, "approve", "Setuju")
    assert Transition.objects.filter(record=record, action="approve").count() == 1
    assert any(f"#{record.pk}" in m for m in messages_of(response))


def test_return_without_a_note_asks_again_and_changes_nothing(client, make_record, pembina):
    record = make_record("awaiting_approval")
    client.force_login(pembina)
    response = confirm(client, "return", record, note="")
    assert response.templates[0].name == "admin/dikecualikan/record/verdict.html"
    assert response.context["form"].errors["note"]
    assert Record.objects.get(pk=record.pk).state == "awaiting_approval"
    assert not Approval.objects.exists()


def test_return_with_a_note_sends_the_record_back(client, make_record, pertimbangan):
    record = make_record("awaiting_approval")
    client.force_login(pertimbangan)
    confirm(client, "return", record, note="Uji konsekuensi belum lengkap")
    record.refresh_from_db()
    assert record.state == "returned"
    assert record.transitions.last().note == "Uji konsekuensi belum lengkap"


def test_reject_with_a_note_closes_the_record_as_open_information(client, make_record, pembina):
    record = make_record("awaiting_approval")
    client.force_login(pembina)
    confirm(client, "reject", record, note="Tidak memenuhi Pasal 17")
    assert Record.objects.get(pk=record.pk).state == "rejected"


def test_a_stale_confirmation_is_refused_with_a_message(client, make_record, pembina, pertimbangan):
    record = make_record("awaiting_approval")
    client.force_login(pembina)
    act(client, "approve", record)
    opened_version = record.version
    from dikecualikan import workflow

    workflow.return_for_revision(record=record, by=pertimbangan, note="Dikembalikan dulu")
    response = confirm(client, "approve", record, version=opened_version)
    assert any(f"#{record.pk}" in m for m in messages_of(response))
    assert Record.objects.get(pk=record.pk).state == "returned"
    assert not Approval.objects.filter(user=pembina).exists()


def test_a_second_click_on_approve_is_refused_with_a_message(client, make_record, pembina):
    record = make_record("awaiting_approval")
    client.force_login(pembina)
    confirm(client, "approve", record)
    record.refresh_from_db()
    response = confirm(client, "approve", record)
    assert Approval.objects.count() == 1
    assert any(f"#{record.pk}" in m for m in messages_of(response))


@pytest.mark.parametrize("username", ["desk", "ppid", "atasan"])
def test_users_without_an_approving_role_cannot_give_verdicts(client, make_record, cast, username):
    record = make_record("awaiting_approval")
    client.force_login(cast[username])
    response = confirm(client, "approve", record, note="Coba")
    assert not Approval.objects.exists()
    assert Record.objects.get(pk=record.pk).state == "awaiting_approval"
    assert any(f"#{record.pk}" in m for m in messages_of(response))


def test_a_superuser_without_a_role_cannot_open_or_post_a_verdict(client, make_record, it_admin):
    record = make_record("awaiting_approval")
    client.force_login(it_admin)
    assert client.get(verdict_url(record, "approve")).status_code == 403
    response = client.post(verdict_url(record, "approve"), {"version": record.version})
    assert response.status_code == 403
    assert not Approval.objects.exists()


def test_the_record_page_is_read_only_with_history_and_verdict_buttons(
    client, make_record, pembina
):
    record = make_record("awaiting_approval", title="Berkas kesehatan calon")
    client.force_login(pembina)
    response = client.get(change_url(record))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Berkas kesehatan calon" in page
    assert 'name="title"' not in page and 'name="state"' not in page and "_save" not in page
    assert verdict_url(record, "approve") in page and verdict_url(record, "reject") in page
    assert response.context["inline_admin_formsets"]  # history, approvals, files, places


def test_desk_staff_see_the_record_page_without_verdict_buttons(client, make_record, desk):
    record = make_record("awaiting_approval")
    client.force_login(desk)
    page = client.get(change_url(record)).content.decode()
    assert verdict_url(record, "approve") not in page


def test_no_admin_path_adds_changes_or_deletes_a_record(client, make_record, it_admin):
    record = make_record("awaiting_approval")
    client.force_login(it_admin)  # even a superuser
    before = (record.state, record.version)
    post = client.post(change_url(record), {"title": "Diubah", "state": "published"})
    assert post.status_code == 403
    assert client.get(reverse("admin:dikecualikan_record_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:dikecualikan_record_delete", args=[record.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [record.pk]})
    record.refresh_from_db()
    assert (record.state, record.version) == before
    assert "delete_selected" not in client.get(CHANGELIST + "?antrean=semua").content.decode()


def test_history_rows_cannot_be_edited_in_the_admin(client, make_record, it_admin):
    record = make_record("classified")
    row = record.transitions.first()
    client.force_login(it_admin)
    url = reverse("admin:dikecualikan_transition_change", args=[row.pk])
    assert client.post(url, {"note": "dipalsukan"}).status_code == 403
    assert (
        client.post(
            reverse("admin:dikecualikan_transition_delete", args=[row.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Transition.objects.get(pk=row.pk).note == row.note


def test_the_register_filters_by_the_letter_of_pasal_17(client, make_record, desk):
    make_record("classified", title="Berkas kesehatan")  # classified on 17h2
    make_record("collected", title="Belum diklasifikasi")
    client.force_login(desk)
    page = client.get(CHANGELIST + "?pasal17=17h").content.decode()
    assert "Berkas kesehatan" in page and "Belum diklasifikasi" not in page
    assert "Berkas kesehatan" not in client.get(CHANGELIST + "?pasal17=17a").content.decode()


def test_the_record_page_shows_how_far_the_round_has_come(
    client, make_record, pembina, edit_office
):
    edit_office(approvals="pembina:1,tim_pertimbangan:2")
    record = make_record("awaiting_approval")
    from dikecualikan import workflow

    workflow.approve(record=record, by=pembina)
    client.force_login(pembina)
    page = client.get(change_url(record)).content.decode()
    assert "Pembina PPID: 1/1 · Tim Pertimbangan PPID: 0/2" in page


def test_the_admin_sign_in_is_the_one_sign_in_page_and_ends_on_the_queue(client, pembina):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    response = client.get(response.url)  # /admin/login/?next=/admin/
    assert response.url == reverse("login")
    response = client.post(response.url, {"username": "pembina", "password": "pw"})
    assert client.get(response.url).url == CHANGELIST + "?antrean=saya"


def test_a_deeper_admin_link_survives_the_sign_in(client, make_record, pembina):
    record = make_record("awaiting_approval")
    response = client.get(change_url(record))
    response = client.get(response.url)
    assert response.url == reverse("login") + "?next=" + change_url(record).replace("/", "%2F")
    response = client.post(response.url, {"username": "pembina", "password": "pw"})
    assert response.url == change_url(record)


def test_the_queue_offers_no_verdict_on_many_records_at_once(client, make_record, pembina):
    record = make_record("awaiting_approval")
    client.force_login(pembina)
    page = client.get(CHANGELIST + "?antrean=saya").content.decode()
    assert 'name="action"' not in page and "_selected_action" not in page
    # The old bulk path gives no verdict either.
    client.post(CHANGELIST, {"action": "approve_selected", "_selected_action": [record.pk]})
    assert not Approval.objects.exists()


def test_a_verdict_page_for_an_unknown_verdict_or_record_is_not_found(client, make_record, pembina):
    record = make_record("awaiting_approval")
    client.force_login(pembina)
    assert client.get(verdict_url(record, "setujui-semua")).status_code == 404
    assert (
        client.get(
            reverse("admin:dikecualikan_record_verdict", args=[99999, "approve"])
        ).status_code
        == 404
    )


def test_a_malformed_version_is_a_form_error_not_a_500(client, make_record, pembina):
    record = make_record("awaiting_approval")
    client.force_login(pembina)
    response = client.post(verdict_url(record, "approve"), {"note": "", "version": "abc"})
    assert response.status_code == 200 and response.context["form"].errors["version"]
    assert not Approval.objects.exists()


def test_the_admin_header_counts_what_waits_for_the_approver(client, make_record, pembina):
    make_record("awaiting_approval")
    make_record("awaiting_approval")
    client.force_login(pembina)
    page = client.get(CHANGELIST + "?antrean=saya").content.decode()
    assert "Menunggu saya (2)" in page and "/staf/#waiting" in page
