"""Official documents as PDF: read back as text, never fetching anything from outside the app."""

import datetime
import io
import socket
import threading

import pypdf
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from dikecualikan import pdf
from dikecualikan.models import CollectionPeriod, DikVersion, Document
from dikecualikan.roles import grant

from ..conftest import CLASSIFICATION


def text_of(data: bytes) -> tuple[str, int]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def has(text: str, phrase: str) -> bool:
    """Whether the PDF's text holds the phrase, whatever lines and spaces layout put in it."""
    return "".join(phrase.split()) in "".join(text.split())


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def prepared(client, worker, url):
    """Ask for a staff document (its button posts), let the worker prepare it, download it."""
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("dikecualikan:documents")
    worker()
    document = Document.objects.latest("pk")
    assert document.status == Document.Status.READY, document.error
    return client.get(reverse("dikecualikan:document-file", args=[document.pk]))


def rendered(client, worker, url="/dik.pdf"):
    """Ask for a DIK PDF that no publication has enqueued, let the worker render it, get it."""
    client.get(url)
    worker()
    return client.get(url)


def test_the_public_dik_pdf_lists_the_published_records_with_indonesian_dates(
    client, make_record, worker
):
    record = make_record("published", public_title="Surat keterangan kesehatan bakal calon")
    worker()  # the publication enqueued its PDF; the worker renders it
    response = client.get("/dik.pdf")
    assert response["Content-Type"] == "application/pdf"
    text, pages = text_of(body(response))
    assert has(text, "Surat keterangan kesehatan bakal calon")
    assert has(text, record.published_in.number) and has(text, "21 Agustus 2025")
    assert has(text, "Halaman 1 dari 1") and pages == 1
    assert "Berkas internal" not in text  # the internal title never appears
    # It opens with its legal basis and closes with the place, date and the PPID's signature.
    assert has(text, "Pasal 11 ayat (1) huruf b") and has(text, "PKPU Nomor 4 Tahun 2025")
    version_date = date_format(timezone.localdate(record.published_at), "j F Y")
    assert has(text, f"Pontianak, {version_date}") and has(text, "Pejabat Pengelola Informasi")
    assert has(text, "Jl. Johar No. 1A Pontianak")  # the office's letterhead, from its SOP


def test_the_dik_pdf_is_signed_by_the_name_of_the_office_ppid(client, make_record, ppid, worker):
    ppid.first_name, ppid.last_name = "Budi", "Santoso"
    ppid.save()
    make_record("published")
    worker()
    text, _pages = text_of(body(client.get("/dik.pdf")))
    assert has(text, "Budi Santoso")


def test_with_two_ppids_the_signature_line_is_left_for_a_name_by_hand(
    client, make_record, ppid, django_user_model, worker
):

    other = django_user_model.objects.create_user("ppid2", first_name="Rina", last_name="Putri")
    grant(other, "ppid")
    make_record("published")
    worker()
    text, _pages = text_of(body(client.get("/dik.pdf")))
    assert has(text, "Nama dan tanda tangan") and not has(text, "Rina Putri")


def test_the_dik_pdf_numbers_its_rows_not_the_registers_records(client, make_record, worker):
    for _ in range(3):
        make_record("collected")  # the published ones are #4 and #5 in the register
    first = make_record("published", public_title="Berita acara rapat pleno tertutup")
    second = make_record("published", public_title="Surat keterangan kesehatan bakal calon")
    assert (first.pk, second.pk) != (1, 2)
    worker()
    text, _pages = text_of(body(client.get("/dik.pdf")))
    assert has(text, "1Berita acara rapat pleno tertutup")
    assert has(text, "2Surat keterangan kesehatan bakal calon")
    assert not has(text, f"{first.pk}Berita acara")


def test_a_visitor_never_renders_the_dik_pdf_the_worker_does_once(
    client, make_record, monkeypatch, worker
):
    make_record("published")
    worker()
    calls = []
    monkeypatch.setattr(pdf, "render_pdf", lambda *a, **k: calls.append(a) or b"")
    from django.core.cache import cache

    cache.clear()
    assert body(client.get("/dik.pdf")).startswith(b"%PDF")
    worker()  # nothing left to render
    assert calls == []


def test_an_empty_dik_gives_a_pdf_that_says_so(client, db, worker):
    text, pages = text_of(body(rendered(client, worker)))
    assert has(text, "Daftar ini kosong") and pages == 1


def test_a_long_list_repeats_its_header_and_numbers_every_page(client, published_records, worker):
    published_records(120)
    text, pages = text_of(body(rendered(client, worker)))
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
    # The letters of PKPU 22/2023 Pasal 25(3), in its order; the period after (f).
    headings = [
        "a. Materi, sifat, dan ruang lingkup informasi",
        "b. Potensi bahaya",
        "c. Undang-Undang yang menjadi dasar",
        "d. Kepentingan publik",
        "e. Penyeimbangan",
        "f. Kesimpulan",
        "Jangka waktu pengecualian",
    ]
    flat = "".join(text.split())
    positions = [flat.index("".join(h.split())) for h in headings]
    assert positions == sorted(positions)
    assert has(text, "Hasil pemeriksaan kesehatan jasmani dan rohani bakal calon")
    assert has(text, "Dikecualikan") and has(text, "Pontianak, 1 Agustus 2025")
    assert has(text, "Pasal 17 huruf h angka 2")
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


# --- The approval request (nota dinas) --------------------------------------------------

MEMO = reverse("dikecualikan:staff-submission-memo-pdf")
# make_record submits on the day of the consequence test (its story in tests/conftest.py).
SUBMITTED = CLASSIFICATION["test_date"]


