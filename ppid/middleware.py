from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from dikecualikan.history import ACTOR


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
