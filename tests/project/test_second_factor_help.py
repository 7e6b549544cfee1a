"""The second factor on the phone that shows it: a link that opens the authenticator app,
help that speaks of recovery codes only once they exist, a wait said in seconds when
django-otp throttles, and `demo_code` for a newcomer trying the demo (DEBUG only)."""

import datetime
import html
import io
import re
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..conftest import totp_code
from .test_security import sign_in
from .test_sign_in import FACTOR, enrolling

WRONG = "Kode ini tidak benar atau sudah pernah dipakai."


def otpauth_link(page: str) -> str:
    link = re.search(
        r'<a class="button otpauth" id="otpauth-link" href="([^"]+)">([^<]+)</a>', page
    )
    assert link, "no authenticator link on the page"
    assert link.group(2) == "Buka di aplikasi autentikator"
    return html.unescape(link.group(1))


def test_enrolment_offers_a_tappable_otpauth_link_beside_the_qr_code(client, desk):
    device = enrolling(client, desk)
    page = client.get(FACTOR).content.decode()
    url = urlparse(otpauth_link(page))
    assert (url.scheme, url.netloc) == ("otpauth", "totp")
    query = parse_qs(url.query)
    secret = page.split('id="totp-secret">')[1].split("<")[0].replace(" ", "")
    assert query["secret"] == [secret] and query["issuer"] == ["PPID KPU Kota Pontianak"]
    assert device.config_url == otpauth_link(page)  # the very secret the QR code holds
    assert page.index('class="qr"') < page.index('id="otpauth-link"') < page.index('id="id_code"')


def test_the_enrolment_speaks_of_recovery_codes_only_once_they_are_made(client, desk):
    device = enrolling(client, desk)
    page = client.get(FACTOR).content.decode()
    assert "pemulihan" not in page
    assert "Enam angka yang sedang ditampilkan aplikasi autentikator Anda." in page
    code = f"{TOTP(device.bin_key).token():06d}"
    done = client.post(FACTOR, {"code": code, "next": "/staf/"}).content.decode()
    assert "Kode pemulihan Anda" in done  # now they exist, and are shown


def test_a_later_sign_in_mentions_recovery_codes_only_to_whoever_has_them(client, desk):
    totp_code(desk)  # an app, and no recovery codes (as the demo's accounts)
    sign_in(client, "desk")
    page = client.get(FACTOR).content.decode()
    assert "pemulihan" not in page
    assert "Ponsel hilang? Mintalah administrator mengatur ulang faktor kedua Anda." in page
    recovery = StaticDevice.objects.create(user=desk, name="Kode pemulihan")
    StaticToken.objects.create(device=recovery, token="pulih123")
    page = client.get(FACTOR).content.decode()
    assert "atau salah satu kode pemulihan Anda" in page
    assert "Ponsel hilang? Gunakan salah satu kode pemulihan Anda" in page


def test_a_wrong_code_says_how_long_to_wait_and_a_try_during_the_wait_is_not_checked(client, desk):
    code = totp_code(desk)
    sign_in(client, "desk")
    wrong = "000000" if code != "000000" else "111111"
    with time_machine.travel(timezone.now(), tick=False) as clock:
        refused = client.post(FACTOR, {"code": wrong}).content.decode()
        assert f"{WRONG} Tunggu 1 detik, lalu ketik kode yang ditampilkan aplikasi Anda" in refused
        clock.shift(0.5)
        client.post(FACTOR, {"code": wrong})  # during the wait: not even checked
        # The right code during the wait is not checked either, and the page says so.
        throttled = client.post(FACTOR, {"code": code})
        page = throttled.content.decode()
        assert throttled.status_code == 400
        assert "Terlalu banyak kode yang salah. Tunggu 1 detik" in page and WRONG not in page
        clock.shift(1)
        assert client.post(FACTOR, {"code": code, "next": "/staf/"}).status_code == 302


@pytest.mark.parametrize(
    ("failures", "said"), [(4, "Tunggu 8 detik"), (10, "Tunggu 9 menit"), (16, "Tunggu 10 jam")]
)
def test_a_long_wait_is_said_in_minutes_or_hours(client, desk, failures, said):
    code = totp_code(desk)
    sign_in(client, "desk")
    with time_machine.travel(timezone.now(), tick=False):
        TOTPDevice.objects.filter(user=desk).update(
            throttling_failure_count=failures, throttling_failure_timestamp=timezone.now()
        )
        page = client.post(FACTOR, {"code": code}).content.decode()
    # 2**(n-1) seconds: 8 s; 512 s, 9 minutes begun; 32768 s, 10 hours begun.
    assert f"Terlalu banyak kode yang salah. {said}," in page


def test_demo_code_refuses_to_run_with_debug_off(settings, desk):
    settings.DEBUG = False
    totp_code(desk)
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("demo_code", "desk")


def test_demo_code_prints_the_code_of_the_app_that_signs_the_demo_user_in(client, settings, desk):
    settings.DEBUG = True
    totp_code(desk)
    out, err = io.StringIO(), io.StringIO()
    call_command("demo_code", "desk", stdout=out, stderr=err)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code) and "desk" in err.getvalue()
    sign_in(client, "desk")
    response = client.post(FACTOR, {"code": code, "next": "/staf/"})
    assert response.status_code == 302 and response.url == "/staf/"


def test_demo_code_names_a_user_without_an_app(settings, desk, ppid):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="no authenticator app"):
        call_command("demo_code", "ppid")
    with pytest.raises(CommandError, match="no user"):
        call_command("demo_code", "nobody")


def test_a_code_from_demo_code_is_printed_for_its_own_half_minute(settings, desk):
    settings.DEBUG = True
    totp_code(desk)
    device = TOTPDevice.objects.get(user=desk)
    moment = datetime.datetime(2026, 12, 3, 9, 0, 10, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        out, err = io.StringIO(), io.StringIO()
        call_command("demo_code", "desk", stdout=out, stderr=err)
        assert device.verify_token(out.getvalue().strip())
    assert "20 more seconds" in err.getvalue()
