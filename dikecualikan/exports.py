"""Open data downloads that never hold a long list in memory: CSV streamed, Excel spooled.

A CSV is written as its rows are read. An Excel workbook is a zip that can only be closed
once every row is in it: XlsxWriter's constant_memory mode writes each row to disk as soon
as the next one starts, and the workbook is zipped into a temporary file that is served
and removed when the response closes (memory stays flat; the disk holds one file a download).
"""

import csv
import tempfile

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse

# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, CSV
# injection): a title like "=HYPERLINK(...)" typed by anyone would run on the reader's machine.
FORMULA_STARTS = "=+-@\t\r"


class _Echo:
    """A file-like object whose write returns the line, for csv.writer to yield it."""

    def write(self, value):
        return value


def neutralised(row) -> list:
    """Return the row with an apostrophe before every text cell a spreadsheet would run.

    Only text is touched: the numbers and dates we write ourselves are never formulas, and a
    number stays a number (even a negative one, which no export of ours writes). This runs
    for every cell of /dik.csv (100,000 rows), so it is one comprehension and no call.
    """
    return [
        f"'{cell}" if isinstance(cell, str) and cell and cell[0] in FORMULA_STARTS else cell
        for cell in row
    ]


def csv_response(header, rows, filename) -> StreamingHttpResponse:
    """Return a CSV download of the rows; every cell goes through `neutralised`."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(neutralised(header))
        for row in rows:
            yield writer.writerow(neutralised(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_OPTIONS = {
    "constant_memory": True,
    # Text stays text: a cell typed as "=HYPERLINK(...)" is a string in the sheet, never a
    # formula, so unlike the CSV no apostrophe is needed and every cell reads exactly.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def xlsx_response(header, rows, filename, *, sheet="DIK") -> FileResponse:
    """Return an Excel download of the rows: the header in bold, then one row a line."""
    spooled = tempfile.TemporaryFile(suffix=".xlsx")  # unnamed: gone once closed
    workbook = xlsxwriter.Workbook(spooled, XLSX_OPTIONS)
    worksheet = workbook.add_worksheet(sheet)
    worksheet.write_row(0, 0, header, workbook.add_format({"bold": True}))
    worksheet.freeze_panes(1, 0)
    last = 0
    for last, row in enumerate(rows, start=1):
        worksheet.write_row(last, 0, row)
    worksheet.autofilter(0, 0, last, len(header) - 1)
    workbook.close()
    spooled.seek(0)
    return FileResponse(spooled, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
