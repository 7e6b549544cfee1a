"""The second factor: a code from an authenticator app (TOTP, django-otp), asked of everyone.

The staff read withheld documents themselves (OWASP ASVS 5.0 V6.3, level 2): after the
password, the first sign-in enrols an authenticator app (a QR code made here, and the
secret as text) and hands out one-time recovery codes; every later sign-in asks for a code.
Until the session is verified, /staf/ and /admin/ send the person here (`middleware`). An
administrator resets a lost factor in the admin; the reset is kept in the user history.
"""

import base64
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import mark_safe
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dikecualikan.models import UserEvent

PROTECTED = ("/staf/", "/admin/")
RECOVERY_CODES = 10


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

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())


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
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error(
            "code",
            _(
                "This code is not right, or it was used already. Type the code your app shows "
                "now; after several wrong codes, wait a little before the next try."
            ),
        )
    context = {"form": form, "next": _next(request)}
    return render(request, "registration/second_factor.html", context, status=_status(form))


def _status(form) -> int:
    return 400 if form.errors else 200


def _enrol(request):
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Aplikasi autentikator", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = _confirm(user, device)
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


def secret_of(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _confirm(user, device) -> list[str]:
    """Confirm the app, replace the recovery codes, and keep it in the user history."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name="Kode pemulihan")
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
        UserEvent.objects.create(user=user, kind=UserEvent.Kind.FACTOR_ENROLLED, actor=user)
    return codes


def reset(*, user, by) -> None:
    """Remove a person's second factor: they enrol again at their next sign-in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        UserEvent.objects.create(user=user, kind=UserEvent.Kind.FACTOR_RESET, actor=by)
