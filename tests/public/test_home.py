"""The public home page: the decisions and the current DIK, searchable, filterable, paged by key."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dikecualikan import office, workflow
from dikecualikan.dik import on_dik_rows
from dikecualikan.paging import PAGE_SIZE, keyset_page


def get(client, path="/", **params):
    return client.get(path, params)


def test_home_lists_the_published_decisions_and_records_and_nothing_else(client, make_record):
    published = make_record("published", public_title="Surat keterangan kesehatan bakal calon")
    make_record("decided", public_title="Belum diumumkan")
    page = get(client).content.decode()
    decision = published.published_in
    assert "Surat keterangan kesehatan bakal calon" in page
    assert decision.number in page and "21 Agustus 2025" in page
    assert "Belum diumumkan" not in page
    assert 'lang="id"' in page and "<title>Daftar Informasi Publik yang Dikecualikan" in page
    assert "<script" not in page  # works without JavaScript


def test_the_table_has_the_columns_of_the_dik(client, make_record):
    make_record("published")
    page = get(client).content.decode()
    for column in [
        "Informasi yang dikecualikan",
        "Unit penguasa",
        "Dasar pengecualian",
        "Konsekuensi bila dibuka",
        "Pertimbangan bila ditutup",
        "Jangka waktu",
        "Keputusan",
        "Status",
    ]:
        assert f">{column}<" in page, column


def test_the_table_and_the_filters_speak_the_visitors_language(client, make_record):
    make_record("published")
    assert ">Dasar pengecualian</th>" in get(client).content.decode()
    client.get(reverse("dikecualikan:language", args=["en"]))
    page = get(client).content.decode()
    assert ">Grounds for exemption</th>" in page and "<caption>DIK, version 1</caption>" in page
    assert '<option value="">All</option>' in page
    client.get(reverse("dikecualikan:language", args=["id"]))
    page = get(client).content.decode()
    assert ">Dasar pengecualian</th>" in page and "<caption>DIK, versi 1</caption>" in page


def test_a_row_cites_each_of_its_grounds_and_its_period(client, make_record):
    make_record(
        "published",
        classification={
            "grounds": ["17j", "17h2"],
            "statutes": "UU 14/2008 Pasal 17 huruf h angka 2 dan huruf j; UU 27/2022",
            **{"statute_type": "uu", "statute_number": "27", "statute_year": 2022},
            "statute_article": "Pasal 4",
            "period_type": "indefinite",
            "period_years": None,
        },
    )
    page = get(client).content.decode()
    cited = "Pasal 17 huruf h angka 2 UU 14/2008; Pasal 17 huruf j UU 14/2008"
    assert cited in page
    assert "<td>Tanpa batas waktu, kecuali yang bersangkutan memberikan persetujuan" in page


def test_text_typed_by_staff_is_shown_as_text_in_the_table(client, make_record):
    make_record(
        "published",
        public_title='<script>alert("x")</script> & <b>tebal</b>',
        classification={"harm": "<img src=x onerror=alert(1)> membuka data pribadi pemilih"},
        holding_unit='Divisi "Teknis" & Hukum',
    )
    page = get(client).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>tebal" not in page
    shown = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;tebal&lt;/b&gt;"
    assert shown in page
    assert "Divisi &quot;Teknis&quot; &amp; Hukum" in page


def test_a_record_with_two_matching_grounds_is_listed_once_under_the_filter(client, make_record):
    make_record("published", public_title="Dua dasar", classification={"grounds": ["17h2", "17h4"]})
    page = get(client, dasar="17h").content.decode()
    assert page.count(">Dua dasar</a>") == 1


def test_search_finds_records_by_a_word_of_their_public_fields(client, make_record):
    make_record("published", public_title="Surat keterangan kesehatan bakal calon")
    make_record("published", public_title="Dokumen penawaran pengadaan logistik")
    page = get(client, q="penawaran").content.decode()
    assert "Dokumen penawaran pengadaan logistik" in page
    assert "Surat keterangan kesehatan" not in page


@pytest.mark.postgres
def test_search_on_postgresql_understands_indonesian_word_forms(client, make_record):
    if connection.vendor != "postgresql":
        pytest.skip("full-text search with the indonesian configuration needs PostgreSQL")
    make_record("published", public_title="Surat keterangan kesehatan bakal calon")
    page = get(client, q="sehat").content.decode()  # stem of "kesehatan"
    assert "Surat keterangan kesehatan bakal calon" in page


def test_filters_narrow_the_list_by_ground_unit_and_year(client, make_record, published_records):
    make_record("published", public_title="Kesehatan calon")  # 17h2, Divisi Teknis, 2025
    published_records(2, unit="Subbagian Keuangan", code="17b")
    assert "Kesehatan calon" in get(client, dasar="17h").content.decode()
    assert "Kesehatan calon" not in get(client, dasar="17b").content.decode()
    assert "Informasi massal" in get(client, unit="Subbagian Keuangan").content.decode()
    assert "Kesehatan calon" not in get(client, unit="Subbagian Keuangan").content.decode()
    assert "Kesehatan calon" in get(client, tahun="2025").content.decode()


def test_the_filters_offer_the_lists_values_and_keep_what_the_visitor_chose(client, make_record):
    make_record("published", holding_unit='Divisi "Hukum" & Pengawasan')
    page = get(client, dasar="17h", tahun="2025", q='<b>"calon"</b>').content.decode()
    assert '<option value="17h" selected>17h: ' in page
    assert '<option value="2025" selected>2025</option>' in page
    assert '<option value="Divisi &quot;Hukum&quot; &amp; Pengawasan">' in page
    assert 'value="&lt;b&gt;&quot;calon&quot;&lt;/b&gt;"' in page
    assert page.count('<label for="id_unit">Unit penguasa</label>') == 1
    page = get(client, unit='Divisi "Hukum" & Pengawasan').content.decode()
    assert '<option value="Divisi &quot;Hukum&quot; &amp; Pengawasan" selected>' in page


def test_pages_go_forward_back_and_to_the_last_by_key(client, published_records):
    records = published_records(120)
    size = PAGE_SIZE
    first = get(client).context["page"]
    assert [r.pk for r in first["rows"]] == [r.pk for r in records[:size]]
    second = get(client, setelah=first["next"]).context["page"]
    assert second["rows"][0].pk == records[size].pk and second["previous"] == records[size].pk
    last = get(client, halaman="akhir").context["page"]
    assert [r.pk for r in last["rows"]] == [r.pk for r in records[-size:]]
    assert last["next"] is None and last["previous"] == records[-size].pk
    back = get(client, sebelum=last["previous"]).context["page"]
    assert [r.pk for r in back["rows"]] == [r.pk for r in records[-2 * size : -size]]


@pytest.mark.parametrize(
    "params",
    [
        {"setelah": "abc"},
        {"setelah": "-5"},
        {"sebelum": "99999999999999999999999"},
        {"halaman": "9999"},
        {"tahun": "tahun"},
        {"dasar": "17z"},
        {"unit": "<script>"},
    ],
)
def test_forged_page_and_filter_parameters_give_a_sane_page(client, published_records, params):
    published_records(3)
    response = get(client, **params)
    assert response.status_code == 200
    assert len(response.context["page"]["rows"]) in (0, 3)


@pytest.mark.parametrize(
    "text",
    [
        "x" * 10_000,
        "'; DROP TABLE dikecualikan_record; --",
        "\u202e\u0000\ufeff𝕂𝕖𝕤𝕖𝕙𝕒𝕥𝕒𝕟",
        '" OR 1=1 --',
        "kesehatan & | ! ( ) :*",
    ],
)
def test_odd_searches_get_an_answer_not_an_error(client, published_records, text):
    published_records(2)
    assert get(client, q=text).status_code == 200


def test_head_and_a_json_accept_header_get_sane_answers(client, make_record):
    make_record("published")
    head = client.head("/")
    assert head.status_code == 200 and head.content == b""
    assert client.get("/", HTTP_ACCEPT="application/json").status_code == 200
    assert client.post("/").status_code == 405


def test_home_costs_the_same_number_of_queries_for_5_and_for_200_records(
    client, published_records, django_assert_max_num_queries
):
    published_records(5)
    with django_assert_max_num_queries(10) as small:
        get(client)
    published_records(195)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(get(client, halaman="akhir").context["page"]["rows"]) == PAGE_SIZE


def test_an_unchanged_list_answers_304_and_a_publication_refreshes_it(
    client, make_record, ppid, django_capture_on_commit_callbacks
):
    make_record("published", public_title="Yang pertama")
    first = get(client)
    assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert first["Last-Modified"]
    decision = make_record.decision()
    make_record("decided", decision=decision, public_title="Yang kedua")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish_decision(decision=decision, by=ppid)
    second = get(client)
    assert second["ETag"] != first["ETag"]
    assert "Yang kedua" in second.content.decode()
    assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_table_counts_its_rows_from_one_and_a_later_page_goes_on_counting(
    client, published_records
):
    records = published_records(30)
    first = client.get("/").content.decode()
    assert f'<tr><td>1</td><td><a href="/informasi/{records[0].pk}/"' in first
    assert "<tr><td>25</td>" in first and "<tr><td>26</td>" not in first
    second = client.get(f"/?setelah={records[24].pk}").content.decode()
    assert f'<tr><td>26</td><td><a href="/informasi/{records[25].pk}/"' in second
    assert "<tr><td>30</td>" in second


def test_a_later_page_counts_the_rows_before_it_once_per_version_of_the_list(
    client, published_records, ppid, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_CACHE_SECONDS = 0  # every request builds its page
    records = published_records(30)
    later = f"/?setelah={records[24].pk}"
    with CaptureQueriesContext(connection) as first:
        assert f'<tr><td>26</td><td><a href="/informasi/{records[25].pk}/"' in (
            client.get(later).content.decode()
        )
    # Counting reads every row before the page (100,000 at the end of a long list): the
    # next visitor of the same version gets the number without it.
    with CaptureQueriesContext(connection) as again:
        client.get(later)
    counts = [[q for q in run.captured_queries if "COUNT(" in q["sql"]] for run in (first, again)]
    assert [len(found) for found in counts] == [1, 0]
    with django_capture_on_commit_callbacks(execute=True):  # the new version's stamp
        workflow.open_record(
            record=records[0], by=ppid, reason="consent", instrument="Surat persetujuan tertulis"
        )
    page = client.get(later).content.decode()
    assert f'<tr><td>25</td><td><a href="/informasi/{records[25].pk}/"' in page


def test_a_filtered_later_page_counts_only_the_rows_the_filter_keeps(client, published_records):
    kept = published_records(30, unit="Divisi Hukum dan Pengawasan")
    published_records(10, unit="Divisi Teknis Penyelenggaraan")
    page = get(client, unit="Divisi Hukum dan Pengawasan", setelah=kept[24].pk).content.decode()
    assert f'<tr><td>26</td><td><a href="/informasi/{kept[25].pk}/"' in page


def test_a_search_and_a_later_page_reuse_the_page_around_the_list_and_show_their_own_rows(
    client, published_records, make_record, settings
):
    settings.PUBLIC_CACHE_SECONDS = 0  # every request builds its page
    published_records(30)
    make_record("published", public_title="Notulen rapat pleno tertutup")
    assert "Notulen rapat pleno tertutup" not in get(client).content.decode()
    # The header, the decisions and the filters' options were made for the first visitor;
    # the next one's search reads only the rows it finds.
    with CaptureQueriesContext(connection) as searched:
        page = get(client, q="Notulen").content.decode()
    assert "Notulen rapat pleno tertutup" in page and "<tr><td>2</td>" not in page
    [rows] = searched.captured_queries
    assert rows["sql"].startswith('SELECT "dikecualikan_record"."id" AS "pk"')
    assert '<input type="search" name="q" id="id_q" value="Notulen"' in page
    # The language switcher brings each visitor back to their own page.
    assert 'href="/bahasa/en/?next=/%3Fq%3DNotulen"' in page
    assert 'href="/bahasa/en/?next=/"' in get(client).content.decode()


def test_the_page_around_the_list_follows_a_publication_the_offices_name_and_the_language(
    client, make_record, ppid, edit_office, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_CACHE_SECONDS = 0
    first = make_record("published")
    assert first.published_in.number in get(client).content.decode()
    decision = make_record.decision()
    make_record("decided", decision=decision)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish_decision(decision=decision, by=ppid)
    assert decision.number in get(client).content.decode()
    edit_office(name="KPU Kota Pontianak (nama baru)")
    assert "PPID KPU Kota Pontianak (nama baru)</a>" in get(client).content.decode()
    client.get(reverse("dikecualikan:language", args=["en"]))
    page = get(client).content.decode()
    assert '<html lang="en">' in page and "Published decisions" in page
    assert "Grounds for exemption" in page and decision.number in page


def test_a_refused_filter_titles_its_page_an_error_and_the_next_page_is_not(client, make_record):
    make_record("published")
    refused = get(client, tahun="dua ribu").content.decode()
    assert "<title>Kesalahan: Daftar Informasi Publik" in refused
    assert "<title>Daftar Informasi Publik" in get(client).content.decode()


def test_a_signed_in_person_gets_their_own_header_on_the_home_page_and_visitors_do_not(
    client, make_record, ppid
):
    make_record("published")
    assert "Keluar" not in get(client).content.decode()
    client.force_login(ppid)
    page = get(client).content.decode()
    assert "Keluar" in page and f"<span>{ppid.get_full_name() or ppid.username}</span>" in page
    client.logout()
    page = get(client).content.decode()
    assert "Keluar" not in page and "Masuk petugas" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements of PostgreSQL")
def test_on_postgresql_the_lists_query_is_planned_once_per_connection_and_not_on_request(
    client, published_records, settings
):
    settings.PUBLIC_CACHE_SECONDS = 0
    records = published_records(30)

    def prepared_lists():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall() if '"dikecualikan_record"' in row[0]]

    for _ in range(6):  # psycopg prepares a query the connection sent 5 times
        assert "<tr><td>25</td>" in get(client).content.decode()
    assert len(prepared_lists()) == 1
    for _ in range(6):  # a later page: the same query with its own cursor's value apart
        page = get(client, setelah=records[24].pk).content.decode()
        assert f'<tr><td>26</td><td><a href="/informasi/{records[25].pk}/"' in page
    assert len(prepared_lists()) == 2
    settings.DATABASE_PREPARED_LISTS = False  # DATABASE_PREPARED=0, for a pooler
    for _ in range(6):
        assert f"/informasi/{records[-1].pk}/" in get(client, halaman="akhir").content.decode()
    assert len(prepared_lists()) == 2


def test_the_unfiltered_list_from_sql_compiled_once_is_djangos_own_on_every_page(
    published_records,
):
    records = published_records(60)
    shape = ("dik", office.current().pk)
    for params in [
        {},
        {"setelah": records[24].pk},
        {"sebelum": records[50].pk},
        {"halaman": "akhir"},
    ]:
        compiled = [keyset_page(on_dik_rows(), params, shape=shape) for _ in range(2)]
        assert compiled[0] == compiled[1] == keyset_page(on_dik_rows(), params), params
        assert len(compiled[0]["rows"]) == PAGE_SIZE
        # Read as Django reads them: a date is a date on SQLite too.
        assert isinstance(compiled[0]["rows"][0].published_in__date_set, datetime.date)
    assert compiled[0]["rows"][-1].pk == records[-1].pk
