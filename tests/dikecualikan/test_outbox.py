"""Mail through the outbox: written in the step's transaction, sent by a real worker through a
real SMTP server (aiosmtpd on loopback), retried while the server is away, never dropped."""

import datetime
import socket
from io import StringIO

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dikecualikan import office, outbox, workflow
from dikecualikan.models import Office, OutgoingMail
from dikecualikan.workflow import WorkflowError


class Inbox(Message):
    """The SMTP server's side: every message it accepted; an address it refuses for good."""

    def __init__(self):
        super().__init__()
        self.received = []

    def handle_message(self, message):
        self.received.append(message)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("tidak-ada@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1, started and stopped by the test."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.inbox = inbox
    yield server
    try:
        server.stop()
    except (AssertionError, RuntimeError):  # stopped by the test already
        pass


def sent_to(server, record=None):
    """The addresses the server received mail for (about `record`, when one is named: the
    fixtures' role grants are mailed to the Atasan PPID too)."""
    about = f"#{record.pk}" if record else ""
    return sorted(m["To"] for m in server.inbox.received if about in str(m["Subject"]))


def test_a_submission_is_mailed_by_the_worker_through_a_real_smtp_server(
    make_record, ppid, pembina, pertimbangan, smtp, worker
):
    smtp.start()
    record = workflow.submit(record=make_record("classified"), by=ppid)
    assert smtp.inbox.received == []  # the step only wrote to the outbox
    assert OutgoingMail.objects.filter(record=record, status="pending").count() == 2
    worker()
    assert sent_to(smtp, record) == ["pembina@example.org", "pertimbangan@example.org"]
    assert OutgoingMail.objects.filter(record=record, status="sent").count() == 2


def test_mail_written_while_the_server_is_down_is_retried_and_delivered_exactly_once(
    make_record, ppid, pembina, pertimbangan, smtp, worker
):
    record = workflow.submit(record=make_record("classified"), by=ppid)  # the server is down
    worker()
    mails = OutgoingMail.objects.filter(record=record)
    assert {(m.status, m.attempts) for m in mails} == {("pending", 1)}
    assert "ConnectionRefusedError" in mails[0].last_error
    worker()  # the retry waits its minute: nothing is tried again yet
    assert {m.attempts for m in mails.all()} == {1}
    smtp.start()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        worker()
        worker()  # a second run finds nothing left to send
    assert sent_to(smtp, record) == ["pembina@example.org", "pertimbangan@example.org"]
    assert {(m.status, m.attempts) for m in mails.all()} == {("sent", 2)}


def test_a_delivery_task_run_twice_sends_the_mail_once(make_record, ppid, pembina, smtp, worker):
    smtp.start()
    record = workflow.submit(record=make_record("classified"), by=ppid)
    mail = OutgoingMail.objects.filter(record=record).first()
    outbox.deliver.enqueue(mail.pk)  # the same mail's task, once more
    worker()
    assert sent_to(smtp, record).count(mail.to) == 1


def test_mails_to_many_offices_written_together_are_each_sent_once_by_one_task(smtp, worker):
    smtp.start()
    kubu_raya = Office.objects.get(slug="kuburayakab")
    mails = []
    for place, to in (
        (office.default(), "ppid@example.org"),
        (kubu_raya, "ppid-kubu@example.org"),
        (kubu_raya, "tidak-ada@example.org"),  # refused: failed, and the others still sent
    ):
        with office.acting(place):
            mails.append(OutgoingMail(to=to, subject=f"[PPID] {place.slug}", body="Diumumkan."))
    made = outbox.queue_many(mails)
    tasks = DBTaskResult.objects.filter(task_path="dikecualikan.outbox.deliver_many")
    assert tasks.count() == 1
    worker()
    outbox.deliver_many.enqueue([mail.pk for mail in made])  # the same task, once more
    worker()
    assert sorted(m["To"] for m in smtp.inbox.received) == [
        "ppid-kubu@example.org",
        "ppid@example.org",
    ]
    with office.every_office():
        kept = OutgoingMail.objects.values_list("to", "office__slug", "status")
        assert set(kept) == {
            ("ppid@example.org", "pontianakkota", "sent"),
            ("ppid-kubu@example.org", "kuburayakab", "sent"),
            ("tidak-ada@example.org", "kuburayakab", "failed"),
        }


def test_an_address_the_server_refuses_ends_as_a_visible_failed_mail(
    make_record, ppid, pembina, smtp, worker, client
):
    pembina.email = "tidak-ada@example.org"
    pembina.save()
    smtp.start()
    record = workflow.submit(record=make_record("classified"), by=ppid)
    worker()
    failed = OutgoingMail.objects.get(record=record, to="tidak-ada@example.org")
    assert (failed.status, failed.attempts) == ("failed", 1)  # permanent: not tried again
    assert "550" in failed.last_error


def test_after_the_last_retry_the_mail_is_marked_failed_and_can_be_sent_again(
    make_record, ppid, pembina, smtp, worker
):
    record = workflow.submit(record=make_record("classified"), by=ppid)  # the server is down
    now = timezone.now()
    for minutes in (0, 2, 5, 10, 20, 40):
        with time_machine.travel(now + datetime.timedelta(minutes=minutes)):
            worker()
    mail = OutgoingMail.objects.get(record=record, to="pembina@example.org")
    assert (mail.status, mail.attempts) == ("failed", 6)
    smtp.start()
    outbox.send_again(mail)
    worker()
    mail.refresh_from_db()
    assert mail.status == "sent" and sent_to(smtp, record) == ["pembina@example.org"]


def test_a_step_that_rolls_back_leaves_no_mail_and_no_task(
    make_record, ppid, pembina, pertimbangan, worker
):
    record = make_record("classified")
    mails, tasks = OutgoingMail.objects.count(), DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.submit(record=record, by=ppid)  # writes two mails and their tasks ...
        assert OutgoingMail.objects.count() == mails + 2
        raise RuntimeError("... and the transaction around it fails")
    assert (OutgoingMail.objects.count(), DBTaskResult.objects.count()) == (mails, tasks)
    with pytest.raises(WorkflowError):
        workflow.submit(record=make_record("collected"), by=ppid)  # refused before any mail
    assert (OutgoingMail.objects.count(), DBTaskResult.objects.count()) == (mails, tasks)


def test_the_ppid_reads_the_outbox_in_the_admin_and_cannot_change_it(
    client, make_record, ppid, pembina, it_admin
):
    workflow.submit(record=make_record("classified"), by=ppid)
    client.force_login(ppid)
    page = client.get(reverse("admin:dikecualikan_outgoingmail_changelist"))
    assert page.status_code == 200 and "pembina@example.org" in page.content.decode()
    mail = OutgoingMail.objects.get(to="pembina@example.org")
    url = reverse("admin:dikecualikan_outgoingmail_change", args=[mail.pk])
    client.post(url, {"to": "x@example.org", "subject": "x", "body": "x"})
    mail.refresh_from_db()
    assert mail.to == "pembina@example.org"
    # IT without a role reads no mail about records (their titles are withheld content).
    client.force_login(it_admin)
    assert client.get(reverse("admin:dikecualikan_outgoingmail_changelist")).status_code == 403


def test_a_task_left_running_by_a_killed_worker_is_requeued_and_the_mail_sent_once(
    make_record, ppid, pembina, smtp, worker
):
    smtp.start()
    record = workflow.submit(record=make_record("classified"), by=ppid)
    mail = OutgoingMail.objects.get(record=record, to="pembina@example.org")
    task = DBTaskResult.objects.get(args_kwargs__args=[mail.pk])
    # What a worker killed by SIGKILL leaves: claimed, "running", never finished.
    task.claim("killed-worker")
    out = StringIO()
    call_command("requeue_stale_tasks", stdout=out)  # not yet stale: left alone
    assert "0 task(s)" in out.getvalue()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        call_command("requeue_stale_tasks", stdout=out)
        assert "1 task(s)" in out.getvalue()
        worker()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert sent_to(smtp, record).count("pembina@example.org") == 1


def test_the_ppid_sends_a_failed_mail_again_from_the_admin_and_it_arrives(
    client, make_record, ppid, pembina, smtp, worker
):
    pembina.email = "tidak-ada@example.org"  # refused for good: failed at once
    pembina.save()
    smtp.start()
    record = workflow.submit(record=make_record("classified"), by=ppid)
    worker()
    failed = OutgoingMail.objects.get(record=record, status="failed")
    client.force_login(ppid)
    dashboard = client.get(reverse("dikecualikan:dashboard")).content.decode()
    assert "tidak-ada@example.org" in dashboard  # who was not told, on the PPID's dashboard
    # The person's address is corrected at the mail server; the PPID sends it again.
    smtp.inbox.received.clear()
    changelist = reverse("admin:dikecualikan_outgoingmail_changelist")
    response = client.post(
        changelist, {"action": "send_again", "_selected_action": [failed.pk]}, follow=True
    )
    assert "1 surel dimasukkan kembali ke antrean" in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    worker()  # still refused by the server: failed again, visibly, never lost
    failed.refresh_from_db()
    assert failed.status == "failed" and failed.attempts == 1


def test_only_the_ppid_and_the_atasan_send_mail_again(client, make_record, ppid, pembina, desk):
    workflow.submit(record=make_record("classified"), by=ppid)
    mail = OutgoingMail.objects.get(to="pembina@example.org")
    OutgoingMail.objects.filter(pk=mail.pk).update(status="failed")
    client.force_login(desk)
    changelist = reverse("admin:dikecualikan_outgoingmail_changelist")
    response = client.post(changelist, {"action": "send_again", "_selected_action": [mail.pk]})
    assert response.status_code == 403
    mail.refresh_from_db()
    assert mail.status == "failed"
