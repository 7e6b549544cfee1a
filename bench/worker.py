"""Benchmark: documents rendered by the worker, never while someone waits (issue 27).

Run by hand (`make bench-worker`, needs the local PostgreSQL; wrk when installed, else a
bounded Python client); it prints figures and asserts nothing. It creates a throwaway
PostgreSQL database, serves the app with gunicorn (2 sync workers) on 127.0.0.1 and runs
the `documents` queue with a real `manage.py db_worker` process, as deploy/ does:

1. a decision of 1,000 records, entered through the workflow, is published by the PPID
   through the publish page: the request's time, then the time until the worker has
   rendered the new version and /dik.pdf serves it (the previous one meanwhile);
2. the DIK of a collection period of 1,000, 2,000 and 5,000 records (tasks.prepare), each
   rendered by a fresh `db_worker --batch` under /usr/bin/time: its wall and CPU time and
   peak resident memory, and their growth from 1,000 to 5,000 rows;
3. /dik.pdf (and the constant view /sehat/) under wrk, first with the worker idle, then
   while it renders the 5,000-row DIK: req/s and p50/p99 latency both ways, and how much
   the gunicorn workers' memory grew meanwhile (a render there would show).

Each part prints the load average at its start: on a shared machine, compare CPU seconds.

BENCH_WORKER_DATABASE names the database (dropped at the end either way); BENCH_SECONDS
(5) and BENCH_ROUNDS (3) size each load; BENCH_PARTS (for example "1") runs only the
parts named.
"""

import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = os.environ.get("BENCH_WORKER_DATABASE", f"ppid_bench_worker_{os.getpid()}")
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
PARTS = os.environ.get("BENCH_PARTS", "123")
PUBLISHED = 1000
PERIODS = (1000, 2000, 5000)
PORT = 8767
URL = f"http://127.0.0.1:{PORT}"
WORK = Path(tempfile.mkdtemp(prefix="ppid-bench-worker-"))
ENV = {
    **os.environ,
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-not-a-secret-0123456789abcdef-ghijklmnopqrstu",
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "HTTPS": "0",
    "DATABASE_URL": f"{PG}/{DB}",
    "MEDIA_ROOT": str(WORK / "media"),
    "PRIVATE_ROOT": str(WORK / "private"),
    "EMAIL_URL": "dummymail://",
    "DJANGO_SETTINGS_MODULE": "ppid.settings",
    "ENV_FILE": os.devnull,
    # The chunks of a render killed at the end (part 3) go with WORK, not into /tmp.
    "TMPDIR": str(WORK),
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

import psutil  # noqa: E402
import requests  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_otp.oath import TOTP  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from dikecualikan import tasks, workflow  # noqa: E402
from dikecualikan.management.commands.seed_demo import tiny_pdf  # noqa: E402
from dikecualikan.models import (  # noqa: E402
    CollectionPeriod,
    DecidingBody,
    Document,
    ExemptionGround,
    Outcome,
    Record,
    RenderedDik,
)
from dikecualikan.roles import Role, grant  # noqa: E402

DECIDED_ON = datetime.date(2025, 8, 21)
# The text of a realistic row (as bench/pdf.py): a row's length is what a render costs.
ROW = {
    "holding_unit": "Divisi Teknis Penyelenggaraan",
    "document_type": "Dokumen persyaratan calon",
    "test_scope": "Hasil pemeriksaan kesehatan jasmani dan rohani bakal calon",
    "statutes": "UU 14/2008 Pasal 17 huruf h angka 2; UU 27/2022 Pasal 4",
    "harm": "Mengungkap kondisi kesehatan seseorang kepada publik",
    "public_interest": "Publik perlu tahu bahwa calon memenuhi syarat kesehatan",
    "balancing": "Kesimpulan memenuhi syarat diumumkan; rincian medis dilindungi",
    "test_conclusion": Outcome.EXEMPT,
    "period_type": "fixed",
    "period_years": 5,
    "test_experts": "Ahmad Fauzi, Ketua Tim Pertimbangan PPID",
    "test_date": datetime.date(2025, 8, 1),
    "test_place": "Pontianak",
}


# --- Setting up -----------------------------------------------------------------------------


def records(n, by, *, state, collected, **fields):
    """Bulk-create n classified records (ground 17h2) collected at `collected`."""
    made = Record.objects.bulk_create(
        Record(
            title=f"Berkas internal {collected:%Y} nomor {i}",
            public_title=f"Surat keterangan kesehatan jasmani dan rohani bakal calon nomor {i}",
            state=state,
            created_by=by,
            created_at=collected,
            **ROW,
            **fields,
        )
        for i in range(1, n + 1)
    )
    ground = ExemptionGround.objects.get(code="17h2")
    Record.grounds.through.objects.bulk_create(
        Record.grounds.through(record_id=r.pk, exemptionground_id=ground.pk) for r in made
    )
    return made


def decision(by, n, number):
    """A decision of n requested records, entered and decided through the workflow."""
    made = workflow.create_decision(
        by=by,
        body=DecidingBody.objects.get(name="Komisi Pemilihan Umum"),
        number=f"{number}/HM.02-Kpt/05/KPU/VIII/2025",
        year=2025,
        title="tentang Daftar Informasi Publik yang Dikecualikan",
        date_set=DECIDED_ON,
        place="Jakarta",
        signatory="Ketua KPU",
        pdf=ContentFile(tiny_pdf(["Keputusan"]), name="keputusan.pdf"),
    )
    requested = records(
        n,
        by,
        state="requested",
        collected=datetime.datetime(2025, 7, 28, 9, tzinfo=datetime.UTC),
        request_number="123/PP.01-SD/6171/2025",
        request_date=datetime.date(2025, 8, 4),
        request_addressee="KPU melalui KPU Provinsi Kalimantan Barat",
        round=1,
    )
    for record in requested:
        workflow.record_decision(decision=made, record=record, outcome=Outcome.EXEMPT, by=by)
    return made


def seed():
    """The PPID, a first decision of 10 records (published), one of 1,000 (to publish), and
    three collection periods of 1,000, 2,000 and 5,000 records."""
    call_command("migrate", verbosity=0)
    from dikecualikan import office  # noqa: PLC0415 - after django.setup()

    office.act_from_now_on(office.default())  # the default office's register
    ppid = User.objects.create_user(
        "ppid", "ppid@example.org", "bench-password", is_staff=True, first_name="Rina"
    )
    grant(ppid, Role.PPID)
    TOTPDevice.objects.create(user=ppid, name="bench", confirmed=True)
    first = decision(ppid, 10, 1)
    workflow.publish_decision(decision=first, by=ppid)  # version 1: what /dik.pdf serves first
    big = decision(ppid, PUBLISHED, 2)
    periods = {}
    # The decided records were collected in 2025: the periods before it hold only their own.
    CollectionPeriod.objects.create(
        name="Pemutakhiran DIK 2025", starts_on="2025-01-01", collect_by="2025-01-14"
    )
    for year, n in zip((2021, 2022, 2023), PERIODS, strict=True):
        periods[n] = CollectionPeriod.objects.create(
            name=f"Pemutakhiran DIK {year}", starts_on=f"{year}-01-01", collect_by=f"{year}-01-14"
        )
        collected = datetime.datetime(year, 1, 5, 9, tzinfo=datetime.UTC)
        records(n, ppid, state="classified", collected=collected)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return ppid, big, periods


# --- Processes ------------------------------------------------------------------------------


def serve():
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "ppid.wsgi", "-w", "2"),
            *("-b", f"127.0.0.1:{PORT}", "--log-level", "warning", "--timeout", "120"),
        ],
        cwd=ROOT,
        env=ENV,
    )
    for _ in range(200):
        try:
            requests.get(f"{URL}/sehat/", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)
    return server


