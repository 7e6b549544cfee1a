"""Steps that cannot be undone go through a page that says what happens and who is told."""

import pytest
from django.urls import reverse

from dikecualikan import workflow
from dikecualikan.models import Record
from tests.conftest import pdf_file


def test_submitting_is_confirmed_first_and_the_confirmation_submits(client, make_record, ppid):
    record = make_record("classified")
    url = reverse("dikecualikan:staff-record-submit", args=[record.pk])
    client.force_login(ppid)
    page = client.get(url).content.decode()
    assert "Yang akan terjadi" in page and "Pembina PPID" in page and "putaran 1" in page
    assert 'class="button-confirm">Ajukan persetujuan<' in page
    assert Record.objects.get(pk=record.pk).state == "classified"  # nothing done by looking
    response = client.post(url, {"version": record.version}, follow=True)
    assert Record.objects.get(pk=record.pk).state == "awaiting_approval"
    assert "Selanjutnya: Pembina PPID, Tim Pertimbangan PPID memberikan putusan" in (
        response.content.decode()
    )


def test_a_confirmation_the_person_cannot_use_sends_them_back_with_why(client, make_record, desk):
    record = make_record("classified")
    client.force_login(desk)
    response = client.get(reverse("dikecualikan:staff-record-submit", args=[record.pk]))
    assert response.status_code == 302
    assert response.url == reverse("dikecualikan:staff-record", args=[record.pk])


def test_archiving_is_confirmed_first(client, make_record, desk, location):
    record = make_record("approved")
    workflow.upload_softcopy(record=record, by=desk, file=pdf_file())
    workflow.place_hardcopy(record=record, by=desk, location=location)
    url = reverse("arsip:archive", args=[record.pk])
    client.force_login(desk)
    page = client.get(url).content.decode()
    assert "Arsipkan entri #" in page and 'class="button-confirm">Arsipkan entri<' in page
    client.post(url, {"version": Record.objects.get(pk=record.pk).version})
    assert Record.objects.get(pk=record.pk).state == "archived"


def test_publishing_a_decision_is_confirmed_first_with_who_is_told(client, make_record, ppid):
    record = make_record("decided")
    decision = record.decision_items.get().decision
    url = reverse("dikecualikan:staff-decision-publish", args=[decision.pk])
    client.force_login(ppid)
    page = client.get(url).content.decode()
    assert "1 entri yang dikecualikannya masuk ke DIK publik" in page
    assert "Atasan PPID (melalui surel)" in page and "tidak dapat dibatalkan" in page
    assert 'class="button-confirm">Umumkan keputusan<' in page
    assert not Record.objects.get(pk=record.pk).published_at
    client.post(url)
    assert Record.objects.get(pk=record.pk).state == "published"


def test_opening_a_record_names_the_action_on_its_button(client, make_record, ppid):
    record = make_record("published")
    client.force_login(ppid)
    page = client.get(reverse("dikecualikan:staff-record-open", args=[record.pk])).content.decode()
    assert 'class="button-confirm">Buka entri<' in page and "tidak dapat dibatalkan" in page


# --- Each irreversible step: its page says what happens and who is told, named after it;
# a role that never takes it is refused at once (403); a step not possible yet is not shown.


def confirms(page, button):
    """The page is a confirmation: what happens, who is told, and a button named `button`."""
    assert "Yang akan terjadi" in page and "Yang diberi tahu" in page
    assert f'class="button-confirm">{button}<' in page
    assert ">Simpan<" not in page


def staff_url(name, obj, query=""):
    return reverse(f"dikecualikan:{name}", args=[obj.pk]) + query


