"""The approvers' admin in the office's language: history rows with labels and names, the
stock strings translated, "Belum ada" for an empty table, titles that say what the page is."""

import re

from django.urls import reverse

from dikecualikan.models import Transition

CHANGELIST = reverse("admin:dikecualikan_record_changelist")


def change_url(record):
    return reverse("admin:dikecualikan_record_change", args=[record.pk])


def text_of(response):
    """The page as a person reads it: tags removed, spaces collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_history_row_reads_as_what_happened_and_who_did_it(client, make_record, pembina):
    record = make_record("awaiting_approval")
    client.force_login(pembina)
    page = text_of(client.get(change_url(record)))
    assert "Diklasifikasi oleh ppid" in page
    assert "Diajukan untuk persetujuan oleh ppid" in page
    assert "collected" not in page and "awaiting_approval" not in page
    assert "→ classified" not in page


def test_a_step_that_keeps_the_state_says_so_once_instead_of_naming_it_twice(
    client, make_record, pembina, pertimbangan
):
    from dikecualikan import workflow

    record = make_record("awaiting_approval")
    workflow.approve(record=record, by=pembina)
    client.force_login(pertimbangan)
    page = text_of(client.get(change_url(record)))
    assert "Disetujui oleh pembina" in page
    assert "Menunggu persetujuan (tetap)" in page
    assert "Menunggu persetujuan → Menunggu persetujuan" not in page


def test_the_history_list_names_states_by_their_labels(client, make_record, pembina):
    make_record("awaiting_approval")
    client.force_login(pembina)
    page = text_of(client.get(reverse("admin:dikecualikan_transition_changelist")))
    assert "Diklasifikasi → Menunggu persetujuan" in page
    assert "awaiting_approval" not in page


def test_a_history_entry_s_own_name_is_in_words(make_record):
    record = make_record("classified")
    row = Transition.objects.filter(record=record).last()
    assert str(row) == "Diklasifikasi oleh ppid (PPID)"


def test_empty_file_hardcopy_and_decision_tables_say_none_yet(client, make_record, pembina):
    record = make_record("awaiting_approval")
    client.force_login(pembina)
    html = client.get(change_url(record)).content.decode()
    # Approvals, files, hardcopy places and decisions: none yet.
    assert html.count('<p class="empty-inline">Belum ada</p>') >= 4
    # No empty column header (Django's tabular inline has two) and no English label.
    assert "<th></th>" not in html and '<th class="original"></th>' not in html
    assert "Added at" not in html and "ADDED AT" not in html


def test_a_decision_s_records_are_dated_in_indonesian(client, make_record, pembina):
    record = make_record("published")
    client.force_login(pembina)
    page = text_of(client.get(change_url(record)))
    assert "Ditambahkan pada" in page
    assert "added" not in page.lower().replace("added on", "")


def test_the_queue_is_titled_my_approval_queue(client, make_record, pembina):
    make_record("awaiting_approval")
    client.force_login(pembina)
    html = client.get(CHANGELIST + "?antrean=saya").content.decode()
    assert "<h1>Antrean persetujuan saya</h1>" in html
    assert "<title>Antrean persetujuan saya |" in html


def test_a_record_page_is_titled_with_its_number_and_title(client, make_record, pembina):
    record = make_record("awaiting_approval", title="Berkas seleksi calon")
    client.force_login(pembina)
    html = client.get(change_url(record)).content.decode()
    assert f"<h1>Entri #{record.pk} — Berkas seleksi calon</h1>" in html
    assert "Lihat entri informasi dikecualikan" not in html


def test_no_screen_reader_header_reads_django_s_stock_words(client, make_record, pembina):
    make_record("awaiting_approval")
    client.force_login(pembina)
    for url in (reverse("admin:index"), CHANGELIST + "?antrean=saya"):
        html = client.get(url).content.decode()
        assert "Rubah atau tampilkan tautan kunjungan" not in html
        assert "Nama model" not in html and "Tambah tautan" not in html
        assert '<th scope="col">Tautan untuk membuka daftar</th>' in html
