import logging

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.db import DatabaseError
from django.http import Http404, HttpResponseBadRequest, HttpResponseServerError
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.template import loader
from django.utils import translation

from dikecualikan import office
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


def acting_office(get_response):
    """Serve the request as its office: its identity, approvals and time zone.

    Today every request is the default office's (PPID_DEFAULT_OFFICE). When the database
    cannot be read, the request goes on without it: the view then answers from its cached
    copy or with the 503 page (FriendlyErrorsMiddleware), never a 500 from here.
    """

    def middleware(request):
        try:
            here = office.default()
        except DatabaseError:
            return get_response(request)
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
