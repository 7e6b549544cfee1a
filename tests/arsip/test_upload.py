"""Uploading softcopies: only real documents of accepted kinds, stored privately, none lost."""

import errno
import hashlib
import os
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse

from arsip.models import Softcopy, SoftcopyVersion
from dikecualikan import workflow
from dikecualikan.models import Transition

from . import samples


def stored_files(folder="softcopy"):
    """Every file under the softcopies' folder, the offices' own folders in it included."""
    storage = storages["private"]
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    inside = [name for sub in folders for name in stored_files(f"{folder}/{sub}")]
    return [*(f"{folder}/{name}" for name in files), *inside]


def post_file(client, record, name, data, **extra):
    url = reverse("arsip:upload", args=[record.pk])
    return client.post(url, {"file": samples.upload(name, data), **extra})


@pytest.mark.parametrize(
    "name,data,content_type",
    [
        ("scan.pdf", samples.pdf(), "application/pdf"),
        ("foto.png", samples.image("PNG"), "image/png"),
        ("foto.jpg", samples.image("JPEG"), "image/jpeg"),
        (
            "surat.docx",
            samples.office("docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "tabel.xlsx",
            samples.office("xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("surat.odt", samples.office("odt"), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_desk_uploads_each_accepted_kind_and_it_is_stored_with_its_checksum(
    client, make_record, desk, name, data, content_type
):
    record = make_record("collected")
    client.force_login(desk)
    response = post_file(client, record, name, data)
    assert response.status_code == 302
    version = SoftcopyVersion.objects.get()
    assert (version.content_type, version.size, version.original_name) == (
        content_type,
        len(data),
        name,
    )
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    with storages["private"].open(version.file.name) as fh:
        assert fh.read() == data
    assert record.transitions.last().action == "upload"


@pytest.mark.parametrize(
    "name,data",
    [
        ("program.pdf", samples.EXE),
        ("halaman.pdf", samples.HTML),
        ("palsu.pdf", samples.FAKE_PDF),
        ("skrip.pdf", samples.pdf_with_javascript()),
        ("luncur.pdf", samples.pdf_with_launch_action()),
        ("lampiran.pdf", samples.pdf_with_embedded_file()),
        ("makro.docx", samples.office("docm")),
        ("arsip.zip", samples.office("zip")),
        ("gambar.png", b"\x89PNG\r\n\x1a\n" + b"rusak" * 10),
        ("kosong.pdf", b""),
    ],
)
def test_a_file_that_is_not_an_acceptable_document_is_refused_and_nothing_is_stored(
    client, make_record, desk, name, data
):
    record = make_record("collected")
    client.force_login(desk)
    transitions = Transition.objects.count()
    samples.refused(post_file(client, record, name, data))
    assert not Softcopy.objects.exists() and not SoftcopyVersion.objects.exists()
    assert stored_files() == []
    assert Transition.objects.count() == transitions


def test_the_refusal_says_why_in_indonesian(client, make_record, desk):
    record = make_record("collected")
    client.force_login(desk)
    response = post_file(client, record, "skrip.pdf", samples.pdf_with_javascript())
    page = samples.refused(response).content.decode()
    assert "JavaScript" in page and "PDF" in page and "Unggah" in page


def test_a_file_one_byte_over_the_limit_is_refused(client, make_record, desk, settings):
    settings.ARSIP_MAX_UPLOAD_MB = 1
    record = make_record("collected")
    client.force_login(desk)
    data = samples.pdf_of_size(1024 * 1024 + 1)
    page = samples.refused(post_file(client, record, "besar.pdf", data)).content.decode()
    assert "1,0" in page or "1.0" in page
    assert not SoftcopyVersion.objects.exists() and stored_files() == []


def test_a_file_exactly_at_the_limit_is_accepted(client, make_record, desk, settings):
    settings.ARSIP_MAX_UPLOAD_MB = 1
    record = make_record("collected")
    client.force_login(desk)
    data = samples.pdf_of_size(1024 * 1024)
    assert post_file(client, record, "pas.pdf", data).status_code == 302
    assert SoftcopyVersion.objects.get().size == 1024 * 1024


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(
    client, make_record, desk, settings
):
    settings.ARSIP_MAX_UPLOAD_MB = 1
    record = make_record("collected")
    client.force_login(desk)
    url = reverse("arsip:upload", args=[record.pk])
    # The declared length alone decides: Django has not parsed the body when it is refused.
    response = client.post(
        url,
        data=b"x",
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 302
    assert not SoftcopyVersion.objects.exists()


@pytest.mark.parametrize(
    "name,kept",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\scan.pdf", "scan.pdf"),
        ("nul\x00byte.pdf", "nulbyte.pdf"),
        ("invoice\u202efdp.exe.pdf", "invoicefdp.exe.pdf"),
        ("kutip\"dan'petik.pdf", "kutip_dan_petik.pdf"),
        # Django's multipart parser already cuts a name at a line break.
        ("baris\r\nbaru.pdf", "baris"),
    ],
)
def test_a_hostile_file_name_is_kept_only_as_harmless_metadata(
    client, make_record, desk, name, kept
):
    record = make_record("collected")
    client.force_login(desk)
    response = post_file(client, record, name, samples.pdf())
    assert response.status_code == 302
    version = SoftcopyVersion.objects.get()
    assert version.original_name == kept
    assert version.file.name.startswith("softcopy/pontianakkota/") and kept not in version.file.name
    assert stored_files() == [version.file.name]  # the office's folder is looked into


def test_a_new_version_keeps_the_old_one_and_is_allowed_after_archiving(client, make_record, desk):
    record = make_record("archived")
    softcopy = record.softcopies.get()
    client.force_login(desk)
    response = post_file(client, record, "revisi.pdf", samples.pdf("revisi"), softcopy=softcopy.pk)
    assert response.status_code == 302
    assert list(softcopy.versions.values_list("number", flat=True)) == [1, 2]
    # A new softcopy (not a version) is no longer added once the record is archived.
    samples.refused(post_file(client, record, "baru.pdf", samples.pdf("baru")))
    assert record.softcopies.count() == 1


def test_approvers_cannot_upload(client, make_record, pembina):
    record = make_record("collected")
    client.force_login(pembina)
    samples.refused(post_file(client, record, "scan.pdf", samples.pdf()))
    assert not SoftcopyVersion.objects.exists()


def test_a_user_without_a_role_is_refused_the_archive_pages(client, make_record, it_admin):
    record = make_record("collected")
    client.force_login(it_admin)
    assert client.get(reverse("arsip:record", args=[record.pk])).status_code == 403
    assert post_file(client, record, "scan.pdf", samples.pdf()).status_code == 403


def test_a_signed_out_visitor_is_sent_to_sign_in(client, make_record):
    record = make_record("collected")
    response = client.get(reverse("arsip:record", args=[record.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS])
def test_a_full_or_read_only_disk_gives_a_clear_message_and_writes_nothing(
    client, make_record, desk, monkeypatch, error
):
    record = make_record("collected")
    storage = SoftcopyVersion._meta.get_field("file").storage

    def failing_write(*args, **kwargs):
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr("arsip.storage.os.fdopen", failing_write)
    client.force_login(desk)
    page = samples.refused(post_file(client, record, "scan.pdf", samples.pdf()))
    assert "penuh atau hanya-baca" in page.content.decode()
    assert not Softcopy.objects.exists() and not SoftcopyVersion.objects.exists()
    assert record.transitions.count() == 1
    assert [p for p in Path(storage.location).rglob("*") if p.is_file()] == []  # none partial


def test_a_write_that_fails_halfway_removes_its_partial_file(make_record, desk, monkeypatch):
    record = make_record("collected")
    storage = SoftcopyVersion._meta.get_field("file").storage
    real_fsync = os.fsync

    def disk_full(descriptor):
        real_fsync(descriptor)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("arsip.storage.os.fsync", disk_full)
    with pytest.raises(workflow.WorkflowError):
        workflow.upload_softcopy(
            record=record, by=desk, file=samples.upload("a.pdf", samples.pdf())
        )
    assert [p for p in Path(storage.location).rglob("*") if p.is_file()] == []
    assert not SoftcopyVersion.objects.exists()


def test_when_the_database_fails_after_the_write_the_file_is_removed(
    make_record, desk, monkeypatch
):
    record = make_record("collected")

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(SoftcopyVersion, "save", broken_save)
    with pytest.raises(RuntimeError):
        workflow.upload_softcopy(
            record=record, by=desk, file=samples.upload("a.pdf", samples.pdf())
        )
    assert stored_files() == []
    assert not Softcopy.objects.exists()


def test_the_upload_handler_stops_a_file_over_every_limit_before_the_view_and_leaves_no_spool(
    make_record, desk, settings
):
    settings.ARSIP_MAX_UPLOAD_MB = settings.DECISION_MAX_UPLOAD_MB = 1
    record = make_record("collected")
    client = Client(enforce_csrf_checks=True)  # the CSRF check parses the body first
    client.force_login(desk)
    page = client.get(reverse("arsip:record", args=[record.pk]))
    token = page.cookies["csrftoken"].value
    response = client.post(
        reverse("arsip:upload", args=[record.pk]),
        {
            "csrfmiddlewaretoken": token,
            "file": samples.upload("besar.pdf", samples.pdf_of_size(2**20 + 1)),
        },
    )
    page = samples.refused(response)
    assert "melebihi ukuran terbesar yang diterima, 1,0" in page.content.decode()
    assert not SoftcopyVersion.objects.exists() and stored_files() == []
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir()) == []


def test_an_upload_is_spooled_inside_the_private_area(
    client, make_record, desk, monkeypatch, settings
):
    from arsip import validation

    seen = []
    check = validation.check

    def spying_check(file):
        seen.append(file.temporary_file_path())
        return check(file)

    monkeypatch.setattr(validation, "check", spying_check)
    record = make_record("collected")
    client.force_login(desk)
    assert post_file(client, record, "scan.pdf", samples.pdf()).status_code == 302
    assert seen and Path(seen[0]).parent == Path(settings.FILE_UPLOAD_TEMP_DIR)
    assert not Path(seen[0]).exists()  # removed once the request is done


def test_a_spool_folder_that_cannot_be_written_gives_a_clear_message(
    client, make_record, desk, settings, tmp_path
):
    blocker = tmp_path / "bukan-folder"
    blocker.write_bytes(b"")
    settings.FILE_UPLOAD_TEMP_DIR = str(blocker / "tmp")  # a file where a folder should be
    record = make_record("collected")
    client.force_login(desk)
    page = samples.refused(post_file(client, record, "scan.pdf", samples.pdf()))
    assert "penuh atau hanya-baca" in page.content.decode()
    assert not SoftcopyVersion.objects.exists() and stored_files() == []


def test_a_file_exactly_at_every_limit_passes_the_upload_handler(
    client, make_record, desk, settings
):
    settings.ARSIP_MAX_UPLOAD_MB = settings.DECISION_MAX_UPLOAD_MB = 1
    record = make_record("collected")
    client.force_login(desk)
    assert post_file(client, record, "pas.pdf", samples.pdf_of_size(2**20)).status_code == 302
    assert SoftcopyVersion.objects.get().size == 2**20
