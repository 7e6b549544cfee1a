"""verify_fixity: every stored version re-hashed, every stray file found, exit 1 on any problem."""

import hashlib
import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from arsip.models import FixityCheck, SoftcopyVersion
from dikecualikan import workflow
from dikecualikan.history import drop_triggers

from . import samples


def verify(capsys):
    try:
        call_command("verify_fixity")
        code = 0
    except CommandError as error:
        code = error.returncode
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def versions(make_record):
    return [make_record("archived").softcopies.get().versions.get() for _ in range(2)]


def test_intact_files_pass_and_each_check_is_recorded(versions, capsys):
    code, out, _ = verify(capsys)
    assert code == 0
    assert "ok 2, changed 0, missing 0, untracked 0" in out
    assert list(FixityCheck.objects.values_list("status", flat=True)) == ["ok", "ok"]


def test_a_changed_file_is_reported_and_the_command_fails(versions, capsys):
    with open(versions[0].file.path, "ab") as fh:
        fh.write(b"diubah")
    code, out, err = verify(capsys)
    assert code == 1
    assert "changed 1" in out and versions[0].file.name in err
    check = FixityCheck.objects.get(status="changed")
    assert check.version == versions[0] and check.actual_sha256 != check.expected_sha256


def test_a_deleted_file_is_reported_missing(versions, capsys):
    versions[1].file.storage.delete(versions[1].file.name)
    code, out, err = verify(capsys)
    assert code == 1 and "missing 1" in out and versions[1].file.name in err


def test_a_file_nothing_knows_of_is_reported_untracked(versions, capsys):
    storage = SoftcopyVersion._meta.get_field("file").storage
    stray = storage.save("softcopy/sisa-unggahan-gagal", ContentFile(b"%PDF-1.4 tanpa baris"))
    code, out, err = verify(capsys)
    assert code == 1 and "untracked 1" in out and stray in err
    assert FixityCheck.objects.get(status="untracked").name == stray


def test_an_empty_archive_passes(db, capsys):
    code, out, _ = verify(capsys)
    assert code == 0 and "ok 0" in out


def test_a_file_anywhere_in_the_private_storage_is_found_not_only_in_the_softcopy_folder(
    versions, capsys
):
    storage = SoftcopyVersion._meta.get_field("file").storage
    stray = storage.save("salinan/manual/dokumen.pdf", ContentFile(b"%PDF-1.4 salinan"))
    code, out, err = verify(capsys)
    assert code == 1 and "untracked 1" in out and stray in err


def test_a_partial_write_left_by_a_crash_is_reported_as_a_leftover(versions, capsys):
    storage = SoftcopyVersion._meta.get_field("file").storage
    Path(storage.path("softcopy/.tmp-abc123")).write_bytes(b"%PDF-1.4 setengah")
    code, out, err = verify(capsys)
    assert code == 1 and "temporary 1" in out and ".tmp-abc123" in err


def test_an_old_spooled_upload_is_a_leftover_but_one_still_arriving_is_not(
    versions, capsys, settings
):
    spool = Path(settings.FILE_UPLOAD_TEMP_DIR)
    spool.mkdir(parents=True, exist_ok=True)
    old, new = spool / "tmpold.upload.pdf", spool / "tmpnew.upload.pdf"
    old.write_bytes(b"sisa unggahan")
    new.write_bytes(b"sedang diunggah")
    day_ago = time.time() - 24 * 3600
    os.utime(old, (day_ago, day_ago))
    code, out, err = verify(capsys)
    assert code == 1 and "temporary 1" in out
    assert "tmpold" in err and "tmpnew" not in err


def test_quarantine_moves_untracked_and_leftover_files_aside_with_a_line_each(
    versions, capsys, settings
):
    storage = SoftcopyVersion._meta.get_field("file").storage
    stray = storage.save("softcopy/asing", ContentFile(b"tidak dikenal"))
    Path(storage.path("softcopy/.tmp-crash")).write_bytes(b"setengah")
    try:
        call_command("verify_fixity", "--quarantine")
    except CommandError as error:
        assert error.returncode == 1
    out = capsys.readouterr().out
    assert out.count("Quarantined:") == 2 and stray in out
    assert not storage.exists(stray) and not storage.exists("softcopy/.tmp-crash")
    moved = FixityCheck.objects.exclude(moved_to="").values_list("moved_to", flat=True)
    assert len(moved) == 2 and all(m.startswith("quarantine/") for m in moved)
    assert all(storage.exists(m) for m in moved)
    assert storage.open(next(m for m in moved if "asing" in m)).read() == b"tidak dikenal"
    # The next run finds the archive clean: the quarantine is not walked.
    code, out, _ = verify(capsys)
    assert code == 0 and "untracked 0, temporary 0" in out


def forge_row(version, **values):
    """Rewrite a version's row in SQL, its triggers dropped first (as the tables' owner could)."""
    with connection.cursor() as cursor:
        drop_triggers(
            SimpleNamespace(connection=connection, execute=cursor.execute), SoftcopyVersion
        )
        columns = ", ".join(f'"{name}" = %s' for name in values)
        table = SoftcopyVersion._meta.db_table
        cursor.execute(
            f'UPDATE "{table}" SET {columns} WHERE id = %s', [*values.values(), version.pk]
        )


def test_a_file_changed_together_with_its_checksum_row_is_still_reported_changed(versions, capsys):
    version = versions[0]
    forged = b"%PDF-1.4 isi yang ditukar"
    with open(version.file.path, "wb") as fh:
        fh.write(forged)
    forge_row(version, sha256=hashlib.sha256(forged).hexdigest(), size=len(forged))
    code, out, err = verify(capsys)
    assert code == 1 and "changed 1" in out and version.file.name in err


def test_archiving_refuses_a_softcopy_whose_file_and_row_were_both_changed(
    make_record, desk, location
):
    record = make_record("approved")
    version = workflow.upload_softcopy(
        record=record, by=desk, file=samples.upload("scan.pdf", samples.pdf())
    )
    workflow.place_hardcopy(record=record, by=desk, location=location)
    forged = b"%PDF-1.4 isi yang ditukar"
    with open(version.file.path, "wb") as fh:
        fh.write(forged)
    forge_row(version, sha256=hashlib.sha256(forged).hexdigest())
    with pytest.raises(workflow.WorkflowError):
        workflow.archive(record=record, by=desk)


def test_one_office_is_checked_alone_with_its_own_folders(make_record, same_roles_in, capsys):
    from dikecualikan import office
    from dikecualikan.models import Office

    kubu_raya = Office.objects.get(slug="kuburayakab")
    same_roles_in(kubu_raya)
    make_record("archived")  # Pontianak's
    with office.acting(kubu_raya):
        theirs = make_record("archived").softcopies.get().versions.get()
    assert theirs.file.name.startswith("softcopy/kuburayakab/")
    storage = theirs.file.storage
    storage.save("softcopy/pontianakkota/tertinggal.pdf", ContentFile(b"%PDF-1.4 sisa"))
    call_command("verify_fixity", "--office", "kuburayakab")
    out = capsys.readouterr().out
    assert "ok 1, changed 0, missing 0, untracked 0" in out  # Kubu Raya's file, nothing else
    storage.save("softcopy/kuburayakab/tertinggal.pdf", ContentFile(b"%PDF-1.4 sisa"))
    with pytest.raises(CommandError):
        call_command("verify_fixity", "--office", "kuburayakab")
    assert "untracked 1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="names no office"):
        call_command("verify_fixity", "--office", "atlantis")
