"""Settings and project hygiene: safe defaults, Indonesian first, no pending migration."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def start(code="print('started')", **env):
    """Import the settings in a fresh interpreter with only the given variables."""
    # ENV_FILE=/dev/null: a developer's .env (make run writes one) must not decide the result.
    clean = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "ppid.settings",
        "ENV_FILE": os.devnull,
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_app_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = start(ALLOWED_HOSTS="ppid.example")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_app_refuses_a_short_secret_key():
    result = start(SECRET_KEY="x" * 49, ALLOWED_HOSTS="ppid.example")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_the_app_refuses_to_start_without_allowed_hosts_when_debug_is_off():
    result = start(SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


PRODUCTION = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "ppid.example"}


def test_the_app_starts_with_a_real_key_hosts_and_mail_server():
    result = start(**PRODUCTION, EMAIL_URL="smtp+tls://ppid:pw@mail.example:587")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize("mail", [None, "consolemail://", "filemail:///tmp/surat"])
def test_with_debug_off_the_app_refuses_to_start_with_mail_that_lands_in_a_log_or_a_file(mail):
    # A password-reset link or a record's title must never end up in a server log.
    result = start(**PRODUCTION, **({"EMAIL_URL": mail} if mail else {}))
    assert result.returncode != 0 and "EMAIL_URL" in result.stderr


def test_with_debug_off_the_second_factor_cannot_be_turned_off():
    code = "from django.conf import settings; print(settings.OTP_REQUIRED)"
    result = start(code, **PRODUCTION, EMAIL_URL="dummymail://", OTP_REQUIRED="0")
    assert result.stdout.strip() == "True", result.stderr
    development = start(code, DEBUG="1", OTP_REQUIRED="0")
    assert development.stdout.strip() == "False", development.stderr


def test_a_fresh_checkout_starts_with_debug_and_no_other_setting():
    result = start(DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_indonesian_is_the_default_language_and_pontianak_the_time_zone():
    assert settings.LANGUAGE_CODE == "id"
    assert [code for code, _ in settings.LANGUAGES] == ["id", "en"]
    assert settings.TIME_ZONE == "Asia/Pontianak" and settings.USE_TZ


def test_softcopies_have_a_storage_without_a_url():
    from django.core.files.storage import storages

    with pytest.raises(ValueError):
        storages["private"].url("softcopy/abc")


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit:
        pytest.fail(f"A migration is missing:\n{out.getvalue()}")


@pytest.mark.django_db
def test_the_38_grounds_of_pasal_17_and_the_five_roles_are_loaded_by_migrations():
    from django.contrib.auth.models import Group

    from dikecualikan.models import ExemptionGround

    assert ExemptionGround.objects.count() == 38
    assert ExemptionGround.objects.get(code="17h2").parent_id == "17h"
    assert ExemptionGround.objects.get(code="17a1").max_years == 30
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "desk",
        "ppid",
        "pembina",
        "tim_pertimbangan",
        "atasan",
    }
    desk = Group.objects.get(name="desk")
    assert not desk.permissions.filter(codename__startswith="delete_").exists()
    assert desk.permissions.filter(codename="view_record").exists()


def test_dates_are_written_in_indonesian_letters_and_times_in_wib():
    import datetime
    from zoneinfo import ZoneInfo

    from django.utils import formats, translation

    moment = datetime.datetime(2025, 8, 21, 2, 0, tzinfo=ZoneInfo("UTC"))
    with translation.override("id"):
        assert formats.date_format(datetime.date(2025, 8, 21)) == "21 Agustus 2025"
        from django.template import Context, Template

        rendered = Template("{{ moment }}").render(Context({"moment": moment}))
        assert rendered == "21 Agustus 2025, 09.00 WIB"


def test_production_settings_pass_the_deployment_checklist():
    import secrets

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": os.environ["PATH"],
            "ENV_FILE": os.devnull,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "ppid.example",
            "EMAIL_URL": "smtp+tls://ppid:pw@mail.example:587",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_env_example_lists_every_variable_the_settings_read():
    import re

    read = set(
        re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_0-9]+)"', (ROOT / "ppid" / "settings.py").read_text())
    )
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z_0-9]+)=", example, re.M))
    assert read - listed == set()
    assert "PASSWORD_HASHERS" not in read  # not a knob: the hashers are the code's business
