"""A page per decision and per published record; opened records stay findable; clear 404s."""

import datetime

from dikecualikan import workflow


def test_a_decision_page_lists_its_records_and_links_its_pdf(client, make_record):
    record = make_record("published", public_title="Surat keterangan kesehatan")
    decision = record.published_in
    page = client.get(f"/keputusan/{decision.pk}/").content.decode()
    assert decision.number in page and "Surat keterangan kesehatan" in page
    assert f'href="/keputusan/{decision.pk}/naskah.pdf"' in page
    assert f"<title>{decision}" in page and "Komisi Pemilihan Umum" in page


def test_an_unpublished_decision_is_not_found(client, make_record, make_decision):
    decision = make_decision()
    make_record("decided", decision=decision)
    response = client.get(f"/keputusan/{decision.pk}/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_a_record_page_shows_the_public_fields_and_when_the_period_ends(client, make_record):
    record = make_record("published", public_title="Surat keterangan kesehatan")
    page = client.get(f"/informasi/{record.pk}/").content.decode()
    assert "Surat keterangan kesehatan" in page
    assert "UU 14/2008 Pasal 17 huruf h angka 2" in page
    assert "21 Agustus 2030" in page  # five years from the decision of 21 August 2025


def test_records_not_on_the_dik_have_no_public_page(client, make_record):
    for state in ("collected", "approved", "archived", "decided", "rejected"):
        record = make_record(state)
        assert client.get(f"/informasi/{record.pk}/").status_code == 404, state
    assert client.get("/informasi/999999/").status_code == 404


def test_an_opened_record_stays_findable_with_its_date_and_reason(client, make_record, ppid):
    record = make_record("published", public_title="Identitas saksi perkara selesai")
    workflow.open_record(
        record=record, by=ppid, reason="consent", instrument="Surat persetujuan tertulis"
    )
    listing = client.get("/dibuka/").content.decode()
    assert "Identitas saksi perkara selesai" in listing
    today = datetime.date.today()
    assert str(today.year) in listing
    page = client.get(f"/informasi/{record.pk}/").content.decode()
    assert "Identitas saksi perkara selesai" in page
    assert "Identitas saksi perkara selesai" not in client.get("/").content.decode()


def test_a_record_opened_before_publication_is_not_listed_as_no_longer_exempt(
    client, make_record, make_decision, ppid
):
    record = make_record("requested", public_title="Dibuka oleh hasil uji")
    workflow.record_decision(decision=make_decision(), record=record, outcome="open", by=ppid)
    assert "Dibuka oleh hasil uji" not in client.get("/dibuka/").content.decode()


def test_detail_pages_cost_a_fixed_number_of_queries(
    client, published_records, django_assert_max_num_queries
):
    records = published_records(5)
    decision = records[0].published_in
    with django_assert_max_num_queries(8) as small:
        client.get(f"/keputusan/{decision.pk}/")
    published_records(150, decision=decision)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(f"/keputusan/{decision.pk}/")
    with django_assert_max_num_queries(8):
        client.get("/dik/riwayat/")
    with django_assert_max_num_queries(8):
        client.get("/dibuka/")


def test_a_published_decisions_pdf_is_served_by_the_app_and_a_drafts_is_not(
    client, make_record, make_decision, ppid
):
    # Production runs gunicorn alone (DEBUG off here too): the app serves the PDF itself.
    published = make_record("published").published_in
    response = client.get(f"/keputusan/{published.pk}/naskah.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="keputusan-{published.pk}.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == published.pdf.open("rb").read()
    draft = make_decision()
    assert draft.pdf and client.get(f"/keputusan/{draft.pk}/naskah.pdf").status_code == 404
    assert client.get(f"/staf/keputusan/{draft.pk}/naskah.pdf").status_code == 302  # sign in
    client.force_login(ppid)
    response = client.get(f"/staf/keputusan/{draft.pk}/naskah.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    page = client.get(f"/staf/keputusan/{draft.pk}/").content.decode()
    assert f'href="/staf/keputusan/{draft.pk}/naskah.pdf"' in page


def test_the_app_serves_its_own_stylesheets_with_debug_off(client, db):
    # Production runs gunicorn alone: without this the public pages would have no style.
    from django.conf import settings

    assert not settings.DEBUG
    page = client.get("/").content.decode()
    assert '<link rel="stylesheet" href="/static/css/site.css">' in page
    response = client.get("/static/css/site.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    assert b".site-header" in b"".join(response.streaming_content)
    assert response["Cache-Control"] == "max-age=3600, public"
    assert client.get("/static/admin/css/base.css").status_code == 200  # the approvers' too
    assert client.get("/static/css/nothing.css").status_code == 404


def test_a_decision_page_names_where_it_was_set_and_who_signed_it(
    client, make_record, make_decision
):
    decision = make_decision(place="Jakarta", signatory="Mochammad Afifuddin, Ketua KPU")
    record = make_record("published", decision=decision)
    page = client.get(f"/keputusan/{record.published_in_id}/").content.decode()
    assert "Jakarta, 21 Agustus 2025" in page
    assert "Ditandatangani oleh" in page
    assert "Mochammad Afifuddin, Ketua KPU" in page


def test_the_home_page_says_kpu_decided_the_list_not_the_office(client, make_record):
    make_record("published")
    page = client.get("/").content.decode()
    assert "telah ditetapkan KPU sebagai informasi yang dikecualikan" in page
    assert "dikecualikan oleh KPU Kota Pontianak" not in page


def test_the_public_page_writes_its_legal_numbers_in_figures_and_in_words(client, make_record):
    record = make_record("published")
    page = client.get(f"/informasi/{record.pk}/").content.decode()
    assert "30 (tiga puluh) hari kerja" in page and "14 (empat belas) hari kerja" in page
    assert "5 (lima) tahun" in page  # the period, as legal text writes it
