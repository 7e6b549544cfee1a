"""Signing in, fit for classified files: a second factor, the client's address behind the
proxy, a lockout an attacker cannot turn against the real person, and no reset by mail."""

import base64
import re
from ipaddress import ip_network

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from arsip.models import AccessLog
from dikecualikan.models import UserEvent
from ppid import second_factor

from ..conftest import totp_code
from .test_security import sign_in

FACTOR = reverse("second-factor")


def code_of(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def enrolling(client, user) -> TOTPDevice:
    """Sign in with the password and the enrolment code an administrator handed over;
    return the app being set up, whose secret this session alone holds (nothing saved)."""
    code, _expires = second_factor.make_enrolment_code(user=user, by=None)
    sign_in(client, user.username)
    client.post(FACTOR, {"enrolment_code": code})
    return TOTPDevice(user=user, key=client.session[second_factor.ENROLMENT]["key"])


@pytest.mark.parametrize("path", ["/staf/", "/staf/entri/", "/staf/arsip/akses/", "/admin/"])
def test_with_the_password_alone_the_staff_pages_and_the_admin_ask_for_the_second_factor(
    client, ppid, sign_in_halfway, path
):
    sign_in_halfway(client, ppid)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == FACTOR + "?next=" + path.replace("/", "%2F")


def test_the_first_sign_in_enrols_an_app_with_a_qr_code_and_the_secret_as_text(client, desk):
    device = enrolling(client, desk)
    page = client.get(FACTOR + "?next=/staf/")
    html = page.content.decode()
    secret = base64.b32encode(device.bin_key).decode()
    size = re.search(r'<svg width="(\d+)" height="\1" class="segno">', html)  # drawn here
    assert size and int(size.group(1)) <= 300  # it fits a 360 px phone
    assert " ".join(re.findall(".{4}", secret)) in html
    code = re.search(r"<input[^>]*name=\"code\"[^>]*>", html).group(0)
    assert 'autocomplete="one-time-code"' in code and 'inputmode="numeric"' in code
    assert "Atur faktor kedua Anda" in html


def test_a_wrong_code_is_refused_and_the_right_one_confirms_the_app_with_recovery_codes(
    client, desk
):
    device = enrolling(client, desk)
    wrong = client.post(FACTOR, {"code": "000000" if code_of(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "Kode ini tidak benar" in wrong.content.decode()
    assert client.get("/staf/").status_code == 302

    done = client.post(FACTOR, {"code": code_of(device), "next": "/staf/"})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in done.content.decode() for code in codes)
    assert done.has_header("Cache-Control") and "no-store" in done["Cache-Control"]
    assert TOTPDevice.objects.get(user=desk).confirmed
    assert client.get("/staf/").status_code == 200
    event = UserEvent.objects.get(user=desk, kind=UserEvent.Kind.FACTOR_ENROLLED)
    assert event.actor == desk


def test_a_later_sign_in_asks_for_the_code_and_takes_it_once(client, desk):
    code = totp_code(desk)  # enrolled already
    sign_in(client, "desk")
    page = client.get(FACTOR).content.decode()
    assert "Faktor kedua" in page and "Atur faktor" not in page
    response = client.post(FACTOR, {"code": code, "next": "/staf/"})
    assert response.status_code == 302 and response.url == "/staf/"
    assert client.get("/staf/").status_code == 200
    # The same code, a second time in the same half minute, is refused (a replayed code).
    client.post(reverse("logout"))
    sign_in(client, "desk")
    assert client.post(FACTOR, {"code": code}).status_code == 400


def test_a_recovery_code_signs_in_once_instead_of_the_app(client, desk):
    totp_code(desk)
    sign_in(client, "desk")
    client.post(reverse("logout"))
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=desk, name="Kode pemulihan")
    StaticToken.objects.create(device=device, token="pulih123")
    sign_in(client, "desk")
    assert client.post(FACTOR, {"code": "pulih 123", "next": "/staf/"}).status_code == 302
    assert not StaticToken.objects.filter(token="pulih123").exists()  # used up
    client.post(reverse("logout"))
    sign_in(client, "desk")
    assert client.post(FACTOR, {"code": "pulih123"}).status_code == 400


def test_a_bad_next_after_the_code_stays_on_this_site(client, desk):
    code = totp_code(desk)
    sign_in(client, "desk")
    response = client.post(FACTOR, {"code": code, "next": "https://jahat.example/"})
    assert response.url == reverse("dikecualikan:after-login")


def test_an_administrator_resets_a_lost_factor_and_the_reset_is_kept_in_the_user_history(
    client, it_admin, desk
):
    totp_code(desk)
    client.force_login(it_admin)
    url = reverse("admin:auth_user_changelist")
    response = client.post(url, {"action": "reset_second_factor", "_selected_action": [desk.pk]})
    code = re.search(r'class="enrolment-code">([^<]+)<', response.content.decode()).group(1)
    assert not TOTPDevice.objects.filter(user=desk).exists()
    event = UserEvent.objects.get(user=desk, kind=UserEvent.Kind.FACTOR_RESET)
    assert event.actor == it_admin
    # At the next sign-in the person enrols again, with the code the administrator hands over.
    client.logout()
    sign_in(client, "desk")
    assert "Atur faktor kedua Anda" in client.get(FACTOR).content.decode()
    assert client.post(FACTOR, {"enrolment_code": code}).status_code == 302
    assert 'id="totp-secret"' in client.get(FACTOR).content.decode()


def test_the_admin_never_shows_the_devices_and_their_secrets(client, it_admin):
    client.force_login(it_admin)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_a_development_checkout_may_turn_the_second_factor_off(
    client, ppid, settings, sign_in_halfway
):
    settings.OTP_REQUIRED = False
    sign_in_halfway(client, ppid)
    assert client.get("/staf/").status_code == 200


def test_there_is_no_password_reset_by_mail(client, desk):
    for path in ["/accounts/password_reset/", "/accounts/reset/MQ/set-password/"]:
        assert client.get(path).status_code == 404
        assert client.post(path, {"email": "desk@example.org"}).status_code == 404


# The client's address behind the proxy.


@pytest.mark.parametrize(
    "proxies,remote,forwarded,logged",
    [
        # No proxy configured: the header is the client's own words, ignored.
        ([], "36.90.2.7", "6.6.6.6", "36.90.2.7"),
        # Through the trusted proxy: the client forged a header, the proxy appended the
        # address it saw; that one is kept.
        (["127.0.0.1/32"], "127.0.0.1", "6.6.6.6, 36.80.1.5", "36.80.1.5"),
        # Around the proxy, straight to the app: the header is not believed.
        (["127.0.0.1/32"], "36.90.2.7", "6.6.6.6", "36.90.2.7"),
        # Two proxies in a row, both trusted: the last address neither of them added.
        (["127.0.0.1/32", "10.0.0.0/8"], "127.0.0.1", "6.6.6.6, 36.80.1.5, 10.1.2.3", "36.80.1.5"),
        # A malformed entry from the client's side: nothing left of the proxy is believed.
        (["127.0.0.1/32"], "127.0.0.1", "bukan-alamat", "127.0.0.1"),
    ],
)
def test_the_access_log_keeps_the_client_s_address_as_the_trusted_proxies_saw_it(
    client, make_record, desk, settings, proxies, remote, forwarded, logged
):
    settings.TRUSTED_PROXIES = [ip_network(p) for p in proxies]
    version = make_record("archived").softcopies.get().versions.get()
    client.force_login(desk)
    url = reverse("arsip:download", args=[version.pk])
    headers = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client.post(url, {"reason": "Pemeriksaan alamat klien"}, **headers).status_code == 200
    assert AccessLog.objects.get().ip == logged


# A lockout that protects.


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [ip_network("10.0.0.2/32")]
    return lambda client, username, password="pw", client_address="36.80.1.5": sign_in(
        client, username, password, address="10.0.0.2", forwarded=client_address
    )


def test_behind_the_proxy_an_attacker_cannot_lock_the_approver_out(client, pembina, behind_proxy):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        behind_proxy(client, "pembina", "salah", client_address="6.6.6.6")
    assert behind_proxy(client, "pembina", "pw", client_address="6.6.6.6").status_code == 429
    # The approver, through the same proxy from the office, signs in.
    assert behind_proxy(client, "pembina", "pw", client_address="36.80.1.5").status_code == 302


def test_a_forged_header_does_not_dodge_the_lockout_without_a_trusted_proxy(client, pembina):
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "pembina", "salah", address="6.6.6.6", forwarded=f"1.2.3.{n}")
    locked = sign_in(client, "pembina", "pw", address="6.6.6.6", forwarded="1.2.3.99")
    assert locked.status_code == 429


def test_one_address_trying_many_accounts_is_paused_but_not_the_accounts_elsewhere(
    client, settings, ppid
):
    settings.PPID_ADDRESS_FAILURE_LIMIT = 6
    for n in range(6):  # password spraying: one wrong password for each of many names
        assert sign_in(client, f"pegawai{n}", "Rahasia2025", address="6.6.6.6").status_code == 200
    paused = sign_in(client, "ppid", "pw", address="6.6.6.6")
    assert paused.status_code == 429 and "Coba lagi mulai pukul" in paused.content.decode()
    assert sign_in(client, "ppid", "pw", address="36.80.1.5").status_code == 302


def test_the_paused_person_is_told_from_what_time_to_try_again(client, pembina, settings):
    import datetime

    import time_machine

    moment = datetime.datetime(2026, 12, 2, 2, 0, tzinfo=datetime.UTC)  # 09.00 in Pontianak
    with time_machine.travel(moment, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "pembina", "salah")
        page = sign_in(client, "pembina", "pw").content.decode()
    assert "Coba lagi mulai pukul 09.15 WIB, 2 Desember 2026." in page
