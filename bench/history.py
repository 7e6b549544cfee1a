"""Benchmark: what the history's chain costs, and how long verify_history takes.

Run it by hand (`make bench-history`); it prints its figures, it asserts nothing. It
creates a throwaway PostgreSQL database, migrates it, and measures on the history of
users (UserEvent, a chained table) and the fixity results (FixityCheck, append-only
but not chained, of a similar row size):

1. 1,000 single inserts into each, one transaction per row, as the app writes them:
   the chained one takes the chains' lock and reads the previous row's chain first;
2. 100,000 chained rows inserted in bulk (the chain computed in Python, one INSERT per
   batch), as a DIK version's rows are;
3. `manage.py verify_history` over those 101,000 rows.
"""

import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = os.environ.get("BENCH_HISTORY_DATABASE", "ppid_bench_history")
ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-not-a-secret-0123456789abcdef-ghijklmnopqrstu",
    "ALLOWED_HOSTS": "127.0.0.1",
    "HTTPS": "0",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "EMAIL_URL": "dummymail://",
    "DJANGO_SETTINGS_MODULE": "ppid.settings",
}
SINGLE = 1_000
BULK = 100_000


def timed(label, function):
    start = time.perf_counter()
    function()
    seconds = time.perf_counter() - start
    print(f"{label}: {seconds:.2f} s", flush=True)
    return seconds


def main():
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import transaction

    from arsip.models import FixityCheck
    from dikecualikan.models import UserEvent

    call_command("migrate", verbosity=0)
    from dikecualikan import office  # noqa: PLC0415 - after django.setup()

    office.act_from_now_on(office.default())  # the default office's register
    user = User.objects.create_user("bench", first_name="Bench", last_name="User")

    def chained():
        for n in range(SINGLE):
            with transaction.atomic():
                UserEvent.objects.create(user=user, kind="granted", role=f"role-{n}")

    def plain():
        for n in range(SINGLE):
            with transaction.atomic():
                FixityCheck.objects.create(run="bench", name=f"softcopy/{n:032x}", status="ok")

    with_chain = timed(f"{SINGLE:,} single inserts, chained (UserEvent)", chained)
    without = timed(f"{SINGLE:,} single inserts, not chained (FixityCheck)", plain)
    print(
        f"  per row: {with_chain / SINGLE * 1000:.2f} ms chained, "
        f"{without / SINGLE * 1000:.2f} ms not chained"
    )

    def bulk():
        rows = (UserEvent(user=user, kind="removed", role=f"bulk-{n}") for n in range(BULK))
        UserEvent.objects.bulk_create(rows, batch_size=5000)

    timed(f"{BULK:,} chained rows in bulk", bulk)
    out = StringIO()
    timed(
        f"verify_history over {SINGLE + BULK:,} chained rows",
        lambda: call_command("verify_history", stdout=out),
    )
    print(out.getvalue().strip().splitlines()[-1])


if __name__ == "__main__":
    main()
