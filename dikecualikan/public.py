"""The public site: the DIK and the decisions, which UU 14/2008 Pasal 11 makes public.

Only public fields ever leave here: never an internal title, a note, a staff
name, a file of a record or a record that is not (or no longer) on the DIK.
Pages are cached per DIK version, so a publication or an opening refreshes
them; lists page by key (`setelah`/`sebelum`), so the last page costs what
the first does.
"""

import hashlib
import json
import re
import secrets
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
)
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.utils.http import http_date, quote_etag
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from . import documents, national, office
from .context_processors import next_path
from .dik import (
    OPEN_DATA_FIELDS,
    as_of,
    dik_stamp,
    on_dik_rows,
    open_data_rows,
    public_records,
    search,
)
from .exports import csv_response, xlsx_response
from .models import (
    Decision,
    DecisionItem,
    DecisionPublication,
    DikChange,
    DikVersion,
    ExemptionGround,
    ObjectionAnswer,
    OpenReason,
    Record,
    Ruling,
)
from .paging import keyset_page, query_without

MAX_QUERY = 200


# --- Caching -------------------------------------------------------------------------


def public_page(view):
    """Serve a public view from a cache keyed by the DIK version, with ETag and Last-Modified.

    Every publication and every opening makes a new DIK version, so the key changes and
    the old entries are never served again: that is the cache being cleared on publish.

    While the database cannot be read, a page stored under the newest version seen is
    served as it is; a page never stored fails on, and the visitor gets the 503 page
    (ppid/operations.py).
    """

    @require_safe
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return serve(request, *args, **kwargs)
        except (OperationalError, InterfaceError):
            stored = cache.get(page_key(cache.get(last_stamp_key()), request))
            if stored is None:
                raise
            patch_cache_control(stored, public=True, max_age=60)
            return stored

    def serve(request, *args, **kwargs):
        language = translation.get_language()
        # Today's date too: a row's status is read on the day it is read (its period may
        # have ended since the version was made), so no page outlives its day.
        version = dik_stamp()
        stamp = f"{version_key(version)}.{timezone.localdate().isoformat()}"
        here = office.cache_part()
        etag = quote_etag(f"dik{stamp}-{here}-{language}-{request.get_full_path()}")
        if request.headers.get("If-None-Match") == etag:
            response = HttpResponse(status=304)
        else:
            key = page_key(stamp, request)
            # Staff see their name on the page, so theirs is never shared.
            shared = settings.PUBLIC_CACHE_SECONDS and not request.user.is_authenticated
            response = cache.get(key) if shared else None
            if response is None:
                response = view(request, *args, **kwargs)
                if (
                    shared
                    and response.status_code == 200
                    and not response.streaming
                    and not carries_messages(request)
                ):
                    if hasattr(response, "render"):
                        response.render()
                    cache.set(key, response, settings.PUBLIC_CACHE_SECONDS)
                    # The version to fall back on when the database cannot say the newest.
                    cache.set(last_stamp_key(), stamp, None)
        response["ETag"] = etag
        if version[1]:
            response["Last-Modified"] = http_date(version[1].timestamp())
        if request.user.is_authenticated:  # a staff member's page shows their name
            patch_cache_control(response, private=True)
        else:
            patch_cache_control(response, public=True, max_age=60)
        return response

    return wrapper


def version_key(version) -> str:
    """A DIK version (dik_stamp: its number, when it was made) as a part of a cache key."""
    number, changed = version
    return f"{number}.{changed.timestamp() if changed else 0}"


def last_stamp_key() -> str:
    """The key of the newest version stored for the acting office's pages."""
    return f"public:last-stored-stamp:{office.cache_part()}"


def page_key(stamp: str | None, request) -> str:
    """Return the cache key of this page (its office, full path and language) at a DIK
    version: two offices' pages at the same path (on hosts of their own) never meet."""
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public:{office.cache_part()}:{stamp}:{translation.get_language()}:{path}"


def carries_messages(request) -> bool:
    """Return whether the request may hold someone's flash messages (django.contrib.messages).

    They travel in the messages cookie, or in the session when too long for it. A page made
    for such a request is not stored for everyone, even though public pages show visitors
    no messages: what was made for one browser must never be served to the next.
    """
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies


# --- Filters and paging -------------------------------------------------------------