def test_closing_as_open_information_is_confirmed_first(client, make_record, ppid):
    record = make_record("classified", classification={"test_conclusion": "open"})
    url = staff_url("staff-record-close-open", record)
    client.force_login(ppid)
    record_page = client.get(staff_url("staff-record", record)).content.decode()
    assert f'href="{url}"' in record_page and f'action="{url}"' not in record_page
    confirms(client.get(url).content.decode(), "Tutup sebagai informasi terbuka")
    assert Record.objects.get(pk=record.pk).state == "classified"  # nothing done by looking
    client.post(url, {"version": Record.objects.get(pk=record.pk).version})
    assert Record.objects.get(pk=record.pk).state == "rejected"


def test_closing_as_open_is_refused_at_once_to_the_desk_and_not_offered_on_an_exempt_test(
    client, make_record, desk, ppid
):
    record = make_record("classified", classification={"test_conclusion": "open"})
    client.force_login(desk)
    assert client.get(staff_url("staff-record-close-open", record)).status_code == 403
    exempt = make_record("classified")
    client.force_login(ppid)
    response = client.get(staff_url("staff-record-close-open", exempt))
    assert response.status_code == 302 and response.url == staff_url("staff-record", exempt)


def listed_under_a_published_decision(make_record, desk, location):
    published = make_record("published").published_in
    record = make_record("listed", decision=published)
    workflow.upload_softcopy(record=record, by=desk, file=pdf_file(text="DPT"))
    workflow.place_hardcopy(record=record, by=desk, location=location)
    return workflow.archive(record=record, by=desk)


def test_publishing_a_listed_record_is_confirmed_first(client, make_record, desk, location):
    record = listed_under_a_published_decision(make_record, desk, location)
    url = staff_url("staff-record-publish-listed", record)
    client.force_login(desk)
    page = client.get(url).content.decode()
    confirms(page, "Umumkan berdasarkan keputusannya")
    assert "versi daftar yang baru" in page
    assert Record.objects.get(pk=record.pk).state == "decided"
    client.post(url, {"version": Record.objects.get(pk=record.pk).version})
    assert Record.objects.get(pk=record.pk).state == "published"


def test_publishing_a_listed_record_is_refused_to_the_atasan_and_not_before_archiving(
    client, make_record, atasan, desk, location
):
    record = listed_under_a_published_decision(make_record, desk, location)
    client.force_login(atasan)
    assert client.get(staff_url("staff-record-publish-listed", record)).status_code == 403
    not_yet = make_record("listed", decision=record.decision_items.get().decision)
    client.force_login(desk)
    response = client.get(staff_url("staff-record-publish-listed", not_yet))
    assert response.status_code == 302


def test_the_request_to_kpu_is_confirmed_on_its_page(client, make_record, ppid, desk):
    record = make_record("archived")
    url = staff_url("staff-record-request", record)
    client.force_login(desk)
    assert client.get(url).status_code == 403  # at once, not after filling the letter in
    client.force_login(ppid)
    page = client.get(url).content.decode()
    confirms(page, "Ajukan ke KPU")
    assert "entri menunggu keputusan KPU" in page
    early = client.get(staff_url("staff-record-request", make_record("approved")))
    assert early.status_code == 302  # not archived yet: the request cannot happen


def test_withdrawing_from_a_decision_is_confirmed_on_its_page(client, make_record, ppid, desk):
    record = make_record("decided")
    url = staff_url("staff-record-withdraw", record)
    client.force_login(desk)
    assert client.get(url).status_code == 403
    client.force_login(ppid)
    confirms(client.get(url).content.decode(), "Tarik dari keputusan")
    response = client.post(url, {"version": record.version, "note": "Salah entri"})
    assert response.status_code == 302
    assert Record.objects.get(pk=record.pk).state == "requested"
    in_no_decision = make_record("archived")
    assert client.get(staff_url("staff-record-withdraw", in_no_decision)).status_code == 302


def test_opening_and_retesting_are_refused_at_once_to_the_desk(client, make_record, desk):
    record = make_record("published")
    client.force_login(desk)
    assert client.get(staff_url("staff-record-open", record)).status_code == 403
    assert client.get(staff_url("staff-record-retest", record)).status_code == 403


