"""The register after publication, daily: expiry opens items, ending periods are reviewed.

Run it every day (docs/deployment.md, the daily jobs). Items whose
period ends within PPID_REVIEW_WORKING_DAYS working days enter the review queue on the
PPID's dashboard (one mail to the PPID and the Atasan PPID, not one a day); items whose
period has ended are opened by the register itself, with a new DIK version and a public
notice on /dibuka/. A second run on the same day does nothing twice. It prints what it
did and exits 0, or 1 when anything could not be done.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format

from dikecualikan import workflow


class Command(BaseCommand):
    help = (
        "Open items whose exemption period has ended, and put items ending within the review "
        "window in the PPID's review queue (one mail). Exit 1 on any error."
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        done = workflow.review_due(today)
        for record in done.opened:
            ends = date_format(record.ends_on, "j F Y")
            self.stdout.write(f"opened #{record.pk}: the period ended on {ends}")
        for record in done.queued:
            ends = date_format(record.ends_on, "j F Y")
            self.stdout.write(f"review #{record.pk}: the period ends on {ends}")
        for record, message in done.errors:
            self.stderr.write(f"error #{record.pk}: {message}")
        self.stdout.write(
            f"review_due {today.isoformat()}: opened {len(done.opened)}, "
            f"queued {len(done.queued)}, errors {len(done.errors)}"
        )
        if done.errors:
            raise CommandError(f"{len(done.errors)} item(s) could not be reviewed; see above.")
