import logging

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.db import DatabaseError
from django.http import (
    Http404,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
)
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.template import loader
from django.urls import get_script_prefix, set_script_prefix
from django.utils import translation

from dikecualikan import office, roles
from dikecualikan.history import ACTOR

from .operations import DATABASE_DOWN, unavailable

logger = logging.getLogger("django.request")


class IndonesianFirstLocaleMiddleware(LocaleMiddleware):
    """Speak Indonesian unless the user chose English with the language switcher.

    Django's own middleware follows the browser's Accept-Language, and many office
    PCs in Indonesia run an English browser: the office's language should not
    depend on that. The switcher stores the choice in the language cookie.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()


UNKNOWN = "?"  # which office a host serves, when neither the database nor a cache can say

# Pages of the signed-in person's office (staff pages, the archive, the admin, the account,
# where a sign-in leads: /masuk/lanjut/).
STAFF_PATHS = ("/staf/", "/admin/", "/akun/", "/accounts/", "/masuk/")


def acting_office(get_response):
    """Serve the request as its office: its identity, approvals, time zone and rows.

    An office's public site is `/<slug>/` (`/kuburayakab/dik.json`): its pages are the same
    views under the office's prefix, and every link they make (`reverse`) stays under it.
    `/` is the default office's (PPID_DEFAULT_OFFICE). The staff pages and the admin act
    for the signed-in person's office (the one they chose among those where they hold a
    role: roles.office_for), never an office named in the path. When the database cannot
    be read, the request goes on without an office: the view then answers from its cached
    copy or with the 503 page (FriendlyErrorsMiddleware), never a 500 from here.
    """

    def middleware(request):
        hosted = UNKNOWN
        try:
            staff = request.path_info.startswith(STAFF_PATHS)
            hosted = office.hosted_at(request.get_host())
            site = None if staff or hosted else office.site_of(request.path_info)
            if hosted is not None:
                here = office.by_slug(hosted)
            elif site is not None:
                here = office.by_slug(site[0])
            elif staff and request.user.is_authenticated:
                here = roles.office_for(request.user, request.session.get(roles.CHOSEN_OFFICE))
            else:
                here = office.default()
        except DatabaseError:
            if hosted not in (None, UNKNOWN):  # a subsite: never another office's stored page
                return unavailable()
            return get_response(request)
        if hosted is not None:
            return on_own_host(request, here, staff)
        if site is None:
            with office.acting(here):
                return get_response(request)
        slug, rest = site
        if not rest or here.is_default or rest.startswith(STAFF_PATHS):
            # "/kuburayakab" → its home; the default office's own name → its pages at /;
            # the staff pages are the signed-in person's office's, at their one address.
            root = get_script_prefix()
            target = f"{root}{slug}/" if not rest else root + rest.lstrip("/")
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
        root = get_script_prefix()
        request.path_info, request.office_root = rest, root
        set_script_prefix(f"{root}{slug}/")
        try:
            with office.acting(here):
                return get_response(request)
        finally:
            set_script_prefix(root)

    def on_own_host(request, here, staff):
        # An office's subsite (sintangkabppid.kpu.go.id) is its public site from the root.
        # Its staff pages are at the deployment's one address, where the session is; its
        # short name in the path is the site itself ("/sintangkab/dik.json" → "/dik.json").
        own, path = f"/{here.slug}", request.path_info
        if staff or path == own or path.startswith(f"{own}/"):
            if staff:
                target = settings.SITE_URL + path
            else:
                target = get_script_prefix() + path[len(own) :].lstrip("/")
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
        if here.slug not in office.served():  # no longer in service: no site, here either
            return render(request, "404.html", status=404)
        with office.acting(here):
            return get_response(request)

    return middleware


def actor(get_response):
    """Name the signed-in user as the actor of what this request writes (dikecualikan.history).

    A role granted in the admin reaches the register's history of users through a
    signal, which is not told who made the change: this tells it.
    """

    def middleware(request):
        token = ACTOR.set(getattr(request, "user", None))
        try:
            return get_response(request)
        finally:
            ACTOR.reset(token)

    return middleware


class FriendlyErrorsMiddleware:
    """With DEBUG on too, a visitor sees the site's Indonesian error pages, not Django's.

    With DEBUG off Django renders them itself (404.html, 403.html, 400.html, 500.html).
    With DEBUG on it would show its technical pages, which a newcomer trying the demo
    (`make run`) should not meet; the traceback still goes to the console's log.

    A database that cannot be read answers 503 with Retry-After, DEBUG on or off
    (ppid/operations.py): the site is waiting, not broken.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            logger.error("Database unavailable on %s: %s", request.path, exception)
            return unavailable()
        if not settings.DEBUG:
            return None
        if isinstance(exception, Http404):
            return render(request, "404.html", status=404)
        if isinstance(exception, PermissionDenied):
            return render(request, "403.html", {"exception": exception}, status=403)
        if isinstance(exception, BadRequest | SuspiciousOperation):
            return HttpResponseBadRequest(loader.render_to_string("400.html"))
        logger.error("Server error on %s", request.path, exc_info=exception)
        return HttpResponseServerError(loader.render_to_string("500.html"))
