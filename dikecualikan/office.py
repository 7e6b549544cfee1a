"""The office this register serves: its name, place, contacts, logo, PPID, province and zone.

Pages (the context processor), documents (pdf.letterhead), mail, the admin's header, the
authenticator's label and the consequence-test form ask `current()`, never the settings or
a literal "Pontianak" or "WIB". Today there is one office, the deployment's, read from
settings (PPID_OFFICE_*, TIME_ZONE); when offices become data, `current()` answers the
office of the request and nothing that asks it changes. A leaf: it imports only Django.
"""

import base64
import datetime
import functools
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import checks
from django.core.exceptions import SuspiciousFileOperation
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static

# The three zones of Indonesia as the office writes a time ("09.00 WITA"), by IANA name.
ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


@dataclass(frozen=True)
class Office:
    name: str  # "KPU Kota Pontianak"
    place: str  # the town printed before the date on its papers: "Pontianak, 21 Agustus 2025"
    address: str
    phone: str
    email: str
    logo: str  # a file of the static files ("img/logo-ppid.svg"), or "" for the name alone
    ppid_name: str  # the PPID's name for signatures, or "" (dik.signing_ppid asks the roles)
    province: str  # as dikecualikan/provinces.py writes it
    time_zone: str  # an IANA name: Asia/Jakarta, Asia/Pontianak, Asia/Makassar, Asia/Jayapura

    @property
    def zone(self) -> str:
        """Return the zone's abbreviation as printed after a time: WIB, WITA or WIT."""
        known = ZONE_ABBREVIATIONS.get(self.time_zone)
        return known or datetime.datetime.now(ZoneInfo(self.time_zone)).tzname()

    @functools.cached_property  # every page shows it
    def logo_url(self) -> str:
        """Return the logo's URL for the pages, or "" for none."""
        return static(self.logo) if self.logo else ""

    def logo_data_uri(self) -> str:
        """Return the logo as a data URI for documents (they fetch nothing), or "" for none."""
        path = _logo_file(self.logo)
        if path is None:
            return ""
        kind = mimetypes.guess_type(path.name)[0] or "image/png"
        return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


def current() -> Office:
    """Return the office being served."""
    return _configured()


@functools.cache  # asked by every page: built once, and again when a test changes settings
def _configured() -> Office:
    return Office(
        name=settings.PPID_OFFICE_NAME,
        place=settings.PPID_OFFICE_PLACE,
        address=settings.PPID_OFFICE_ADDRESS,
        phone=settings.PPID_OFFICE_PHONE,
        email=settings.PPID_OFFICE_EMAIL,
        logo=logo_name(settings.PPID_OFFICE_LOGO),
        ppid_name=settings.PPID_OFFICE_PPID_NAME,
        province=settings.PPID_OFFICE_PROVINCE,
        time_zone=settings.TIME_ZONE,
    )


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting.startswith(("PPID_OFFICE_", "STATIC")) or setting == "TIME_ZONE":
        _configured.cache_clear()


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
