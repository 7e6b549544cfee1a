"""Each record page says where the record is in the SOP and who acts next."""

import re

import pytest
from django.urls import reverse


def page_of(client, user, record):
    client.force_login(user)
    return client.get(reverse("dikecualikan:staff-record", args=[record.pk])).content.decode()


def current_step(page):
    (current,) = re.findall(r'<li class="[^"]*" aria-current="step">(.*?)</li>', page, re.S)
    return current


@pytest.mark.parametrize(
    "state,step,who",
    [
        ("collected", "Dihimpun", "PPID"),
        ("awaiting_approval", "Dihimpun", "Pembina PPID"),
        ("approved", "Disetujui", "Desk Pelayanan Informasi"),
        ("archived", "Diarsipkan", "PPID"),
        ("published", "Diumumkan", "tidak ada, sampai jangka waktunya berakhir"),
    ],
)
def test_the_stepper_marks_the_current_step_and_the_panel_names_who_acts(
    client, make_record, ppid, state, step, who
):
    page = page_of(client, ppid, make_record(state))
    assert step in current_step(page)
    panel = page[page.index('class="next-panel"') :]
    assert who in panel[: panel.index("</section>")]


def test_an_opened_record_has_every_step_done_and_its_later_state_current(
    client, make_record, ppid
):
    page = page_of(client, ppid, make_record("opened"))
    assert page.count('class="done"') == 4 and "Dibuka" in current_step(page)


def test_a_returned_record_shows_the_approvers_note_at_the_top(client, make_record, ppid):
    record = make_record("returned")
    page = page_of(client, ppid, record)
    note = page.index("Perlu diperbaiki")
    assert note < page.index("<dl")  # above the record's facts
    assert "Dikembalikan oleh" in page and "Perbaiki klasifikasi sesuai catatan" in page


def test_waiting_for_me_says_what_to_do_the_longest_wait_first(client, make_record, ppid):
    first, second = make_record("collected"), make_record("collected")
    client.force_login(ppid)
    page = client.get(reverse("dikecualikan:dashboard")).content.decode()
    assert "Klasifikasikan: dasar pengecualian" in page
    assert page.index(f">{first.title}<") < page.index(f">{second.title}<")
