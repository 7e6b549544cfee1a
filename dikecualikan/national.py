"""The national DIK: KPU's public site (/kpu/) reads every office's list.

KPU runs one register for its offices, and a decision of KPU binds every one of them
(DOMAIN.md section 6): its site shows each office with its number of exempted items and
its last publication (an office not using the register says so), the decisions of KPU in
force with the offices whose lists they govern, a search across every office, a page per
province, and the whole country's DIK as open data with the office appended (`kantor`).
Each office's own site and open data are unchanged.

Every office's rows are read on purpose (office.every_office); only what each office has
published is read, as on its own site. The pages count in a few queries, whatever the
number of offices and records.
"""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from . import office
from .dik import open_data_rows, search
from .models import DecidingBody, Decision, DikVersion, Office, Record

# How long a browser or a proxy may keep a national page: the lists change with any
# office's publication, which this site's own DIK version does not follow.
NATIONAL_SECONDS = 60
FOUND_SHOWN = 50


def is_national() -> bool:
    """Whether the acting office's site is KPU's: the national DIK."""
    return office.current().kind == Office.Kind.KPU


def kpu_site(national_view):
    """Serve `national_view` in place of the decorated office view on KPU's own site."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if is_national():
                return national_view(request, *args, **kwargs)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _short_lived(response):
    patch_cache_control(response, public=True, max_age=NATIONAL_SECONDS)
    return response


def state_key() -> str:
    """What the national lists depend on, as a cache key: the newest DIK version's id (each
    publication and each opening makes one, in its office: one indexed read) and the
    offices in service (read once a minute per process)."""
    with office.every_office():
        newest = DikVersion.objects.aggregate(newest=Max("pk"))["newest"]
    served = hashlib.sha256(",".join(sorted(office.served())).encode()).hexdigest()[:16]
    return f"{newest}:{served}"


def counts(key: str) -> dict:
    """{office id: (items on its DIK, its last version's time)}, counted once per `key`."""
    found = cache.get(f"national:counts:{key}")
    if found is None:
        with office.every_office():
            on_dik = Record.objects.on_dik().values("office").annotate(n=Count("pk"))
            latest = DikVersion.objects.values("office").annotate(at=Max("created_at"))
            found = {row["office"]: (row["n"], None) for row in on_dik}
            for row in latest:
                found[row["office"]] = (found.get(row["office"], (0, None))[0], row["at"])
        cache.set(f"national:counts:{key}", found, None)
    return found


def offices_table(offices, key: str) -> list[Office]:
    """The offices, each with `items` (on its DIK now) and `last_published` (its last DIK
    version), in a few queries however many there are."""
    counted = counts(key)
    places = list(offices)
    for place in places:
        place.items, place.last_published = counted.get(place.pk, (0, None))
    return places


def by_province(key: str) -> dict[str, list[Office]]:
    """Every office but KPU, province by province, with its counts."""
    provinces: dict[str, list[Office]] = {}
    for place in offices_table(Office.objects.exclude(kind=Office.Kind.KPU).order_by("code"), key):
        provinces.setdefault(place.province, []).append(place)
    return provinces


def national_decisions():
    """KPU's decisions in force (published by an office, not revoked in whole), newest
    first, each with `offices`: how many offices' lists it governs."""
    revoked = Decision.objects.in_force_somewhere().filter(revokes_whole=True)
    decisions = Decision.objects.in_force_somewhere().filter(
        body__kind=DecidingBody.Kind.KPU, revokes__isnull=True
    )
    decisions = decisions.exclude(pk__in=revoked.values("revokes"))
    with office.every_office():
        counted = decisions.annotate(offices=Count("publications", distinct=True))
        return list(counted.order_by("-date_set", "-pk")[:100])


def found_everywhere(text: str) -> list[dict]:
    """The published items of every office whose public fields hold the words."""
    with office.every_office():
        # Newest first, by the primary key: a word every item holds stops after the first
        # rows instead of sorting them all (office by office, it took 0.6 s at 110,600).
        found = search(Record.objects.on_dik(), text).order_by("-pk")
        fields = ("pk", "public_title", "holding_unit", "office__name", "office__slug")
        return list(found.values(*fields)[:FOUND_SHOWN])


@require_safe
def home(request):
    """/kpu/: every office, KPU's decisions in force, and a search across offices."""
    text = (request.GET.get("q") or "").strip()[:200]
    key = state_key()
    context = {
        # The lists are rendered once per national change (the page's cached fragment,
        # keyed by `key`): at 553 offices their rows cost most of the page (bench/README.md).
        "key": key,
        "provinces": lambda: by_province(key),
        "decisions": national_decisions,
        "text": text,
        "found": found_everywhere(text) if text else None,
        "root": _root(request),
    }
    return _short_lived(render(request, "public/national.html", context))


@require_safe
def province(request, slug):
    """/kpu/provinsi/<slug>/: a KPU Provinsi and its offices."""
    if not is_national():
        raise Http404
    head = Office.objects.filter(kind=Office.Kind.PROVINCE, slug=slug).first()
    if head is None:
        raise Http404
    offices = Office.objects.filter(Q(pk=head.pk) | Q(parent=head)).order_by("code")
    context = {"head": head, "offices": offices_table(offices, state_key()), "root": _root(request)}
    return _short_lived(render(request, "public/national_province.html", context))


def _root(request) -> str:
    """Where the offices' sites start ("/"), from KPU's site (under /kpu/)."""
    return getattr(request, "office_root", None) or "/"


def national_rows():
    """Every office's DIK rows, with the office appended (`kantor`), office by office."""
    with office.every_office():
        records = Record.objects.on_dik()
    return open_data_rows(records, offices=True)


def stamp() -> tuple[None, object]:
    """The national export's head: no version of its own (each office numbers its own),
    and the time it was read."""
    return None, timezone.now()