def documents_worker():
    """The documents queue's worker, started as deploy/ppid-worker@.service starts it."""
    return subprocess.Popen(
        [
            *(sys.executable, "manage.py", "db_worker", "--queue-name=documents"),
            *("--no-reload", "--max-tasks=50", "--verbosity=0"),
        ],
        cwd=ROOT,
        env=ENV,
    )


def stop(process):
    process.terminate()  # SIGTERM: the worker finishes its task, gunicorn its requests
    process.wait(timeout=600)


def peak_mib(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def sign_in(session, user):
    """Sign in past the second factor, with the code the PPID's authenticator shows."""

    def token(page):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    login = f"{URL}/accounts/login/"
    data = {"username": user.username, "password": "bench-password"}
    data["csrfmiddlewaretoken"] = token(session.get(login).text)
    session.post(login, data=data, headers={"Referer": login})
    url = f"{URL}/akun/dua-faktor/"
    csrf = token(session.get(url).text)
    device = TOTPDevice.objects.get(user=user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    session.post(url, data={"code": code, "csrfmiddlewaretoken": csrf}, headers={"Referer": url})
    return token


def served():
    """The name of the file /dik.pdf serves now (its ETag), or its status when none."""
    response = requests.get(f"{URL}/dik.pdf", timeout=30)
    return response.headers.get("ETag", "").strip('"') or str(response.status_code)


def wait_for(name, limit=600):
    started = time.perf_counter()
    while served() != name:
        if time.perf_counter() - started > limit:
            raise RuntimeError(f"/dik.pdf did not serve {name} within {limit} s")
        time.sleep(0.1)
    return time.perf_counter()


# --- 1. Publishing ---------------------------------------------------------------------------


def cpu_seconds(*processes):
    return sum(sum(p.cpu_times()[:2]) for p in processes)


def publish(ppid, big):
    print(f"\n1. publishing a decision of {PUBLISHED:,} records through the publish page")
    print(f"  load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    server, worker = serve(), documents_worker()
    try:
        # The first publication's PDF, rendered by the worker (asked of the database: until
        # it exists /dik.pdf answers 503, and each one would be logged).
        while not RenderedDik.objects.filter(number=1).exists():
            time.sleep(0.2)
        wait_for("dik/dik-v1.pdf")
        session = requests.Session()
        token = sign_in(session, ppid)
        page = f"{URL}/staf/keputusan/{big.pk}/umumkan/"
        csrf = token(session.get(page).text)
        web = psutil.Process(server.pid).children()
        web_cpu, worker_cpu = cpu_seconds(*web), cpu_seconds(psutil.Process(worker.pid))
        started = time.perf_counter()
        response = session.post(
            page,
            data={"csrfmiddlewaretoken": csrf},
            headers={"Referer": page},
            allow_redirects=False,
        )
        returned = time.perf_counter()
        web_cpu = cpu_seconds(*web) - web_cpu
        big.refresh_from_db()
        assert response.status_code == 302 and big.published_at, response.status_code
        meanwhile = served()
        ready = wait_for("dik/dik-v2.pdf")
        worker_cpu = cpu_seconds(psutil.Process(worker.pid)) - worker_cpu
        # The publication's task renders; a visitor's request for the new version (one per
        # web process) finds it rendered and returns at once.
        task = max(
            DBTaskResult.objects.filter(
                task_path="dikecualikan.documents.render_dik", return_value="dik/dik-v2.pdf"
            ),
            key=lambda task: task.finished_at - task.started_at,
        )
        rows = Record.objects.filter(state="published").count()
        pages = RenderedDik.objects.get(name="dik/dik-v2.pdf").pages
        waited = (task.started_at - task.enqueued_at).total_seconds()
        rendered = (task.finished_at - task.started_at).total_seconds()
        print(
            f"  the request returned in {returned - started:.2f} s, {web_cpu:.2f} s of the web "
            f"worker's CPU (target < 1 s; before the worker: about 15 s); meanwhile /dik.pdf "
            f"served {meanwhile}"
        )
        print(
            f"  the worker took the task {waited:.2f} s after it was enqueued and rendered "
            f"{rows:,} rows ({pages} pages) in {rendered:.2f} s, {worker_cpu:.2f} s of its CPU "
            f"(worker peak {peak_mib(worker.pid):.0f} MiB)"
        )
        print(f"  /dik.pdf served version 2 {ready - returned:.2f} s after the request returned")
    finally:
        stop(worker)
        stop(server)


# --- 2. Staff documents ----------------------------------------------------------------------


def batch_worker():
    """Run every due task of the documents queue in a fresh worker; (wall s, CPU s, peak MiB)."""
    out = subprocess.run(
        [
            *("/usr/bin/time", "-v", sys.executable, "manage.py", "db_worker"),
            *("--queue-name=documents", "--batch", "--no-startup-delay", "--no-reload"),
            "--verbosity=0",
        ],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    clock = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", out)
    hours, minutes, seconds = (float(part or 0) for part in clock.groups())
    cpu = sum(float(t) for t in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", out))
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out).group(1)) / 1024
    return hours * 3600 + minutes * 60 + seconds, cpu, peak


def staff_documents(ppid, periods):
    print("\n2. the DIK of a collection period, prepared by a fresh worker each")
    print(f"  load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    idle = batch_worker()
    print(
        f"  a worker with nothing to do: {idle[0]:.2f} s, CPU {idle[1]:.2f} s, "
        f"peak {idle[2]:.0f} MiB"
    )
    print(
        f"  {'rows':>6}{'render s':>10}{'worker s':>10}{'CPU s':>8}{'peak MiB':>10}"
        f"{'pages':>7}{'MB':>6}"
    )
    figures = {}
    for n, period in periods.items():
        document, _ = tasks.ask_for(
            ppid, Document.Kind.PERIOD_DIK, {"period": period.pk}, f"Usulan DIK {period.name}"
        )
        wall, cpu, peak = batch_worker()
        document.refresh_from_db()
        assert document.status == "ready", (document.status, document.error)
        render = (document.finished_at - document.started_at).total_seconds()
        figures[n] = render, cpu, peak
        print(
            f"  {n:>6,}{render:>10.2f}{wall:>10.2f}{cpu:>8.2f}{peak:>10.0f}{document.pages:>7}"
            f"{document.size / 1e6:>6.1f}"
        )
    small, big = figures[PERIODS[0]], figures[PERIODS[-1]]
    print(
        f"  {PERIODS[0]:,} -> {PERIODS[-1]:,} rows: render time x {big[0] / small[0]:.2f}, "
        f"worker CPU x {big[1] / small[1]:.2f}, peak x {big[2] / small[2]:.2f} "
        f"(+{big[2] - small[2]:.0f} MiB); peak at {PERIODS[-1]:,} rows {big[2]:.0f} MiB "
        f"(target < 400 MiB)"
    )


# --- 3. /dik.pdf while the worker renders --------------------------------------------------


def _seconds(text):
    number, unit = float(re.match(r"[\d.]+", text).group()), re.sub(r"[\d.]", "", text)
    return number * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def load(path):
    """Return (requests per second, p50 s, p99 s, responses not 2xx) for a path."""
    url = f"{URL}{path}"
    for _ in range(6):
        requests.get(url, timeout=30)
    if shutil.which("wrk"):
        out = subprocess.run(
            ["wrk", "-t2", "-c8", f"-d{SECONDS}s", "--latency", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p50 = _seconds(re.search(r"\s50%\s+(\S+)", out).group(1))
        p99 = _seconds(re.search(r"\s99%\s+(\S+)", out).group(1))
        failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return rps, p50, p99, int(failed.group(1)) if failed else 0
    times, failed, lock = [], [0], threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def client():
        with requests.Session() as session:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                ok = session.get(url, timeout=30).ok
                with lock:
                    times.append(time.perf_counter() - started)
                    failed[0] += not ok

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cuts = statistics.quantiles(times, n=100)
    return len(times) / SECONDS, cuts[49], cuts[98], failed[0]


def under_load(ppid, periods):
    print(f"\n3. /dik.pdf under wrk -t2 -c8, {SECONDS} s a load, {ROUNDS} rounds each way")
    print(f"  load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    server, worker = serve(), documents_worker()
    gunicorn = psutil.Process(server.pid).children()
    measured = {"idle": [], "rendering": []}
    try:
        pdf = requests.get(f"{URL}/dik.pdf", timeout=30)
        size, name = len(pdf.content), pdf.headers.get("ETag", "").strip('"')
        for _ in range(ROUNDS):
            measured["idle"].append((load("/dik.pdf"), load("/sehat/")))
        before = {w.pid: peak_mib(w.pid) for w in gunicorn}
        period = periods[PERIODS[-1]]
        document, _ = tasks.ask_for(
            ppid, Document.Kind.PERIOD_DIK, {"period": period.pk}, f"Usulan DIK {period.name}"
        )
        while Document.objects.get(pk=document.pk).status != "rendering":
            time.sleep(0.1)
        for _ in range(ROUNDS):
            figures = (load("/dik.pdf"), load("/sehat/"))
            if Document.objects.get(pk=document.pk).status != "rendering":
                print("  (the render ended during a round: that round is left out)")
                break
            measured["rendering"].append(figures)
        grew = max(peak_mib(w.pid) - before[w.pid] for w in gunicorn)
    finally:
        worker.kill()  # the render is not waited for: the database goes at the end
        worker.wait()
        stop(server)
    rows = Record.objects.filter(state="published").count()
    print(f"  /dik.pdf serves {name}: {size / 1e6:.2f} MB, {rows:,} rows")
    print("  medians of the rounds, the p99 of each round in brackets")
    print(f"  {'worker':<11}{'page':<10}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}   not 2xx")
    for label, rounds in measured.items():
        for i, page in enumerate(("/dik.pdf", "/sehat/")):
            runs = [r[i] for r in rounds]
            rps, p50, p99 = (statistics.median(r[k] for r in runs) for k in range(3))
            each = ", ".join(f"{r[2] * 1000:.0f}" for r in runs)
            print(
                f"  {label:<11}{page:<10}{rps:>8.0f}{p50 * 1000:>9.1f}{p99 * 1000:>9.1f}"
                f"   {sum(r[3] for r in runs)}   ({each})"
            )
    print(
        f"  gunicorn workers' peak memory grew {grew:.1f} MiB while the worker rendered "
        f"(a render in a request would add hundreds)"
    )


def main():
    cores = os.cpu_count()
    print(f"database {DB} on {PG}; {cores} cores; load generator: ", end="")
    print("wrk -t2 -c8" if shutil.which("wrk") else "Python, 8 threads")
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
    try:
        started = time.perf_counter()
        ppid, big, periods = seed()
        print(f"seeded in {time.perf_counter() - started:.0f} s")
        connection.close()
        if "1" in PARTS:
            publish(ppid, big)
        if "2" in PARTS:
            staff_documents(ppid, periods)
        if "3" in PARTS:
            under_load(ppid, periods)
    finally:
        connection.close()
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", DB]
        )
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
