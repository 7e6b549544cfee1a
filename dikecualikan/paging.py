"""Keyset paging for the public and the staff lists: the last page costs what the first does.

Pages are cut by record number (`setelah`, `sebelum`, `halaman=akhir`), never by
offset, so a list of 100,000 rows answers as fast at its end as at its start.
"""

PAGE_SIZE = 25  # a table a phone can scroll


def _cursor(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def keyset_page(records, params, size=PAGE_SIZE, descending=False) -> dict:
    """Return one page of records ordered by number, by key rather than by offset."""
    after, before = _cursor(params.get("setelah")), _cursor(params.get("sebelum"))
    forward, backward = ("-pk", "pk") if descending else ("pk", "-pk")
    beyond, behind = ("pk__lt", "pk__gt") if descending else ("pk__gt", "pk__lt")
    if params.get("halaman") == "akhir":
        rows = list(records.order_by(backward)[: size + 1])
        more_before, more_after = len(rows) > size, False
        rows = rows[:size][::-1]
    elif before:
        rows = list(records.filter(**{behind: before}).order_by(backward)[: size + 1])
        more_before, more_after = len(rows) > size, True
        rows = rows[:size][::-1]
    else:
        if after:
            records = records.filter(**{beyond: after})
        rows = list(records.order_by(forward)[: size + 1])
        more_before, more_after = bool(after), len(rows) > size
        rows = rows[:size]
    return {
        "rows": rows,
        "previous": rows[0].pk if rows and more_before else None,
        "next": rows[-1].pk if rows and more_after else None,
        "is_first": not more_before,
    }


def query_without(params, *names):
    query = params.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
