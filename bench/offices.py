"""Benchmark: one office's pages among 553 offices (issue 28) against the same office alone.

Run by hand (`make bench-offices`, needs the local PostgreSQL and wrk); it prints figures and
asserts nothing. It seeds two throwaway databases: every one of KPU's 553 offices with 200
published records (110,600 in all), and the default office alone with its 200; then, for
each, serves the app with gunicorn (2 sync workers) and measures with wrk, each page right
after the constant /sehat/ (its ratio to it), in BENCH_ROUNDS rounds (3) of BENCH_SECONDS
(3) a load: the default office's public home with the page cache off and on, its /dik.json,
the PPID's dashboard (signed in past the second factor), and its home asked of its subsite
(a host name of its own) with the page cache off. A page "holds" when its ratio
among 553 offices is at least 0.9 of its ratio alone. The pages' query counts are the same
either way (tests/dikecualikan/test_offices.py counts them); this measures the time.

It drives bench/public.py's `serve` and `load` with its own databases.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import public

ROOT = Path(__file__).resolve().parents[1]
PER_OFFICE = 200
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
public.SECONDS = int(os.environ.get("BENCH_SECONDS", "3"))
# The default office's subsite (a host name of its own, dikecualikan.office.OfficeHost).
SUBSITE = "pontianakkotappid.kpu.go.id"
# (name, path, page cache seconds, signed in, host): a visitor's pages, the PPID's dashboard,
# and the home on the office's subsite.
PAGES = [
    ("/ cache off", "/", 0, False, None),
    ("/dik.json", "/dik.json", 0, False, None),
    ("PPID dashboard", "/staf/", 0, True, None),
    ("subsite /, off", "/", 0, False, SUBSITE),
    ("/ cache on", "/", 3600, False, None),
]


def seed(database: str, every_office: bool) -> None:
    """In a process of its own: migrate, then 200 published records per office, in bulk."""
    os.environ.update(public.ENV, DATABASE_URL=f"{public.PG}/{database}")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dikecualikan.roles import grant

    call_command("migrate", verbosity=0)
    from dikecualikan import office
    from dikecualikan.dik import published_rows
    from dikecualikan.models import Decision, DecisionItem, DikChange, DikVersion, Record

    offices = list(office.Office.objects.order_by("code"))
    if not every_office:
        offices = [office.default()]
    ppid = User.objects.create_user("ppid", "ppid@example.org", is_staff=True)
    grant(ppid, "ppid")
    now = timezone.now()
    decision = Decision.objects.create(
        issuer="Komisi Pemilihan Umum",
        number="1/HM.02-Kpt/05/KPU/VIII/2025",
        year=2025,
        title="tentang DIK",
        date_set="2025-08-21",
        created_by=ppid,
        published_by=ppid,
        published_at=now,
    )
    version = DikVersion.objects.create(number=1, decision=decision)
    for n, here in enumerate(offices):
        with office.acting(here):
            records = Record.objects.bulk_create(
                Record(
                    title=f"internal {n}-{i}",
                    public_title=f"Surat keterangan kesehatan bakal calon nomor {n}-{i}",
                    holding_unit="Divisi Teknis Penyelenggaraan",
                    document_type="Dokumen",
                    statutes="UU 14/2008 Pasal 17",
                    harm="Mengungkap data pribadi seseorang",
                    balancing="Melindungi data pribadi",
                    period_type="fixed",
                    period_years=5,
                    state="published",
                    created_by=ppid,
                    published_in=decision,
                    published_at=now,
                )
                for i in range(PER_OFFICE)
            )
            DecisionItem.objects.bulk_create(
                DecisionItem(decision=decision, record=r, outcome="exempt", added_by=ppid)
                for r in records
            )
            if here == office.default():  # the DIK's versions are the default office's still
                rows = published_rows(Record.objects.filter(pk__in=[r.pk for r in records]))
                DikChange.objects.bulk_create(
                    DikChange(version=version, record=r, kind="added", data=rows[r.pk])
                    for r in records
                )
    with office.every_office():
        Record.objects.all().index_for_search()
    office.OfficeHost.objects.create(office=office.default(), host=SUBSITE)
    device = TOTPDevice.objects.create(user=ppid, name="bench", confirmed=True)
    session = SessionStore()
    backend = next(b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b)
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(ppid.pk), backend
    session[HASH_SESSION_KEY] = ppid.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(session.session_key)


def measure(database: str, cookie: str) -> dict:
    """Each page's median req/s, p50 and ratio to /sehat/ measured right before it."""
    public.ENV = {**public.ENV, "DATABASE_URL": f"{public.PG}/{database}"}
    figures = {}
    for cache in (0, 3600):
        server = public.serve(cache)
        try:
            for name, path, wanted, signed_in, host in PAGES:
                if wanted != cache:
                    continue
                rounds = []
                for _ in range(ROUNDS):
                    base = public.load("/sehat/")
                    given = cookie if signed_in else None
                    rps, p50, _p99 = public.load(path, cookie=given, host=host)
                    rounds.append((rps, p50, rps / base[0]))
                figures[name] = tuple(statistics.median(r[i] for r in rounds) for i in range(3))
        finally:
            server.terminate()
            server.wait()
    return figures


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "seed":
        seed(sys.argv[2], sys.argv[3] == "all")
        return
    pid = os.getpid()
    databases = {"553 offices": f"ppid_bench_offices_{pid}", "one office": f"ppid_bench_one_{pid}"}
    results = {}
    try:
        for label, database in databases.items():
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
            started = time.perf_counter()
            every = "all" if label == "553 offices" else "one"
            cookie = subprocess.run(
                [sys.executable, __file__, "seed", database, every],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()[-1]
            print(f"{label}: seeded in {time.perf_counter() - started:.0f} s", flush=True)
            results[label] = measure(database, cookie)
    finally:
        for database in databases.values():
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", database]
            )
    print(
        f"\nwrk -t2 -c8, {public.SECONDS} s a load, medians of {ROUNDS} rounds; load average "
        f"at the end {os.getloadavg()[0]:.1f}"
    )
    print(f"  {'page':<16}{'one: req/s':>11}{'ratio':>7}{'553: req/s':>12}{'ratio':>7}{'held':>7}")
    for name, *_rest in PAGES:
        one, many = results["one office"][name], results["553 offices"][name]
        print(
            f"  {name:<16}{one[0]:>11.0f}{one[2]:>7.3f}{many[0]:>12.0f}{many[2]:>7.3f}"
            f"{many[2] / one[2]:>7.2f}"
        )
    print("  held: the ratio among 553 offices over the ratio alone (target >= 0.9)")


if __name__ == "__main__":
    main()
