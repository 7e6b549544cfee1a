"""Benchmark: CPU instructions per request of public pages, counted by valgrind (callgrind).

Run by hand, after `bench/public.py` has seeded a database that it kept:

    BENCH_DATABASE=ppid_bench .venv/bin/python bench/public.py   # seeds it, once
    BENCH_DATABASE=ppid_bench .venv/bin/python bench/instructions.py / /sehat/

wrk's figures drift with whatever else the machine runs; an instruction count does not, so
this is how a change to a page is judged before wrk confirms it. For each path it runs the
app in a fresh interpreter under callgrind twice (30 warm-up requests, then 0 or 100 more,
through Django's WSGI handler with the page cache off) and prints the difference per
request. It counts the Python process only, not PostgreSQL's work. Needs valgrind
(`apt-get install valgrind`); a path takes about a minute.
"""

import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = os.environ.get("BENCH_DATABASE", "ppid_bench")
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REQUESTS = 100


def serve(path, count):
    """Answer `path` 30 + count times in this process, as gunicorn's worker would."""
    os.environ.update(
        DEBUG="0",
        SECRET_KEY="bench-only-not-a-secret-0123456789abcdef-ghijklmnopqrstu",
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS="0",
        DATABASE_URL=f"{PG}/{DB}",
        PUBLIC_CACHE_SECONDS=os.environ.get("PUBLIC_CACHE_SECONDS", "0"),
        EMAIL_URL="dummymail://",
        DJANGO_SETTINGS_MODULE="ppid.settings",
    )
    sys.path.insert(0, str(ROOT))
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    for _ in range(30 + count):
        response = app({**environ, "wsgi.input": io.BytesIO()}, lambda status, headers: None)
        assert b"".join(response), path
        response.close()


def instructions(path, count):
    with tempfile.TemporaryDirectory() as folder:
        run = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={folder}/out",
                sys.executable,
                __file__,
                "--serve",
                path,
                str(count),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


def main(paths):
    for path in paths or ["/sehat/", "/"]:
        each = (instructions(path, REQUESTS) - instructions(path, 0)) / REQUESTS
        print(f"{path:<50} {each / 1e6:6.2f} M instructions per request", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        main(sys.argv[1:])
