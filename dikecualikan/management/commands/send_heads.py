"""Mail the history's chain heads off the machine (run nightly after verify_history, deploy/).

Tomorrow's `verify_history --compare-heads` compares with the copy kept on the machine; the
mailed copy is what an operator compares with when the machine itself may have been edited
(docs/archive.md, "The history cannot be rewritten").
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dikecualikan.roles import Role
from dikecualikan.workflow.mail import send_later


class Command(BaseCommand):
    help = "Mail the heads file (verify_history --heads) to HEADS_MAIL_TO or the Atasan PPID."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file verify_history --heads wrote.")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        heads = path.read_text(encoding="utf-8")
        people = settings.HEADS_MAIL_TO
        roles = [] if people else [Role.ATASAN]
        send_later("heads", {"heads": heads}, roles, people=people)
        self.stdout.write(f"send_heads: {len(heads.splitlines())} heads queued for mail")
