"""Each mail sends its reader to the page where they act, in plain text."""

from django.core import mail
from django.urls import reverse

from dikecualikan import workflow


def mail_to(user):
    (message,) = [m for m in mail.outbox if user.email in m.to]
    return message


def test_an_approved_record_sends_the_desk_to_its_archive_page_and_the_ppid_to_the_record(
    make_record, desk, ppid, pembina, pertimbangan, django_capture_on_commit_callbacks
):
    record = make_record("awaiting_approval", public_title='Data "pemilih" & saksi')
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(record=workflow.approve(record=record, by=pembina), by=pertimbangan)
    to_desk, to_ppid = mail_to(desk), mail_to(ppid)
    assert reverse("arsip:record", args=[record.pk]) in to_desk.body
    assert reverse("dikecualikan:staff-record", args=[record.pk]) in to_ppid.body
    for message in (to_desk, to_ppid):
        assert "/admin/" not in message.body
        assert 'Data "pemilih" & saksi' in message.body  # plain text: nothing escaped
        assert "&quot;" not in message.body and "&amp;" not in message.body


def test_a_submission_sends_the_approvers_to_the_verdict_screen(
    make_record, ppid, pembina, pertimbangan, django_capture_on_commit_callbacks
):
    record = make_record("classified")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(record=record, by=ppid)
    verdict_screen = reverse("admin:dikecualikan_record_change", args=[record.pk])
    assert verdict_screen in mail_to(pembina).body and verdict_screen in mail_to(pertimbangan).body


def test_a_returned_record_sends_the_ppid_to_the_staff_record_page(
    make_record, ppid, pembina, django_capture_on_commit_callbacks
):
    record = make_record("awaiting_approval")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_for_revision(record=record, by=pembina, note="Lengkapi uji konsekuensi")
    body = mail_to(ppid).body
    assert reverse("dikecualikan:staff-record", args=[record.pk]) in body and "/admin/" not in body


def test_an_archived_record_sends_the_ppid_to_ask_kpu(
    make_record, desk, ppid, location, django_capture_on_commit_callbacks
):
    from tests.conftest import pdf_file

    record = make_record("approved")
    workflow.upload_softcopy(record=record, by=desk, file=pdf_file())
    workflow.place_hardcopy(record=record, by=desk, location=location)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.archive(record=record, by=desk)
    message = mail_to(ppid)
    assert f"Entri #{record.pk} telah diarsipkan: mintakan keputusan KPU" in message.subject
    assert reverse("dikecualikan:staff-record", args=[record.pk]) in message.body
    assert not [m for m in mail.outbox if desk.email in m.to]  # the desk did it: not told
