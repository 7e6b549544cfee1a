"""The published list (DIK) as data: its versions, its rows, its stamp, its stored PDFs.

The public pages, the exports and the workflow read the DIK from here; nothing here
knows of a request. What a row may show is written once (DIK_TEXT, PUBLIC_FIELDS), and
so is how a row becomes open data and a line of the DIK as a document.
"""

import datetime

from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.db import connection
from django.db.models import Aggregate, CharField, Max, OuterRef, Prefetch, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.formats import date_format

from . import office
from .models import (
    PERIOD_FIELDS,
    SEARCHED_FIELDS,
    DikChange,
    DikVersion,
    ExemptionGround,
    Record,
    Scope,
    citation,
    has_privacy_exceptions,
    period_text,
)
from .pdf import render_rows_pdf
from .roles import Role, holders

OPEN_DATA_FIELDS = [
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
    # Appended, never renamed or reordered (shared/DESIGN.md section 6):
    "keputusan_penerbit",
    "berakhir",
]


# --- The stamp: which version is current ---------------------------------------


STAMP_SECONDS = 5


def stamp_key(place=None) -> str:
    """The acting office's stamp (or this office's): each office's list has its own versions."""
    return f"public:dik-stamp:{place.slug if place is not None else office.cache_part()}"


def dik_stamp() -> tuple[int, datetime.datetime | None]:
    """Return the number and date of the newest DIK version (0 before any publication).

    Read from the cache for a few seconds so that a cached page costs no query at all;
    a publication clears it (`forget_dik_stamp`), at once in a shared cache such as Redis,
    within STAMP_SECONDS in each process's own memory cache.
    """
    key = stamp_key()
    stamp = cache.get(key)
    if stamp is None:
        row = DikVersion.objects.order_by("-number").values_list("number", "created_at").first()
        stamp = row or (0, None)
        cache.set(key, stamp, STAMP_SECONDS)
    return stamp


def forget_dik_stamp(*keys: str) -> None:
    """Forget the acting office's stamp (or the ones named: a commit's callback runs after
    the office's block has ended)."""
    cache.delete_many(keys or [stamp_key()])


# --- Rows ------------------------------------------------------------------------


# The public text of a DIK row: what every public page, export and PDF may show of a record.
DIK_TEXT = ("public_title", "holding_unit", "statutes", "harm", "balancing", *PERIOD_FIELDS)
PUBLIC_FIELDS = (
    *DIK_TEXT,
    "ends_on",
    "exemption_scope",
    "withheld_part",
    "dip_reference",
    "redacted_copy",
    "document_type",
    "state",
    "opened_at",
    "opened_reason",
    "published_in__issuer",
    "published_in__number",
    "published_in__date_set",
    "published_in__year",
)


def public_records(records):
    """Load only the public fields: never the internal title, notes or the search vector."""
    return (
        records.select_related("published_in")
        .only(*PUBLIC_FIELDS)
        .prefetch_related(
            Prefetch(
                "grounds", queryset=ExemptionGround.objects.only("code", "label_id", "label_en")
            )
        )
    )


# A DIK row read as plain values. The public list and the exports are the hot paths of the
# site: building a model instance per row and prefetching its grounds cost more than the
# rest of the page (docs/benchmarks.md), so they read these columns and, in the same query,
# the codes of the row's grounds.
DIK_COLUMNS = (
    "pk",
    *DIK_TEXT,
    "ends_on",
    "exemption_scope",
    "redacted_copy",
    "published_in_id",
    "published_in__number",
    "published_in__date_set",
    "published_in__issuer",
)


class JoinedCodes(Aggregate):
    """Codes joined by ";": GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ';')"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra)


# Built once: Django copies an expression for each query that uses it.
GROUND_CODES = Subquery(
    Record.grounds.through.objects.filter(record_id=OuterRef("pk"))
    .values("record_id")
    .annotate(codes=JoinedCodes("exemptionground_id"))
    .values("codes")
)


def dik_values(records, *extra: str):
    """Return the records as rows of DIK_COLUMNS (and `extra`) plus `codes` ("17h;17j")."""
    columns = (*DIK_COLUMNS, *extra, "codes")
    return records.annotate(codes=GROUND_CODES).values_list(*columns, named=True)


# The rows of the current DIK as a query built once (of every office: the acting one is
# chosen per call). Resolving its columns and its subquery cost the home page more than
# compiling and running it (docs/benchmarks.md). Only ever used through `on_dik_rows()`, a
# copy, so that it can never hold the results of a request.
with office.every_office():
    ON_DIK_ROWS = dik_values(Record.objects.on_dik())


_ON_DIK_ROWS_OF: dict[int, object] = {}  # {office id: its rows' query}, built once each


def on_dik_rows():
    """The acting office's current DIK rows (a copy of its query, built once per office)."""
    here = office.acting_office()
    rows = _ON_DIK_ROWS_OF.get(here.pk)
    if rows is None:
        rows = _ON_DIK_ROWS_OF[here.pk] = ON_DIK_ROWS.filter(office=here.pk)
    return rows.all()


