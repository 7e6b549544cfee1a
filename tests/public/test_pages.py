"""A page per decision and per published record; opened records stay findable; clear 404s."""

import datetime

from dikecualikan import workflow


def test_a_decision_page_lists_its_records_and_links_its_pdf(client, make_record):
    record = make_record("published", public_title="Surat keterangan kesehatan")
    decision = record.published_in
    page = client.get(f"/keputusan/{decision.pk}/").content.decode()
    assert decision.number in page and "Surat keterangan kesehatan" in page
    assert decision.pdf.url in page
    assert f"<title>{decision.issuer} {decision.number}" in page


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
        record=record, by=ppid, reason="expired", instrument="Putusan berkekuatan hukum tetap"
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
    record = make_record("archived", public_title="Dibuka oleh hasil uji")
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
