import functools
from functools import cache
from urllib.parse import quote

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language_info

from . import workflow
from .office import current as current_office
from .roles import offices_of, roles_of


def office(request):
    here = current_office()
    return {
        "office_name": here.name,
        "office_slug": here.slug,  # a part of the key of what its pages cache
        # What the office's pages print after a date and a time: "Pontianak", "WIB".
        "office_place": here.place,
        "office_zone": here.zone,
        "office_logo": here.logo_url,
        "favicon": FAVICON,
        # Where a citizen sends an objection (the public pages say how, UU 14/2008 Pasal 35):
        # its address, phone and email.
        "office_contact": here,
        "site_links": site_links(get_script_prefix(), getattr(request, "office_root", None)),
        "next_path": next_path(request),
        # The offices where the signed-in person holds a role: more than one, a switcher.
        "staff_offices": functools.partial(offices_of, getattr(request, "user", None)),
    }


def next_path(request) -> str:
    """This page's address, where the language switcher brings the visitor back to."""
    return quote(request.get_full_path(), safe="/")


def _static_or_url(name: str) -> str:
    return name if "://" in name or name.startswith("/") else static(name) if name else ""


FAVICON = _static_or_url(settings.PPID_FAVICON)


@cache  # one script prefix per office's site: reversed once per process
def site_links(prefix, root=None):
    """Return the URLs of the header that every page shows, and of the open data.

    Reversing them for each page was a twentieth of an uncached public page (docs/benchmarks.md);
    they only change with the code. `languages` holds each language's code, its name in
    that language and the URL that switches to it (the page adds `?next=`). On an office's
    site (`/kuburayakab/`, `root` the deployment's own prefix) the public links stay under
    the office's prefix, and the staff ones are the deployment's (the person's office).
    """
    names = ["home", "opened", "versions"]
    names += ["dik-csv", "dik-xlsx", "dik-json", "dik-pdf"]
    links = {name.replace("-", "_"): reverse(f"dikecualikan:{name}") for name in names}
    root = root or prefix
    staff = {
        "dashboard": "dikecualikan:dashboard",
        "documents": "dikecualikan:documents",
        "offices": "dikecualikan:office-switch",
        "login": "login",
        "logout": "logout",
    }
    for key, name in staff.items():
        links[key] = root + reverse(name)[len(prefix) :]
    links["languages"] = [
        (code, get_language_info(code)["name_local"], reverse("dikecualikan:language", args=[code]))
        for code, _name in settings.LANGUAGES
    ]
    return links


def waiting(request):
    """The header's "Menunggu saya (n)": counted once, and only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @functools.cache
    def count():
        return workflow.waiting_count(user) if roles_of(user) else None

    return {"waiting_count": count}
