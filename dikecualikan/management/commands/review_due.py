"""The register after publication, daily: expiry opens items, ending periods are reviewed.

Run it every day (docs/deployment.md, the daily jobs). Items whose
period ends within PPID_REVIEW_WORKING_DAYS working days enter the review queue on the
PPID's dashboard (one mail to the PPID and the Atasan PPID, not one a day); items whose
period has ended are opened by the register itself, with a new DIK version and a public
notice on /dibuka/. A second run on the same day does nothing twice. It prints what it
did and exits 0, or 1 when anything could not be done; each run is recorded (jobs.py)
for the Atasan PPID's dashboard.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format

from dikecualikan import jobs, office, workflow
from dikecualikan.documents import render_dik
from dikecualikan.outbox import enqueue


class Command(BaseCommand):
    help = (
        "Open items whose exemption period has ended, and put items ending within the review "
        "window in the PPID's review queue (one mail). Exit 1 on any error."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--office",
            dest="slug",
            metavar="SLUG",
            help="Only this office, by its short name (default: every office in service).",
        )

    def handle(self, *args, slug=None, **options):
        offices = office.in_service(slug)
        with jobs.recorded("review_due") as job:
            summaries, errors = [], 0
            for here in offices:
                with office.acting(here):  # its "today" and deadlines in its own time zone
                    summary, failed = self.review()
                summaries.append(f"{here.slug} {summary}" if len(offices) > 1 else summary)
                errors += failed
            job.summary = "; ".join(summaries)
            self.stdout.write(job.summary)
            if errors:
                raise CommandError(f"{errors} item(s) could not be reviewed; see above.")

    def review(self) -> tuple[str, int]:
        """Review one office's register; return its summary line and its number of errors."""
        today = timezone.localdate()
        done = workflow.review_due(today)
        # A row whose period ended yesterday reads "berakhir" from today, without a new
        # version: the worker renders today's /dik.pdf now, before any visitor asks.
        enqueue(render_dik, None, 1, office.acting_office().pk)
        for record in done.opened:
            ends = date_format(record.ends_on, "j F Y")
            self.stdout.write(f"opened #{record.pk}: the period ended on {ends}")
        for record in done.queued:
            ends = date_format(record.ends_on, "j F Y")
            self.stdout.write(f"review #{record.pk}: the period ends on {ends}")
        for record, message in done.errors:
            self.stderr.write(f"error #{record.pk}: {message}")
        summary = (
            f"review_due {today.isoformat()}: opened {len(done.opened)}, "
            f"queued {len(done.queued)}, errors {len(done.errors)}"
        )
        return summary, len(done.errors)
