"""Benchmark: the public pages with 100,000 published records on PostgreSQL.

Run by hand (`make bench-public`, needs the local PostgreSQL); it prints figures and asserts
nothing. It creates a throwaway database, seeds 100,000 published records (the scale of
every KPU office in Indonesia together) with their full-text vectors, serves the app with
gunicorn (2 sync workers) on 127.0.0.1, and measures with wrk when it is installed
(`apt-get install wrk`), else with a bounded Python client:

- requests per second and p50/p99 latency of a trivial constant view (/sehat/), of `/`
  (first and last page), of a search and of a filtered list, first with the page cache
  off, then on; each page right after /sehat/, in BENCH_ROUNDS rounds (5) of
  BENCH_SECONDS (3) a load, reporting the medians;
- the time to the last byte of /dik.csv, /dik.xlsx and /dik.json, and the worker's peak memory then.
"""

import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# BENCH_DATABASE names a database to keep: seeded on the first run, reused by the next ones
# (quick iterations; drop it by hand). Without it, a throwaway database per run.
KEEP = os.environ.get("BENCH_DATABASE")
DB = KEEP or f"ppid_bench_{os.getpid()}"
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
RECORDS = int(os.environ.get("BENCH_RECORDS", "100000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
PORT = 8766
WORK = Path(tempfile.mkdtemp(prefix="ppid-bench-public-"))
ENV = {
    **os.environ,
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-not-a-secret-0123456789abcdef-ghijklmnopqrstu",
    "ALLOWED_HOSTS": "127.0.0.1,testserver,pontianakkotappid.kpu.go.id",
    "HTTPS": "0",
    "DATABASE_URL": f"{PG}/{DB}",
    "MEDIA_ROOT": str(WORK / "media"),
    "PRIVATE_ROOT": str(WORK / "private"),
    "EMAIL_URL": "dummymail://",
    "DJANGO_SETTINGS_MODULE": "ppid.settings",
}

WORDS = {
    "documents": [
        "Surat keterangan kesehatan",
        "Daftar riwayat hidup",
        "Salinan KTP elektronik",
        "Dokumen penawaran harga",
        "Notulen rapat pleno tertutup",
        "NPWP dan SPT Tahunan",
        "Berkas klarifikasi kode etik",
        "Formulir dukungan calon perseorangan",
        "Identitas pelapor dan saksi",
        "Laporan keuangan belum diaudit",
    ],
    "subjects": [
        "bakal calon Wali Kota",
        "anggota PPK",
        "anggota PPS",
        "anggota KPPS",
        "penyedia logistik",
        "pegawai Sekretariat",
        "bakal calon anggota DPRD",
        "pemilih disabilitas",
        "tim kampanye",
        "saksi peserta Pemilu",
    ],
    "units": [
        "Divisi Teknis Penyelenggaraan",
        "Divisi Hukum dan Pengawasan",
        "Subbagian Keuangan Umum dan Logistik",
        "Subbagian Perencanaan Data dan Informasi",
        "Divisi Sosialisasi Pendidikan Pemilih dan SDM",
    ],
    "codes": ["17h", "17h2", "17h3", "17h4", "17a2", "17b", "17i", "17j"],
}


def run(*args, **kwargs):
    return subprocess.run(args, check=True, cwd=ROOT, env=ENV, **kwargs)


def exists(name):
    listed = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SELECT datname FROM pg_database"],
        capture_output=True,
        text=True,
        check=True,
    )
    return name in listed.stdout.split()


def seed():
    """Create the database and 100,000 published records, in bulk (a benchmark, not a test)."""
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from dikecualikan.dik import published_rows
    from dikecualikan.models import (
        Decision,
        DecisionItem,
        DikChange,
        DikVersion,
        ExemptionGround,
        Record,
    )

    call_command("migrate", verbosity=0)
    from dikecualikan import office  # noqa: PLC0415 - after django.setup()

    office.act_from_now_on(office.default())  # the default office's register
    user = User.objects.create_user("ppid")
    now = __import__("django.utils.timezone", fromlist=["now"]).now()
    decisions = [
        Decision.objects.create(
            issuer="Komisi Pemilihan Umum",
            number=f"{n}/HM.02-Kpt/05/KPU/VIII/{2015 + n % 10}",
            year=2015 + n % 10,
            title="tentang DIK",
            date_set=f"{2015 + n % 10}-08-21",
            created_by=user,
            published_by=user,
            published_at=now,
        )
        for n in range(20)
    ]
    grounds = {g.code: g for g in ExemptionGround.objects.all()}
    random.seed(7)
    batch = 5000
    version = DikVersion.objects.create(number=1, decision=decisions[0])
    for start in range(0, RECORDS, batch):
        records = Record.objects.bulk_create(
            Record(
                title=f"internal {i}",
                public_title=f"{random.choice(WORDS['documents'])} "
                f"{random.choice(WORDS['subjects'])} nomor {i}",
                holding_unit=random.choice(WORDS["units"]),
                document_type="Dokumen",
                statutes="UU 14/2008 Pasal 17",
                harm="Mengungkap data pribadi seseorang",
                balancing="Melindungi data pribadi",
                period_type="fixed",
                period_years=5,
                state="published",
                created_by=user,
                published_in=decisions[i % 20],
                published_at=now,
            )
            for i in range(start, min(start + batch, RECORDS))
        )
        Record.grounds.through.objects.bulk_create(
            Record.grounds.through(
                record_id=r.pk, exemptionground_id=grounds[random.choice(WORDS["codes"])].pk
            )
            for r in records
        )
        DecisionItem.objects.bulk_create(
            DecisionItem(decision_id=r.published_in_id, record=r, outcome="exempt", added_by=user)
            for r in records
        )
        rows = published_rows(Record.objects.filter(pk__in=[r.pk for r in records]))
        DikChange.objects.bulk_create(
            DikChange(version=version, record=r, kind="added", data=rows[r.pk]) for r in records
        )
    Record.objects.all().index_for_search()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def serve(cache_seconds):
    env = {**ENV, "PUBLIC_CACHE_SECONDS": str(cache_seconds)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ppid.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/sehat/", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return server


def _seconds(text):
    number, unit = float(re.match(r"[\d.]+", text).group()), re.sub(r"[\d.]", "", text)
    return number * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def load(path, cookie=None, host=None):
    """Return (requests per second, p50 seconds, p99 seconds) for a path (signed in with
    the session cookie `cookie`, when given; asked of the host name `host`, when given)."""
    url = f"http://127.0.0.1:{PORT}{path}"
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    if host:
        headers["Host"] = host
    for _ in range(6):  # warm both workers up first: a cold start is not the steady state
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30)
        assert response.status == 200 and response.url == url, (url, response.url)
        response.read()
    if shutil.which("wrk"):
        given = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
        out = subprocess.run(
            ["wrk", "-t2", "-c8", f"-d{SECONDS}s", "--latency", *given, url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p50 = _seconds(re.search(r"\s50%\s+(\S+)", out).group(1))
        p99 = _seconds(re.search(r"\s99%\s+(\S+)", out).group(1))
        return rps, p50, p99
    times, lock, deadline = [], threading.Lock(), time.perf_counter() + SECONDS

    def client():
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30).read()
            with lock:
                times.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cuts = statistics.quantiles(times, n=100)
    return len(times) / SECONDS, cuts[49], cuts[98]


def worker_memory(server):
    import psutil

    return [(w.pid, w.memory_info().rss) for w in psutil.Process(server.pid).children()]


def peak(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) * 1024


PAGES = [
    ("constant /sehat/", "/sehat/"),
    ("/ first page", "/"),
    ("/ last page", "/?halaman=akhir"),
    ("search", "/?q=kesehatan+calon"),
    ("filtered", "/?dasar=17h&unit=Divisi+Hukum+dan+Pengawasan"),
]


def measure_pages(label):
    """Measure each page right after /sehat/, in ROUNDS rounds; report the medians.

    The machine's speed drifts (a shared 2-core VM: the same page varied by 20% from one
    minute to the next), so a page's ratio is taken against the constant view measured just
    before it, and the figures are the medians over the rounds.
    """
    rounds = {name: [] for name, _ in PAGES}
    for _ in range(ROUNDS):
        for name, path in PAGES[1:]:
            base = load("/sehat/")
            figures = load(path)
            rounds["constant /sehat/"].append((*base, 1.0))
            rounds[name].append((*figures, figures[0] / base[0]))
    median = {
        name: tuple(statistics.median(m[i] for m in measured) for i in range(4))
        for name, measured in rounds.items()
    }
    print(f"\n{label} (medians of {ROUNDS} rounds)")
    print(f"  {'page':<18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}   ratio per round")
    for name, (rps, p50, p99, ratio) in median.items():
        each = " ".join(f"{m[3]:.3f}" for m in rounds[name]) if name != "constant /sehat/" else ""
        print(f"  {name:<18}{rps:>9.0f}{p50 * 1000:>9.1f}{p99 * 1000:>9.1f}{ratio:>8.3f}   {each}")
    first, last, found = median["/ first page"], median["/ last page"], median["search"]
    print(
        f"  last/first page req/s {last[0] / first[0]:.2f} (target >= 0.9); "
        f"search p50 / list p50 {found[1] / first[1]:.2f} (target <= 3); "
        f"p99/p50 of / {first[2] / first[1]:.2f} (target <= 3)"
    )
    return median


def measure_exports(server):
    print("\nexports (whole list, streamed)")
    workers = worker_memory(server)
    for path in ("/dik.csv", "/dik.xlsx", "/dik.json"):
        idle = {pid: rss for pid, rss in worker_memory(server)}
        started = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=300) as response:
            size = sum(len(chunk) for chunk in iter(lambda: response.read(65536), b""))
        elapsed = time.perf_counter() - started
        grew = max(peak(pid) - idle[pid] for pid, _ in workers)
        print(
            f"  {path:<10} {size / 1e6:6.1f} MB in {elapsed:5.2f} s to the last byte; "
            f"worker peak above idle {grew / 2**20:5.1f} MiB (target within 30 MiB)"
        )


def main():
    started = time.perf_counter()
    try:
        if KEEP and exists(DB):
            print(f"reusing the records of {DB}")
        else:
            print(f"seeding {RECORDS:,} published records into {DB} ...", flush=True)
            seed()
        print(
            f"ready in {time.perf_counter() - started:.0f} s; load generator: "
            f"{'wrk -t2 -c8' if shutil.which('wrk') else 'Python, 8 threads'}, "
            f"{SECONDS} s a page, {ROUNDS} rounds"
        )
        for label, seconds in [
            ("page cache off (every request renders)", 0),
            ("page cache on", 3600),
        ]:
            server = serve(seconds)
            try:
                measure_pages(label)
                if seconds:
                    measure_exports(server)
            finally:
                server.terminate()
                server.wait()
    finally:
        if not KEEP:  # --force: a failed seeding may still hold its connection
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", DB]
            )


if __name__ == "__main__":
    main()