class DikFilter(forms.Form):
    """The filters of the public list: search, ground, holding unit, year of the decision.

    A value that matches nothing (a forged ground or unit) gives an empty list; a value
    that does not validate (a year that is not a number) is left out.
    """

    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY, strip=True)
    dasar = forms.CharField(label=_("Exemption ground"), required=False, max_length=8)
    unit = forms.CharField(label=_("Holding unit"), required=False, max_length=200)
    tahun = forms.IntegerField(
        label=_("Year of decision"), required=False, min_value=1, max_value=9999
    )

    def __init__(self, data, *, stamp):
        # A search longer than the limit is cut, not refused: the citizen still gets results.
        if data and len(data.get("q", "")) > MAX_QUERY:
            data = data.copy()
            data["q"] = data["q"][:MAX_QUERY]
        super().__init__(data)
        self.stamp = stamp

    def as_filters(self):
        """Return the fields as HTML, built in Python (like as_div, for this form only).

        The stock rendering (a template per widget and per option) was a quarter of an
        uncached public page (docs/benchmarks.md). The options come from `filter_options`,
        built once per DIK version; only the chosen one is marked here.
        """
        options = filter_options(self.stamp, translation.get_language())
        html = []
        for name, field in self.fields.items():
            value = escape(str(self.data.get(name, ""))) if self.is_bound else ""
            if name in options:
                choices = options[name]
                if value:
                    chosen = f'<option value="{value}">'
                    choices = choices.replace(chosen, f'<option value="{value}" selected>', 1)
                control = f'<select name="{name}" id="id_{name}">{choices}</select>'
            else:
                control = (
                    f'<input type="search" name="{name}" id="id_{name}" '
                    f'value="{value}" maxlength="{field.max_length}">'
                )
            label = escape(str(field.label))
            html.append(f'<p class="field"><label for="id_{name}">{label}</label>{control}</p>')
        return mark_safe("".join(html))

    def apply(self, records):
        if not self.is_bound:
            return records
        self.is_valid()  # cleaned_data keeps the fields that validate
        data = self.cleaned_data
        if data.get("q"):
            records = search(records, data["q"])
        if data.get("dasar"):
            # EXISTS rather than a join: no duplicate rows to remove, and the keyset order
            # still walks the primary key (a join with DISTINCT sorted the whole list).
            cites = Record.grounds.through.objects.filter(
                record_id=OuterRef("pk"), exemptionground__code__startswith=data["dasar"]
            )
            records = records.filter(Exists(cites))
        if data.get("unit"):
            records = records.filter(holding_unit=data["unit"])
        if data.get("tahun"):
            records = records.filter(published_in__year=data["tahun"])
        return records


def filter_options(stamp, language) -> dict[str, str]:
    """Return the <option> elements of each filter, built once per DIK version and language."""
    key = f"public:filter-options:{office.cache_part()}:{stamp[0]}:{language}"
    options = cache.get(key)
    if options is None:
        grounds = [
            (g.code, f"{g.code}: {g.label}")
            for g in ExemptionGround.objects.filter(parent__isnull=True)
        ]
        units = (
            Record.objects.on_dik()
            .order_by("holding_unit")
            .values_list("holding_unit", flat=True)
            .distinct()
        )
        years = (
            Decision.objects.published().order_by("-year").values_list("year", flat=True).distinct()
        )
        everything = f'<option value="">{escape(gettext("All"))}</option>'
        options = {
            name: everything
            + "".join(
                f'<option value="{escape(str(value))}">{escape(str(text))}</option>'
                for value, text in choices
            )
            for name, choices in [
                ("dasar", grounds),
                ("unit", [(u, u) for u in units]),
                ("tahun", [(y, y) for y in years]),
            ]
        }
        cache.set(key, options, settings.PUBLIC_CACHE_SECONDS or None)
    return options


# --- Pages ----------------------------------------------------------------------------


@national.kpu_site(national.home)
@public_page
def home(request):
    version = dik_stamp()
    form = DikFilter(request.GET or None, stamp=version)
    rows = form.apply(on_dik_rows())
    query = query_without(request.GET, "setelah", "sebelum", "halaman")
    # Unfiltered, the office's list is the same query on every request but for its page.
    shape = None if query else ("dik", office.acting_office().pk)
    page = keyset_page(rows, request.GET, shape=shape)
    # "No" counts the rows of the list: a later page starts after the rows before it.
    start = 1
    if page["rows"] and not page["is_first"]:
        start += rows_before(form, page["rows"][0].pk, version, query)
    listed = {"page": page, "start": start, "query": query, "version": version}
    holes = {
        "filters": form.as_filters(),
        "dik_list": render_to_string("public/dik_list.html", listed),
    }
    return framed(request, "public/home.html", {"form": form, "version": version}, holes)


