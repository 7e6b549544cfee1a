"""The staff area's safety: limited sign-in attempts, short sessions, no-store pages, a CSP."""

import pytest
from django.conf import settings
from django.urls import reverse

from ..conftest import totp_code

LOGIN = reverse("login")


def sign_in(client, username, password="pw", address="10.0.0.7", forwarded=None):
    """Post the sign-in form from an address (through a proxy, when `forwarded` is given)."""
    headers = {"REMOTE_ADDR": address}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def test_five_wrong_passwords_pause_that_user_from_that_address(client, pembina):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "pembina", "salah").status_code == 200  # the form, with an error
    assert sign_in(client, "pembina", "salah").status_code == 429  # the fifth pauses
    locked = sign_in(client, "pembina", "pw")  # even the right password now waits
    assert locked.status_code in (403, 429)
    assert "Coba lagi mulai pukul" in locked.content.decode()  # when, in Pontianak time
    assert "_auth_user_id" not in client.session


def test_the_pause_is_per_user_and_address_so_others_can_still_sign_in(client, pembina, ppid):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "pembina", "salah")
    assert sign_in(client, "ppid", "pw").status_code == 302
    client.logout()
    assert sign_in(client, "pembina", "pw", address="10.0.0.8").status_code == 302


def test_the_pause_is_short_so_approvers_cannot_be_locked_out_for_good():
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60


def test_a_session_lasts_a_working_day_and_ends_on_sign_out(client, desk):
    assert settings.SESSION_COOKIE_AGE == 9 * 3600
    sign_in(client, "desk", "pw")
    client.post(reverse("second-factor"), {"code": totp_code(desk)})
    assert client.get(reverse("dikecualikan:dashboard")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("dikecualikan:dashboard")).status_code == 302


@pytest.mark.parametrize(
    "name", ["dikecualikan:dashboard", "dikecualikan:staff-records", "arsip:access-report"]
)
def test_staff_pages_are_never_stored_by_browsers_or_proxies(client, ppid, name):
    client.force_login(ppid)
    cache_control = set(client.get(reverse(name))["Cache-Control"].split(", "))
    assert {"private", "no-store"} <= cache_control


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/staf/"])
def test_every_page_carries_a_content_security_policy_without_inline_script(client, ppid, path):
    client.force_login(ppid)
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
