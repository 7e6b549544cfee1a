"""The public DIK's PDF, rendered by the worker and never by a visitor.

A publication (or an opening) enqueues `render_dik` in its own transaction and returns at
once. The worker renders the newest version in chunks (bounded memory at any length),
writes it under a temporary name and moves it into place, and records it as a
RenderedDik. /dik.pdf serves the newest one recorded: while a newer version is still
being rendered, the previous one in a copy stamped once, when it was rendered, with a line
that a newer one is being prepared; before any, a 503 with Retry-After. A version's
statuses change without a new version when a period ends (shared/DOMAIN.md section 7):
the first request of such a day asks the worker for the re-render, and the PDF of the
day before is served meanwhile.

Also `put`, which stores a finished file whole under its final name, for the staff
documents of tasks.py too.
"""

from __future__ import annotations

import datetime
import logging
import os
import shutil
import tempfile

from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import task

from . import office
from .dik import dik_document, dik_stamp, statuses_changed_on
from .models import DikVersion, RenderedDik
from .outbox import RETRY_MINUTES, enqueue
from .pdf import stamp_superseded

logger = logging.getLogger(__name__)

# A render asked for by a visitor is asked for once in this many seconds per process.
ASKED_SECONDS = 300
# A version whose PDF is still not rendered this long after it was made is shown to the PPID
# and the Atasan PPID: the documents worker is down, or its render keeps failing.
LATE_AFTER = datetime.timedelta(minutes=15)


def dik_pdf_name(number: int, since: datetime.date | None) -> str:
    """Where the acting office's PDF of a version is stored: the default office's under
    dik/ as before offices, another office's under dik/<office>/."""
    here = office.current()
    folder = "dik" if here.is_default else f"dik/{here.slug}"
    day = "" if since is None else f"-{since:%Y%m%d}"
    return f"{folder}/dik-v{number}{day}.pdf"


def superseded(name: str) -> str:
    """The name of a rendered DIK's copy that says a newer version is being prepared."""
    return name.removesuffix(".pdf") + "-lama.pdf"


def dik_pdf(number: int | None = None) -> tuple[RenderedDik | None, bool]:
    """Return the rendered PDF to serve for a version (None: the newest) and whether a
    newer one is being prepared (and then ask the worker for it, once).

    Costs one query: the newest version's number and its statuses' day are cached.
    """
    newest = number is None
    if newest:
        number = dik_stamp()[0]
    since = statuses_changed_on(DikVersion(number=number)) if number else None
    wanted = dik_pdf_name(number, since)
    found = RenderedDik.objects.all() if newest else RenderedDik.objects.filter(number=number)
    rendered = found.first()
    current = rendered is not None and (
        rendered.name == wanted or (newest and rendered.number > number)
    )
    if not current and cache.add(f"dik:asked:{wanted}", True, ASKED_SECONDS):
        enqueue(render_dik, number, 1, office.acting_office().pk)
    return rendered, not current


def late_dik_pdf() -> DikVersion | None:
    """Return the newest version if its PDF is late (LATE_AFTER), else None. One query."""
    rendered = RenderedDik.objects.filter(number__gte=OuterRef("number"))
    newest = DikVersion.objects.annotate(rendered=Exists(rendered)).order_by("-number").first()
    if newest is None or newest.rendered or newest.created_at > timezone.now() - LATE_AFTER:
        return None
    return newest


@task(queue_name="documents")
def render_dik(number: int | None = None, attempt: int = 1, place: int | None = None) -> str:
    """Render a version's PDF (None: the newest) with its statuses as of today, once.

    Safe to run twice: a PDF already recorded is not rendered again, and two renders at
    once write the same bytes under the same name, each moved into place whole. A render
    that raises is tried again later (1, 2, 4, 8, 16 minutes); the task's failure stays
    visible among the worker's results, and the previous PDF is served meanwhile.

    Each office numbers its own versions: the render acts for the office `place` (its
    id; the default office for a task enqueued before offices had versions of their own).
    """
    here = office.Office.objects.get(pk=place) if place else office.default()
    with office.acting(here):
        return _render_dik(number, attempt, here.pk)


@task(queue_name="documents")
def render_diks(places: list[int]) -> list[str]:
    """Render the newest DIK PDF of each of these offices (their ids), one after another:
    one task for an instrument that changed many offices' lists at once (KPU's revocation).
    An office whose render fails is tried again on its own (render_dik's retries), and the
    others are rendered all the same; the task then fails, visible among the results."""
    names, failed = [], None
    for index, place in enumerate(places):
        try:
            names.append(render_dik.call(None, 1, place))
        except Exception as error:  # noqa: BLE001 - the next offices are rendered first
            failed = failed or error
        except BaseException:  # the worker is stopped: the others are each enqueued
            with transaction.atomic():
                for rest in places[index + 1 :]:
                    enqueue(render_dik, None, 1, rest)
            raise
    if failed is not None:
        raise failed
    return names


def _render_dik(number: int | None, attempt: int, place: int) -> str:
    if number is None:
        version = DikVersion.objects.order_by("-number").first()
    else:
        version = DikVersion.objects.filter(number=number).first() if number else None
        if number and version is None:
            return "missing"
    number, created = (version.number, version.created_at) if version else (0, None)
    since = statuses_changed_on(version)
    name = dik_pdf_name(number, since)
    if RenderedDik.objects.filter(name=name).exists():
        return name
    try:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as stamped:
            rows = version.rows().iterator(chunk_size=2000) if version else []
            pages = dik_document(rows, number, created, since, out=out)
            # The copy served once a newer version is published, until that one is rendered.
            stamp_superseded(out, stamped, landscape=True)
            put(default_storage, superseded(name), stamped)
            put(default_storage, name, out)
    except BaseException:  # a forced stop of the worker too (SystemExit): tried again
        if attempt <= len(RETRY_MINUTES):
            later = datetime.timedelta(minutes=RETRY_MINUTES[attempt - 1])
            with transaction.atomic():
                enqueue(render_dik, number, attempt + 1, place, later=later)
        raise
    RenderedDik.objects.get_or_create(
        name=name, defaults={"number": number, "status_since": since, "pages": pages}
    )
    return name


def put(storage, name: str, file) -> None:
    """Store an open file whole under `name`, replacing what was there, or not at all.

    On a local folder the bytes go to a temporary file beside the final one, synced, then
    renamed over it: a crash or a full disk never leaves half a PDF under its name, and
    two writers of the same document leave one file, not two names. An object store (S3)
    shows an object only once its upload has completed, under the name given.
    """
    file.seek(0)
    try:
        final = storage.path(name)
    except NotImplementedError:  # no local path: an object store
        storage.save(name, File(file, name=os.path.basename(name)))
        return
    folder = os.path.dirname(final)
    os.makedirs(folder, exist_ok=True)
    descriptor, partial = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as target:
            shutil.copyfileobj(file, target, 1024 * 1024)
            target.flush()
            os.fsync(target.fileno())
        os.replace(partial, final)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
