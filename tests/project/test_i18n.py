"""Indonesian by default, English on request, and no untranslated string in the catalogue."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.urls import reverse
from django.utils import translation

from dikecualikan import workflow

PO = Path(__file__).resolve().parents[2] / "locale" / "id" / "LC_MESSAGES" / "django.po"


def test_every_message_has_an_indonesian_translation():
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    missing = [
        m.id
        for m in catalog
        if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [], "untranslated in locale/id"
    assert fuzzy == [], "marked fuzzy in locale/id: check the translation, remove the flag"


def test_a_refused_step_explains_itself_in_indonesian_by_default(make_record, pembina):
    record = make_record("collected")
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.approve(record=record, by=pembina)
    assert "Muat ulang halaman" in str(error.value)
    assert "Dihimpun" in str(error.value)


def test_the_same_message_is_in_english_for_a_user_who_chose_english(make_record, pembina):
    record = make_record("collected")
    with translation.override("en"), pytest.raises(workflow.WorkflowError) as error:
        workflow.approve(record=record, by=pembina)
    assert "Reload the page" in str(error.value)
    assert "Collected" in str(error.value)


def test_the_approvers_screen_speaks_indonesian_and_english_on_request(
    client, make_record, pembina
):
    record = make_record("awaiting_approval")
    client.force_login(pembina)
    url = reverse("admin:dikecualikan_record_change", args=[record.pk])
    page = client.get(url).content.decode()
    assert "Setujui" in page and "Menunggu persetujuan" in page
    client.post(reverse("set_language"), {"language": "en", "next": url})
    page = client.get(url).content.decode()
    assert ">Approve<" in page and "Awaiting approval" in page


def test_mail_goes_out_in_indonesian(
    make_record, ppid, mailoutbox, django_capture_on_commit_callbacks
):
    record = make_record("classified")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(record=record, by=ppid)
    assert "menunggu persetujuan Anda" in mailoutbox[0].subject


def test_an_english_browser_still_gets_indonesian_until_english_is_chosen(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="id"' in page and "Keputusan yang telah diumumkan" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'lang="en"' in page and "Published decisions" in page
