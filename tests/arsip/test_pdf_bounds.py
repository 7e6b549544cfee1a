"""What a PDF check may cost is bounded, and what a PDF may carry after its end or in a link.

Issue 24: a 49.6 MiB file of 2.2 million empty objects held a worker for longer than
gunicorn's timeout, and 1.2 GB, before it was refused. Now the bytes are scanned first, in
chunks, and a file declaring or holding more objects than ARSIP_PDF_MAX_OBJECTS is refused
before any parser sees it; what is parsed is parsed in a child process under a time and a
memory limit. Each file here is made by the test, at a size the suite can afford, with the
limits lowered to match.
"""

import io
import os
import re
import subprocess
import time

import pikepdf
import pytest
from django.urls import reverse

from arsip import validation
from arsip.models import SoftcopyVersion

from . import hostile_pdfs as hostile
from . import samples


@pytest.fixture
def children(monkeypatch):
    """The command lines of the child processes started meanwhile (a spy: they still run)."""
    started, run = [], subprocess.run

    def spy(command, *args, **kwargs):
        started.append(command)
        return run(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy)
    return started


@pytest.fixture
def opened(monkeypatch):
    """The files pikepdf opened in this process (a spy)."""
    seen, real = [], pikepdf.open

    def spy(*args, **kwargs):
        seen.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(pikepdf, "open", spy)
    return seen


@pytest.fixture
def upload(client, make_record, desk):
    record = make_record("collected")
    client.force_login(desk)
    url = reverse("arsip:upload", args=[record.pk])
    return lambda data, name="berkas.pdf": client.post(url, {"file": samples.upload(name, data)})


def refusal(response) -> str:
    page = samples.refused(response)
    assert not SoftcopyVersion.objects.exists()
    return " ".join(page.context["upload_form"].errors["file"])


def check(data: bytes) -> str:
    """validation.check_pdf's verdict: the type, or the refusal's message."""
    try:
        return validation.check_pdf(samples.upload("berkas.pdf", data))
    except validation.Refused as refused:
        return str(refused)


# --- Too many objects: refused from the bytes, before any parser --------------------------------


@pytest.mark.parametrize("xref", [True, False], ids=["with an xref", "without an xref"])
def test_a_pdf_of_more_objects_than_the_limit_is_refused_before_it_is_parsed(
    upload, settings, children, opened, xref
):
    settings.ARSIP_PDF_MAX_OBJECTS = 1000
    data = hostile.many_objects_pdf(20_000, xref=xref)
    started = time.monotonic()
    message = refusal(upload(data))
    assert time.monotonic() - started < 2
    assert "1000" in message and "objek" in message
    assert children == [] and opened == []  # no child started, nothing parsed here either


@pytest.mark.parametrize("xref", [True, False], ids=["with an xref", "without an xref"])
def test_the_objects_are_counted_exactly_across_chunks(settings, children, xref):
    data = hostile.many_objects_pdf(60_000, xref=xref)
    assert len(data) > 1024 * 1024  # more than one chunk of the scan
    settings.ARSIP_PDF_MAX_OBJECTS = 59_999
    assert "59999" in check(data) and children == []
    settings.ARSIP_PDF_MAX_OBJECTS = 60_000
    check(data)
    assert len(children) == 1  # past the scan, parsed in the child


def test_a_trailer_declaring_more_objects_than_the_limit_is_refused_before_parsing(
    settings, children
):
    settings.ARSIP_PDF_MAX_OBJECTS = 1000
    data = re.sub(rb"/Size \d+", b"/Size 5000", hostile.inert_pdf())
    assert "1000" in check(data) and children == []


def test_an_xref_stream_declaring_more_objects_than_the_limit_is_refused_before_parsing(
    settings, children
):
    settings.ARSIP_PDF_MAX_OBJECTS = 1000
    data = hostile.xref_stream_update_pdf()
    assert check(data) == "application/pdf"
    assert "1000" in check(re.sub(rb"/Size \d+", b"/Size 5000", data))
    assert len(children) == 1  # only for the honest one


def test_an_object_stream_declaring_more_objects_than_the_limit_is_refused_before_parsing(
    settings, children
):
    settings.ARSIP_PDF_MAX_OBJECTS = 1000
    data = hostile.object_streams_pdf()
    assert b"/ObjStm" in data and check(data) == "application/pdf"
    assert "1000" in check(re.sub(rb"/N \d+", b"/N 5000", data))
    assert len(children) == 1  # only for the honest one


# --- The parse in a child process, within its limits ------------------------------------------


