"""Daily housekeeping: what the worker left behind that nobody needs any more.

Run it every night with the other daily jobs (deploy/ppid-clean-up.timer). It

- deletes the worker's finished task results older than TASK_RESULT_DAYS (the queue's own
  bookkeeping: what a task returned, not what it did);
- puts back in the queue the tasks a killed worker left running (requeue_stale_tasks);
- deletes the partial files (`.tmp-*`) a worker killed while writing a PDF left beside the
  public DIK's PDFs and the staff documents, once they are an hour old;
- removes the prepared staff documents (the DIK of a period, the nota dinas, the access
  report) finished more than PPID_DOCUMENT_DAYS ago: their file leaves the private storage,
  and the row stays, marked "removed after its time", so the person sees what they once
  asked for and asks again for a current one.

The outbox is never deleted: each row is the proof of who was told what, and when (or that
a mail failed). Records, files and the history are never deleted either (README).

It prints one summary line and exits 1 when something could not be removed; it is safe to
run twice (a file already gone is not an error). Each run is recorded (jobs.py) for the
Atasan PPID's dashboard.
"""

import datetime
import os

from django.conf import settings
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dikecualikan import jobs, office
from dikecualikan.models import Document

# Long enough to look back at a week's failures; the failures that matter (mail, documents)
# are kept on their own rows anyway.
TASK_RESULT_DAYS = 30
# A partial file this old is no longer being written by anyone.
PARTIAL_AGE = datetime.timedelta(hours=1)


def sweep_partial(storage, folder: str, now) -> int:
    """Delete the `.tmp-*` files under a local storage's folder older than PARTIAL_AGE."""
    try:
        root = storage.path(folder)
    except NotImplementedError:  # an object store: an upload never shows half an object
        return 0
    removed = 0
    for directory, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(directory, name)
            if (
                name.startswith(".tmp-")
                and os.path.getmtime(path) < (now - PARTIAL_AGE).timestamp()
            ):
                os.unlink(path)
                removed += 1
    return removed


class Command(BaseCommand):
    help = (
        "Delete finished task results older than 30 days and the files of prepared documents "
        "past PPID_DOCUMENT_DAYS; never the outbox. Exit 1 on any error."
    )

    def handle(self, *args, **options):
        # Every office's documents: their files expire alike.
        with jobs.recorded("clean_up") as job, office.every_office():
            self.clean_up(job)

    def clean_up(self, job) -> None:
        now = timezone.now()
        old = now - datetime.timedelta(days=TASK_RESULT_DAYS)
        tasks, _by_model = DBTaskResult.objects.finished().filter(finished_at__lt=old).delete()
        call_command("requeue_stale_tasks", stdout=self.stdout)
        expired, errors = self.expire_documents(now)
        partial = sweep_partial(default_storage, "dik", now) + sweep_partial(
            storages["private"], "dokumen", now
        )
        job.summary = (
            f"clean_up {timezone.localdate(now).isoformat()}: task results deleted {tasks}, "
            f"documents removed {expired}, partial files removed {partial}, "
            f"errors {len(errors)}"
        )
        self.stdout.write(job.summary)
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"{len(errors)} document file(s) could not be removed; see above.")

    def expire_documents(self, now) -> tuple[int, list[str]]:
        """Delete the files of documents past their days; return (removed, errors)."""
        storage = storages["private"]
        cutoff = now - datetime.timedelta(days=settings.PPID_DOCUMENT_DAYS)
        done = Document.objects.filter(
            status__in=[Document.Status.READY, Document.Status.FAILED], finished_at__lt=cutoff
        )
        expired, errors = 0, []
        for document in done.only("pk", "status", "file").iterator():
            try:
                # The file first: a crash between the two leaves a row that the next run
                # expires (deleting a file already gone is no error), never a stray file.
                if document.file:
                    storage.delete(document.file)
            except Exception as error:  # noqa: BLE001 - one bad file must not stop the rest
                errors.append(f"document #{document.pk} ({document.file}): {error}")
                continue
            # Only if nobody changed it meanwhile.
            expired += Document.objects.filter(pk=document.pk, status=document.status).update(
                status=Document.Status.EXPIRED, file=""
            )
        return expired, errors
