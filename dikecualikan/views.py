from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from .roles import approving_roles_of


@login_required
def after_login(request):
    """Send approvers to their queue in the admin, desk and PPID to the staff dashboard."""
    if approving_roles_of(request.user):
        return redirect(reverse("admin:dikecualikan_record_changelist") + "?antrean=saya")
    return redirect("dikecualikan:dashboard")


def admin_login(request):
    """Use the one sign-in page; without a deeper target, sign-in ends on the user's queue."""
    url = reverse("login")
    target = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    if target and safe and target != reverse("admin:index"):
        url += "?" + urlencode({"next": target})
    return redirect(url)


def switch_language(request, code):
    """Remember the chosen language in its cookie and go back (a link, so pages stay cacheable)."""
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def forget_messages(sender, request, **kwargs):
    """Drop the messages still pending at sign-out (connected to `user_logged_out`).

    The session is flushed, but the messages cookie is not: without this a message shown
    to nobody yet would appear on the next page, a public one, to whoever uses the browser.
    Reading them marks the storage used, so the response deletes the cookie.
    """
    list(messages.get_messages(request))
