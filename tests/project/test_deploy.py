"""The systemd units under deploy/ run commands that exist, as the user and folder they say."""

import configparser
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands

from dikecualikan.models import OutgoingMail

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted(DEPLOY.glob("*.service")) + sorted(DEPLOY.glob("*.timer"))


def unit(path):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string(path.read_text())
    return parser


def test_every_worker_queue_and_daily_job_has_its_unit():
    names = {path.name for path in UNITS}
    assert {"ppid-web.service", "ppid-worker@.service", "ppid-failure-mail@.service"} <= names
    for job in ("review-due", "verify-fixity", "verify-history", "clean-up"):
        assert {f"ppid-{job}.service", f"ppid-{job}.timer"} <= names
        assert "OnFailure" in unit(DEPLOY / f"ppid-{job}.service")["Unit"]


@pytest.mark.parametrize("path", [p for p in UNITS if p.suffix == ".service"], ids=lambda p: p.name)
def test_each_unit_runs_manage_py_commands_that_exist(path):
    text = path.read_text()
    used = set(re.findall(r"manage\.py (\w+)", text))
    assert used or "gunicorn" in text
    assert used <= set(get_commands()), f"{path.name} runs an unknown command"


def test_a_failed_job_is_mailed_to_the_atasan_through_the_outbox(atasan, monkeypatch):
    monkeypatch.setattr("sys.stdin", StringIO("verify_fixity: 1 file changed\n"))
    call_command("job_failed", "ppid-verify-fixity.service", stdout=StringIO())
    mail = OutgoingMail.objects.get(to=atasan.email, subject__contains="ppid-verify-fixity")
    assert "1 file changed" in mail.body


def test_the_heads_are_mailed_off_the_machine(atasan, settings, tmp_path):
    heads = tmp_path / "heads.txt"
    heads.write_text("dikecualikan_transition 12 abc123\n")
    settings.HEADS_MAIL_TO = ["arsip@example.go.id"]
    call_command("send_heads", str(heads), stdout=StringIO())
    mail = OutgoingMail.objects.get(to="arsip@example.go.id")
    assert "dikecualikan_transition 12 abc123" in mail.body
    assert not OutgoingMail.objects.filter(to=atasan.email, body__contains="abc123").exists()
