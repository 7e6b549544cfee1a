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

import datetime
import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Sum
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation

from dikecualikan import office, outbox


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

    One account guessed at from many addresses, each below those limits, is slowed down
    instead (`account_paused_until`): a hard lock would let anyone lock an approver out.
    The person is mailed once when it starts.
    """

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if _failures_at(client_ip(request)) >= settings.PPID_ADDRESS_FAILURE_LIMIT:
            return True
        return account_paused_until(get_client_username(request, credentials)) is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # A try refused during a pause is not counted (axes), so it cannot start a slow-down.
        counted = request is not None and not getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if counted:
            username = get_client_username(request, credentials)
            if _account_failures(username)["n"] == settings.PPID_ACCOUNT_FAILURE_SOFT_LIMIT:
                tell_the_person(username)


def _recent(address):
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)


def _failures_at(address) -> int:
    return _recent(address).aggregate(n=Sum("failures_since_start"))["n"] or 0


def _account_failures(username) -> dict:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
    return attempts.aggregate(
        n=Sum("failures_since_start"),
        last=Max("attempt_time"),
        addresses=Count("ip_address", distinct=True),
    )


def account_paused_until(username) -> datetime.datetime | None:
    """Return until when sign-in to this account waits, or None when it need not.

    From PPID_ACCOUNT_FAILURE_SOFT_LIMIT wrong passwords within AXES_COOLOFF_TIME, from any
    addresses, each further try waits after the last one: 1 second, then twice as long each
    time, at most PPID_ACCOUNT_FAILURE_MAX_DELAY_SECONDS. Guessing slows to a crawl, while
    the real person waits minutes at worst, never the whole cool-off.
    """
    failures = _account_failures(username)
    over = (failures["n"] or 0) - settings.PPID_ACCOUNT_FAILURE_SOFT_LIMIT
    if over < 0:
        return None
    seconds = min(2 ** min(over, 30), settings.PPID_ACCOUNT_FAILURE_MAX_DELAY_SECONDS)
    until = failures["last"] + datetime.timedelta(seconds=seconds)
    return until if until > timezone.now() else None


def tell_the_person(username) -> None:
    """Mail the account's owner that many wrong passwords were tried on it, once a cool-off."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    # The cache keeps two workers (with a shared cache, two servers) from mailing twice.
    window = settings.AXES_COOLOFF_TIME.total_seconds()
    if not user or not user.email or not cache.add(f"signin:told:{user.pk}", True, window):
        return
    failures = _account_failures(username)
    context = {
        "user": user,
        "failures": failures["n"],
        "addresses": failures["addresses"],
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "office": office.current().name,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("registration/failed_sign_ins_subject.txt", context)
        body = render_to_string("registration/failed_sign_ins.txt", context)
    outbox.queue(user.email, " ".join(subject.split()), body)


def lockout_response(request, original_response=None, credentials=None):
    """The page a paused sign-in gets: why, and from what time it may try again."""
    address = client_ip(request)
    username = ((credentials or {}).get("username") or request.POST.get("username", ""))[:255]
    address_paused = _failures_at(address) >= settings.PPID_ADDRESS_FAILURE_LIMIT
    attempts = _recent(address)
    if not address_paused:
        attempts = attempts.filter(username=username)
    here = attempts.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
    paused = address_paused or (here["n"] or 0) >= settings.AXES_FAILURE_LIMIT
    retry_at = here["last"] + settings.AXES_COOLOFF_TIME if paused else timezone.now()
    slowed = account_paused_until(username)
    context = {
        "retry_at": max(retry_at, slowed or retry_at),
        # The account's slow-down names the second: it lasts seconds to minutes.
        "account_wide": not paused and slowed is not None,
        "time_format": "H.i" if paused else "H.i.s",
    }
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