def test_the_memo_lists_the_records_submitted_that_day_and_who_asks(
    client, make_record, ppid, worker
):
    first = make_record("awaiting_approval", public_title="Notulen rapat pleno tertutup")
    second = make_record("awaiting_approval", public_title="Berkas klarifikasi kode etik")
    make_record("classified", public_title="Belum diajukan")
    client.force_login(ppid)
    response = prepared(client, worker, f"{MEMO}?tanggal={SUBMITTED.isoformat()}")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text, pages = text_of(body(response))
    assert has(text, "NOTA DINAS") and has(text, "Pembina PPID dan Tim Pertimbangan PPID")
    assert has(text, "Notulen rapat pleno tertutup") and has(text, "Berkas klarifikasi kode etik")
    assert has(text, f"#{first.pk}") and has(text, f"#{second.pk}")
    assert not has(text, "Belum diajukan")
    assert has(text, date_format(SUBMITTED, "j F Y")) and has(text, "Daftar 2 informasi")
    # Two pages at most: a 17h period carries the words of the Pasal 18(2) exceptions.
    assert has(text, ppid.get_full_name() or ppid.username) and pages <= 2
    # The office approves a proposal to KPU; it never asks its own Pembina to decide.
    assert has(text, "usulan") and has(text, "kewenangan KPU")
    assert not has(text, "untuk menetapkannya")


def test_a_day_without_submissions_gives_a_memo_that_says_so(client, ppid, worker):
    client.force_login(ppid)
    text, _ = text_of(body(prepared(client, worker, f"{MEMO}?tanggal=2025-08-21")))
    assert has(text, "Tidak ada informasi yang diajukan") and has(text, "21 Agustus 2025")


def test_a_malformed_memo_date_is_refused_with_a_message(client, ppid):
    client.force_login(ppid)
    response = client.post(f"{MEMO}?tanggal=21-08-2025'; DROP TABLE", follow=True)
    assert response.redirect_chain[-1][0] == reverse("dikecualikan:dashboard")
    assert "Isikan tanggal pengajuan" in response.content.decode()
    assert not Document.objects.exists()


def test_the_record_page_links_to_the_memo_of_its_submission(client, make_record, ppid):
    record = make_record("awaiting_approval")
    client.force_login(ppid)
    page = client.get(reverse("dikecualikan:staff-record", args=[record.pk])).content.decode()
    assert f"{MEMO}?tanggal={SUBMITTED.isoformat()}" in page


def test_the_memo_is_for_sop_roles_only(client, it_admin):
    client.force_login(it_admin)
    assert client.get(MEMO).status_code == 403


# --- The DIK of a collection period -----------------------------------------------------


@pytest.fixture
def period(db):
    # From before make_record's collection day (its story in tests/conftest.py) to after today.
    return CollectionPeriod.objects.create(
        name="Pemutakhiran DIK 2026",
        starts_on=CLASSIFICATION["test_date"] - datetime.timedelta(days=10),
        collect_by=timezone.localdate() + datetime.timedelta(days=10),
    )


def test_the_period_dik_lists_every_record_collected_in_it_with_its_state(
    client, make_record, ppid, period, worker
):
    make_record("collected", title="Daftar riwayat hidup calon", public_title="Riwayat hidup")
    make_record("published", public_title="Surat keterangan kesehatan")
    earlier = make_record("collected", title="Dari periode lalu")
    earlier.created_at = timezone.make_aware(
        datetime.datetime.combine(period.starts_on - datetime.timedelta(days=30), datetime.time())
    )
    earlier.save()
    client.force_login(ppid)
    url = reverse("dikecualikan:staff-period-dik-pdf", args=[period.pk])
    text, _ = text_of(body(prepared(client, worker, url)))
    assert has(text, "Pemutakhiran DIK 2026") and has(text, "Riwayat hidup")
    assert has(text, "Judul internal: Daftar riwayat hidup calon")  # an internal paper
    assert has(text, "Surat keterangan kesehatan") and has(text, "21 Agustus 2025")
    assert has(text, "Dihimpun") and has(text, "Diumumkan")  # each record's state
    assert not has(text, "Dari periode lalu")
    # Proposals, not decisions: its own title and preamble.
    assert has(text, "USULAN DAFTAR INFORMASI PUBLIK YANG DIKECUALIKAN")  # h1 in capitals
    assert has(text, "Usulan bukan penetapan") and not has(text, "ditetapkan dikecualikan oleh KPU")


def test_the_dashboard_offers_the_period_dik(client, ppid, period):
    client.force_login(ppid)
    page = client.get(reverse("dikecualikan:dashboard")).content.decode()
    assert reverse("dikecualikan:staff-period-dik-pdf", args=[period.pk]) in page
    assert MEMO in page


# --- Versions of the public DIK ---------------------------------------------------------


def test_each_published_version_has_its_pdf_rendered_at_publication(
    client, make_record, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = make_record("published", public_title="Identitas pelapor dan saksi")
    version = DikVersion.objects.get()
    assert default_storage.exists(f"dik/dik-v{version.number}.pdf")
    response = client.get(reverse("dikecualikan:version-export", args=[version.number, "pdf"]))
    text, _ = text_of(body(response))
    assert has(text, "Identitas pelapor dan saksi") and has(text, f"Versi {version.number}")
    assert has(text, record.published_in.number)
    history = client.get(reverse("dikecualikan:versions")).content.decode()
    assert reverse("dikecualikan:version-export", args=[version.number, "pdf"]) in history