def fresh_objection(make_record, by):
    """An objection received today: its answer is due in 30 working days, not lapsed."""
    from django.utils import timezone

    from tests.conftest import receive_objection

    today = timezone.localdate()
    return receive_objection(by, [make_record("published")], received_on=today)


def test_the_answer_to_an_objection_is_confirmed_on_its_page(client, make_record, atasan, ppid):
    objection = fresh_objection(make_record, ppid)
    url = staff_url("staff-objection-answer", objection)
    client.force_login(ppid)
    assert client.get(url).status_code == 403
    client.force_login(atasan)
    detail = client.get(staff_url("staff-objection", objection)).content.decode()
    assert f'href="{url}"' in detail and "jawaban-outcome" not in detail  # a link, no form
    page = client.get(url).content.decode()
    confirms(page, "Catat tanggapan")
    record = objection.records.get()
    assert f"#{record.pk} {record.public_title}" in page and "dibuka sejak" in page


def test_an_answered_objection_offers_no_second_answer(client, make_record, atasan, ppid):
    objection = fresh_objection(make_record, ppid)
    today = objection.received_on
    workflow.answer_objection(
        objection=objection,
        by=atasan,
        outcome="refused",
        number="02/PPID/XII/2026",
        answered_on=today,
        reasons="Pengecualian tetap berlaku.",
    )
    client.force_login(atasan)
    response = client.get(staff_url("staff-objection-answer", objection))
    assert response.status_code == 302
    assert response.url == staff_url("staff-objection", objection)


def test_a_ruling_is_not_offered_before_the_answer_or_its_lapse(
    client, make_record, atasan, ppid, desk
):
    objection = fresh_objection(make_record, ppid)
    url = staff_url("staff-objection-ruling", objection)
    client.force_login(desk)
    assert client.get(url).status_code == 403
    client.force_login(atasan)
    detail = client.get(staff_url("staff-objection", objection)).content.decode()
    assert f'href="{url}"' not in detail and "Belum ada putusan" in detail
    assert client.get(url).status_code == 302
    workflow.answer_objection(
        objection=objection,
        by=atasan,
        outcome="refused",
        number="03/PPID/XII/2026",
        answered_on=objection.received_on,
        reasons="Pengecualian tetap berlaku.",
    )
    detail = client.get(staff_url("staff-objection", objection)).content.decode()
    assert f'href="{url}"' in detail
    page = client.get(url).content.decode()
    confirms(page, "Catat putusan")
    assert "Hanya Atasan PPID yang mencatat putusan seperti itu" in page


@pytest.mark.parametrize(
    "name,state,username",
    [
        ("staff-record-edit", "collected", "atasan"),
        ("staff-record-classify", "collected", "desk"),
        ("staff-record-link", "collected", "atasan"),
        ("staff-record-request", "archived", "desk"),
        ("staff-record-withdraw", "decided", "desk"),
        ("staff-record-open", "published", "desk"),
        ("staff-record-retest", "published", "atasan"),
        ("staff-record-close-open", "classified", "desk"),
        ("staff-record-publish-listed", "decided", "atasan"),
    ],
)
def test_a_form_the_person_s_role_never_uses_answers_403_at_once(
    client, make_record, cast, name, state, username
):
    record = make_record(state)
    client.force_login(cast[username])
    response = client.get(staff_url(name, record))
    assert response.status_code == 403
    assert "Tidak diizinkan" in response.content.decode()  # the friendly page


def test_a_decision_s_forms_answer_403_at_once_to_a_role_that_never_uses_them(
    client, make_record, desk, atasan
):
    record = make_record("decided")
    decision = record.decision_items.get().decision
    client.force_login(atasan)
    assert client.get(staff_url("staff-decision-publish", decision)).status_code == 403
    client.force_login(desk)
    add = reverse("dikecualikan:staff-decision-add", args=[decision.pk, record.pk])
    assert client.get(add).status_code == 403
