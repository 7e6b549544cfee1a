"""Re-hash every stored softcopy version and look for files nothing knows of.

Run it daily (README: cron or a systemd timer). It writes one FixityCheck row
per file, prints a summary and exits 1 on any changed, missing or untracked
file, so the scheduler's mail or monitoring notices.
"""

import uuid
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from arsip.models import FixityCheck, SoftcopyVersion
from arsip.storage import sha256_of

Status = FixityCheck.Status


def walk(storage, path):
    """Yield every file name under path in the storage (file system or bucket alike)."""
    try:
        folders, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{path}/{name}"
    for folder in folders:
        yield from walk(storage, f"{path}/{folder}")


class Command(BaseCommand):
    help = "Re-hash every softcopy version; exit 1 on any changed, missing or untracked file."

    def handle(self, *args, **options):
        storage = SoftcopyVersion._meta.get_field("file").storage
        run = uuid.uuid4().hex
        counts = Counter()
        known = set()
        for version in SoftcopyVersion.objects.order_by("pk").iterator(chunk_size=200):
            known.add(version.file.name)
            actual = ""
            if not storage.exists(version.file.name):
                status = Status.MISSING
            else:
                actual = sha256_of(storage, version.file.name)
                status = Status.OK if actual == version.sha256 else Status.CHANGED
            self.record(run, counts, status, version.file.name, version, version.sha256, actual)
        for name in walk(storage, "softcopy"):
            if name not in known:
                actual = sha256_of(storage, name)
                self.record(run, counts, Status.UNTRACKED, name, None, "", actual)
        summary = ", ".join(f"{status.value} {counts[status]}" for status in Status)
        self.stdout.write(f"Fixity {run}: {summary}")
        problems = sum(counts[s] for s in Status if s != Status.OK)
        if problems:
            raise CommandError(
                f"{problems} softcopy file(s) failed the fixity check.", returncode=1
            )

    def record(self, run, counts, status, name, version, expected, actual):
        counts[status] += 1
        FixityCheck.objects.create(
            run=run,
            version=version,
            name=name,
            status=status,
            expected_sha256=expected,
            actual_sha256=actual,
        )
        if status != Status.OK:
            self.stderr.write(
                f"{status.label}: {name}"
                + (
                    f" (version {version.pk} of record {version.softcopy.record_id})"
                    if version
                    else ""
                )
            )
