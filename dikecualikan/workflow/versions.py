"""The public DIK's versions: every step that adds or opens an item makes one.

Shared by publication (a decision's items join the list), review (a period ended) and
objections (an answer or a ruling opened items), so it lives here rather than in one of them.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .. import office
from ..dik import forget_dik_stamp, published_rows, stamp_key
from ..documents import render_dik
from ..models import DikChange, DikVersion, Record
from ..outbox import enqueue


def new_dik_version(*, added=(), opened=(), **fields) -> DikVersion:
    """Add an immutable version of the public DIK recording what this step changed."""
    for attempt in range(3):
        last = DikVersion.objects.order_by("-number").values_list("number", flat=True).first()
        try:
            # Two publications at once pick the same number; the unique constraint makes the
            # second wait for the first and fail, and it takes the next number instead.
            with transaction.atomic():
                version = DikVersion.objects.create(number=(last or 0) + 1, **fields)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    # The added rows as published, kept with the version: its exports never read the live
    # records again, so a later change to a record leaves this version as it was.
    published = published_rows(Record.objects.filter(pk__in=[r.pk for r in added]))
    changes = [DikChange(record=r, kind=DikChange.Kind.ADDED, data=published[r.pk]) for r in added]
    changes += [DikChange(record=r, kind=DikChange.Kind.OPENED) for r in opened]
    for change in changes:
        change.version = version
    DikChange.objects.bulk_create(changes)
    key = stamp_key()  # the public pages show the new version at once
    transaction.on_commit(lambda: forget_dik_stamp(key))
    # The worker renders the new /dik.pdf: enqueued in this transaction, it exists only if
    # the step commits, and nobody waits for it. It renders the newest version when it runs:
    # after several publications in a row, the first task renders the last of them and the
    # others find it done.
    enqueue(render_dik, None, 1, office.acting_office().pk)
    return version
