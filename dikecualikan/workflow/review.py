"""After publication: the register keeps itself true over time (manage.py review_due).

An item whose period ends within PPID_REVIEW_WORKING_DAYS working days enters the review
queue (one history row, one mail to the PPID and the Atasan PPID); an item whose period
has ended is opened by the register itself, with the end date as its instrument. The PPID
may declare an item of the queue open earlier (publication.open_record, reason
"declared"). Run daily; a second run the same day does nothing twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..models import Action, OpenReason, Record
from ..roles import Role
from ..workdays import review_window_end
from .mail import send_later
from .publication import opened_at
from .steps import WorkflowError, check_step, lock_record, move
from .versions import new_dik_version


def register_user():
    """The register's own account, named in the history; it cannot sign in."""
    user, created = get_user_model().objects.get_or_create(
        username=settings.PPID_SYSTEM_USERNAME,
        defaults={"first_name": "Register PPID", "last_name": "(otomatis)", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def due_for_review(today: datetime.date | None = None):
    """Published records whose period ends within the review window (or has ended)."""
    end = review_window_end(today)
    return Record.objects.on_dik().filter(ends_on__isnull=False, ends_on__lte=end)


def mark_for_review(*, record: Record, by) -> bool:
    """Put a record in the review queue, once for its end date; return whether it was new."""
    with transaction.atomic():
        record = lock_record(record, None)
        step = check_step(record, by, "review")
        ends_on = record.ends_on.isoformat()
        if record.transitions.filter(action=Action.REVIEW, details__ends_on=ends_on).exists():
            return False
        with translation.override(settings.LANGUAGE_CODE):
            note = str(_("The exemption ends on %(date)s.") % {"date": _long(record.ends_on)})
        move(record, by, step, note=note, details={"ends_on": ends_on})
    return True


def expire(*, record: Record, by, today: datetime.date | None = None) -> Record:
    """Open a record whose period has ended, as the register itself (reason: period ended).

    It is open from the day after its last day, whenever the register notices (DOMAIN.md
    section 6); one never published leaves no trace on the public DIK.
    """
    with transaction.atomic():
        record = lock_record(record, None)
        step = check_step(record, by, "expire")
        if not record.has_ended(today):
            raise WorkflowError(_("The period of this record has not ended."))
        with translation.override(settings.LANGUAGE_CODE):
            instrument = str(ended_on(record.ends_on))
        opened = record.ends_on + datetime.timedelta(days=1)
        record.opened_at, record.opened_reason = opened_at(opened), OpenReason.EXPIRED
        fields = ("opened_at", "opened_reason")
        move(record, by, step, reason=OpenReason.EXPIRED, instrument=instrument, fields=fields)
        if record.published_at is not None:
            new_dik_version(opened=[record], note=instrument)
    return record


def ended_on(day: datetime.date) -> str:
    return _("the exemption period ended on %(date)s") % {"date": _long(day)}


def _long(day: datetime.date) -> str:
    return date_format(day, "j F Y")


@dataclass
class Review:
    opened: list = field(default_factory=list)
    queued: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def review_due(today: datetime.date | None = None) -> Review:
    """The daily run: open what has ended, queue what ends soon, mail the queue's news once."""
    today = today or timezone.localdate()
    register, done = register_user(), Review()
    for record in due_for_review(today).order_by("ends_on", "pk"):
        try:
            if record.has_ended(today):
                done.opened.append(expire(record=record, by=register, today=today))
            elif mark_for_review(record=record, by=register):
                done.queued.append(record)
        except WorkflowError as error:  # e.g. changed by someone meanwhile: next run
            done.errors.append((record, error.message))
    if done.queued:
        send_later("review", {"records": done.queued}, [Role.PPID, Role.ATASAN])
    return done
