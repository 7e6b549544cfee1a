"""Streaming CSV: rows are written as they are read, so a long list never sits in memory."""

import csv

from django.http import StreamingHttpResponse


class _Echo:
    """A file-like object whose write returns the line, for csv.writer to yield it."""

    def write(self, value):
        return value


def csv_response(header, rows, filename) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
