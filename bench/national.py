"""Benchmark: KPU's national DIK (/kpu/) over 553 offices and 110,600 records (issue 29).

Run by hand (`make bench-national`, needs the local PostgreSQL and wrk); it prints figures and
asserts nothing. It seeds a throwaway database as bench/offices.py does (every office with
200 published records), puts KPU in service, serves the app with gunicorn (2 sync workers)
and measures with wrk, each page right after the constant /sehat/ (its ratio to it), in
BENCH_ROUNDS rounds (3): /kpu/ (every office with its counts, counted once per national
change), a national search, and a KPU Provinsi's page. Then it streams /kpu/dik.json and
/kpu/dik.csv once each, timing them and reading the serving worker's memory (its resident
set, before and at its highest while it streams).

The query counts are constant in the number of offices and records (tests count them).
"""

import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import offices
import public

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
public.SECONDS = int(os.environ.get("BENCH_SECONDS", "3"))
PAGES = [
    ("/kpu/", "/kpu/"),
    ("/kpu/?q=kesehatan", "/kpu/?q=kesehatan"),
    ("/kpu/provinsi/kalbar/", "/kpu/provinsi/kalbar/"),
]


def workers(server) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stream(path: str, pids: list[int]) -> tuple[float, int, float, float]:
    """(seconds, bytes, highest RSS growth of a worker in MiB, its RSS before) of one GET."""
    before = {pid: rss_mib(pid) for pid in pids}
    highest = dict(before)
    done = threading.Event()

    def watch():
        while not done.is_set():
            for pid in pids:
                highest[pid] = max(highest[pid], rss_mib(pid))
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{public.PORT}{path}", timeout=600) as response:
        size = sum(len(chunk) for chunk in iter(lambda: response.read(1 << 16), b""))
    took = time.perf_counter() - started
    done.set()
    watcher.join()
    grown = max(highest[pid] - before[pid] for pid in pids)
    return took, size, grown, max(before.values())


def main():
    database = f"ppid_bench_national_{os.getpid()}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    try:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, offices.__file__, "seed", database, "all"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", database, "-c",
             "UPDATE dikecualikan_office SET in_service = true"],
            check=True,
        )  # fmt: skip
        print(f"553 offices, 110,600 records: seeded in {time.perf_counter() - started:.0f} s")
        public.ENV = {**public.ENV, "DATABASE_URL": f"{public.PG}/{database}"}
        server = public.serve(0)
        try:
            print(f"wrk -t2 -c8, {public.SECONDS} s a load, medians of {ROUNDS} rounds")
            print(f"  {'page':<24}{'req/s':>8}{'p50 ms':>8}{'ratio':>7}")
            for name, path in PAGES:
                rounds = []
                for _ in range(ROUNDS):
                    base = public.load("/sehat/")
                    rps, p50, _p99 = public.load(path)
                    rounds.append((rps, p50, rps / base[0]))
                rps, p50, ratio = (statistics.median(r[i] for r in rounds) for i in range(3))
                print(f"  {name:<24}{rps:>8.0f}{p50 * 1000:>8.1f}{ratio:>7.3f}")
            pids = workers(server)
            for path in ("/kpu/dik.json", "/kpu/dik.csv"):
                took, size, grown, before = stream(path, pids)
                print(
                    f"  {path}: {size / 1e6:.1f} MB in {took:.1f} s; the worker's memory "
                    f"{before:.0f} MiB before, +{grown:.1f} MiB at most while streaming"
                )
        finally:
            server.terminate()
            server.wait()
    finally:
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", database]
        )
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
