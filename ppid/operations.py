"""Operations that tell the truth: a readiness check, and 503 instead of 500 when the
database cannot be read.

`/sehat/` (dikecualikan.public.health) stays a constant `ok`: it says the process answers,
costs nothing, and is the benchmarks' baseline. `/sehat/siap/` asks the database too, so a
load balancer or a monitor learns when the pages cannot be served.

When the database is down, a page fails with OperationalError or InterfaceError wherever it
first reads: in the view (FriendlyErrorsMiddleware.process_exception answers), or in a
middleware, such as the session of a signed-in person (`server_error`, Django's handler500,
answers). Either way the visitor gets the 503 page with Retry-After, not the 500 page: the
site is not broken, it is waiting. Public pages first fall back to their last cached copy
(dikecualikan.public.public_page).
"""

import logging
import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("django.request")

# The errors of a database that cannot be reached or read (down, restarting, refusing
# connections), as opposed to a mistake in a query.
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60


def unavailable() -> HttpResponse:
    """Return the 503 page: a static page that needs neither the database nor a request."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """Django's handler500, answering 503 when the uncaught error is a database outage."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return unavailable()
    return defaults.server_error(request)


@require_safe
@never_cache
def ready(request):
    """Answer 200 when the database can be read, else 503: for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DATABASE_DOWN as error:
        logger.error("Readiness: the database cannot be read: %s", error)
        response = HttpResponse("database unavailable", content_type="text/plain", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse("ok", content_type="text/plain")
