"""The outbox: mail written in the step's transaction, sent by the worker, never dropped.

A step writes one OutgoingMail row per person and enqueues its delivery in the same
transaction (the task is a row of the same database): a step that rolls back leaves
neither, and the worker never sees a mail for data that was not committed. Delivery locks
the row and sends it only while it is pending, so a task run twice sends once. A send that
fails is tried again with a growing delay; a refusal the server calls permanent, or the
last attempt, marks the row failed, for the dashboard of the PPID and the Atasan PPID.

Below the workflow (which writes mail) and beside the models: tasks.py and the pages only
read it. django-tasks is Django 6's django.tasks, backported.
"""

from __future__ import annotations

import datetime
import smtplib

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db import DatabaseBackend

from .models import OutgoingMail

# Minutes before each new attempt: 1, 2, 4, 8, 16; after the sixth failure the mail is
# marked failed (about half an hour of an SMTP server's outage is waited out).
RETRY_MINUTES = (1, 2, 4, 8, 16)
Status = OutgoingMail.Status


def queue(to: str, subject: str, body: str, *, record=None, decision=None) -> OutgoingMail:
    """Write a mail to one address and enqueue its delivery, in the caller's transaction."""
    with transaction.atomic():
        mail = OutgoingMail.objects.create(
            to=to, subject=subject, body=body, record=record, decision=decision
        )
        enqueue(deliver, mail.pk)
    return mail


def queue_many(mails: list[OutgoingMail]) -> list[OutgoingMail]:
    """Write many mails at once (unsaved rows, each made in its office) and enqueue one
    delivery of them all, in the caller's transaction: a step that mails the people of a
    hundred offices does it in two statements."""
    if not mails:
        return []
    with transaction.atomic():
        made = OutgoingMail.objects.bulk_create(mails)
        enqueue(deliver_many, [mail.pk for mail in made])
    return made


def enqueue(task_, *args, later=None) -> None:
    """Enqueue a task in the caller's transaction when tasks are rows of this database.

    A backend that runs tasks anywhere else (at once, in tests; another store) is given the
    task only once the transaction has committed: it must never act on data that may still
    be rolled back.
    """
    if later is not None and task_.get_backend().supports_defer:
        task_ = task_.using(run_after=timezone.now() + later)
    if isinstance(task_.get_backend(), DatabaseBackend):
        task_.enqueue(*args)
    else:
        transaction.on_commit(lambda: task_.enqueue(*args))


@task(queue_name="mail")
def deliver(mail_id: int) -> str:
    """Send one outbox row if it is still pending; return its status afterwards."""
    with transaction.atomic():
        # The row by its id, whatever the office: sending reads nothing else of the office's.
        mail = OutgoingMail._base_manager.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.status != Status.PENDING:
            return mail.status if mail else "missing"
        mail.attempts += 1
        mail.last_attempt_at = timezone.now()
        retry = None
        try:
            EmailMessage(mail.subject, mail.body, None, [mail.to]).send()
        except Exception as error:  # noqa: BLE001 - any failure is kept on the row, not lost
            retry = _failed(mail, error)
        else:
            mail.status, mail.sent_at, mail.last_error = Status.SENT, timezone.now(), ""
        mail.save(update_fields=["attempts", "last_attempt_at", "status", "sent_at", "last_error"])
        if retry is not None:  # in this transaction, like the first: it exists once the row says so
            enqueue(deliver, mail.pk, later=retry)
        return mail.status


def _failed(mail: OutgoingMail, error: Exception) -> datetime.timedelta | None:
    """Keep why it failed; return how long to wait before the next attempt, or None."""
    mail.last_error = f"{type(error).__name__}: {error}"[:2000]
    if permanent(error) or mail.attempts > len(RETRY_MINUTES):
        mail.status = Status.FAILED
        return None
    return datetime.timedelta(minutes=RETRY_MINUTES[mail.attempts - 1])


def permanent(error: Exception) -> bool:
    """Whether trying again cannot help: the server refused the address or the mail (5xx)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def send_again(mail: OutgoingMail) -> OutgoingMail:
    """Put a failed mail back in the queue (someone who may see it asked): tried anew."""
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update().get(pk=mail.pk)
        if mail.status == Status.FAILED:
            mail.status, mail.attempts = Status.PENDING, 0
            mail.save(update_fields=["status", "attempts"])
            enqueue(deliver, mail.pk)
    return mail


@task(queue_name="mail")
def deliver_many(mail_ids: list[int]) -> list[str]:
    """Send the outbox rows written together (queue_many), each as `deliver` sends one: a
    mail that fails is tried again on its own, and the next ones are sent meanwhile."""
    return [deliver.call(mail_id) for mail_id in mail_ids]
