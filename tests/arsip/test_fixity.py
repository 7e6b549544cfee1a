"""verify_fixity: every stored version re-hashed, every stray file found, exit 1 on any problem."""

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from arsip.models import FixityCheck, SoftcopyVersion


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
