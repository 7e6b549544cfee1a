"""The archive page is a checklist of what SOP step 3 needs, ticked from the checks themselves."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from dikecualikan import workflow

from . import samples


def archive_page(client, record):
    response = client.get(reverse("arsip:record", args=[record.pk]))
    assert response.status_code == 200
    return response.content.decode()


def ticked(page) -> list[str]:
    return re.findall(r'<li class="(done|todo)">', page)


def archive_link(record) -> str:
    return f'href="{reverse("arsip:archive", args=[record.pk])}"'


def upload(record, desk, data=None):
    data = data or samples.pdf("Surat keterangan")
    return workflow.upload_softcopy(record=record, by=desk, file=samples.upload("a.pdf", data))


def test_an_approved_record_without_softcopy_or_place_shows_both_unticked_and_no_archive_link(
    client, make_record, desk
):
    record = make_record("approved")
    client.force_login(desk)
    page = archive_page(client, record)
    assert "Yang diperlukan untuk pengarsipan" in page
    assert ticked(page) == ["todo", "todo"]
    assert archive_link(record) not in page
    assert '<button type="button" disabled' in page


def test_each_item_is_ticked_as_it_is_done_and_the_archive_link_appears_with_the_last(
    client, make_record, desk, location
):
    record = make_record("approved")
    client.force_login(desk)
    upload(record, desk)
    assert ticked(archive_page(client, record)) == ["done", "todo"]
    workflow.place_hardcopy(record=record, by=desk, location=location, box="Boks 1")
    page = archive_page(client, record)
    assert ticked(page) == ["done", "done"]
    assert archive_link(record) in page and "disabled" not in page


def test_a_softcopy_whose_file_no_longer_matches_its_checksum_is_not_ticked(
    client, make_record, desk, location
):
    record = make_record("approved")
    version = upload(record, desk)
    workflow.place_hardcopy(record=record, by=desk, location=location)
    storage = version.file.storage
    storage.delete(version.file.name)
    storage.save(version.file.name, ContentFile(b"%PDF-1.4 changed"))
    client.force_login(desk)
    page = archive_page(client, record)
    assert ticked(page) == ["todo", "done"]
    assert archive_link(record) not in page


def test_an_approver_sees_the_checklist_and_who_archives_but_no_button(
    client, make_record, pembina
):
    record = make_record("approved")
    client.force_login(pembina)
    page = archive_page(client, record)
    assert ticked(page) == ["todo", "todo"]
    assert "Desk Pelayanan Informasi atau PPID mengarsipkan" in page
    assert "disabled" not in page and archive_link(record) not in page


def test_a_record_past_archiving_shows_no_checklist(client, make_record, desk):
    record = make_record("archived")
    client.force_login(desk)
    assert ticked(archive_page(client, record)) == []


def test_the_file_input_says_which_kinds_and_what_size_it_accepts(
    client, make_record, desk, settings
):
    settings.ARSIP_MAX_UPLOAD_MB = 20
    record = make_record("collected")
    client.force_login(desk)
    page = archive_page(client, record)
    accept = re.search(r'<input type="file" name="file" accept="([^"]+)"', page).group(1)
    assert set(accept.split(",")) == {
        ".docx", ".jpeg", ".jpg", ".odt", ".pdf", ".png", ".xlsx",
        "application/pdf", "image/jpeg", "image/png", "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }  # fmt: skip
    assert "PDF, JPEG, PNG, DOCX, XLSX, atau ODT; paling besar 20,0" in page


def test_a_refused_upload_says_why_once_and_a_second_visit_is_clean(client, make_record, desk):
    record = make_record("collected")
    client.force_login(desk)
    url = reverse("arsip:upload", args=[record.pk])
    response = client.post(url, {"file": samples.upload("palsu.pdf", samples.FAKE_PDF)})
    assert "PDF ini memuat data lain" in samples.refused(response).content.decode()
    assert 'id="error-summary"' not in archive_page(client, record)


def test_the_archive_step_refuses_with_the_checklist_s_first_missing_item(make_record, desk):
    record = make_record("approved")
    upload(record, desk)
    with pytest.raises(workflow.WorkflowError, match="hardcopy|fisik"):
        workflow.archive(record=record, by=desk)
    assert record.transitions.last().action == "upload"
