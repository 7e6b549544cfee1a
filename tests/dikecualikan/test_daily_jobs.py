"""The daily jobs record each run, and the dashboard warns of one that failed or stopped running."""

import datetime
import os
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dikecualikan import jobs
from dikecualikan.models import Document, JobRun, OutgoingMail

DASHBOARD = reverse("dikecualikan:dashboard")
WARNINGS = "Tugas harian yang perlu diperiksa"


def run(*args, **options) -> int:
    """Run a command; return its exit code."""
    try:
        call_command(*args, stdout=StringIO(), stderr=StringIO(), **options)
    except CommandError as error:
        return error.returncode
    return 0


def ran(job, *, days_ago=0, ok=True, summary="", finished=True):
    started = timezone.now() - datetime.timedelta(days=days_ago)
    return JobRun.objects.create(
        job=job,
        started_at=started,
        finished_at=started + datetime.timedelta(minutes=1) if finished else None,
        ok=ok if finished else None,
        summary=summary,
    )


def page(client, user) -> str:
    client.force_login(user)
    return client.get(DASHBOARD).content.decode()


# --- each job records its run -------------------------------------------------------------


@pytest.mark.parametrize(
    "command, summary",
    [
        ("review_due", "opened 0, queued 0, errors 0"),
        ("verify_fixity", "ok 0, changed 0, missing 0"),
        ("verify_history", "verify_history: ok "),
        (
            "clean_up",
            "task results deleted 0, documents removed 0, partial files removed 0, errors 0",
        ),
    ],
)
def test_each_daily_job_records_a_successful_run_with_its_summary_line(
    cast, settings, command, summary
):
    # As the timer runs it: Django's system checks first (they want the spool folder).
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)
    assert run(command, skip_checks=False) == 0
    job = JobRun.objects.get()
    assert (job.job, job.ok) == (command, True)
    assert job.finished_at >= job.started_at
    assert summary in job.summary


def test_a_fixity_check_that_finds_a_missing_file_is_recorded_as_failed(make_record):
    version = make_record("archived").softcopies.get().versions.get()
    version.file.storage.delete(version.file.name)
    assert run("verify_fixity") == 1
    job = JobRun.objects.get(job="verify_fixity")
    assert job.ok is False and job.finished_at
    assert "missing 1" in job.summary
    assert "1 file(s) in the private storage failed the fixity check." in job.summary


def test_a_broken_history_is_recorded_as_a_failed_verify_history(make_record):
    record = make_record("classified")
    # A state the history does not explain, as a change below the application leaves it.
    type(record).objects.filter(pk=record.pk).update(state="approved")
    assert run("verify_history") == 1
    job = JobRun.objects.get(job="verify_history")
    assert job.ok is False
    assert "broken 1" in job.summary and "do not verify" in job.summary


def test_printing_the_heads_checks_nothing_and_records_no_run(db):
    assert run("verify_history", "--heads") == 0
    assert not JobRun.objects.exists()


def test_a_job_that_crashes_is_recorded_as_failed_with_its_error(db):
    with pytest.raises(RuntimeError), jobs.recorded("clean_up") as job:
        job.summary = "clean_up: half way"
        raise RuntimeError("disk full")
    job = JobRun.objects.get()
    assert job.ok is False
    assert job.summary == "clean_up: half way\nRuntimeError: disk full"


def test_a_run_in_progress_is_already_on_record_as_unfinished(db):
    with jobs.recorded("review_due"):
        job = JobRun.objects.get()
        assert job.ok is None and job.finished_at is None
    job.refresh_from_db()
    assert job.ok is True


# --- the dashboard ------------------------------------------------------------------------


def test_the_atasan_is_warned_of_jobs_that_never_ran(client, atasan):
    html = page(client, atasan)
    assert WARNINGS in html
    for name in ("clean_up", "verify_fixity", "verify_history", "review_due"):
        assert f"<code>{name}</code>" in html
    assert "Pemeriksaan berkas</strong> (<code>verify_fixity</code>):" in html
    assert html.count("belum pernah dijalankan") == 4


def test_a_job_that_has_not_run_for_two_days_is_shown_to_the_atasan(client, atasan):
    for job in ("clean_up", "verify_history", "review_due"):
        ran(job)
    last = ran("verify_fixity", days_ago=3)
    html = page(client, atasan)
    assert html.count("<code>") == 1
    assert "Pemeriksaan berkas</strong> (<code>verify_fixity</code>)" in html
    assert "tidak berhasil dijalankan selama dua hari" in html
    when = timezone.localtime(last.finished_at)
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli"]
    months += ["Agustus", "September", "Oktober", "November", "Desember"]
    day = f"{when.day} {months[when.month - 1]} {when.year}"
    assert f"Terakhir berhasil {day} pukul {when:%H.%M} WIB." in html


