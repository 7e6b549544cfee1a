"""The public DIK's versions: every step that adds or opens an item makes one.

Shared by publication (a decision's items join the list), review (a period ended) and
objections (an answer or a ruling opened items), so it lives here rather than in one of them.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max

from .. import office
from ..dik import forget_dik_stamp, published_rows, stamp_key
from ..documents import render_dik, render_diks
from ..models import DikChange, DikVersion, Record
from ..outbox import enqueue


def new_dik_version(*, added=(), opened=(), **fields) -> DikVersion:
    """Add an immutable version of the acting office's public DIK recording what this step
    changed."""
    return new_dik_versions({office.acting_office(): (added, opened)}, **fields)[0]


def new_dik_versions(changes: dict, **fields) -> list[DikVersion]:
    """Add a version of each office's public DIK, {office: (records added, records opened)}:
    one instrument that changes many offices' lists at once (KPU's revocation) makes each
    office's version in as many statements as for one office."""
    places = list(changes)
    versions = _numbered(places, fields)
    # The added rows as published, kept with the version: its exports never read the live
    # records again, so a later change to a record leaves this version as it was.
    added = [record.pk for added, _opened in changes.values() for record in added]
    published = published_rows(Record.objects.filter(pk__in=added))
    rows = []
    for version, (added, opened) in zip(versions, changes.values(), strict=True):
        rows += [
            DikChange(version=version, record=r, kind=DikChange.Kind.ADDED, data=published[r.pk])
            for r in added
        ]
        rows += [DikChange(version=version, record=r, kind=DikChange.Kind.OPENED) for r in opened]
    DikChange.objects.bulk_create(rows)
    keys = [stamp_key(place) for place in places]  # the public pages show the versions at once
    transaction.on_commit(lambda: forget_dik_stamp(*keys))
    # The worker renders the new /dik.pdf: enqueued in this transaction, it exists only if
    # the step commits, and nobody waits for it. It renders the newest version when it runs:
    # after several publications in a row, the first task renders the last of them and the
    # others find it done. Many offices' lists are rendered by one task, one after another.
    if len(places) == 1:
        enqueue(render_dik, None, 1, places[0].pk)
    else:
        enqueue(render_diks, [place.pk for place in places])
    return versions


def _numbered(places, fields: dict) -> list[DikVersion]:
    """Each office's next version, numbered within the office and saved."""
    attempts = 0
    while True:
        numbers = DikVersion.objects.filter(office__in=places).values("office")
        last = dict(numbers.annotate(last=Max("number")).values_list("office", "last"))
        versions = [
            DikVersion(office=place, number=last.get(place.pk, 0) + 1, **fields) for place in places
        ]
        try:
            # Two publications at once pick the same number; the unique constraint makes the
            # second wait for the first and fail, and it takes the next number instead.
            with transaction.atomic():
                return DikVersion.objects.bulk_create(versions)
        except IntegrityError:
            attempts += 1
            if attempts == 3:
                raise