def split_codes(codes: str | None) -> list[str]:
    return sorted(codes.split(";")) if codes else []


def cited(codes: str | None) -> str:
    """Return the grounds of a row as the DIK cites them ("Pasal 17 huruf j UU 14/2008")."""
    return "; ".join(f"{citation(code)} UU 14/2008" for code in split_codes(codes))


# --- Open data and the document ----------------------------------------------------


def row_period(row) -> str:
    """Return a row's period in words, as the DIK and the open data write it."""
    codes = split_codes(row.codes)
    return period_text(row.period_type, row.period_years, row.period_until, row.period_event, codes)


def row_status(row, today=None) -> str:
    """The DIK's computed status (shared/DOMAIN.md section 7), in Indonesian: open data."""
    if row.ends_on and row.ends_on < (today or timezone.localdate()):
        # Until review_due opens it, an ended item is never listed as exempted.
        return ENDED
    if row.exemption_scope == Scope.PART:
        return "dikecualikan sebagian"
    return "dikecualikan"


def open_data_row(row, period=None, today=None) -> dict:
    """Return the contract fields of one DIK row (shared/DESIGN.md, Contracts).

    `period` is the row's period in words when the caller has it already (open_data_rows).
    """
    date_set = row.published_in__date_set
    return {
        "nomor": row.pk,
        "informasi": row.public_title,
        "unit_penguasa": row.holding_unit,
        "dasar_pengecualian": "; ".join(split_codes(row.codes)),
        "dasar_hukum": row.statutes,
        "konsekuensi_bila_dibuka": row.harm,
        "pertimbangan_bila_ditutup": row.balancing,
        "jangka_waktu": row_period(row) if period is None else period,
        "keputusan_nomor": row.published_in__number or "",
        "keputusan_tanggal": date_set.isoformat() if date_set else "",
        "status": row_status(row, today),
        "keputusan_penerbit": row.published_in__issuer or "",
        "berakhir": row.ends_on.isoformat() if row.ends_on else "",
    }


def open_data_rows(records, *, offices=False):
    """The contract rows of these records; with `offices`, of every office, each with its
    office appended (`kantor`: KPU's national DIK), office by office."""
    # Open data is in Indonesian whatever the visitor's language (the period's wording).
    # A list repeats few periods: each is written in words once (docs/benchmarks.md, exports).
    periods, today = {}, timezone.localdate()
    if offices:
        rows = dik_values(records.order_by("office__code", "pk"), "office__name")
    else:
        rows = dik_values(records.order_by("pk"))
    with translation.override("id"):
        for row in rows.iterator(chunk_size=2000):
            privacy = has_privacy_exceptions(split_codes(row.codes))
            key = (row.period_type, row.period_years, row.period_until, row.period_event, privacy)
            if key not in periods:
                periods[key] = row_period(row)
            line = open_data_row(row, periods[key], today)
            if offices:
                line["kantor"] = row.office__name
            yield line


def published_rows(records) -> dict:
    """Return {record id: open data row} of these records: a DIK version keeps them."""
    return {row["nomor"]: row for row in open_data_rows(records)}


def document_row(row, *, status: str, **extra) -> dict:
    """Return one line of the DIK as a document (pdf/dik.html) from a row of `dik_values`."""
    return {
        "record": row.pk,
        "title": row.public_title,
        "unit": row.holding_unit,
        "grounds": cited(row.codes),
        "statutes": row.statutes,
        "harm": row.harm,
        "balancing": row.balancing,
        "period": row_period(row),
        "ends_on": row.ends_on,
        "decision_number": row.published_in__number or "",
        "decision_date": row.published_in__date_set,
        "status": status,
        **extra,
    }


ENDED = "masa pengecualian berakhir"


