"""Nobody becomes someone else unnoticed (issue 24, point 5).

An administrator who sets a person's password, resets their second factor or makes them
an enrolment code could sign in as them: each is in the user history and mailed to the
person and the Atasan PPID. The password alone never reaches an authenticator secret,
a secret being set up is seen by its own session only, a superuser without a role
downloads no withheld file, and a role's permissions change only on record.
"""

import base64
import getpass
import re

import pytest
from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from arsip.models import AccessLog
from dikecualikan.models import EnrolmentCode, UserEvent
from dikecualikan.roles import Role, grant
from ppid import second_factor

from ..conftest import totp_code
from .test_security import sign_in

FACTOR = reverse("second-factor")
USERS = reverse("admin:auth_user_changelist")
Kind = UserEvent.Kind


def kinds(user) -> list[str]:
    return list(UserEvent.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))


def mailed_to(mailoutbox, user) -> list:
    return [m for m in mailoutbox if user.email in m.to]


def app_code(secret_text: str) -> str:
    """What an authenticator app shows for the secret as the page prints it."""
    key = base64.b32decode(secret_text.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def secret_on(page) -> str:
    found = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.content.decode())
    return found.group(1) if found else ""


@pytest.fixture
def reset_by_admin(it_admin, django_capture_on_commit_callbacks):
    """The admin action on a person, in the admin's own browser: return the page that
    shows the code, and the code."""
    admin = Client()
    admin.force_login(it_admin)

    def reset(person, action="reset_second_factor"):
        with django_capture_on_commit_callbacks(execute=True):
            page = admin.post(USERS, {"action": action, "_selected_action": [person.pk]})
        codes = re.findall(r'class="enrolment-code">([^<]+)<', page.content.decode())
        return page, (codes[0] if codes else None)

    return reset


# 1. A password set by someone else.


def test_an_administrator_setting_someone_s_password_is_kept_and_mailed_to_them_and_the_atasan(
    client, it_admin, pembina, atasan, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(it_admin)
    url = reverse("admin:auth_user_password_change", args=[pembina.pk])
    data = {"password1": "Kata-sandi-baru-2025", "password2": "Kata-sandi-baru-2025"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "usable_password": "true"})
    assert response.status_code == 302
    event = UserEvent.objects.get(user=pembina, kind=Kind.PASSWORD_SET)
    assert event.actor == it_admin and event.by == "admin"
    (to_person,) = mailed_to(mailoutbox, pembina)
    (to_atasan,) = mailed_to(mailoutbox, atasan)
    assert "Kata sandi ditetapkan oleh orang lain" in to_person.body
    assert "admin" in to_atasan.body and "pembina" in to_atasan.body
    assert "Kata-sandi-baru-2025" not in to_person.body + to_atasan.body


def test_changing_one_s_own_password_is_not_kept_as_someone_else_s(client, desk):
    client.force_login(desk)
    response = client.post(
        reverse("admin:password_change"),
        {
            "old_password": "pw",
            "new_password1": "Kata-sandi-baru-2025",
            "new_password2": "Kata-sandi-baru-2025",
        },
    )
    assert response.status_code == 302
    assert Kind.PASSWORD_SET not in kinds(desk)


def test_a_password_set_with_changepassword_on_the_server_is_kept_as_the_server_s(
    desk, atasan, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "Kata-sandi-baru-2025")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("changepassword", "desk", stdout=None)
    event = UserEvent.objects.get(user=desk, kind=Kind.PASSWORD_SET)
    assert event.actor is None and "server" in str(event.by)
    assert mailed_to(mailoutbox, desk) and mailed_to(mailoutbox, atasan)


class OlderMD5(MD5PasswordHasher):
    """A hasher the settings no longer prefer: a sign-in rehashes its passwords."""

    algorithm = "md5_lama"


def test_a_sign_in_that_rehashes_the_password_is_not_a_password_set(client, desk, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.OlderMD5"]
    desk.set_password("pw")
    desk.save()  # a command, with no request: kept once, as the server's
    before = UserEvent.objects.count()
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        f"{__name__}.OlderMD5",
    ]
    assert sign_in(client, "desk").status_code == 302
    desk.refresh_from_db()
    assert desk.password.startswith("md5$")  # rehashed
    assert UserEvent.objects.count() == before


# 2 and 3. A reset, mailed; the enrolment code, shown once.


def test_a_reset_shows_an_enrolment_code_once_and_is_mailed_to_the_person_and_the_atasan(
    client, it_admin, desk, atasan, mailoutbox, reset_by_admin
):
    totp_code(desk)  # enrolled
    page, code = reset_by_admin(desk)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){2}", code)
    assert not TOTPDevice.objects.filter(user=desk).exists()
    stored = EnrolmentCode.objects.get(user=desk)
    assert code not in stored.digest and stored.matches(code)  # only its hash
    assert kinds(desk)[-2:] == [Kind.FACTOR_RESET, Kind.ENROLMENT_CODE]
    assert UserEvent.objects.filter(user=desk, actor=it_admin).count() == 2
    (to_person,) = mailed_to(mailoutbox, desk)
    (to_atasan,) = mailed_to(mailoutbox, atasan)
    for message in (to_person, to_atasan):
        assert "Faktor kedua diatur ulang" in message.body
        assert "Kode pendaftaran dibuat" in message.body
        assert code not in message.body  # handed over, never mailed
    client.force_login(it_admin)
    assert code not in client.get(USERS).content.decode()


