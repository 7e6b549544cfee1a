"""Put back in the queue the tasks a killed worker left "running".

A worker stopped by SIGKILL (out of memory, a power cut) never marks its task finished, and
the database backend would leave it running for ever. Every task of the register is safe to
run twice (a mail is sent once, a document is written under a temporary name and moved into
place), so a task running longer than the limit is made ready again. The worker's systemd
unit runs this before it starts (deploy/), and the daily timer runs it too.
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

    def handle(self, *args, minutes, **options):
        limit = timezone.now() - datetime.timedelta(minutes=minutes)
        stale = DBTaskResult.objects.running().filter(started_at__lt=limit)
        count = stale.update(status=TaskResultStatus.READY)
        since = f"{limit:%Y-%m-%d %H:%M}"
        self.stdout.write(
            f"requeue_stale_tasks: {count} task(s) running since before {since} requeued"
        )