def test_a_failed_run_is_shown_with_its_summary(client, atasan):
    for job in ("clean_up", "verify_history", "review_due"):
        ran(job)
    ran("verify_fixity", days_ago=1)
    ran("verify_fixity", ok=False, summary="Fixity abc: ok 9, missing 1\n1 file(s) failed.")
    html = page(client, atasan)
    assert html.count("<code>") == 1
    assert "gagal." in html and "Terakhir berhasil" in html
    assert "Fixity abc: ok 9, missing 1<br>1 file(s) failed." in html


def test_a_run_that_started_hours_ago_and_never_finished_is_shown(client, ppid):
    for job in ("clean_up", "verify_history", "review_due"):
        ran(job)
    ran("verify_fixity", days_ago=1)
    stuck = ran("verify_fixity", finished=False)
    JobRun.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - jobs.STUCK_AFTER * 2)
    html = page(client, ppid)
    assert html.count("<code>") == 1 and "tidak selesai" in html


def test_nothing_is_shown_when_every_job_ran_today(client, atasan):
    for job in jobs.JOBS:
        ran(job, days_ago=3)
        ran(job)
    assert WARNINGS not in page(client, atasan)


def test_a_run_still_going_after_a_good_night_is_no_warning(client, atasan):
    for job in jobs.JOBS:
        ran(job, days_ago=1)
    ran("verify_fixity", finished=False)
    assert WARNINGS not in page(client, atasan)


def test_the_desk_does_not_see_the_daily_jobs(client, desk):
    assert WARNINGS not in page(client, desk)


def test_the_warnings_cost_one_query_however_many_runs_there_are(db, django_assert_num_queries):
    for days in range(10):
        for job in jobs.JOBS:
            ran(job, days_ago=days, ok=days % 2 == 0)
    with django_assert_num_queries(1):
        found = jobs.warnings()
    assert found == []


# --- clean_up -----------------------------------------------------------------------------


def document(user, status, *, days_ago, name=""):
    finished = timezone.now() - datetime.timedelta(days=days_ago)
    if name:
        name = storages["private"].save(name, ContentFile(b"%PDF-1.7 dokumen"))
    return Document.objects.create(
        kind=Document.Kind.PERIOD_DIK,
        key=f"period_dik:{days_ago}:{status}",
        title="DIK periode 2026",
        requested_by=user,
        status=status,
        finished_at=finished,
        file=name,
    )


def task_result(status, *, days_ago):
    at = timezone.now() - datetime.timedelta(days=days_ago)
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="dikecualikan.outbox.deliver",
        backend_name="default",
        run_after=at,
        finished_at=at if status != "RUNNING" else None,
    )


def test_clean_up_removes_old_task_results_and_expired_documents_but_never_the_outbox(
    ppid, settings
):
    settings.PPID_DOCUMENT_DAYS = 7
    private = storages["private"]
    old = document(ppid, Document.Status.READY, days_ago=8, name="documents/lama.pdf")
    failed = document(ppid, Document.Status.FAILED, days_ago=8)
    recent = document(ppid, Document.Status.READY, days_ago=2, name="documents/baru.pdf")
    gone = [task_result("SUCCESSFUL", days_ago=31), task_result("FAILED", days_ago=40)]
    kept = [task_result("SUCCESSFUL", days_ago=5), task_result("RUNNING", days_ago=40)]
    mail = OutgoingMail.objects.create(
        to="atasan@example.go.id",
        subject="Lama",
        body="Terkirim setahun lalu",
        status=OutgoingMail.Status.SENT,
        created_at=timezone.now() - datetime.timedelta(days=400),
    )

    assert run("clean_up") == 0

    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {t.pk for t in kept}
    assert not any(DBTaskResult.objects.filter(pk=t.pk).exists() for t in gone)
    old.refresh_from_db()
    assert (old.status, old.file) == (Document.Status.EXPIRED, "")
    assert not private.exists("documents/lama.pdf")
    failed.refresh_from_db()
    assert failed.status == Document.Status.EXPIRED
    recent.refresh_from_db()
    assert recent.status == Document.Status.READY and private.exists(recent.file)
    assert OutgoingMail.objects.filter(pk=mail.pk).exists()
    job = JobRun.objects.get(job="clean_up")
    assert job.ok is True
    assert (
        "task results deleted 2, documents removed 2, partial files removed 0, errors 0"
        in job.summary
    )


def test_clean_up_run_twice_removes_nothing_twice(ppid):
    document(ppid, Document.Status.READY, days_ago=30, name="documents/lama.pdf")
    assert run("clean_up") == 0
    assert run("clean_up") == 0
    summaries = list(JobRun.objects.order_by("pk").values_list("summary", flat=True))
    assert "documents removed 1" in summaries[0] and "documents removed 0" in summaries[1]


def test_verify_fixity_knows_the_prepared_documents_files_but_not_a_leftover_one(ppid):
    document(ppid, Document.Status.READY, days_ago=1, name="dokumen/1/dik.pdf")
    assert run("verify_fixity") == 0
    storages["private"].save("dokumen/2/dik.pdf", ContentFile(b"%PDF-1.7 sisa"))
    assert run("verify_fixity") == 1
    assert "untracked 1" in JobRun.objects.filter(job="verify_fixity").first().summary
