"""The offices this register serves, and which one is acting now.

KPU runs one register for its 553 offices (KPU, 38 KPU Provinsi, 514 KPU Kabupaten/Kota):
each is a row of `Office`, a tree loaded from dikecualikan/data/offices.csv (Kemendagri's
region codes; see dikecualikan/data/README.md) by migration 0037. Pages (the context
processor), documents (pdf.letterhead), mail, the admin's header, the authenticator's label
and the consequence-test form ask `current()` for the acting office's name, place,
address, contacts, logo, PPID, province, time zone and approvals, never the settings or a
literal "Pontianak" or "WIB". `current()` is the office a request or a command activated
(`acting`), else the deployment's default office (PPID_DEFAULT_OFFICE): a one-office
install is its default office. The PPID_OFFICE_* settings only seed the default office
when the table is made; from then on its own administrator edits it in the admin.

A leaf of the roles layer: it imports only Django.
"""

import base64
import contextlib
import contextvars
import datetime
import functools
import mimetypes
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import (
    ImproperlyConfigured,
    SuspiciousFileOperation,
    ValidationError,
)
from django.core.management.base import CommandError
from django.core.signals import setting_changed
from django.db import DatabaseError, models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http.request import split_domain_port, validate_host
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The three zones of Indonesia as the office writes a time ("09.00 WITA"), by IANA name.
ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
ZONE_CHOICES = [(name, f"{name} ({short})") for name, short in ZONE_ABBREVIATIONS.items()]

# A web process reads an office's row once and keeps it this long: an edit in the admin
# shows in the process that saved it at once, in the others within this time.
OFFICE_SECONDS = 60