# A hole of a frame: a name between markers no text of the page can hold (a token of this
# process; NUL is refused in every form and by PostgreSQL).
HOLE_MARK = f"\x00{secrets.token_hex(8)}"
HOLE = re.compile(f"{HOLE_MARK}([a-z_]+){HOLE_MARK}")


def framed(request, template, context, holes):
    """Render `template` with `holes`, this request's own parts of the page (the list and
    its filters), put in it; `context` holds the page's `form` and DIK `version`.

    A visitor who is not signed in gets the same page around them on every request of
    the office's site in a language at a DIK version: the header, the decisions, the
    footer. That frame is rendered once then and kept, like the filters' options, so a
    search, a filter or a later page costs its own rows only (the rest was more than half
    of an uncached home page: docs/benchmarks.md). A signed-in person's page carries their
    name and is rendered whole.
    """
    if request.user.is_authenticated:
        return render(request, template, {**context, **holes})
    here = office.current()
    key = ":".join(
        [
            "public:frame",
            here.slug,
            str(here.updated_at.timestamp()),  # an edit of the office's name, logo, contacts
            version_key(context["version"]),
            translation.get_language(),
            get_script_prefix(),
            template,
            # The title says "Kesalahan:" while a filter is refused.
            "invalid" if context["form"].errors else "",
        ]
    )
    frame = cache.get(key)
    if frame is None:
        marked = {
            name: mark_safe(f"{HOLE_MARK}{name}{HOLE_MARK}") for name in [*holes, "next_path"]
        }
        frame = HOLE.split(render_to_string(template, {**context, **marked}, request))
        cache.set(key, frame, settings.PUBLIC_CACHE_SECONDS or None)
    # The frame alternates text and the names of holes: text, name, text, ..., text.
    own = {**holes, "next_path": next_path(request)}
    return HttpResponse("".join(own[part] if i % 2 else part for i, part in enumerate(frame)))


def rows_before(form, pk, version, query) -> int:
    """Return how many rows of the filtered list come before record `pk`, counted once per
    DIK version: only a publication or an opening changes the list (and makes a version).

    Counting reads every row before the page: at 100,000 rows the last page cost a hundred
    times the first (docs/benchmarks.md), so the count is kept like the filters' options.
    """
    filters = hashlib.sha256(query.encode()).hexdigest()
    key = f"public:rows-before:{office.cache_part()}:{version[0]}:{filters}:{pk}"
    count = cache.get(key)
    if count is None:
        # The records alone, without the row's columns and joins: the count reads an index.
        count = form.apply(Record.objects.on_dik()).filter(pk__lt=pk).count()
        cache.set(key, count, settings.PUBLIC_CACHE_SECONDS or None)
    return count


@public_page
def decision_detail(request, pk):
    decision = get_object_or_404(
        public_decisions().with_publication().select_related("body", "revokes", "entered_in"),
        pk=pk,
    )
    items = decision.items.active().select_related("record").order_by("record_id")
    context = {
        "decision": decision,
        "items": items,
        "revoked_by": decision.revoked_by.published().order_by("date_set"),
        # A one-office install shows no list of one.
        "governs": governed_offices(request, decision) if len(office.served()) > 1 else [],
    }
    return render(request, "public/decision_detail.html", context)


def public_decisions():
    """The decisions an office's site shows: those it published for its list; on KPU's site
    (the national DIK), every decision in force somewhere, with the offices it governs."""
    if national.is_national():
        return Decision.objects.in_force_somewhere()
    return Decision.objects.published()


def governed_offices(request, decision) -> list[dict]:
    """The offices whose lists the decision governs (each published it for its own items),
    each with the address of its page of the decision: one query, whatever their number."""
    root = getattr(request, "office_root", None) or get_script_prefix()
    path = reverse("dikecualikan:decision", args=[decision.pk]).removeprefix(get_script_prefix())
    with office.every_office():
        rows = DecisionPublication.objects.filter(decision=decision).order_by("office__code")
        rows = rows.values("office__name", "office__slug", "office__in_service", "published_at")
    default = settings.PPID_DEFAULT_OFFICE
    return [
        {
            "name": row["office__name"],
            "published_at": row["published_at"],
            # An office no longer served here keeps its place in the list, without a link.
            "url": row["office__in_service"]
            and root + ("" if row["office__slug"] == default else f"{row['office__slug']}/") + path,
        }
        for row in rows
    ]


@public_page
def decision_pdf(request, pk):
    """Serve the text of a published decision (the app serves it: no web server to set up)."""
    decision = get_object_or_404(public_decisions().exclude(pdf=""), pk=pk)
    return decision_file(decision)


