"""Open data: /dik.csv and /dik.json with exactly the contract fields, and dated versions."""

import csv
import io
import json
from types import SimpleNamespace

from django.db import connection

from dikecualikan import workflow
from dikecualikan.dik import OPEN_DATA_FIELDS
from dikecualikan.history import drop_published_triggers
from dikecualikan.models import Decision, Record

CONTRACT = [
    "nomor",
    "informasi",
    "unit_penguasa",
    "dasar_pengecualian",
    "dasar_hukum",
    "konsekuensi_bila_dibuka",
    "pertimbangan_bila_ditutup",
    "jangka_waktu",
    "keputusan_nomor",
    "keputusan_tanggal",
    "status",
    "keputusan_penerbit",  # appended after status (issue "Who decides")
    "berakhir",  # appended after keputusan_penerbit (issue "Exemptions end")
]


def body(response):
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_contract_fields_are_the_ones_in_the_design():
    assert OPEN_DATA_FIELDS == CONTRACT


def test_dik_csv_has_the_contract_columns_in_a_stable_order_in_utf8(client, make_record):
    first = make_record("published", public_title="Surat keterangan kesehatan — bakal calon")
    second = make_record("published")
    response = client.get("/dik.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(body(response))))
    assert list(rows[0]) == CONTRACT
    assert [int(r["nomor"]) for r in rows] == [first.pk, second.pk]
    row = rows[0]
    assert row["informasi"] == "Surat keterangan kesehatan — bakal calon"
    assert row["dasar_pengecualian"] == "17h2"
    assert row["keputusan_tanggal"] == "2025-08-21"
    # A 17h period carries the Pasal 18(2) exceptions in its words.
    assert row["jangka_waktu"] == (
        "5 (lima) tahun sejak tanggal keputusan, kecuali yang bersangkutan memberikan "
        "persetujuan tertulis dan/atau informasi berkaitan dengan posisinya dalam jabatan "
        "publik (UU 14/2008 Pasal 18 ayat (2))"
    )
    assert row["status"] == "dikecualikan"
    assert row["keputusan_penerbit"] == "Komisi Pemilihan Umum"
    assert row["berakhir"] == "2030-08-21"  # five years from the decision of 21 August 2025


def test_dik_json_has_the_same_items(client, make_record):
    record = make_record("published")
    data = json.loads(body(client.get("/dik.json")))
    assert data["versi"] == 1 and data["tanggal"].endswith("+07:00")
    (item,) = data["items"]
    assert list(item) == CONTRACT
    assert item["nomor"] == record.pk and item["keputusan_nomor"] == record.published_in.number


def test_the_exports_are_linked_from_home(client, make_record):
    make_record("published")
    page = client.get("/").content.decode()
    assert 'href="/dik.csv"' in page and 'href="/dik.json"' in page


def test_an_empty_list_exports_just_the_header(client, db):
    assert body(client.get("/dik.csv")).strip() == ",".join(CONTRACT)
    assert json.loads(body(client.get("/dik.json")))["items"] == []


def test_each_publication_and_opening_makes_a_version_that_stays_downloadable(
    client, make_record, ppid
):
    kept = make_record("published", public_title="Tetap dikecualikan")
    opened = make_record("published", public_title="Kemudian dibuka")
    workflow.open_record(
        record=opened, by=ppid, reason="consent", instrument="Surat persetujuan tertulis 1 Mei 2026"
    )
    response = client.get("/dik/riwayat/")
    assert "Surat persetujuan tertulis 1 Mei 2026" in response.content.decode()
    versions = response.context["versions"]
    assert [(v.number, v.added, v.opened) for v in versions] == [(3, 0, 1), (2, 1, 0), (1, 1, 0)]
    at_two = [
        r["informasi"] for r in csv.DictReader(io.StringIO(body(client.get("/dik/riwayat/2.csv"))))
    ]
    assert at_two == ["Tetap dikecualikan", "Kemudian dibuka"]
    now = json.loads(body(client.get("/dik/riwayat/3.json")))
    assert [i["informasi"] for i in now["items"]] == ["Tetap dikecualikan"]
    assert [i["informasi"] for i in json.loads(body(client.get("/dik.json")))["items"]] == [
        "Tetap dikecualikan"
    ]
    assert kept.pk
    assert client.get("/dik/riwayat/9.csv").status_code == 404
    assert client.get("/dik/riwayat/1.xml").status_code == 404


def test_a_cell_that_would_start_a_formula_is_prefixed_in_the_csv_and_exact_in_the_json(
    client, make_record
):
    texts = {
        "informasi": '=HYPERLINK("http://contoh.example/","klik")',
        "unit_penguasa": "+62 Divisi Teknis",
        "dasar_hukum": "-UU 14/2008 Pasal 17",
        "konsekuensi_bila_dibuka": "@SUM(A1:A9) menjumlahkan semua sel dalam lembar kerja",
        "pertimbangan_bila_ditutup": "\tdiawali tab",
        "keputusan_nomor": "\r1/HM.02-Kpt/05/KPU/VIII/2025",
    }
    record = make_record(
        "published",
        public_title=texts["informasi"],
        holding_unit=texts["unit_penguasa"],
        classification={
            "statutes": texts["dasar_hukum"],
            "harm": texts["konsekuensi_bila_dibuka"],
        },
    )
    # The workflow strips leading whitespace; text from elsewhere (an import by the tables'
    # owner, past the trigger that keeps a published record) may still have it.
    with connection.cursor() as cursor:
        drop_published_triggers(
            SimpleNamespace(connection=connection, execute=cursor.execute), Record
        )
    Record.objects.filter(pk=record.pk).update(balancing=texts["pertimbangan_bila_ditutup"])
    Decision.objects.filter(pk=record.published_in_id).update(number=texts["keputusan_nomor"])
    (row,) = csv.DictReader(io.StringIO(body(client.get("/dik.csv"))))
    assert {field: row[field] for field in texts} == {f: f"'{t}" for f, t in texts.items()}
    assert row["status"] == "dikecualikan" and row["keputusan_tanggal"] == "2025-08-21"
    (item,) = json.loads(body(client.get("/dik.json")))["items"]
    assert {field: item[field] for field in texts} == texts
