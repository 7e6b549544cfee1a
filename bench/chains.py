"""Benchmark: two offices publishing at the same moment do not wait on each other (issue 28).

Run by hand (`make bench-chains`, needs the local PostgreSQL); it prints figures and asserts
nothing. In a throwaway database, Pontianak and Kubu Raya each get decisions of BENCH_ITEMS
(300) requested records, decided through the workflow. Then each publication (a history row
per record, a DIK version with its rows, all under the office's chains' lock) runs through
`workflow.publish_decision`, each in a thread with its own connection:

1. one office's publication alone, then the other's, one after the other (the sum);
2. the two offices' at the same moment: with the chains' lock per office the wall time is
   about the longer of the two (two cores), not their sum;
3. two publications of the same office at the same moment: they take turns on its lock, so
   the wall time is about their sum (the lock still serialises each office's own history).

It reuses bench/worker.py's records and decisions (its database is this one's).
"""

import os
import sys
import threading
import time

os.environ.setdefault("BENCH_WORKER_DATABASE", f"ppid_bench_chains_{os.getpid()}")
ITEMS = int(os.environ.get("BENCH_ITEMS", "300"))

import worker  # noqa: E402 - sets up Django against the database named above
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from dikecualikan import office, workflow  # noqa: E402
from dikecualikan.history import verify_chain  # noqa: E402
from dikecualikan.models import Office, Transition  # noqa: E402
from dikecualikan.roles import Role, grant  # noqa: E402


def seed():
    """The PPID of both offices; four decisions of ITEMS records in Pontianak, two in Kubu
    Raya."""
    call_command("migrate", verbosity=0)
    pontianak = office.default()
    kubu_raya = Office.objects.get(slug="kuburayakab")
    Office.objects.filter(pk=kubu_raya.pk).update(in_service=True)
    ppid = User.objects.create_user("ppid", "ppid@example.org", "bench", is_staff=True)
    decisions = {}
    number = 0
    for place in (pontianak, kubu_raya):
        grant(ppid, Role.PPID, place=place)
        with office.acting(place):
            decisions[place.slug] = []
            for _ in range(4 if place == pontianak else 2):
                number += 1
                decisions[place.slug].append(worker.decision(ppid, ITEMS, number))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return ppid, pontianak, kubu_raya, decisions


def publish_together(ppid, jobs) -> tuple[float, list[float]]:
    """Publish each (office, decision) in a thread of its own, released at once: the wall
    time and each publication's own time."""
    barrier = threading.Barrier(len(jobs))
    took = [0.0] * len(jobs)

    def run(index, place, decision):
        try:
            barrier.wait(timeout=30)
            started = time.perf_counter()
            with office.acting(place):
                workflow.publish_decision(decision=decision, by=ppid)
            took[index] = time.perf_counter() - started
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, *job)) for i, job in enumerate(jobs)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, took


def main():
    print(f"database {worker.DB}; {os.cpu_count()} cores; {ITEMS} records per publication")
    worker.subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", worker.DB], check=True)
    try:
        ppid, pontianak, kubu_raya, decisions = seed()
        connection.close()
        print(f"load average at the start: {os.getloadavg()[0]:.1f}")
        first, _ = publish_together(ppid, [(pontianak, decisions[pontianak.slug][0])])
        second, _ = publish_together(ppid, [(kubu_raya, decisions[kubu_raya.slug][0])])
        print(
            f"1. one after the other: Pontianak {first:.2f} s, then Kubu Raya {second:.2f} s: "
            f"{first + second:.2f} s in all"
        )
        wall, took = publish_together(
            ppid,
            [(pontianak, decisions[pontianak.slug][1]), (kubu_raya, decisions[kubu_raya.slug][1])],
        )
        print(
            f"2. two offices at the same moment: {wall:.2f} s wall (each {took[0]:.2f} s and "
            f"{took[1]:.2f} s): {wall / (first + second):.2f} of the sum"
        )
        same, took = publish_together(
            ppid,
            [(pontianak, decisions[pontianak.slug][2]), (pontianak, decisions[pontianak.slug][3])],
        )
        print(
            f"3. two publications of one office at the same moment: {same:.2f} s wall (each "
            f"{took[0]:.2f} s and {took[1]:.2f} s): they take turns on its lock"
        )
        with office.every_office():
            ok, broken, _first = verify_chain(Transition)
        print(f"the history's chains afterwards: ok {ok}, broken {broken}")
    finally:
        connection.close()
        worker.subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", worker.DB]
        )
        worker.shutil.rmtree(worker.WORK, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
