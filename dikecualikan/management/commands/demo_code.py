"""Print the code a demo user's authenticator app would show now (development only).

A newcomer trying the demo has no app set up yet: `manage.py demo_code ppid` prints the
six digits that sign `ppid` in for the next seconds. It reads the secret of the person's
confirmed app, so it would sign anyone in: it refuses to run unless DEBUG is on, and
it never runs on a server in production (seed_demo's secrets are printed on the same terms).
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current second-factor code of USERNAME's app (only with DEBUG on)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError(
                "demo_code prints a code that signs the person in; it runs only with DEBUG=1 "
                "(a development checkout with the demo)."
            )
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no authenticator app set up.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        left = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        if device.last_t >= totp.t():  # a code signs in only once
            self.stderr.write(f"This code signed {username} in already; a new one in {left} s.")
        else:
            self.stderr.write(f"The code of {username}'s app, for {left} more seconds (once).")