def as_of(data: dict, today: datetime.date) -> dict:
    """Return a row as published with its status as of `today` (shared/DOMAIN.md section 7).

    The row is kept as it was published; its status is read on the day it is read: one
    whose period ended shows so, even before review_due opens it.
    """
    if data.get("berakhir") and data["berakhir"] < today.isoformat():
        return {**data, "status": ENDED}
    return data


def published_document_row(data: dict) -> dict:
    """Return one line of the DIK as a document from a row as published (DikChange.data)."""

    def day(text):
        return datetime.date.fromisoformat(text) if text else None

    return {
        "record": data["nomor"],
        "title": data["informasi"],
        "unit": data["unit_penguasa"],
        "grounds": cited(data["dasar_pengecualian"].replace("; ", ";")),
        "statutes": data["dasar_hukum"],
        "harm": data["konsekuensi_bila_dibuka"],
        "balancing": data["pertimbangan_bila_ditutup"],
        "period": data["jangka_waktu"],
        "ends_on": day(data.get("berakhir")),
        "decision_number": data["keputusan_nomor"],
        "decision_date": day(data["keputusan_tanggal"]),
        "status": data["status"].capitalize(),
    }


def signing_ppid() -> str:
    """The name the DIK's signature block carries: the office's PPID, as the register knows it.

    The name the office configured, if any; else the one active holder of the PPID role; with
    none or several, the line stays blank for the name to be written by hand, rather than
    print a name the register cannot vouch for.
    """
    if configured := office.current().ppid_name:
        return configured
    ppids = list(holders(Role.PPID).order_by("pk")[:2])
    if len(ppids) != 1:
        return ""
    return ppids[0].get_full_name() or ppids[0].username


def dik_document(rows, number, created, status_since=None, *, out) -> int:
    """Write the public DIK of one version as an official PDF to `out`, from its rows as
    published, each with its status as of today (`status_since`: the day those statuses
    last changed); return its page count. Run by the worker (documents.py)."""
    today = timezone.localdate()
    # An official paper of the office: in Indonesian whatever the visitor's language.
    with translation.override("id"):
        rows = [published_document_row(as_of(data, today)) for data in rows]
        when = f", {date_format(timezone.localtime(created), 'j F Y')}" if created else ""
        if status_since:
            when += f"; status per {date_format(status_since, 'j F Y')}"
    context = {
        "subtitle": f"Versi {number}{when}",
        # The list is signed as of its version's date (or today, for an empty list).
        "signed_on": timezone.localtime(created) if created else timezone.localdate(),
        "ppid_name": signing_ppid(),
        "empty": "Daftar ini kosong: belum ada informasi yang dikecualikan yang diumumkan.",
        "document_title": "Daftar Informasi Publik yang Dikecualikan",
    }
    return render_rows_pdf("pdf/dik.html", context, rows, count=len(rows), out=out, landscape=True)


def statuses_changed_on(version: DikVersion | None) -> datetime.date | None:
    """Return the day after the latest end date passed among the version's rows, or None.

    Asked once a day per version (the cache), so the PDF costs no scan on each request.
    """
    if version is None:
        return None
    today = timezone.localdate()
    key = f"dik:statuses:{office.cache_part()}:{version.number}:{today.isoformat()}"
    found = cache.get(key)
    if found is None:
        rows = DikChange.objects.filter(pk__in=version.rows().values("pk"))
        # As text: a key's own lookups would compare the dates as numbers on SQLite.
        end = Cast(KeyTextTransform("berakhir", "data"), CharField())
        ends = rows.annotate(end=end).exclude(end="")
        ended = ends.filter(end__lt=today.isoformat())
        latest = ended.aggregate(latest=Max("end", output_field=CharField()))["latest"]
        found = (
            str(datetime.date.fromisoformat(latest) + datetime.timedelta(days=1)) if latest else ""
        )
        cache.set(key, found, 24 * 3600)
    return datetime.date.fromisoformat(found) if found else None


def search(records, text: str):
    """Full-text search in Indonesian on PostgreSQL; a plain substring search on SQLite.

    Both read the same published fields (SEARCHED_FIELDS): the title, the unit, the type,
    the statutes, the consequence and the consideration, in one query either way.
    """
    text = text.replace("\x00", "")
    if connection.vendor == "postgresql":
        return records.filter(
            search=SearchQuery(text, config="indonesian", search_type="websearch")
        )
    return records.with_words(text, SEARCHED_FIELDS)
