"""Benchmark: a KPU decision over 500 records in 100 offices, and KPU's revocations (issue 29).

Run by hand (`make bench-national-decision`, needs the local PostgreSQL); it prints figures
and asserts nothing. In a throwaway database, 100 offices (Kabupaten/Kota) in service each
hold BENCH_PER_OFFICE (5) requested records, decided under one decision of KPU (typed in
while KPU kept no register here: `record_decision` per record). Then, each timed as the one
request it is in the register (the worker renders each office's DIK PDF afterwards: a fresh
`db_worker --batch`, as bench/worker.py runs it, renders the publications' PDFs before step 2
and the revocation's after it, timed):

1. each office publishes the decision for its own list (100 requests; their sum and the
   slowest one);
2. KPU, now in the register, enters and publishes its revocation in whole: one request that
   opens the 500 items in the 100 offices, each office with its own DIK version and mail;
3. a second such decision, revoked in part by KPU: naming its 500 items in the 100 offices
   (one request) and publishing the revocation (one request).

It reuses bench/worker.py's records (its database is this one's).
"""

import datetime
import os
import sys
import time

os.environ.setdefault("BENCH_WORKER_DATABASE", f"ppid_bench_decision_{os.getpid()}")
OFFICES = int(os.environ.get("BENCH_OFFICES", "100"))
PER_OFFICE = int(os.environ.get("BENCH_PER_OFFICE", "5"))

import worker  # noqa: E402 - sets up Django against the database named above
from django.contrib.auth.models import User  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from dikecualikan import office, workflow  # noqa: E402
from dikecualikan.history import verify_chain  # noqa: E402
from dikecualikan.models import (  # noqa: E402
    DecidingBody,
    Office,
    Outcome,
    Record,
    Transition,
)
from dikecualikan.roles import Role, grant  # noqa: E402


def decision_fields(number: str, **more) -> dict:
    return {
        "body": DecidingBody.objects.get(kind="kpu"),
        "number": number,
        "year": 2025,
        "title": "tentang Daftar Informasi Publik yang Dikecualikan",
        "date_set": worker.DECIDED_ON,
        "place": "Jakarta",
        "signatory": "Ketua KPU",
        "pdf": ContentFile(worker.tiny_pdf(["Keputusan"]), name="keputusan.pdf"),
        **more,
    }


def seed(ppid, places, number: str):
    """A decision of KPU over PER_OFFICE requested records in each office, typed in by the
    first office (KPU is not in the register yet) and decided record by record."""
    with office.acting(places[0]):
        decision = workflow.create_decision(by=ppid, **decision_fields(number))
    for place in places:
        with office.acting(place):
            requested = worker.records(
                PER_OFFICE,
                ppid,
                state="requested",
                collected=datetime.datetime(2025, 7, 28, 9, tzinfo=datetime.UTC),
                request_number="123/PP.01-SD/2025",
                request_date=datetime.date(2025, 8, 4),
                request_addressee="KPU melalui KPU Provinsi",
                round=1,
            )
            for record in requested:
                workflow.record_decision(
                    decision=decision, record=record, outcome=Outcome.EXEMPT, by=ppid
                )
    return decision


def publish_everywhere(ppid, places, decision) -> list[float]:
    took = []
    for place in places:
        with office.acting(place):
            started = time.perf_counter()
            workflow.publish_decision(decision=decision, by=ppid)
            took.append(time.perf_counter() - started)
    return took


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def main():
    print(f"database {worker.DB}; {os.cpu_count()} cores; {OFFICES} offices x {PER_OFFICE}")
    worker.subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", worker.DB], check=True)
    try:
        call_command("migrate", verbosity=0)
        kinds = [Office.Kind.REGENCY, Office.Kind.CITY]
        places = list(Office.objects.filter(kind__in=kinds).order_by("code")[:OFFICES])
        Office.objects.filter(pk__in=[p.pk for p in places]).update(in_service=True)
        places = list(Office.objects.filter(pk__in=[p.pk for p in places]).order_by("pk"))
        ppid = User.objects.create_user("ppid", "ppid@example.org", "bench", is_staff=True)
        for place in places:
            grant(ppid, Role.PPID, place=place)
        whole = seed(ppid, places, "1/HM.02-Kpt/05/KPU/VIII/2025")
        part = seed(ppid, places, "2/HM.02-Kpt/05/KPU/VIII/2025")
        kpu = Office.objects.get(slug="kpu")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"load average at the start: {os.getloadavg()[0]:.1f}")
        took = publish_everywhere(ppid, places, whole)
        print(
            f"1. each office publishes it for its {PER_OFFICE} items: {sum(took):.2f} s for "
            f"the {len(took)} requests, the slowest {max(took) * 1000:.0f} ms, the median "
            f"{sorted(took)[len(took) // 2] * 1000:.0f} ms"
        )
        publish_everywhere(ppid, places, part)
        whole.refresh_from_db()
        part.refresh_from_db()
        Office.objects.filter(pk=kpu.pk).update(in_service=True)
        kpu_ppid = User.objects.create_user("ppid-kpu", "kpu@example.org", "b", is_staff=True)
        grant(kpu_ppid, Role.PPID, place=kpu)
        later = datetime.date(2025, 9, 1)
        drained = worker.batch_worker()  # the offices' own publications' PDFs first
        print(f"   the worker renders their {2 * OFFICES} PDFs: {drained[0]:.1f} s")
        with office.acting(kpu):
            fields = decision_fields("3/HM.02-Kpt/05/KPU/IX/2025", revokes=whole, date_set=later)
            revocation = workflow.create_decision(by=kpu_ppid, revokes_whole=True, **fields)
            _, wall = timed(lambda: workflow.publish_decision(decision=revocation, by=kpu_ppid))
        print(f"2. KPU publishes its revocation in whole: {wall:.2f} s (one request)")
        rendered = worker.batch_worker()
        print(
            f"   then a fresh worker renders the {OFFICES} offices' new PDFs (one task): "
            f"{rendered[0]:.1f} s, CPU {rendered[1]:.1f} s, peak {rendered[2]:.0f} MiB"
        )
        with office.acting(kpu):
            fields = decision_fields("4/HM.02-Kpt/05/KPU/IX/2025", revokes=part, date_set=later)
            revocation = workflow.create_decision(by=kpu_ppid, **fields)
            with office.every_office():
                named = list(Record.objects.filter(published_in=part).values_list("pk", flat=True))
            _, naming = timed(
                lambda: workflow.open_in_offices(decision=revocation, records=named, by=kpu_ppid)
            )
            _, wall = timed(lambda: workflow.publish_decision(decision=revocation, by=kpu_ppid))
        print(
            f"3. KPU's revocation in part: naming its {len(named)} items {naming:.2f} s, "
            f"publishing it {wall:.2f} s (one request each)"
        )
        with office.every_office():
            opened = Record.objects.filter(state="opened").count()
            ok, broken, _first = verify_chain(Transition)
        total = 2 * OFFICES * PER_OFFICE
        print(f"opened {opened} of {total}; the chains: ok {ok}, broken {broken}")
        print(f"load average at the end: {os.getloadavg()[0]:.1f}; {timezone.now():%Y-%m-%d}")
    finally:
        connection.close()
        worker.subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", worker.DB]
        )
        worker.shutil.rmtree(worker.WORK, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
