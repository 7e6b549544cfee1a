"""The daily jobs' runs: each one leaves a JobRun row, and the dashboard reads the last ones.

A job writes its row when it starts, committed at once, so a run that crashes or is killed
still leaves a row that says it never finished; the end of the run fills in when, whether it
succeeded, and its summary line. Systemd mails the Atasan PPID when a unit fails (deploy/);
the row is what shows the rest: a timer that never fired, a machine that was off, a job that
hangs. Beside the outbox, just above the models: arsip's verify_fixity records its runs too.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import JobRun

# The daily jobs, in the order they run at night (deploy/*.timer), with the names the
# dashboard gives them.
JOBS = {
    "clean_up": _("Daily clean-up"),
    "verify_fixity": _("Check of the stored files"),
    "verify_history": _("Check of the history"),
    "review_due": _("Review of ending exemptions"),
}
# A job runs every night: without a success for this long, a night was missed.
MISSED_AFTER = datetime.timedelta(hours=48)
# A run started this long ago that has not finished was killed or hangs (the longest,
# verify_fixity, re-hashes every softcopy: minutes, not hours).
STUCK_AFTER = datetime.timedelta(hours=6)


@contextmanager
def recorded(job: str) -> Iterator[JobRun]:
    """Record one run of a daily job; the caller sets `summary` on the row it is given.

    The run fails when the block raises (a CommandError, any other exception, an exit with a
    non-zero code): the row keeps the error's message after the summary, and the error goes
    on, so the command's exit code is unchanged.
    """
    if job not in JOBS:
        raise ValueError(f"{job!r} is not a daily job ({', '.join(JOBS)})")
    # Its own transaction, committed now: a crash below leaves the row, unfinished.
    with transaction.atomic(durable=True):
        run = JobRun.objects.create(job=job)
    try:
        yield run
    except SystemExit as error:
        failed = error.code not in (0, None)
        _finish(run, not failed, error if failed else None)
        raise
    except BaseException as error:
        _finish(run, False, error)
        raise
    else:
        _finish(run, True, None)


def _finish(run: JobRun, ok: bool, error: BaseException | None) -> None:
    if error is not None:
        why = str(error) if isinstance(error, CommandError) else f"{type(error).__name__}: {error}"
        run.summary = "\n".join(part for part in (run.summary, why) if part)
    run.ok, run.finished_at = ok, timezone.now()
    run.save(update_fields=["ok", "finished_at", "summary"])


@dataclass
class JobWarning:
    """A daily job that needs looking at, for the dashboard."""

    job: str
    label: str
    problem: str  # "never", "failed", "unfinished" or "missed"
    last_ok: datetime.datetime | None  # when it last succeeded (finished), if ever
    run: JobRun | None  # its last run


def warnings(now: datetime.datetime | None = None) -> list[JobWarning]:
    """Return a warning for each daily job that never ran, failed, hangs or missed a night.

    One query: each job's last run, with the end of its last successful run beside it.
    """
    now = now or timezone.now()
    runs = JobRun.objects.filter(job=OuterRef("job"))
    last = runs.order_by("-started_at", "-id").values("pk")[:1]
    succeeded = runs.filter(ok=True).order_by("-finished_at").values("finished_at")[:1]
    found = {
        run.job: run
        for run in JobRun.objects.filter(job__in=JOBS, pk=Subquery(last)).annotate(
            last_ok=Subquery(succeeded)
        )
    }
    result = []
    for job, label in JOBS.items():
        run = found.get(job)
        problem = _problem(run, now)
        if problem:
            result.append(JobWarning(job, label, problem, run and run.last_ok, run))
    return result


def _problem(run: JobRun | None, now: datetime.datetime) -> str | None:
    if run is None:
        return "never"
    if run.ok is False:
        return "failed"
    if run.ok is None and run.started_at < now - STUCK_AFTER:
        return "unfinished"
    if run.last_ok is None or run.last_ok < now - MISSED_AFTER:
        return "missed"
    return None
