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
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import checks
from django.core.exceptions import (
    ImproperlyConfigured,
    SuspiciousFileOperation,
    ValidationError,
)
from django.core.signals import setting_changed
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
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


_ACTING: contextvars.ContextVar = contextvars.ContextVar("ppid_office", default=None)
_known: dict[str, tuple[float, Office]] = {}
_known_lock = threading.Lock()


def current() -> Office:
    """Return the acting office: the one activated by `acting`, else the default office."""
    return _ACTING.get() or default()


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


def forget() -> None:
    """Drop every office this process keeps (after an edit; at a test's start)."""
    with _known_lock:
        _known.clear()


@receiver(post_save, sender=Office)
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