def test_after_a_reset_the_password_alone_never_reaches_a_secret(client, desk, reset_by_admin):
    totp_code(desk)
    _page, code = reset_by_admin(desk)
    sign_in(client, "desk")
    page = client.get(FACTOR)
    html = page.content.decode()
    assert "Kode pendaftaran" in html
    assert not secret_on(page) and "<svg" not in html and "otpauth" not in html
    wrong = client.post(FACTOR, {"enrolment_code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 400 and not secret_on(wrong)
    assert "Kode pendaftaran ini tidak benar" in wrong.content.decode()
    assert client.get("/staf/").status_code == 302
    assert not TOTPDevice.objects.filter(user=desk).exists()  # no secret made, nor shown


def test_the_enrolment_code_typed_in_any_case_opens_the_enrolment_and_is_used_up(
    client, desk, reset_by_admin
):
    _page, code = reset_by_admin(desk)
    sign_in(client, "desk")
    typed = " ".join(code.replace("-", "").lower())  # lower case, spaced out
    response = client.post(FACTOR, {"enrolment_code": typed, "next": "/staf/"})
    assert response.status_code == 302
    page = client.get(response.url)
    secret = secret_on(page)
    assert secret and "<svg" in page.content.decode()
    assert not EnrolmentCode.objects.filter(user=desk).exists()
    done = client.post(FACTOR, {"code": app_code(secret), "next": "/staf/"})
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    assert TOTPDevice.objects.get(user=desk).confirmed
    assert kinds(desk)[-1] == Kind.FACTOR_ENROLLED
    assert client.get("/staf/").status_code == 200
    # Used: the same code opens nothing for anyone else.
    other = Client()
    sign_in(other, "desk")
    assert "Faktor kedua" in other.get(FACTOR).content.decode()  # asks for the app's code
    assert not secret_on(other.get(FACTOR))


def test_an_expired_enrolment_code_is_refused(client, desk, settings, reset_by_admin):
    settings.PPID_ENROLMENT_CODE_HOURS = 0
    _page, code = reset_by_admin(desk)
    sign_in(client, "desk")
    assert client.post(FACTOR, {"enrolment_code": code}).status_code == 400


def test_a_new_account_enrols_only_with_an_enrolment_code_too(client, desk, reset_by_admin):
    sign_in(client, "desk")
    assert not secret_on(client.get(FACTOR))
    page, code = reset_by_admin(desk, action="make_enrolment_code")
    assert code and kinds(desk)[-1] == Kind.ENROLMENT_CODE
    assert client.post(FACTOR, {"enrolment_code": code}).status_code == 302
    assert secret_on(client.get(FACTOR))


def test_no_enrolment_code_is_made_for_someone_who_has_a_second_factor(
    client, it_admin, desk, reset_by_admin
):
    totp_code(desk)
    page, code = reset_by_admin(desk, action="make_enrolment_code")
    assert code is None and not EnrolmentCode.objects.exists()
    assert Kind.ENROLMENT_CODE not in kinds(desk)


def test_a_later_reset_cancels_an_enrolment_under_way(client, desk, reset_by_admin):
    _page, code = reset_by_admin(desk)
    sign_in(client, "desk")
    client.post(FACTOR, {"enrolment_code": code})
    assert secret_on(client.get(FACTOR))
    reset_by_admin(desk)  # the administrator thinks again
    page = client.get(FACTOR)
    assert not secret_on(page) and "Kode pendaftaran" in page.content.decode()


def test_only_who_may_change_accounts_resets_or_makes_codes(client, desk, ppid):
    ppid.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(ppid)
    for action in ("reset_second_factor", "make_enrolment_code"):
        client.post(USERS, {"action": action, "_selected_action": [desk.pk]})
    assert not EnrolmentCode.objects.exists()
    assert kinds(desk) == [Kind.GRANTED]


def test_the_server_makes_a_code_for_the_first_superuser(
    client, db, capsys, atasan, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.create_superuser("ti", "ti@example.org", "pw")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("enrolment_code", "ti")
    code = re.search(r"Enrolment code for ti: (\S+)", capsys.readouterr().out).group(1)
    event = UserEvent.objects.filter(user__username="ti").order_by("pk").last()
    assert event.kind == Kind.ENROLMENT_CODE and event.actor is None
    assert any("ti@example.org" in m.to for m in mailoutbox)
    sign_in(client, "ti")
    assert client.post(FACTOR, {"enrolment_code": code}).status_code == 302


# 4. A secret being set up belongs to its session.


def test_a_second_password_only_session_never_sees_the_secret_being_set_up(
    client, desk, reset_by_admin
):
    _page, code = reset_by_admin(desk)
    sign_in(client, "desk")
    client.post(FACTOR, {"enrolment_code": code})
    secret = secret_on(client.get(FACTOR))
    assert secret
    assert not TOTPDevice.objects.filter(user=desk).exists()  # in the session, not a shared row
    other = Client()
    sign_in(other, "desk", address="10.0.0.99")
    page = other.get(FACTOR)
    assert not secret_on(page) and secret.replace(" ", "") not in page.content.decode()
    # Nor can the other session confirm with a code from that secret.
    other.post(FACTOR, {"code": app_code(secret)})
    assert not TOTPDevice.objects.filter(user=desk).exists()
    assert other.get("/staf/").status_code == 302


# 5. A superuser without a role never downloads a withheld file.


def test_a_superuser_without_a_role_never_downloads_a_withheld_softcopy(
    client, it_admin, make_record
):
    version = make_record("archived").softcopies.get().versions.get()
    client.force_login(it_admin)
    url = reverse("arsip:download", args=[version.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Pemeriksaan oleh TI"}).status_code == 403
    assert not AccessLog.objects.exists()


def test_a_superuser_with_a_role_downloads_as_that_role_holder_and_the_log_names_them(
    client, it_admin, make_record
):
    version = make_record("archived").softcopies.get().versions.get()
    grant(it_admin, Role.DESK)
    client.force_login(it_admin)
    url = reverse("arsip:download", args=[version.pk])
    assert client.post(url, {"reason": "Pemeriksaan oleh TI"}).status_code == 200
    assert AccessLog.objects.get().user == it_admin


# 6. A role's permissions.


def test_a_change_of_a_role_s_permissions_in_the_admin_is_kept_and_mailed_to_the_atasan(
    client, it_admin, atasan, mailoutbox, django_capture_on_commit_callbacks
):
    group = Group.objects.get(name=Role.PPID)
    before = set(group.permissions.values_list("pk", flat=True))
    dropped = group.permissions.order_by("pk").first()
    added = Permission.objects.get(codename="change_user")
    client.force_login(it_admin)
    url = reverse("admin:auth_group_change", args=[group.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"permissions": sorted(before - {dropped.pk} | {added.pk})})
    assert response.status_code == 302
    events = UserEvent.objects.filter(kind=Kind.ROLE_PERMISSIONS).order_by("pk")
    assert [(e.role, e.user, e.actor) for e in events] == [("ppid", None, it_admin)] * 2
    details = {e.detail for e in events}
    label = f"{dropped.content_type.app_label}.{dropped.codename}"
    assert details == {f"-{label}", "+auth.change_user"}
    bodies = "".join(m.body for m in mailed_to(mailoutbox, atasan))
    assert "Izin suatu peran diubah" in bodies and "+auth.change_user" in bodies
    assert f"-{label}" in bodies
    history = client.get(reverse("admin:dikecualikan_userevent_changelist")).content.decode()
    assert "+auth.change_user" in history


def test_a_role_s_permissions_changed_from_either_side_or_cleared_are_kept(db):
    group = Group.objects.get(name=Role.DESK)
    permission = Permission.objects.get(codename="change_user")
    permission.group_set.add(group)
    group.permissions.remove(permission)
    held = group.permissions.count()
    group.permissions.clear()
    added, removed, cleared = UserEvent.objects.filter(kind=Kind.ROLE_PERMISSIONS).order_by("pk")
    assert (added.role, added.detail) == ("desk", "+auth.change_user")
    assert (removed.role, removed.detail) == ("desk", "-auth.change_user")
    assert len(cleared.detail.split()) == held and cleared.detail.startswith("-")
    assert cleared.actor is None  # a command, outside any request


# 7. Recovery codes in any case.


@pytest.mark.parametrize("typed", ["PULIH123", "pulih123", "PULI H123", "puli-h123"])
def test_a_recovery_code_is_taken_in_any_case_and_with_spaces_or_dashes(client, desk, typed):
    totp_code(desk)
    device = StaticDevice.objects.create(user=desk, name="Kode pemulihan")
    StaticToken.objects.create(device=device, token="pulih123")
    sign_in(client, "desk")
    assert client.post(FACTOR, {"code": typed, "next": "/staf/"}).status_code == 302
    assert client.get("/staf/").status_code == 200


def test_a_new_enrolment_code_replaces_the_one_before(desk, it_admin):
    code, _expires = second_factor.make_enrolment_code(user=desk, by=it_admin)
    again, _expires = second_factor.make_enrolment_code(user=desk, by=it_admin)
    stored = EnrolmentCode.objects.get(user=desk)
    assert stored.matches(again.lower()) and not stored.matches(code)


def test_the_demo_users_are_enrolled_directly_and_a_rerun_sets_no_password(db):
    from dikecualikan.management.commands.seed_demo import USERS, Command

    Command().create_users(USERS)
    Command().create_users(USERS)
    demo = User.objects.get(username="desk")
    assert TOTPDevice.objects.get(user=demo).confirmed
    assert demo.check_password(settings.DEMO_PASSWORD)
    assert not UserEvent.objects.filter(kind=Kind.PASSWORD_SET).exists()
