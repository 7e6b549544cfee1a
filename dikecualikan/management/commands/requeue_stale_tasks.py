"""Put back in the queue the tasks a killed worker left "running".

A worker stopped by SIGKILL (out of memory, a power cut) never marks its task finished, and
the database backend would leave it running for ever. Every task of the register is safe to
run twice (a mail is sent once, a document is written under a temporary name and moved into
place), so a task running longer than the limit is made ready again; the nightly clean_up runs it.

A worker's systemd unit (deploy/) gives the worker a fixed id (host and queue) and, before
it starts, runs this with `--worker-id` of that id: every task still running under it was
abandoned by the worker that unit ran before (killed by the OOM killer, a power cut), and is
requeued at once, whatever its age.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = "Requeue tasks left running by a worker that was killed (older than --minutes)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=settings.TASKS_STALE_MINUTES,
            help="A task running longer than this is taken as abandoned (default: %(default)s).",
        )
        parser.add_argument(
            "--worker-id",
            help="Requeue, whatever their age, the tasks last claimed by this worker id: the "
            "worker about to start under it is the only one that uses it.",
        )

    def handle(self, *args, minutes, worker_id, **options):
        running = DBTaskResult.objects.running()
        if worker_id:
            # The ids are a JSON list, which SQLite cannot search: running tasks are few.
            mine = [task.pk for task in running if task.worker_ids[-1:] == [worker_id]]
            count = running.filter(pk__in=mine).update(status=TaskResultStatus.READY)
            self.stdout.write(f"requeue_stale_tasks: {count} task(s) of {worker_id} requeued")
            return
        limit = timezone.now() - datetime.timedelta(minutes=minutes)
        stale = running.filter(started_at__lt=limit)
        count = stale.update(status=TaskResultStatus.READY)
        since = f"{limit:%Y-%m-%d %H:%M}"
        self.stdout.write(
            f"requeue_stale_tasks: {count} task(s) running since before {since} requeued"
        )
