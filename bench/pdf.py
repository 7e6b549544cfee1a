"""Benchmark: the DIK as PDF, the app's way against a naive WeasyPrint table.

Run by hand (`make bench-pdf`); it prints figures and asserts nothing. Both documents hold
the same text for the same number of rows: the naive one is a plain `border-collapse`
table with automatic layout; the app's is templates/pdf/dik.html (fixed column widths,
separate borders). Each is rendered in a fresh process, so its peak memory is its own.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {
    **os.environ,
    "DEBUG": "1",
    "DJANGO_SETTINGS_MODULE": "ppid.settings",
    "ENV_FILE": os.devnull,
}

CHILD = r"""
import json, resource, sys, time, types, datetime
import django; django.setup()
from django.utils.html import escape
from dikecualikan import pdf
rows, way = int(sys.argv[1]), sys.argv[2]
records = [dict(
    no=i, title=f"Surat keterangan kesehatan jasmani dan rohani bakal calon nomor {i}",
    unit="Divisi Teknis Penyelenggaraan", grounds="Pasal 17 huruf h angka 2 UU 14/2008",
    statutes="UU 14/2008 Pasal 17 huruf h angka 2; UU 27/2022 Pasal 4",
    harm="Mengungkap kondisi kesehatan seseorang",
    balancing="Kesimpulan memenuhi syarat diumumkan; rincian medis dilindungi",
    period="5 (lima) tahun sejak tanggal keputusan",
    decision_number="1210/HM.02-Kpt/05/KPU/VIII/2025",
    decision_date=datetime.date(2025, 8, 21), status="Dikecualikan")
    for i in range(1, rows + 1)]
started = time.perf_counter()
if way == "app":
    context = {"rows": records, "subtitle": "Versi 1", "start": 0, "count": rows}
    data = pdf.render_pdf("pdf/dik.html", context, landscape=True)
else:
    cells = "".join(
        "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in (
            r["no"], r["title"], r["unit"], r["grounds"] + " " + r["statutes"], r["harm"],
            r["balancing"], r["period"], r["decision_number"] + ", 21 Agustus 2025",
            r["status"])) + "</tr>"
        for r in records)
    html = ("<style>@page { size: A4 landscape } table { border-collapse: collapse; "
            "width: 100% } td, th { border: 1px solid #999; padding: 2pt; font-size: 9pt }"
            "</style><table><thead><tr>" + "<th>Kolom</th>" * 9 + "</tr></thead><tbody>"
            + cells + "</tbody></table>")
    data = pdf.html_to_pdf(html)
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mib": peak, "bytes": len(data)}))
"""


def run(rows, way):
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(rows), way],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    print(f"{'rows':>6} {'way':<6} {'seconds':>8} {'peak MiB':>9}")
    results = {}
    for rows in (100, 300, 1000):
        for way in ("naive", "app"):
            result = results[rows, way] = run(rows, way)
            print(f"{rows:>6} {way:<6} {result['seconds']:>8.2f} {result['peak_mib']:>9.0f}")
    naive, app = results[1000, "naive"]["seconds"], results[1000, "app"]["seconds"]
    growth = app / results[100, "app"]["seconds"]
    print(
        f"app's way is {naive / app:.1f} x faster than the naive table at 1,000 rows "
        f"(target >= 3); 1,000 rows take {growth:.1f} x 100 rows (target <= 11)"
    )


if __name__ == "__main__":
    main()
