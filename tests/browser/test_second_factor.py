"""The second factor in Chromium: a first sign-in, with the enrolment code an administrator
handed over, enrols an app from the secret on the page; a later one types the app's code,
computed here as the person's app would."""

import base64
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from ppid import second_factor

from .test_axe import violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def app_code(secret_text: str, offset: int = 0) -> str:
    """What an authenticator app shows for the secret as the page prints it (base32)."""
    app = TOTP(base64.b32decode(secret_text.replace(" ", "")), step=30, t0=0, digits=6)
    app.time = time.time() + offset
    return f"{app.token():06d}"


def test_a_first_sign_in_enrols_an_app_then_a_later_one_asks_for_its_code(
    browser, live_server, desk
):
    enrolment_code, _expires = second_factor.make_enrolment_code(user=desk, by=None)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/staf/")  # straight to a staff page: sign in first
    page.fill("#id_username", "desk")
    page.fill("#id_password", "pw")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/akun/dua-faktor/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Atur faktor kedua Anda")
    expect(page.locator(".qr svg")).to_have_count(0)  # the password alone shows no secret
    assert violations(page) == []
    page.fill("#id_enrolment_code", enrolment_code.lower())
    page.get_by_role("button", name="Lanjutkan").click()
    expect(page.locator(".qr svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert violations(page) == []
    code = page.locator("#id_code")
    assert (code.get_attribute("autocomplete"), code.get_attribute("inputmode")) == (
        "one-time-code",
        "numeric",
    )
    secret = page.locator("#totp-secret").inner_text()
    # On the phone that shows the page, the QR code cannot be scanned: a link opens the app.
    link = page.get_by_role("link", name="Buka di aplikasi autentikator")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href.startswith("otpauth://totp/") and f"secret={secret.replace(' ', '')}" in href
    box = link.bounding_box()
    assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 360
    code.fill(app_code(secret))
    page.get_by_role("button", name="Konfirmasi dan lanjutkan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kode pemulihan Anda")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Sudah saya simpan; lanjutkan").click()
    page.wait_for_url("**/staf/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # Signed out and in again: the code of the next half minute, from the same app.
    page.locator("form[action$='/accounts/logout/'] button").click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", "pw")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/akun/dua-faktor/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Faktor kedua")
    page.fill("#id_code", app_code(secret, offset=30))  # within the app's tolerance of one step
    page.get_by_role("button", name="Lanjutkan").click()
    page.wait_for_url("**/staf/")
    context.close()
