"""Signing in: the client's address and the lockout that protects the real person.

The client's address is read the one way the sign-in lockout and the access log both use.

Behind the reverse proxy every request comes from the proxy; the proxy appends the address
it saw to X-Forwarded-For. That header is believed only when the request itself comes from
a proxy named in TRUSTED_PROXIES, and then only up to the first address the trusted proxies
did not add: whatever a client wrote into the header itself lies to the left of it.

Why not django-ipware: its engine never asks whether the request came through the proxy
(REMOTE_ADDR). Tried with python-ipware 4.1.1: with proxy_count=0 a client connecting
directly and forging "X-Forwarded-For: 6.6.6.6" got 6.6.6.6; with proxy_count=1 an honest
request through one nginx (whose header holds only the client) got no address at all.
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXIES)


def client_ip(request) -> str | None:
    """Return the address of the client that sent this request (axes calls it too)."""
    remote = request.META.get("REMOTE_ADDR")
    if not remote or not _trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a malformed entry: trust nothing left of it
    return remote


class AccountAndAddressHandler(AxesDatabaseHandler):
    """django-axes, locking what an attacker controls and never the real person elsewhere.

    One account from one address is paused after AXES_FAILURE_LIMIT wrong passwords (the
    AXES_LOCKOUT_PARAMETERS); one address is paused after PPID_ADDRESS_FAILURE_LIMIT wrong
    passwords across any accounts (password spraying). Both last AXES_COOLOFF_TIME.
    """

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return _failures_at(client_ip(request)) >= settings.PPID_ADDRESS_FAILURE_LIMIT


def _recent(address):
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)


def _failures_at(address) -> int:
    return _recent(address).aggregate(n=Sum("failures_since_start"))["n"] or 0


def lockout_response(request, original_response=None, credentials=None):
    """The page a paused sign-in gets: why, and from what time it may try again."""
    address = client_ip(request)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    attempts = _recent(address)
    if _failures_at(address) < settings.PPID_ADDRESS_FAILURE_LIMIT:
        attempts = attempts.filter(username=username[:255])
    last = attempts.aggregate(last=Max("attempt_time"))["last"] or timezone.now()
    context = {"retry_at": last + settings.AXES_COOLOFF_TIME}
    return render(request, "registration/lockout.html", context, status=429)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing a username longer than any account's before it is
    looked up (Django sets the length on the field but never checks it: a 10,000-character
    name reached the lockout's 255-character column and answered 500)."""

    def clean_username(self):
        username = self.cleaned_data["username"]
        if len(username) > self.fields["username"].max_length:
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )
        return username
