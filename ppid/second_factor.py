"""The second factor: a code from an authenticator app (TOTP, django-otp), asked of everyone.

The staff read withheld documents themselves (OWASP ASVS 5.0 V6.3, level 2): after the
password, the first sign-in enrols an authenticator app (a QR code made here, and the
secret as text) and hands out one-time recovery codes; every later sign-in asks for a code.
Until the session is verified, /staf/ and /admin/ send the person here (`middleware`).

The password alone never reaches a secret: whoever knows it (an administrator who set it,
say) could otherwise enrol their own app and sign in as the person. Enrolling asks first
for a one-time enrolment code that an administrator makes in the admin and hands over
(for a new account, and after a reset of a lost factor); it is shown once and kept only
as a hash (`EnrolmentCode`). The secret then lives in that session alone, never in a
shared unconfirmed device that a second session could read. The making of a code and a
reset are kept in the user history and mailed to the person and the Atasan PPID.
"""

import base64
import datetime
import math
import secrets
import time
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import mark_safe
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from dikecualikan.models import EnrolmentCode, UserEvent
from dikecualikan.signals import mail_events

PROTECTED = ("/staf/", "/admin/")
RECOVERY_CODES = 10
# The session's own enrolment: the secret being set up, and the user history's last
# reset or code when the enrolment code was typed (a later one cancels this enrolment).
ENROLMENT = "ppid_enrolment"
STARTS_AN_ENROLMENT = (UserEvent.Kind.FACTOR_RESET, UserEvent.Kind.ENROLMENT_CODE)


def middleware(get_response):
    """Send a signed-in person whose session has no verified second factor to this page."""

    def second_factor(request):
        user = request.user
        if (
            settings.OTP_REQUIRED
            and request.path.startswith(PROTECTED)
            and user.is_authenticated
            and not user.is_verified()
        ):
            url = reverse("second-factor") + "?" + urlencode({"next": request.get_full_path()})
            return redirect(url)
        return get_response(request)

    return second_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        help_text=gettext_lazy(
            "The six digits your authenticator app shows now, or one of your recovery codes."
        ),
    )

    def __init__(self, *args, recovery_codes=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not recovery_codes:  # at enrolment, or never given any (the demo's accounts)
            self.fields["code"].help_text = _("The six digits your authenticator app shows now.")

    def clean_code(self):
        # Recovery codes are lower case; one typed in capitals, or grouped, is the same code.
        return "".join(self.cleaned_data["code"].split()).replace("-", "").lower()


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=gettext_lazy("Enrolment code"),
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        help_text=gettext_lazy(
            "The one-time code the administrator gave you to set up your second factor."
        ),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("dikecualikan:after-login")


@login_required
@never_cache
def verify(request):
    """Ask for the code (or enrol first); on success the session is verified."""
    user = request.user
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return _enrol(request)
    recovery_codes = StaticToken.objects.filter(device__user=user).exists()
    form = CodeForm(request.POST or None, recovery_codes=recovery_codes)
    if request.method == "POST" and form.is_valid():
        wait = seconds_to_wait(user)
        if wait:  # django-otp would refuse even the right code now: say so, and for how long
            form.add_error("code", _("Too many wrong codes.") + " " + _wait_text(wait))
        else:
            device = match_token(user, form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                return redirect(_next(request))
            wrong = _("This code is not right, or it was used already.")
            wait = seconds_to_wait(user)
            form.add_error("code", f"{wrong} {_wait_text(wait) if wait else ''}".strip())
    context = {"form": form, "next": _next(request), "recovery_codes": recovery_codes}
    return render(request, "registration/second_factor.html", context, status=_status(form))


def seconds_to_wait(user) -> int:
    """Return how long django-otp's throttling makes the person wait for the next try (0: none).

    Each wrong code doubles the wait of every device it was tried on (1, 2, 4, 8... seconds);
    a try during the wait is not checked at all, so the person is told the wait instead.
    """
    now, waits = timezone.now(), [0]
    for device in devices_for_user(user):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            waits.append(math.ceil((data["locked_until"] - now).total_seconds()))
    return max(waits)


def _wait_text(seconds: int) -> str:
    """Return "Wait 8 seconds, then type the code your app shows then." in the person's words."""
    if seconds < 120:
        wait = ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    elif seconds < 2 * 3600:
        minutes = math.ceil(seconds / 60)
        wait = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    else:
        hours = math.ceil(seconds / 3600)
        wait = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return _("Wait %(wait)s, then type the code your app shows then.") % {"wait": wait}


def _status(form) -> int:
    return 400 if form.errors else 200


def _enrol(request):
    """Ask for the enrolment code, then show this session's own secret until confirmed."""
    user = request.user
    pending = request.session.get(ENROLMENT)
    if pending is None or pending["after"] != _last_start(user):
        request.session.pop(ENROLMENT, None)  # a later reset or code cancelled it
        return _enrolment_code(request)
    device = TOTPDevice(user=user, key=pending["key"], name="Aplikasi autentikator")
    form = CodeForm(request.POST or None, recovery_codes=False)  # made once this code is right
    if request.method == "POST" and form.is_valid():
        if _app_shows(device, form.cleaned_data["code"]):
            codes = _confirm(user, device)
            del request.session[ENROLMENT]
            otp_login(request, device)
            context = {"codes": codes, "next": _next(request)}
            return render(request, "registration/recovery_codes.html", context)
        form.add_error("code", _("This code is not right. Type the code your app shows now."))
    context = {
        "form": form,
        "next": _next(request),
        "qr": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, border=4)),
        "secret": secret_of(device),
        "config_url": device.config_url,
    }
    return render(request, "registration/second_factor_enrol.html", context, status=_status(form))


