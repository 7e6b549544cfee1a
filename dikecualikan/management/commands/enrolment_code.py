"""Make a person's one-time enrolment code from the server, for a second factor.

Every enrolment asks for such a code (ppid/second_factor.py), and the admin that makes
them is itself behind the second factor: the first superuser of a new install, or the
only one who lost their phone, gets theirs here. Otherwise an administrator makes codes
in the admin (accounts, "Make an enrolment code"). Either way it is kept in the user
history (here as made by the server) and mailed to the person and the Atasan PPID.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format
from django_otp.plugins.otp_totp.models import TOTPDevice

from ppid import second_factor


class Command(BaseCommand):
    help = (
        "Print a one-time enrolment code with which USERNAME sets up a second factor "
        "(--reset removes the one they have first). Kept in the user history and mailed."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--reset", action="store_true", help="Remove their second factor first (a lost phone)."
        )

    def handle(self, *args, username, reset, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if reset:
            code, expires = second_factor.reset(user=user, by=None)
        elif TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise CommandError(f"{username} has a second factor already; add --reset if lost.")
        else:
            code, expires = second_factor.make_enrolment_code(user=user, by=None)
        until = date_format(timezone.localtime(expires), "j F Y H.i")
        self.stdout.write(f"Enrolment code for {username}: {code} (valid until {until})")
        self.stdout.write("Hand it over yourself; it is not kept and cannot be shown again.")