class Office(models.Model):
    """One KPU office: its place in the tree, and its identity as its papers print it."""

    class Kind(models.TextChoices):
        KPU = "kpu", _("KPU")
        PROVINCE = "provinsi", _("KPU Provinsi")
        REGENCY = "kabupaten", _("KPU Kabupaten")
        CITY = "kota", _("KPU Kota")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(
        _("region code"),
        max_length=5,
        blank=True,
        editable=False,
        help_text=_("Kemendagri's code of the region (61.71); empty for KPU."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="children",
        verbose_name=_("parent office"),
    )
    slug = models.SlugField(
        _("short name"),
        max_length=40,
        unique=True,
        editable=False,
        help_text=_("KPU's own short name, as in its addresses: pontianakkota."),
    )
    name = models.CharField(_("name"), max_length=200)
    region = models.CharField(_("region"), max_length=200, editable=False)
    province = models.CharField(
        _("province"),
        max_length=60,
        blank=True,
        editable=False,
        help_text=_("As dikecualikan/provinces.py writes it; empty for KPU."),
    )
    place = models.CharField(
        _("place"),
        max_length=100,
        help_text=_(
            'The town printed before the date on its papers: "Pontianak, 21 Agustus 2025".'
        ),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    logo = models.CharField(
        _("logo"),
        max_length=200,
        blank=True,
        help_text=_(
            'A file of the static files ("img/logo-kpu.png"), or empty for the name alone.'
        ),
    )
    ppid_name = models.CharField(
        _("PPID's name for signatures"),
        max_length=200,
        blank=True,
        help_text=_("Empty: the documents name the person who holds the PPID role."),
    )
    time_zone = models.CharField(_("time zone"), max_length=40, choices=ZONE_CHOICES)
    approvals = models.CharField(
        _("approvals required"),
        max_length=100,
        default="pembina:1,tim_pertimbangan:1",
        help_text=_(
            "The roles whose approval a proposal needs, each with its quorum: "
            '"pembina:1,tim_pertimbangan:2".'
        ),
    )
    in_service = models.BooleanField(
        _("uses the register"),
        default=False,
        help_text=_("The office keeps its register here (its public pages are served)."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="office_code_unique"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.logo.strip() and not logo_name(self.logo):
            raise ValidationError(
                {"logo": _("No static file has this name: put the image under static/ first.")}
            )

    @property
    def is_default(self) -> bool:
        """The deployment's default office: served at `/`, its files where they always were."""
        return self.slug == settings.PPID_DEFAULT_OFFICE

    @property
    def zone(self) -> str:
        """Return the zone's abbreviation as printed after a time: WIB, WITA or WIT."""
        known = ZONE_ABBREVIATIONS.get(self.time_zone)
        return known or datetime.datetime.now(ZoneInfo(self.time_zone)).tzname()

    @functools.cached_property  # every page shows it; the row is kept a minute (by_slug)
    def logo_url(self) -> str:
        """Return the logo's URL for the pages, or "" for none."""
        name = logo_name(self.logo)
        return static(name) if name else ""

    def logo_data_uri(self) -> str:
        """Return the logo as a data URI for documents (they fetch nothing), or "" for none."""
        path = _logo_file(logo_name(self.logo))
        if path is None:
            return ""
        kind = mimetypes.guess_type(path.name)[0] or "image/png"
        return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


class OfficeHost(models.Model):
    """A host name of its own on which an office's public pages are served from its root
    (sintangkabppid.kpu.go.id/ as /sintangkab/ is): KPU's subsites. Public pages only: the
    staff pages and the admin stay at the deployment's one address (SITE_URL). Kept by the
    deployment's administrators, since the name must also be in ALLOWED_HOSTS, the DNS and
    the certificate (docs/deployment.md)."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="hosts", verbose_name=_("office")
    )
    host = models.CharField(
        _("host name"),
        max_length=253,
        unique=True,
        help_text=_("As visitors type it, without https:// or a path: sintangkabppid.kpu.go.id."),
    )

    class Meta:
        verbose_name = _("host name of its own")
        verbose_name_plural = _("host names of their own")
        ordering = ["host"]

    def __str__(self):
        return self.host

    def clean(self):
        self.host = self.host.strip().lower().rstrip(".")
        domain, port = split_domain_port(self.host)
        if not domain or port or domain != self.host:
            raise ValidationError(
                {"host": _("Write the host name alone: sintangkabppid.kpu.go.id.")}
            )
        if not validate_host(domain, settings.ALLOWED_HOSTS):
            raise ValidationError(
                {
                    "host": _(
                        "This server does not answer for this name yet: add it to "
                        "ALLOWED_HOSTS first (docs/deployment.md)."
                    )
                }
            )
        if domain == urlsplit(settings.SITE_URL).hostname:
            raise ValidationError(
                {"host": _("This is the address of the staff pages (SITE_URL), not a subsite.")}
            )


_ACTING: contextvars.ContextVar = contextvars.ContextVar("ppid_office", default=None)
_known: dict[str, tuple[float, Office]] = {}
_known_lock = threading.Lock()


def current() -> Office:
    """Return the acting office: the one activated by `acting`, else the default office."""
    return _ACTING.get() or default()


class OutsideOffice(RuntimeError):
    """A query of an office's rows while no office acts: a bug, never "every office"."""


# The methods of an office-owned queryset that read or write rows (or build a query that
# would, as a subquery): with no office acting, each raises OutsideOffice. `using`, `none`,
# `create` and `bulk_create` stay: Django builds a form's choices at import (`using`), and a
# new row takes the acting office or the default one (`acting_pk`).
REFUSED = (
    "__iter__",
    "__len__",
    "__bool__",
    "__getitem__",
    "all",
    "filter",
    "exclude",
    "get",
    "count",
    "exists",
    "contains",
    "aggregate",
    "annotate",
    "alias",
    "update",
    "delete",
    "values",
    "values_list",
    "order_by",
    "distinct",
    "first",
    "last",
    "earliest",
    "latest",
    "iterator",
    "in_bulk",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "only",
    "defer",
    "dates",
    "datetimes",
    "union",
    "intersection",
    "difference",
    "raw",
    "explain",
    "get_or_create",
    "update_or_create",
    "bulk_update",
    "complex_filter",
    "extra",
    "reverse",
)
_EVERY_OFFICE: contextvars.ContextVar = contextvars.ContextVar("ppid_every_office", default=False)


def _refusing(name: str):
    def refuse(queryset, *args, **kwargs):
        if queryset.query.is_empty():  # none(): a form's empty choices, nothing to leak
            return getattr(super(type(queryset), queryset), name)(*args, **kwargs)
        raise OutsideOffice(
            f"{queryset.model._meta.label}: an office's rows are read while an office acts "
            "(office.acting), or every office's on purpose (office.every_office)."
        )

    return refuse


@functools.cache
def _outside(queryset_class: type) -> type:
    """The queryset class of the same model that refuses every query (no office acting)."""
    refused = {name: _refusing(name) for name in REFUSED}
    return type(f"Outside{queryset_class.__name__}", (queryset_class,), refused)


class InOffice(models.Manager):
    """The default manager of an office-owned model: the acting office's rows, and only them.

    With no office acting it hands out a queryset that raises OutsideOffice at its first
    use, so no query forgets the office ("all offices" by accident). A reader of every
    office (verify_history, the clean-up of files) says so with `every_office()`. Django's
    base manager (a foreign key's object, refresh_from_db) stays unscoped: it follows a link
    already made, never a search. Made with `InOffice.from_queryset(SomeQuerySet)()`.
    """

    path = "office"  # the lookup to the row's office

    @classmethod
    def through(cls, path: str) -> type:
        """The manager class for rows whose office is reached by `path` ("record__office"):
        a class attribute, since Django makes a relation's manager from the class alone."""
        return type(f"InOffice_{path}", (cls,), {"path": path})

    def seen_by(self, here) -> models.Q:
        """The rows the acting office `here` reads: its own (a row seen by two offices, such
        as a request and the KPU Provinsi it travels through, widens this)."""
        return models.Q(**{self.path: here})

    def get_queryset(self):
        queryset = super().get_queryset()
        here = _ACTING.get()
        if here is not None:
            return queryset.filter(self.seen_by(here))
        if _EVERY_OFFICE.get():
            return queryset
        outside = queryset.all()
        outside.__class__ = _outside(type(queryset))
        return outside


def cache_part() -> str:
    """The acting office's part of a cache key: its short name. With none acting (the
    database could not be read to find it), the default office's, from the settings."""
    here = _ACTING.get()
    return here.slug if here is not None else settings.PPID_DEFAULT_OFFICE


def acting_office() -> Office:
    """Return the acting office for a read of its rows built by hand (a query made once);
    raise OutsideOffice when none acts, as InOffice does."""
    here = _ACTING.get()
    if here is None:
        raise OutsideOffice("an office's rows are read while an office acts (office.acting)")
    return here


def lookup(path: str = "office") -> dict:
    """The filter of a query built by hand, as InOffice filters: {path: the acting office},
    nothing inside every_office(); OutsideOffice when neither."""
    here = _ACTING.get()
    if here is not None:
        return {path: here}
    if _EVERY_OFFICE.get():
        return {}
    raise OutsideOffice("an office's rows are read while an office acts (office.acting)")


@contextlib.contextmanager
def every_office():
    """Read every office's rows inside the block, on purpose (and outside any acting office)."""
    acting_token, every_token = _ACTING.set(None), _EVERY_OFFICE.set(True)
    try:
        yield
    finally:
        _EVERY_OFFICE.reset(every_token)
        _ACTING.reset(acting_token)


class OfficeOwned:
    """A model whose rows are an office's (`office`, set by the register, never typed).

    A form leaves `office` out, and Django then skips every constraint that names it: the
    uniqueness of a day off or a storage place within its office would be checked by
    nobody, and a duplicate would reach the database as an error. Here the office is
    always part of the check.
    """

    def validate_constraints(self, exclude=None):
        return super().validate_constraints(exclude=set(exclude or ()) - {"office"})


def acting_pk() -> int:
    """The acting office's id: the default of every office-owned row's `office`, so a row is
    made in the office of the request, command or task that makes it."""
    return current().pk


def office_field(related_name: str = "+") -> models.ForeignKey:
    """The `office` column of an office's rows: set by the register (the acting office when
    the row is made), never typed in a form."""
    return models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        default=acting_pk,
        editable=False,
        related_name=related_name,
        verbose_name=_("office"),
    )


def default() -> Office:
    """Return the deployment's default office (PPID_DEFAULT_OFFICE), served at `/`."""
    office = by_slug(settings.PPID_DEFAULT_OFFICE)
    if office is None:
        raise ImproperlyConfigured(
            f"PPID_DEFAULT_OFFICE={settings.PPID_DEFAULT_OFFICE!r} names no office: "
            "give the short name of a row of the offices table (pontianakkota)."
        )
    return office


def by_slug(slug: str) -> Office | None:
    """Return the office of this short name, read at most once a minute per process."""
    with _known_lock:
        hit = _known.get(slug)
    if hit is not None and time.monotonic() - hit[0] < OFFICE_SECONDS:
        return hit[1]
    office = Office.objects.filter(slug=slug).first()
    if office is not None:
        with _known_lock:
            _known[slug] = (time.monotonic(), office)
    return office


@contextlib.contextmanager
def acting(office: Office):
    """Act for this office inside the block (a request, a command, a task)."""
    token = _ACTING.set(office)
    try:
        with timezone.override(office.time_zone):
            yield office
    finally:
        _ACTING.reset(token)


def act_from_now_on(office: Office) -> None:
    """Act for this office for the rest of this thread: a script that works for one office
    from start to end (the benchmarks), where no block can hold `acting`."""
    _ACTING.set(office)


def in_service(slug: str | None = None) -> list[Office]:
    """The offices a daily job works for: the one named (`--office slug`), else every
    office that keeps its register here. A name that is no office is refused (the
    command's error), never "all"."""
    if slug:
        return [named(slug)]
    return list(Office.objects.filter(in_service=True).order_by("code"))


def named(slug: str | None) -> Office | None:
    """The office a command's `--office slug` names; None when none is named (the command
    then works for every office). A name that is no office is the command's error."""
    if not slug:
        return None
    office = by_slug(slug)
    if office is None:
        raise CommandError(f"--office {slug!r} names no office (e.g. pontianakkota)")
    return office


_served: list = []  # [(read at, frozenset of short names, {host: short name})]
SITES_KEY = "office:sites"


def _sites() -> tuple[frozenset[str], dict[str, str]]:
    """The offices in service and their hosts of their own, read in one query at most once
    a minute per process, like the offices themselves."""
    with _known_lock:
        hit = _served[0] if _served else None
    if hit is not None and time.monotonic() - hit[0] < OFFICE_SECONDS:
        return hit[1], hit[2]
    try:
        sites = Office.objects.filter(models.Q(in_service=True) | models.Q(hosts__isnull=False))
        rows = list(sites.values_list("slug", "in_service", "hosts__host"))
    except DatabaseError:
        # The database is down: the sites last read, by this process or (one just started)
        # by another through a shared cache, so a subsite is still told from the rest.
        known = hit[1:] if hit is not None else cache.get(SITES_KEY)
        if known is None:
            raise
        return known
    slugs, hosts = set(), {}
    for slug, in_service, host in rows:
        if in_service:
            slugs.add(slug)
        if host:  # an office's host serves that office's site or nothing, never another's
            hosts[host] = slug
    with _known_lock:
        _served[:] = [(time.monotonic(), frozenset(slugs), hosts)]
    cache.set(SITES_KEY, (frozenset(slugs), hosts), None)
    return frozenset(slugs), hosts


def served() -> frozenset[str]:
    """The short names of the offices in service (each has its public site at /<slug>/)."""
    return _sites()[0]


def hosted_at(host: str) -> str | None:
    """The short name of the office whose public site is this host's root ("sintangkab" for
    "sintangkabppid.kpu.go.id:443"; served while it is in service), or None for any other
    host."""
    hosts = _sites()[1]
    return hosts.get(split_domain_port(host)[0]) if hosts else None


def site_of(path: str) -> tuple[str, str] | None:
    """("kuburayakab", "/dik.json") for "/kuburayakab/dik.json", the public site of an
    office in service; None for any other path (the default office's site is at /)."""
    slug, slash, rest = path[1:].partition("/")
    if slug not in served():
        return None
    return slug, slash + rest


def public_url() -> str:
    """Where the acting office's public site starts, for links made outside its pages
    (mail): SITE_URL for the default office (at /), SITE_URL + "/kuburayakab" for another,
    "https://sintangkabppid.kpu.go.id" for one on a host of its own."""
    here = current()
    own = sorted(host for host, slug in _sites()[1].items() if slug == here.slug)
    if own and here.slug in served():
        return f"{urlsplit(settings.SITE_URL).scheme}://{own[0]}"
    return settings.SITE_URL if here.is_default else f"{settings.SITE_URL}/{here.slug}"


def acting_for(row):
    """Act for the office a row is of: a task, given a row's id, works in its office."""
    return acting(Office.objects.get(pk=row.office_id))


def forget() -> None:
    """Drop every office this process keeps (after an edit; at a test's start)."""
    with _known_lock:
        _known.clear()
        _served.clear()


@receiver(post_save, sender=Office)
@receiver(post_save, sender=OfficeHost)
@receiver(post_delete, sender=OfficeHost)
def _forget_saved(**kwargs):
    forget()


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting.startswith("STATIC") or setting == "PPID_DEFAULT_OFFICE":
        forget()


def logo_name(value: str) -> str:
    """Return the static file PPID_OFFICE_LOGO names, or "" when it names none.

    The setting has one meaning: a file of the static files, as `{% static %}` takes it
    ("img/logo-kpu.png"; "/static/img/logo-kpu.png" is read as the same file). Pages and
    documents then show the same logo; anything else (a URL elsewhere, which the pages'
    content security policy would block and a document never fetches, a path outside the
    static files, a missing file) leaves the name alone on both, and `manage.py check` warns.
    """
    value = value.strip()
    prefix = settings.STATIC_URL
    if value.startswith(prefix):
        value = value[len(prefix) :]
    return value if _logo_file(value) else ""


def _logo_file(name: str) -> Path | None:
    if not name or "://" in name or name.startswith("/"):
        return None
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:  # "../" out of the static folders
        return None
    return Path(found) if found and Path(found).is_file() else None


def check_logo(**kwargs) -> list[checks.CheckMessage]:
    """Warn when PPID_OFFICE_LOGO is set but names no static file (the name shows alone)."""
    if not settings.PPID_OFFICE_LOGO.strip() or logo_name(settings.PPID_OFFICE_LOGO):
        return []
    return [
        checks.Warning(
            f"PPID_OFFICE_LOGO={settings.PPID_OFFICE_LOGO!r} names no static file: pages and "
            "documents show the office's name without a logo.",
            hint='Put the image under static/ and name it as "img/logo-kpu.png".',
            id="dikecualikan.W001",
        )
    ]
