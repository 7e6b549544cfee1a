"""Re-hash every stored softcopy version and look for files nothing knows of.

Run it daily (docs/deployment.md, the daily jobs). It writes one FixityCheck row
per file, prints a summary and exits 1 on any changed, missing, untracked or
leftover temporary file, so the scheduler's mail or monitoring notices; each run is
recorded (dikecualikan/jobs.py) for the Atasan PPID's dashboard.

It walks the whole private storage, not only the softcopy folder: a withheld
document left anywhere in it (a partial write, a copy made by hand) is found.
With --quarantine, untracked and leftover files are moved into quarantine/,
one line each, where nothing serves them and an administrator can look.

`--office slug` checks one office alone: its softcopies, and its own folders
(softcopy/<slug>/, dokumen/<slug>/) for files nothing knows of; the rest of the storage
and the upload spool are the deployment's, checked by a run without it.
"""

import os
import time
import uuid
from collections import Counter

from django.conf import settings
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from arsip.fixity import Status, recorded_copies, status_of
from arsip.models import FixityCheck, SoftcopyVersion
from arsip.storage import TEMP_PREFIX, sha256_of, sha256_of_stream
from dikecualikan import jobs, office
from dikecualikan.models import Document

QUARANTINE = "quarantine"
# A spooled upload younger than this may still be arriving; an older one was left by a crash.
SPOOL_GRACE_SECONDS = 6 * 3600


def walk(storage, path=""):
    """Yield every file name under path in the storage (file system or bucket alike)."""
    try:
        folders, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{path}/{name}" if path else name
    for folder in folders:
        yield from walk(storage, f"{path}/{folder}" if path else folder)


def spool_leftovers():
    """Yield the paths of old files in the upload spool folder (FILE_UPLOAD_TEMP_DIR)."""
    folder = settings.FILE_UPLOAD_TEMP_DIR
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    now = time.time()
    for entry in entries:
        if entry.is_file() and now - entry.stat().st_mtime > SPOOL_GRACE_SECONDS:
            yield entry.path


def prepared_documents() -> set[str]:
    """Return the files of the staff documents the worker prepared: not softcopies, but known.

    They are stored beside the softcopies in the private storage; clean_up deletes each
    after PPID_DOCUMENT_DAYS, so one no row names any more is a stray like any other.
    """
    return set(Document.objects.exclude(file="").values_list("file", flat=True))


class Command(BaseCommand):
    help = (
        "Re-hash every softcopy version and walk the private storage; exit 1 on any changed, "
        "missing, untracked or leftover temporary file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--office",
            metavar="SLUG",
            help="Check this office's softcopies and folders only (e.g. pontianakkota).",
        )
        parser.add_argument(
            "--quarantine",
            action="store_true",
            help="Move untracked and leftover temporary files into quarantine/.",
        )

    def handle(self, *args, quarantine=False, **options):
        only = office.named(options["office"])
        # Every office's files are in the one storage; each is checked against its own row.
        reading = office.acting(only) if only else office.every_office()
        with jobs.recorded("verify_fixity") as job, reading:
            self.verify(job, quarantine, only)

    def verify(self, job, quarantine: bool, only=None) -> None:
        self.storage = SoftcopyVersion._meta.get_field("file").storage
        self.run, self.quarantine = uuid.uuid4().hex, quarantine
        self.counts = Counter()
        known = self.check_versions() | prepared_documents()
        spool = self.spool_prefix()
        folders = [f"softcopy/{only.slug}", f"dokumen/{only.slug}"] if only else [""]
        for name in (name for folder in folders for name in walk(self.storage, folder)):
            if name in known or name.startswith(f"{QUARANTINE}/"):
                continue
            if spool and name.startswith(spool):
                continue  # the spool folder is judged by age below
            temporary = os.path.basename(name).startswith(TEMP_PREFIX)
            self.stray(name, Status.TEMPORARY if temporary else Status.UNTRACKED)
        for path in spool_leftovers() if only is None else ():
            self.stray(path, Status.TEMPORARY, local=True)
        summary = ", ".join(f"{status.value} {self.counts[status]}" for status in Status)
        job.summary = f"Fixity {self.run}: {summary}"
        self.stdout.write(job.summary)
        problems = sum(self.counts[s] for s in Status if s != Status.OK)
        if problems:
            raise CommandError(
                f"{problems} file(s) in the private storage failed the fixity check.",
                returncode=1,
            )

    def check_versions(self) -> set[str]:
        known = set()
        copies = recorded_copies()
        for version in (
            SoftcopyVersion.objects.select_related("softcopy")
            .order_by("pk")
            .iterator(chunk_size=200)
        ):
            known.add(version.file.name)
            status, actual = status_of(version, copies)
            self.record(status, version.file.name, version, version.sha256, actual)
        return known

    def spool_prefix(self) -> str:
        """Return the spool folder's name inside the private storage, if it lies there."""
        try:
            root = os.path.realpath(self.storage.path(""))
        except NotImplementedError:
            return ""  # a bucket: the spool folder is on the app server's own disk
        spool = os.path.realpath(settings.FILE_UPLOAD_TEMP_DIR)
        if os.path.commonpath([root, spool]) != root or spool == root:
            return ""
        return os.path.relpath(spool, root).replace(os.sep, "/") + "/"

    def stray(self, name: str, status: str, local: bool = False) -> None:
        """Record a file nothing knows of; with --quarantine, move it aside."""
        if local:
            with open(name, "rb") as fh:
                actual = sha256_of_stream(fh)
        else:
            actual = sha256_of(self.storage, name)
        moved = self.move(name, local) if self.quarantine else ""
        self.record(status, name, None, "", actual, moved)

    def move(self, name: str, local: bool) -> str:
        target = f"{QUARANTINE}/{self.run}/{os.path.basename(name)}"
        if local:
            with open(name, "rb") as fh:
                target = self.storage.save(target, File(fh))
            os.unlink(name)
        else:
            with self.storage.open(name, "rb") as fh:
                target = self.storage.save(target, File(fh))
            self.storage.delete(name)
        self.stdout.write(f"Quarantined: {name} -> {target}")
        return target

    def record(self, status, name, version, expected, actual, moved=""):
        self.counts[status] += 1
        FixityCheck.objects.create(
            run=self.run,
            version=version,
            name=name,
            status=status,
            expected_sha256=expected,
            actual_sha256=actual,
            moved_to=moved,
        )
        if status != Status.OK:
            where = (
                f" (version {version.pk} of record {version.softcopy.record_id})" if version else ""
            )
            self.stderr.write(f"{status.label}: {name}{where}")