def _enrolment_code(request):
    """The enrolment code opens an enrolment in this session, and is used up by it."""
    user = request.user
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = EnrolmentCode.objects.filter(user=user).first()
        typed = form.cleaned_data["enrolment_code"]
        # Deleted before the secret is made: of two sessions typing it at once, one wins.
        if code is not None and code.matches(typed) and _use(code):
            request.session[ENROLMENT] = {"key": default_key(), "after": _last_start(user)}
            return redirect(reverse("second-factor") + "?" + urlencode({"next": _next(request)}))
        form.add_error(
            "enrolment_code",
            _(
                "This enrolment code is not right, was used already, or has expired. "
                "Ask the administrator for a new one."
            ),
        )
    context = {"form": form, "next": _next(request)}
    return render(request, "registration/second_factor_code.html", context, status=_status(form))


def _use(code: EnrolmentCode) -> bool:
    deleted, _by_model = EnrolmentCode.objects.filter(pk=code.pk).delete()
    return deleted > 0


def _last_start(user) -> int | None:
    """The user history's last reset or enrolment code of this person."""
    events = UserEvent.objects.filter(user=user, kind__in=STARTS_AN_ENROLMENT)
    return events.order_by("-pk").values_list("pk", flat=True).first()


def _app_shows(device: TOTPDevice, code: str) -> bool:
    """Whether the app set up with the secret shows this code now (one step either side)."""
    if not code.isdigit():
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=1):
        return False
    device.last_t, device.drift = totp.t(), totp.drift  # the code signs in only once
    return True


def secret_of(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _confirm(user, device) -> list[str]:
    """Save the confirmed app, replace the recovery codes, and keep it in the user history."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()  # one app per person
        device.confirmed = True
        device.save()
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name="Kode pemulihan")
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
        UserEvent.objects.create(user=user, kind=UserEvent.Kind.FACTOR_ENROLLED, actor=user)
    return codes


def make_enrolment_code(*, user, by) -> tuple[str, datetime.datetime]:
    """Make a person's one-time enrolment code; return it (to show once) and its expiry.

    A new code replaces the one before. The making is kept in the user history and
    mailed to the person and the Atasan PPID: whoever holds the code and the password
    can set up a second factor as that person.
    """
    with transaction.atomic():
        event, code, expires = _new_enrolment_code(user, by)
        mail_events([event], person=user)
    return code, expires


def reset(*, user, by) -> tuple[str, datetime.datetime]:
    """Remove a person's second factor and make the enrolment code they set it up with again.

    Return the code (to show once) and its expiry. The reset and the code are kept in
    the user history and mailed to the person and the Atasan PPID.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        undone = UserEvent.objects.create(user=user, kind=UserEvent.Kind.FACTOR_RESET, actor=by)
        event, code, expires = _new_enrolment_code(user, by)
        mail_events([undone, event], person=user)
    return code, expires


def _new_enrolment_code(user, by) -> tuple[UserEvent, str, datetime.datetime]:
    """Replace the person's enrolment code (only its hash is kept) and write the history row."""
    code = "".join(secrets.choice(EnrolmentCode.ALPHABET) for _ in range(EnrolmentCode.LENGTH))
    code = "-".join(code[i : i + 4] for i in range(0, len(code), 4))  # read out in fours
    expires = timezone.now() + datetime.timedelta(hours=settings.PPID_ENROLMENT_CODE_HOURS)
    EnrolmentCode.objects.update_or_create(
        user=user, defaults={"digest": EnrolmentCode.digest_of(code), "expires": expires}
    )
    event = UserEvent.objects.create(user=user, kind=UserEvent.Kind.ENROLMENT_CODE, actor=by)
    return event, code, expires