def decision_file(decision):
    # A name of our own: the stored one is whatever the uploader's file was called.
    name = f"keputusan-{decision.pk}.pdf"
    return FileResponse(decision.pdf.open("rb"), content_type="application/pdf", filename=name)


@public_page
def decision_test_sheet(request, pk, item):
    """KPU's own consequence-test sheet for one item of a published decision."""
    item = get_object_or_404(
        DecisionItem.objects.active().exclude(test_sheet=""),
        pk=item,
        decision=pk,
        decision__in=Decision.objects.published(),
    )
    return test_sheet_file(item)


def test_sheet_file(item):
    name = f"lembar-uji-konsekuensi-{item.decision_id}-{item.record_id}.pdf"
    return FileResponse(item.test_sheet.open("rb"), content_type="application/pdf", filename=name)


@public_page
def record_detail(request, pk):
    public = Record.objects.on_dik() | Record.objects.no_longer_exempt()
    record = get_object_or_404(
        public.select_related("published_in").prefetch_related("grounds"), pk=pk
    )
    context = {"record": record, "ends": record.ends_on, "instrument": opening_instrument(record)}
    return render(request, "public/record_detail.html", context)


def opening_instrument(record: Record) -> dict | None:
    """Return the instrument that opened a record (DOMAIN.md section 2): what it is, its
    number, its date, and where the public reads it; None for another reason."""
    if record.opened_reason == OpenReason.REVOKED:
        decision = revoking_decision(record)
        return decision and {
            "kind": _("Revoking decision"),
            "name": str(decision),
            "date": decision.date_set,
            "page": reverse("dikecualikan:decision", args=[decision.pk]),
            "pdf": reverse("dikecualikan:decision-pdf", args=[decision.pk]) if decision.pdf else "",
        }
    found = instrument_of(record)
    if found is None:
        return None
    pdf = reverse("dikecualikan:record-instrument", args=[record.pk]) if found.pdf else ""
    if isinstance(found, ObjectionAnswer):
        kind, name, date = _("Answer to an objection"), found.number, found.answered_on
    else:
        kind, name, date = _("Ruling"), str(found), found.ruled_on
    return {"kind": kind, "name": name, "date": date, "page": "", "pdf": pdf}


def revoking_decision(record: Record):
    revoking = Decision.objects.published().filter(revokes=record.published_in_id)
    named = revoking.filter(items__record=record, items__withdrawn_at=None).first()
    return named or revoking.filter(revokes_whole=True).first()


def instrument_of(record: Record):
    """The upheld answer, or the ruling, that opened the record (None for another reason)."""
    if record.opened_reason == OpenReason.OBJECTION:
        answers = ObjectionAnswer.objects.filter(
            objection__records=record, outcome=ObjectionAnswer.Outcome.UPHELD
        )
        return answers.order_by("-answered_on", "-pk").first()
    if record.opened_reason == OpenReason.KI_COURT:
        rulings = Ruling.objects.filter(objection__records=record, opens=True)
        return rulings.order_by("-ruled_on", "-pk").first()
    return None


@public_page
def record_instrument(request, pk):
    """The public PDF of the answer or ruling that opened a record (never the requester's)."""
    record = get_object_or_404(Record.objects.no_longer_exempt(), pk=pk)
    found = instrument_of(record)
    if found is None or not found.pdf:
        raise Http404
    name = f"pembukaan-{record.pk}.pdf"
    return FileResponse(found.pdf.open("rb"), content_type="application/pdf", filename=name)


@public_page
def redacted_copy(request, pk):
    """The redacted copy of a partially exempted item: the open rest of the document."""
    public = Record.objects.on_dik() | Record.objects.no_longer_exempt()
    # A copy uploaded again after publication is public only once it is confirmed.
    confirmed = public.exclude(redacted_copy="").filter(redaction_confirmed_at__isnull=False)
    record = get_object_or_404(confirmed, pk=pk)
    name = f"salinan-{record.pk}.pdf"
    return FileResponse(
        record.redacted_copy.open("rb"), content_type="application/pdf", filename=name
    )


@public_page
def opened_list(request):
    page = keyset_page(public_records(Record.objects.no_longer_exempt()), request.GET)
    return render(
        request,
        "public/opened_list.html",
        {"page": page, "query": query_without(request.GET, "setelah", "sebelum", "halaman")},
    )


