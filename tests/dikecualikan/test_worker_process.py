"""A real worker process (`manage.py db_worker`) stopped while it renders the public DIK.

SIGKILL (out of memory, a power cut) leaves its task "running" and no PDF under its name;
requeue_stale_tasks puts the task back and the next worker renders the PDF once. SIGTERM
(systemd stopping the unit) lets the worker finish the task in hand, then exit.

The worker is a child process: it sees only committed rows, so the tests are
transactional, and it takes its settings from the environment, as on a server: this
test's database and this test's media folder. PostgreSQL's test database is one the child
opens by name; SQLite's lives in this process's memory, which no other process can open,
so on SQLite the test runs on a file copy of it (`database_url`).
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dikecualikan import documents
from dikecualikan.models import RenderedDik

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Enough rows that the render lasts a second or more (a few seconds on a busy machine),
# time to stop the worker in the middle of it.
ROWS = 30
Status = TaskResultStatus


@pytest.fixture
def database_url(transactional_db, tmp_path):
    """Return the URL under which another process opens this test's database."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        yield f"postgres://{user}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
        return
    # The in-memory database lasts while a connection to it is open: this one keeps it for
    # the tests after this one, while this test works on a file copy the worker can open.
    memory = db["NAME"]
    keeper = sqlite3.connect(memory, uri=True)
    copy = tmp_path / "db.sqlite3"
    target = sqlite3.connect(copy)
    keeper.backup(target)
    target.close()
    db["NAME"] = str(copy)
    connection.close()
    yield f"sqlite:///{copy}"
    connection.close()
    db["NAME"] = memory
    connection.ensure_connection()
    keeper.close()


@pytest.fixture
def start_worker(database_url, tmp_path, worker):
    """Return a starter of `manage.py db_worker` processes on the documents queue, which
    write to this test's media folder; each is stopped at the end if still running.

    (`worker` keeps the database backend in this process, so `enqueue` writes a task row.)
    """
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_ROOT": str(tmp_path / "private"),
        "FILE_UPLOAD_TEMP_DIR": settings.FILE_UPLOAD_TEMP_DIR,
        "PPID_PDF_CHUNK_ROWS": str(settings.PPID_PDF_CHUNK_ROWS),
    }
    started = []

    def start(*options):
        log = open(tmp_path / f"worker-{len(started) + 1}.log", "w+")  # noqa: SIM115
        command = [sys.executable, "manage.py", "db_worker", "--queue-name=documents"]
        command += ["--no-reload", "--interval", "0.1", "--no-startup-delay", *options]
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        process.log = log
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.log.close()


def output(process) -> str:
    process.log.seek(0)
    return process.log.read()


def wait_until_running(task, process, seconds=30):
    """Wait until the worker has claimed the task and is running it."""
    deadline = time.monotonic() + seconds
    while DBTaskResult.objects.get(pk=task.id).status != Status.RUNNING:
        assert process.poll() is None, f"the worker ended early:\n{output(process)}"
        assert time.monotonic() < deadline, f"the worker never took the task:\n{output(process)}"
        time.sleep(0.02)


def dik_folder() -> list[str]:
    """The files in the public storage's dik/ folder, temporary ones included."""
    folder = default_storage.path("dik")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_a_worker_killed_mid_render_leaves_its_task_running_and_requeued_it_renders_once(
    published_records, start_worker
):
    published_records(ROWS)
    task = documents.render_dik.enqueue(1)
    first = start_worker()
    wait_until_running(task, first)
    os.kill(first.pid, signal.SIGKILL)
    assert first.wait(timeout=10) == -signal.SIGKILL
    time.sleep(0.5)  # nothing else will come and finish it
    assert DBTaskResult.objects.get(pk=task.id).status == Status.RUNNING
    assert not RenderedDik.objects.exists() and dik_folder() == []

    said = StringIO()
    call_command("requeue_stale_tasks", minutes=0, stdout=said)
    assert "1 task(s)" in said.getvalue()
    assert DBTaskResult.objects.get(pk=task.id).status == Status.READY
    second = start_worker("--batch")
    assert second.wait(timeout=60) == 0, output(second)

    result = DBTaskResult.objects.get(pk=task.id)
    assert result.status == Status.SUCCESSFUL and len(result.worker_ids) == 2
    rendered = RenderedDik.objects.get()
    assert rendered.name == "dik/dik-v1.pdf" and rendered.pages > 1
    assert dik_folder() == ["dik-v1-lama.pdf", "dik-v1.pdf"]  # no half file, no .tmp- left
    with default_storage.open(rendered.name) as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert DBTaskResult.objects.count() == 1  # the render was not enqueued a second time


def test_a_worker_stopped_by_sigterm_mid_render_finishes_the_task_then_exits(
    published_records, start_worker
):
    published_records(ROWS)
    task = documents.render_dik.enqueue(1)
    process = start_worker()
    wait_until_running(task, process)
    os.kill(process.pid, signal.SIGTERM)
    assert dik_folder() == []  # stopped mid-render: nothing written yet
    assert process.wait(timeout=60) == 0, output(process)
    assert "shutting down gracefully" in output(process)

    assert DBTaskResult.objects.get(pk=task.id).status == Status.SUCCESSFUL
    assert RenderedDik.objects.get().name == "dik/dik-v1.pdf"
    assert dik_folder() == ["dik-v1-lama.pdf", "dik-v1.pdf"]
