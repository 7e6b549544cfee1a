"""Public search reads every published field of a row: also the consequence if opened and
the consideration for withholding, on SQLite (words as substrings) and on PostgreSQL
(full-text, Indonesian), in as many queries for a long list as for a short one."""

from dikecualikan.paging import PAGE_SIZE


def titles_found(client, text: str) -> list[str]:
    rows = client.get("/", {"q": text}).context["page"]["rows"]
    return [row.public_title for row in rows]


def test_search_finds_a_word_of_the_published_consequence(client, make_record):
    make_record(
        "published",
        public_title="Daftar pemilih dengan NIK lengkap",
        classification={"harm": "Membukanya memudahkan pemalsuan identitas pemilih."},
    )
    make_record("published", public_title="Surat keterangan kesehatan bakal calon")
    assert titles_found(client, "pemalsuan") == ["Daftar pemilih dengan NIK lengkap"]


def test_search_finds_a_word_of_the_published_consideration(client, make_record):
    make_record(
        "published",
        public_title="Rekaman rapat pleno tertutup",
        classification={"balancing": "Perlindungan privasi peserta rapat lebih berat."},
    )
    make_record("published", public_title="Surat keterangan kesehatan bakal calon")
    assert titles_found(client, "privasi") == ["Rekaman rapat pleno tertutup"]


def test_each_word_may_come_from_another_published_field(client, make_record):
    make_record(
        "published",
        public_title="Rekaman rapat pleno tertutup",
        classification={"harm": "Membukanya memudahkan pemalsuan identitas pemilih."},
    )
    assert titles_found(client, "rekaman pemalsuan") == ["Rekaman rapat pleno tertutup"]
    assert titles_found(client, "rekaman tidakada") == []


def test_an_unpublished_records_consequence_is_never_searched(client, make_record):
    make_record(
        "decided",
        public_title="Belum diumumkan",
        classification={"harm": "Membukanya memudahkan pemalsuan identitas pemilih."},
    )
    assert titles_found(client, "pemalsuan") == []


def test_a_search_costs_the_same_queries_for_5_and_for_200_records(
    client, published_records, django_assert_max_num_queries
):
    published_records(5)
    with django_assert_max_num_queries(10) as small:
        client.get("/", {"q": "Pertimbangan"})
    published_records(195)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/", {"q": "Pertimbangan", "halaman": "akhir"})
    assert response.status_code == 200 and len(response.context["page"]["rows"]) <= PAGE_SIZE