@public_page
def versions(request):
    history = (
        DikVersion.objects.select_related("decision")
        .annotate(
            added=Count("changes", filter=Q(changes__kind=DikChange.Kind.ADDED)),
            opened=Count("changes", filter=Q(changes__kind=DikChange.Kind.OPENED)),
        )
        .order_by("-number")
    )
    return render(request, "public/dik_versions.html", {"versions": history[:200]})


# --- Open data --------------------------------------------------------------------------


def _csv_response(rows, filename, fields=OPEN_DATA_FIELDS):
    """`rows`: open data dicts (open_data_rows, or a version's rows as published)."""
    lines = ([row.get(field, "") for field in fields] for row in rows)
    return csv_response(fields, lines, filename)


def _xlsx_response(rows, filename):
    """The CSV's columns and cells as an Excel sheet (text stays text: no formula runs)."""
    lines = ([row.get(field, "") for field in OPEN_DATA_FIELDS] for row in rows)
    return xlsx_response(OPEN_DATA_FIELDS, lines, filename)


def _json_response(rows, version, fields=OPEN_DATA_FIELDS):
    number, created = version

    def chunks():
        # The office's own offset (+07:00), as DOMAIN.md section 8 asks of machine-readable times.
        created_at = timezone.localtime(created).isoformat() if created else None
        head = {"versi": number, "tanggal": created_at}
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "items": ['
        for index, row in enumerate(rows):
            item = {field: row.get(field, "") for field in fields}
            yield ("," if index else "") + json.dumps(item, ensure_ascii=False)
        yield "]}"

    return StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")


# KPU's site (/kpu/) serves the national DIK: every office's rows, the office appended.
NATIONAL_FIELDS = [*OPEN_DATA_FIELDS, "kantor"]


@require_safe
def national_csv(request):
    return _csv_response(national.national_rows(), "dik-nasional.csv", NATIONAL_FIELDS)


@require_safe
def national_json(request):
    return _json_response(national.national_rows(), national.stamp(), NATIONAL_FIELDS)


@national.kpu_site(national_csv)
@public_page
def dik_csv(request):
    return _csv_response(open_data_rows(Record.objects.on_dik()), "dik.csv")


@public_page
def dik_xlsx(request):
    return _xlsx_response(open_data_rows(Record.objects.on_dik()), "dik.xlsx")


@national.kpu_site(national_json)
@public_page
def dik_json(request):
    return _json_response(open_data_rows(Record.objects.on_dik()), dik_stamp())


@public_page
def version_export(request, number, fmt):
    version = get_object_or_404(DikVersion, number=number)
    today = timezone.localdate()
    # As published, never the live records; each row's status as of today.
    rows = (as_of(row, today) for row in version.rows().iterator(chunk_size=2000))
    if fmt == "csv":
        return _csv_response(rows, f"dik-v{number}.csv")
    if fmt == "json":
        return _json_response(rows, (version.number, version.created_at))
    if fmt == "xlsx":
        return _xlsx_response(rows, f"dik-v{number}.xlsx")
    raise Http404


@require_safe
def health(request):
    """A constant answer: for monitoring, and the benchmarks' baseline."""
    return HttpResponse("ok", content_type="text/plain")


PREPARING_RETRY_SECONDS = 10


@require_safe
def dik_pdf(request):
    """The current DIK as PDF, as the worker rendered it: never rendered here."""
    return _rendered_pdf(request, *documents.dik_pdf())


@require_safe
def version_pdf(request, number):
    """A version's DIK as PDF (its rows as published, their statuses as of today)."""
    get_object_or_404(DikVersion, number=number)
    return _rendered_pdf(request, *documents.dik_pdf(number))


def _rendered_pdf(request, rendered, preparing):
    """Serve a rendered PDF; while a newer one is being prepared, say so and keep it short-lived.

    Before the worker has rendered any, a page says it is being prepared (503, Retry-After:
    a browser or a script tries again; no visitor waits for a render).
    """
    if rendered is None:
        response = render(request, "public/pdf_preparing.html", status=503)
        response["Retry-After"] = str(PREPARING_RETRY_SECONDS)
        patch_cache_control(response, no_store=True)
        return response
    name = documents.superseded(rendered.name) if preparing else rendered.name
    response = FileResponse(
        default_storage.open(name),
        content_type="application/pdf",
        filename=f"dik-v{rendered.number}.pdf",
    )
    response["ETag"] = quote_etag(name)
    if preparing:  # the newer one is asked for again in a minute, not kept by a cache
        patch_cache_control(response, no_cache=True, public=True)
    else:
        patch_cache_control(response, public=True, max_age=60)
    return response