def test_the_parse_runs_isolated_in_a_child_given_the_file_by_its_path(upload, children):
    assert upload(hostile.inert_pdf()).status_code == 302
    ((python, isolated, script, path, *_limits),) = children
    assert isolated == "-I" and script.endswith("arsip/pdf_walk.py")
    assert path.endswith(".upload.pdf")  # the upload's own spool file, not a copy


def test_a_file_without_a_spool_file_is_copied_for_the_child_and_the_copy_removed(
    settings, children
):
    assert check(hostile.inert_pdf()) == "application/pdf"
    ((_python, _isolated, _script, path, *_limits),) = children
    assert path.startswith(settings.FILE_UPLOAD_TEMP_DIR)
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


def test_a_pdf_check_past_its_time_limit_is_refused_as_too_complex(upload, settings, caplog):
    settings.ARSIP_PDF_CHECK_SECONDS = 0.01  # not even time to start
    assert "terlalu rumit" in refusal(upload(hostile.inert_pdf()))
    assert "ran past 0.01 s" in caplog.text


def test_a_pdf_check_past_its_memory_limit_is_refused_as_too_complex(upload, settings, caplog):
    settings.ARSIP_PDF_CHECK_MEMORY_MB = 48  # about what Python and pikepdf take to start
    assert "terlalu rumit" in refusal(upload(hostile.many_objects_pdf(50_000)))
    assert "stopped at its limits" in caplog.text


def test_the_file_is_read_in_chunks_never_whole():
    sizes = []

    class Recording(io.BytesIO):
        def read(self, size=-1):
            data = super().read(size)
            sizes.append(len(data))  # zipfile reads "the rest" near the end: 64 KB at most
            return data

    file = Recording(samples.pdf_of_size(3 * 1024 * 1024))
    assert validation.check_pdf(file) == "application/pdf"
    assert sizes and max(sizes) <= 1024 * 1024


# --- After the end: only a real revision --------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        hostile.html_revision_pdf,
        hostile.html_after_eof_with_fake_eof_pdf,
        hostile.revision_pointing_back_pdf,
    ],
    ids=["html dressed as a revision (no xref)", "html and a fake %%EOF", "xref pointing back"],
)
def test_data_after_the_end_dressed_as_a_revision_is_refused(upload, build):
    assert "setelah akhir" in refusal(upload(build()))


def test_an_html_revision_is_what_a_parser_alone_would_take():
    # Why the bytes are read at all: qpdf opens this one without a single warning.
    with pikepdf.open(io.BytesIO(hostile.html_revision_pdf())) as pdf:
        assert pdf.get_warnings() == [] and len(pdf.pages) == 1


@pytest.mark.parametrize("before_the_chunk_ends", [1, 5, 70, 4096, 8200])
def test_a_revision_is_read_right_wherever_a_chunk_ends(before_the_chunk_ends):
    """The first %%EOF, and the update's xref and startxref, across the end of a chunk."""
    first = samples.pdf_of_size(1024 * 1024 - before_the_chunk_ends)
    assert check(hostile.incremental_update_pdf(first)) == "application/pdf"


# --- Links: web pages and e-mail addresses only -------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        'ms-msdt:/id PCWDiagnostic /skip force /param "IT_BrowseForFile=h$(calc)"',
        "search-ms:query=faktur&crumb=location:\\\\penyerang.example\\berbagi",
        "file:///C:/Windows/System32/calc.exe",
        "\\\\penyerang.example\\berbagi\\dokumen.pdf",
        "www.kpu.go.id",
        "../lampiran.pdf",
        " \x01ms-msdt:/id PCWDiagnostic",
        "JavaScript:app.alert(1)",
    ],
    ids=["ms-msdt", "search-ms", "file", "UNC path", "no scheme", "relative", "hidden", "script"],
)
def test_a_link_to_anything_but_a_web_page_or_an_email_address_is_refused(upload, uri):
    message = refusal(upload(hostile.uri_link_pdf(uri)))
    assert "tautan" in message or "JavaScript" in message


@pytest.mark.parametrize(
    "build",
    [
        lambda: hostile.uri_link_pdf("https://kpu.go.id/ppid"),
        lambda: hostile.uri_link_pdf("HTTP://kpu.go.id"),
        lambda: hostile.uri_link_pdf("mailto:ppid@kpu-pontianakkota.go.id"),
        hostile.internal_link_pdf,
    ],
    ids=["https", "http in capitals", "mailto", "a link to another page of the document"],
)
def test_a_link_to_a_web_page_an_email_address_or_within_the_document_is_accepted(upload, build):
    assert upload(build()).status_code == 302
