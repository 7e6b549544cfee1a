"""/dik.xlsx: the CSV's columns and cells as an Excel sheet, beside the CSV (whose bytes stay).

The workbook is read back with the standard library only (zipfile and ElementTree): it is
a zip of XML parts, and the test needs no spreadsheet library of its own.
"""

import csv
import io
import zipfile
from types import SimpleNamespace
from xml.etree import ElementTree

from django.db import connection

from dikecualikan import workflow
from dikecualikan.dik import OPEN_DATA_FIELDS
from dikecualikan.history import drop_published_triggers
from dikecualikan.models import Record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def sheet_rows(response) -> list[list]:
    """Return the first sheet's rows as lists of cells: text as str, numbers as int."""
    workbook = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    shared = []
    if "xl/sharedStrings.xml" in workbook.namelist():
        strings = ElementTree.fromstring(workbook.read("xl/sharedStrings.xml"))
        shared = ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in strings]
    sheet = ElementTree.fromstring(workbook.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{MAIN}row"):
        cells = {}
        for cell in row.iter(f"{MAIN}c"):
            column = ord(cell.get("r")[0]) - ord("A")  # the DIK has fewer than 26 columns
            kind = cell.get("t")
            if kind == "inlineStr":
                value = "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
            elif kind == "s":
                value = shared[int(cell.find(f"{MAIN}v").text)]
            else:
                value = int(float(cell.find(f"{MAIN}v").text))
            assert cell.find(f"{MAIN}f") is None  # no cell is ever a formula
            cells[column] = value
        rows.append([cells.get(i, "") for i in range(len(OPEN_DATA_FIELDS))])
    return rows


def csv_rows(client, path="/dik.csv") -> list[dict]:
    body = b"".join(client.get(path).streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


def test_dik_xlsx_has_the_csv_columns_and_rows_as_a_download(client, make_record):
    first = make_record("published", public_title="Surat keterangan kesehatan — bakal calon")
    second = make_record("published", holding_unit="Subbagian Keuangan")
    response = client.get("/dik.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="dik.xlsx"'
    header, *rows = sheet_rows(response)
    assert header == OPEN_DATA_FIELDS
    assert [row[0] for row in rows] == [first.pk, second.pk]  # nomor is a number
    expected = csv_rows(client)
    for row, line in zip(rows, expected, strict=True):
        assert {field: str(cell) for field, cell in zip(OPEN_DATA_FIELDS, row, strict=True)} == line
    assert rows[0][OPEN_DATA_FIELDS.index("informasi")] == (
        "Surat keterangan kesehatan — bakal calon"
    )
    assert rows[1][OPEN_DATA_FIELDS.index("unit_penguasa")] == "Subbagian Keuangan"


def test_a_cell_that_would_be_a_formula_in_a_spreadsheet_is_plain_text_in_the_xlsx(
    client, make_record
):
    title = '=HYPERLINK("http://contoh.example/","klik")'
    record = make_record("published", public_title=title, holding_unit="+62 Divisi Teknis")
    # Text from an import past the published record's trigger may still start with a tab.
    with connection.cursor() as cursor:
        drop_published_triggers(
            SimpleNamespace(connection=connection, execute=cursor.execute), Record
        )
    Record.objects.filter(pk=record.pk).update(balancing="\tdiawali tab")
    (row,) = sheet_rows(client.get("/dik.xlsx"))[1:]
    cells = dict(zip(OPEN_DATA_FIELDS, row, strict=True))
    assert cells["informasi"] == title and cells["unit_penguasa"] == "+62 Divisi Teknis"
    assert cells["pertimbangan_bila_ditutup"] == "\tdiawali tab"
    # The CSV keeps its own guard, byte for byte as before.
    (line,) = csv_rows(client)
    assert line["informasi"] == f"'{title}"
    assert line["pertimbangan_bila_ditutup"] == "'\tdiawali tab"


def test_an_empty_list_is_a_sheet_with_just_the_header(client, db):
    assert sheet_rows(client.get("/dik.xlsx")) == [OPEN_DATA_FIELDS]


def test_each_version_is_downloadable_as_xlsx_as_it_was_published(client, make_record, ppid):
    make_record("published", public_title="Tetap dikecualikan")
    opened = make_record("published", public_title="Kemudian dibuka")
    workflow.open_record(
        record=opened, by=ppid, reason="consent", instrument="Surat persetujuan tertulis 1 Mei 2026"
    )
    response = client.get("/dik/riwayat/2.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="dik-v2.xlsx"'
    titles = [row[1] for row in sheet_rows(response)[1:]]
    assert titles == ["Tetap dikecualikan", "Kemudian dibuka"]
    assert [row[1] for row in sheet_rows(client.get("/dik.xlsx"))[1:]] == ["Tetap dikecualikan"]


def test_the_excel_download_is_linked_wherever_the_csv_is(client, make_record):
    make_record("published")
    home = client.get("/").content.decode()
    assert 'href="/dik.csv">CSV</a> · <a href="/dik.xlsx">Excel</a>' in home
    assert 'rel="alternate" type="application/vnd.openxmlformats' in home
    versions = client.get("/dik/riwayat/").content.decode()
    assert versions.count('.xlsx">Excel</a>') == versions.count('.csv">CSV</a>') == 1
