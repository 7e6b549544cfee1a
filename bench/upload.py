"""Benchmark: a worker's memory while a 50 MB softcopy is stored, or a bomb refused; queries.

Run it by hand (`make bench`); it prints its figures, it asserts nothing. It
sets up a throwaway SQLite database and private folder, serves the app with
gunicorn (one sync worker, started afresh for each file so that the kernel's
high-water mark belongs to that file alone) on 127.0.0.1, signs in as a desk
user and uploads through the upload page while sampling the worker's resident
memory: a real 50 MB PDF (stored), a zip bomb (an ODT whose content.xml inflates
to 2 GiB), a pixel bomb (a PNG declaring 60,000 x 60,000 pixels) and a PDF of
2.2 million empty objects (49.3 MiB), all three refused. Then it times the PDF
check of two ordinary PDFs in this process (each check starts a child process
that parses the PDF) and counts the queries of the download view.
"""

import io
import os
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(tempfile.mkdtemp(prefix="ppid-bench-"))
ENV = {
    **os.environ,
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-not-a-secret-0123456789abcdef-ghijklmnopqrstu",
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "HTTPS": "0",
    "DATABASE_URL": f"sqlite:///{WORK / 'bench.sqlite3'}",
    "PRIVATE_ROOT": str(WORK / "private"),
    "MEDIA_ROOT": str(WORK / "media"),
    "EMAIL_URL": "dummymail://",
    "DJANGO_SETTINGS_MODULE": "ppid.settings",
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

import pikepdf  # noqa: E402
import psutil  # noqa: E402
import requests  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.oath import TOTP  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from arsip.models import SoftcopyVersion  # noqa: E402
from dikecualikan import workflow  # noqa: E402
from dikecualikan.management.commands.seed_demo import tiny_pdf  # noqa: E402
from dikecualikan.roles import grant  # noqa: E402

SIZE = 50 * 1000 * 1000
PORT = 8765


def big_pdf(path: Path) -> None:
    """Write a valid PDF of about 50 MB (one page, one large incompressible stream)."""
    pdf = pikepdf.open(io.BytesIO(tiny_pdf(["Benchmark 50 MB"])))
    pdf.Root.Bench = pdf.make_stream(os.urandom(SIZE - 2000))
    pdf.save(path, compress_streams=False)


def zip_bomb(path: Path, size: int = 2 * 1024**3) -> None:
    """Write an ODT whose content.xml inflates to `size` bytes of zeros (about 2 MB on disk)."""
    zeros = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        with archive.open("content.xml", "w", force_zip64=True) as member:
            for _ in range(size // len(zeros)):
                member.write(zeros)


def pixel_bomb(path: Path, side: int = 60_000) -> None:
    """Write a PNG whose header declares side x side pixels (3.6 gigapixels)."""

    def chunk(kind, body):
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\0" * (1024 * 1024), 9)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def many_objects(path: Path, count: int = 2_200_000) -> None:
    """Write a PDF of `count` empty objects and no xref (49.3 MiB): a parser must read them all."""
    with path.open("wb") as out:
        out.write(b"%PDF-1.7\n")
        for start in range(1, count + 1, 100_000):
            end = min(start + 100_000, count + 1)
            out.write(b"".join(b"%d 0 obj<<>>endobj\n" % n for n in range(start, end)))
        out.write(b"trailer\n<< /Size %d >>\n%%%%EOF\n" % (count + 1))


def check_times(data: bytes, runs: int = 20) -> tuple[float, float]:
    """Time validation.check() of one PDF in this process: (median, slowest) in ms."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from arsip import validation

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        validation.check(SimpleUploadedFile("a.pdf", data))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def setup():
    call_command("migrate", verbosity=0)
    from dikecualikan import office  # noqa: PLC0415 - after django.setup()

    office.act_from_now_on(office.default())  # the default office's register
    user = User.objects.create_user("desk", password="bench-password")
    grant(user, "desk")
    TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    record = workflow.collect(
        by=user,
        title="Benchmark",
        public_title="Benchmark",
        holding_unit="Unit",
        document_type="Dokumen",
    )
    return user, record


def serve():
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ppid.wsgi",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{PORT}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=ENV,
    )
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{PORT}/", timeout=1)
            break
        except requests.RequestException:  # not up yet, or too busy starting to answer
            time.sleep(0.1)
    (worker,) = psutil.Process(server.pid).children()
    return server, worker


def sign_in(session):
    page = session.get(f"http://127.0.0.1:{PORT}/accounts/login/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    session.post(
        f"http://127.0.0.1:{PORT}/accounts/login/",
        data={"username": "desk", "password": "bench-password", "csrfmiddlewaretoken": token},
        headers={"Referer": f"http://127.0.0.1:{PORT}/accounts/login/"},
    )
    # Then the second factor, with the code the desk user's authenticator app would show.
    url = f"http://127.0.0.1:{PORT}/akun/dua-faktor/"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(url).text)
    device = TOTPDevice.objects.get(user__username="desk")
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # each run may use a code again
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    data = {"code": code, "csrfmiddlewaretoken": token.group(1)}
    session.post(url, data=data, headers={"Referer": url})


def upload(session, record, path, worker, name):
    url = f"http://127.0.0.1:{PORT}/staf/arsip/entri/{record.pk}/"
    page = session.get(url).text  # also warms the worker up before "idle" is read
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    idle = worker.memory_info().rss
    peak = idle
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, worker.memory_info().rss)
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    with path.open("rb") as fh:
        response = session.post(
            url + "unggah/",
            data={"csrfmiddlewaretoken": token},
            files={"file": (name, fh, "application/octet-stream")},
            headers={"Referer": url},
            allow_redirects=False,
        )
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    # The kernel's high-water mark cannot miss a peak between two samples.
    status = Path(f"/proc/{worker.pid}/status").read_text()
    hwm = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) * 1024
    return response.status_code, idle, max(peak, hwm), elapsed


def download_queries(user):
    client = Client()
    client.force_login(user)
    session = client.session  # past the second factor, as the code typed at sign-in does
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    version = SoftcopyVersion.objects.get()
    url = f"/staf/arsip/berkas/{version.pk}/unduh/"
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"reason": "Mengukur kueri unduhan"})
        b"".join(response.streaming_content)
    return response.status_code, [q["sql"] for q in queries.captured_queries]


def measure(record, path: Path, name: str):
    """Serve a fresh worker, upload one file, and return (status, idle, peak, seconds)."""
    server, worker = serve()
    try:
        session = requests.Session()
        sign_in(session)
        return upload(session, record, path, worker, name)
    finally:
        server.terminate()
        server.wait()


def main():
    user, record = setup()
    mb = 1024 * 1024
    bombs = [("bom.odt", zip_bomb), ("bom.png", pixel_bomb), ("objek.pdf", many_objects)]
    for name, make in bombs:
        path = WORK / name
        make(path)
        status, idle, peak, elapsed = measure(record, path, name)
        print(
            f"{name}: {path.stat().st_size / mb:.1f} MiB on disk, status {status} "
            f"(303 = refused), {elapsed:.2f} s, worker RSS idle {idle / mb:.1f} MiB, "
            f"peak above idle {(peak - idle) / mb:.1f} MiB"
        )
    path = WORK / "besar.pdf"
    big_pdf(path)
    status, idle, peak, elapsed = measure(record, path, "besar.pdf")
    version = SoftcopyVersion.objects.get()
    print(
        f"file: {path.stat().st_size / mb:.1f} MiB, upload status {status} "
        f"(302 = stored), stored {version.size / mb:.1f} MiB, sha256 {version.sha256[:16]}…"
    )
    print(f"upload + parse + check + hash + store: {elapsed:.2f} s")
    print(
        f"worker RSS idle {idle / mb:.1f} MiB, peak {peak / mb:.1f} MiB, "
        f"peak above idle {(peak - idle) / mb:.1f} MiB (target < 20 MiB)"
    )
    ordinary = {
        "Ghostscript ps2pdf, 3.4 KB": (
            ROOT / "tests/arsip/corpus/ghostscript-ps2pdf.pdf"
        ).read_bytes(),
        "tiny_pdf, 0.6 KB": tiny_pdf(["Dokumen biasa"]),
    }
    for name, data in ordinary.items():
        median, slowest = check_times(data)
        print(
            f"check of an ordinary PDF ({name}): median {median:.0f} ms, slowest {slowest:.0f} ms"
        )
    status, queries = download_queries(user)
    every_page = ('FROM "django_session"', 'FROM "auth_user" WHERE')
    view = [q for q in queries if not any(part in q for part in every_page)]
    print(
        f"download: status {status}, {len(queries)} queries in all, {len(view)} in the view "
        f"(target <= 3; the others are the session and the user of every signed-in page)"
    )
    for sql in queries:
        print("   ", sql[:110])


if __name__ == "__main__":
    main()
