"""Operations that tell the truth: readiness, 503 (never 500) while the database is down, the
public pages from their cache meanwhile, the sweep of spooled uploads, gunicorn's start."""

import os
import runpy
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connections
from django.test import override_settings
from django.urls import reverse
from gunicorn.config import Config

from arsip.spool import sweep
from dikecualikan.dik import forget_dik_stamp

ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once it is closed


@contextmanager
def database_down():
    """Point the default connection at a database that cannot be reached: a real failure
    of the driver (a file in a folder that does not exist, a port where nothing listens)."""
    real = connections["default"]
    unreachable = {**real.settings_dict}
    if real.vendor == "sqlite":
        unreachable["NAME"] = "/nonexistent-folder/ppid.sqlite3"
    else:
        unreachable.update(HOST="127.0.0.1", PORT=str(closed_port()))
    broken = type(real)(unreachable, alias="default")
    connections["default"] = broken
    # The DIK's stamp is held a few seconds in the cache; after that it is asked again.
    forget_dik_stamp()
    try:
        yield
    finally:
        broken.close()
        connections["default"] = real


# Readiness.


def test_the_readiness_check_answers_ok_when_the_database_can_be_read(client, db):
    response = client.get("/sehat/siap/")
    assert response.status_code == 200 and response.content == b"ok"


def test_the_readiness_check_answers_503_when_the_database_cannot_be_reached(client, db):
    with database_down():
        response = client.get("/sehat/siap/")
    assert response.status_code == 503 and response["Retry-After"] == "60"


def test_the_health_check_stays_a_constant_that_asks_the_database_nothing(client, db):
    with database_down():  # a single query would have failed
        response = client.get("/sehat/")
    assert response.status_code == 200 and response.content == b"ok"


# While the database is down.


def test_a_public_page_once_cached_is_served_from_the_cache_while_the_database_is_down(
    client, make_record
):
    make_record("published", public_title="Surat keterangan kesehatan bakal calon")
    assert client.get("/").status_code == 200  # now in the cache
    with database_down():
        response = client.get("/")
    assert response.status_code == 200
    assert "Surat keterangan kesehatan bakal calon" in response.content.decode()


def test_a_public_page_never_cached_answers_503_with_retry_after_and_no_traceback(
    client, make_record
):
    record = make_record("published")
    client.get("/")
    with database_down():
        response = client.get(reverse("dikecualikan:record", args=[record.pk]))
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "Sedang tidak tersedia" in page and 'lang="en"' in page
    assert "Traceback" not in page and "OperationalError" not in page


PAGES = ["/", "/dibuka/", "/dik/riwayat/", "/dik.csv", "/accounts/login/", "/staf/", "/admin/"]


def answers_while_down(client, pages):
    client.raise_request_exception = False  # as in production: the handlers answer
    with database_down():
        answers = {page: client.get(page) for page in pages}
        answers["sign-in"] = client.post("/accounts/login/", {"username": "ppid", "password": "pw"})
    return answers


@pytest.mark.parametrize("debug", [False, True])
def test_with_the_database_down_nothing_answers_500_to_a_visitor(client, make_record, debug):
    # DEBUG on too: the demo's newcomer sees the same page (ppid.middleware).
    record = make_record("published")
    with override_settings(DEBUG=debug):
        answers = answers_while_down(client, [*PAGES, f"/informasi/{record.pk}/"])
    assert answers["sign-in"].status_code == 503
    for page, response in answers.items():
        assert response.status_code in (200, 302, 503), page
        if response.status_code == 503:
            assert response["Retry-After"] == "60" and "Traceback" not in response.content.decode()


def test_with_the_database_down_nothing_answers_500_to_someone_signed_in(client, ppid):
    client.force_login(ppid)
    answers = answers_while_down(client, [*PAGES, "/staf/entri/", "/staf/arsip/"])
    for page, response in answers.items():
        assert response.status_code in (200, 503), page
        if response.status_code == 503:
            assert response["Retry-After"] == "60" and "Traceback" not in response.content.decode()


@pytest.mark.parametrize("path", ["/staf/", "/admin/", "/staf/arsip/"])
def test_a_staff_page_answers_503_with_retry_after_while_the_database_is_down(client, ppid, path):
    client.force_login(ppid)
    client.raise_request_exception = False
    with database_down():
        response = client.get(path)
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "Sedang tidak tersedia" in response.content.decode()


# The sweep of spooled uploads.


def spooled(folder: Path, name: str, age_seconds: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"%PDF-1.7 dokumen yang dikecualikan")
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def test_a_spooled_upload_nobody_holds_open_is_swept(tmp_path):
    left = spooled(tmp_path, "tmpa1b2c3.upload.pdf", age_seconds=3600)
    assert sweep(tmp_path) == [str(left)]
    assert not left.exists()


def test_a_spooled_upload_held_open_by_a_worker_is_kept(tmp_path):
    arriving = spooled(tmp_path, "tmpd4e5f6.upload.pdf", age_seconds=3600)
    with open(arriving, "rb"):  # this process receiving it
        assert sweep(tmp_path) == []
    assert arriving.exists()


def test_a_spooled_upload_held_open_by_another_process_is_kept(tmp_path):
    arriving = spooled(tmp_path, "tmpg7h8i9.upload.pdf", age_seconds=3600)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"f = open({str(arriving)!r}); print('open', flush=True); input()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "open\n"
        assert sweep(tmp_path) == []
    finally:
        holder.communicate("")
    assert arriving.exists()
    assert sweep(tmp_path) == [str(arriving)]  # its process ended without removing it


def test_a_spooled_upload_written_a_moment_ago_is_kept_and_a_missing_folder_is_no_error(
    tmp_path,
):
    fresh = spooled(tmp_path, "tmpj1k2l3.upload.pdf", age_seconds=5)
    assert sweep(tmp_path) == [] and fresh.exists()
    assert sweep(tmp_path / "nowhere") == []


# gunicorn's documented start.


def test_the_gunicorn_config_is_valid_with_no_pid_file_and_the_sweep_hooks():
    # As gunicorn reads `-c ppid/gunicorn_conf.py`: each name it knows, through its validator.
    module = runpy.run_path(str(ROOT / "ppid" / "gunicorn_conf.py"))
    config = Config()
    for name, value in module.items():
        if name in config.settings:
            config.set(name, value)
    assert config.pidfile is None and config.wsgi_app == "ppid.wsgi:application"
    assert config.control_socket_disable
    assert config.on_starting.__name__ == "on_starting"
    assert config.child_exit.__name__ == "child_exit"


def test_the_master_sweeps_the_spool_folder_of_the_settings(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    left = spooled(tmp_path, "tmpm4n5o6.upload.pdf", age_seconds=3600)
    told = []
    server = SimpleNamespace(log=SimpleNamespace(warning=lambda *args: told.append(args)))
    module = runpy.run_path(str(ROOT / "ppid" / "gunicorn_conf.py"))
    module["child_exit"](server, worker=None)
    assert not left.exists() and told[0][1] == str(left)
