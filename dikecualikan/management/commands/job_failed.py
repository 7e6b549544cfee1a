"""Tell the Atasan PPID that a job or worker failed (run by systemd's OnFailure=, deploy/).

The end of the unit's log comes on standard input; the mail goes through the outbox like
every other, so it is kept, retried while the mail server is away, and visible if it fails.
"""

import sys

from django.core.management.base import BaseCommand

from dikecualikan.roles import Role
from dikecualikan.workflow.mail import send_later


class Command(BaseCommand):
    help = "Mail the Atasan PPID that a systemd unit failed; its log comes on standard input."

    def add_arguments(self, parser):
        parser.add_argument("unit", help="The unit that failed, e.g. ppid-verify-fixity.service.")

    def handle(self, *args, unit, **options):
        log = "" if sys.stdin.isatty() else sys.stdin.read()[-8000:]
        send_later("job_failed", {"unit": unit, "log": log}, [Role.ATASAN])
        self.stdout.write(f"job_failed: the Atasan PPID is told that {unit} failed")
