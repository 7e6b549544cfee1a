"""Official documents as PDF: read back as text, never fetching anything from outside the app."""

import io
import socket
import threading

import pypdf
import pytest
from django.urls import reverse

from dikecualikan import pdf


def text_of(data: bytes) -> tuple[str, int]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def has(text: str, phrase: str) -> bool:
    """Whether the PDF's text holds the phrase, whatever lines and spaces layout put in it."""
    return "".join(phrase.split()) in "".join(text.split())


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_public_dik_pdf_lists_the_published_records_with_indonesian_dates(client, make_record):
    record = make_record("published", public_title="Surat keterangan kesehatan bakal calon")
    response = client.get("/dik.pdf")
    assert response["Content-Type"] == "application/pdf"
    text, pages = text_of(body(response))
    assert has(text, "Surat keterangan kesehatan bakal calon")
    assert has(text, record.published_in.number) and has(text, "21 Agustus 2025")
    assert has(text, "Halaman 1 dari 1") and pages == 1
    assert "Berkas internal" not in text  # the internal title never appears


def test_the_dik_pdf_is_rendered_once_per_version_and_then_served(client, make_record, monkeypatch):
    make_record("published")
    client.get("/dik.pdf")
    calls = []
    monkeypatch.setattr(pdf, "render_pdf", lambda *a, **k: calls.append(a) or b"")
    from django.core.cache import cache

    cache.clear()
    assert body(client.get("/dik.pdf")).startswith(b"%PDF")
    assert calls == []


def test_an_empty_dik_gives_a_pdf_that_says_so(client, db):
    text, pages = text_of(body(client.get("/dik.pdf")))
    assert has(text, "Daftar ini kosong") and pages == 1


def test_a_long_list_repeats_its_header_and_numbers_every_page(client, published_records):
    published_records(120)
    text, pages = text_of(body(client.get("/dik.pdf")))
    assert pages > 2
    assert has(text, f"Halaman {pages} dari {pages}")
    # The table header repeats on each page.
    assert "".join(text.split()).count("Informasiyangdikecualikan") >= pages


def test_the_consequence_test_sheet_holds_steps_a_to_f_and_signature_blocks(
    client, make_record, ppid
):
    record = make_record("classified")
    client.force_login(ppid)
    response = client.get(reverse("dikecualikan:staff-record-test-pdf", args=[record.pk]))
    text, _ = text_of(response.content)
    for heading in [
        "a. Informasi atau dokumen",
        "b. Dasar pengecualian",
        "c. Konsekuensi",
        "d. Kepentingan publik",
        "e. Pertimbangan",
        "f. Jangka waktu",
    ]:
        assert has(text, heading), heading
    assert has(text, "Pasal 17 huruf h angka 2") and has(text, "1 Agustus 2025")
    assert "".join(text.split()).count("Tandatangan") == 2  # "PPID; Tim Pertimbangan"


def test_the_consequence_test_sheet_is_for_sop_roles_only(client, make_record, it_admin):
    record = make_record("classified")
    client.force_login(it_admin)
    url = reverse("dikecualikan:staff-record-test-pdf", args=[record.pk])
    assert client.get(url).status_code == 403


def test_huge_words_html_and_very_long_titles_render_as_text(client, make_record, ppid):
    title = "<b>tebal</b><style>body{display:none}</style>" + "X" * 20_000
    record = make_record("classified", title=title)
    client.force_login(ppid)
    response = client.get(reverse("dikecualikan:staff-record-test-pdf", args=[record.pk]))
    text, pages = text_of(response.content)
    assert has(text, "<b>tebal</b>") and pages >= 2


@pytest.fixture
def listener():
    """A loopback server that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    connections = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                connections.append(conn.recv(1024))
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join(timeout=2)
    server.close()


def test_rendering_never_fetches_from_the_network_or_the_disk(listener, tmp_path):
    port, connections = listener
    secret = tmp_path / "rahasia.txt"
    secret.write_text("ISI RAHASIA")
    html = (
        f'<img src="http://127.0.0.1:{port}/img.png">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
        f'<iframe src="file://{secret}"></iframe><img src="file://{secret}">'
        f'<object data="file:///etc/passwd"></object><p>isi</p>'
    )
    text, _ = text_of(pdf.html_to_pdf(html))
    assert connections == []
    assert "ISI RAHASIA" not in text and "root:" not in text


def test_user_text_that_looks_like_a_tag_stays_text_and_fetches_nothing(
    client, make_record, ppid, listener
):
    port, connections = listener
    record = make_record("classified", title=f'<img src="http://127.0.0.1:{port}/bocor.png">')
    client.force_login(ppid)
    text, _ = text_of(
        client.get(reverse("dikecualikan:staff-record-test-pdf", args=[record.pk])).content
    )
    assert connections == [] and has(text, "<img src=")
