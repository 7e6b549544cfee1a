"""Keyset paging for the public and the staff lists: the last page costs what the first does.

Pages are cut by record number (`setelah`, `sebelum`, `halaman=akhir`), never by
offset, so a list of 100,000 rows answers as fast at its end as at its start.
"""

import contextlib

from django.conf import settings
from django.db import connection, connections
from django.db.models.utils import create_namedtuple_class

PAGE_SIZE = 25  # a table a phone can scroll


@contextlib.contextmanager
def prepared():
    """Send the queries inside with their values apart, so that PostgreSQL plans each once
    per connection rather than on every request.

    Django writes a query's values into its text (psycopg's client-side binding), so
    PostgreSQL parses and plans the public list's query again on each page: that took it
    longer than running the query (docs/benchmarks.md). With the values apart, psycopg
    prepares a query the connection has sent a few times and reuses its plan. Only around a
    list's page: a few values, where a statement sent this way may hold at most 65,535 (a
    publication's bulk writes hold more). `DATABASE_PREPARED=0` turns it off, for a pooler
    in transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
    """
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_LISTS:
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = connection.connection
    chosen = raw.cursor_factory, raw.prepare_threshold
    # Prepared from the third time the connection sends the query (Django turns it off).
    raw.cursor_factory, raw.prepare_threshold = ServerBindingCursor, 2
    try:
        yield
    finally:
        raw.cursor_factory, raw.prepare_threshold = chosen


def _cursor(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def keyset_page(records, params, size=PAGE_SIZE, descending=False, shape=None) -> dict:
    """Return one page of records ordered by number, by key rather than by offset.

    `shape` names a list whose query is the same on every request but for the page's
    cursor (an office's public DIK, unfiltered): its SQL is compiled once per process.
    """
    after, before = _cursor(params.get("setelah")), _cursor(params.get("sebelum"))
    forward, backward = ("-pk", "pk") if descending else ("pk", "-pk")
    beyond, behind = ("pk__lt", "pk__gt") if descending else ("pk__gt", "pk__lt")
    if params.get("halaman") == "akhir":
        where, order, cursor = None, backward, None
    elif before:
        where, order, cursor = behind, backward, before
    else:
        where, order, cursor = (beyond if after else None), forward, after
    with prepared():
        if shape is None:
            rows = list(_page_query(records, where, cursor, order, size))
        else:
            rows = _compiled_rows(records, (shape, where, order, size), cursor)
    if order == backward:  # read from the end: the page is the rows before, in order
        more_before, more_after = len(rows) > size, bool(cursor)
        rows = rows[:size][::-1]
    else:
        more_before, more_after = bool(cursor), len(rows) > size
        rows = rows[:size]
    return {
        "rows": rows,
        "previous": rows[0].pk if rows and more_before else None,
        "next": rows[-1].pk if rows and more_after else None,
        "is_first": not more_before,
    }


def _page_query(records, where, cursor, order, size):
    if where:
        records = records.filter(**{where: cursor})
    return records.order_by(order)[: size + 1]


# A record number no list reaches: where the cursor goes in a query compiled once.
MARK = 2**62 - 1
_compiled: dict = {}  # {(shape, where, order, size, database): (compiler, sql, params)}


def _compiled_rows(records, shape, cursor) -> list:
    """Return the rows of the page `shape` describes, from SQL compiled once per process.

    Django builds a query's SQL anew for each request: for the public DIK's rows (eighteen
    columns, a join, a subquery) that was a seventh of an uncached home page
    (docs/benchmarks.md). The SQL of an office's list differs from one request to the next
    only in the page's cursor, so it is compiled once, with MARK in the cursor's place,
    and run with each request's cursor. A query where MARK is not the last value is run
    as Django builds it.
    """
    key = (*shape, records.db)
    compiled = _compiled.get(key)
    if compiled is None:
        where, order, size = shape[1:4]
        query = _page_query(records, where, MARK, order, size)
        compiler = query.query.get_compiler(query.db)
        sql, values = compiler.as_sql()
        values = tuple(values)
        if where and (values[-1:] != (MARK,) or MARK in values[:-1]):
            return list(_page_query(records, where, cursor, order, size))
        compiled = _compiled[key] = (compiler, sql, values[:-1] if where else values)
    compiler, sql, values = compiled
    with connections[records.db].cursor() as db:
        db.execute(sql, (*values, cursor) if shape[1] else values)
        found = db.fetchall()
    # Django's own reading of the rows: its converters (SQLite's dates), as named tuples.
    row = create_namedtuple_class(*records._fields)
    return [row(*each) for each in compiler.results_iter(results=[found])]


def query_without(params, *names):
    query = params.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
