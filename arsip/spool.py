"""The upload spool (FILE_UPLOAD_TEMP_DIR): removing what a stopped worker left there.

Django spools a large upload to a file that stays open until the request ends, and removes
it then. A worker killed mid-request (a timeout, the OOM killer, SIGKILL) never removes it:
a withheld document would wait there for verify_fixity's six-hour report. The app server's
master sweeps the folder when it starts and whenever a worker exits (ppid/gunicorn_conf.py).

A file is taken only when no process on this machine holds it open, read from
/proc/<pid>/fd: a live upload is always open, in the worker receiving it. The folder is
private to the app's user (mode 0700), so only that user's processes can hold its files,
and their /proc entries are readable by it. Processes on another machine cannot be seen:
the folder must be each app server's own (docs/deployment.md). Only the
standard library is used here: the master imports this before Django is set up.
"""

import os
import time
from pathlib import Path

# A file written to this recently is left alone, whatever /proc says: a margin for the
# moment between a file's creation and its being seen open.
MIN_AGE_SECONDS = 60


def open_files() -> set[str] | None:
    """Return the real paths of the files this user's processes hold open, or None when
    this system has no /proc to ask (then nothing can be known to be abandoned)."""
    proc = Path("/proc")
    if not (proc / "self" / "fd").is_dir():
        return None
    uid, held = os.getuid(), set()
    for process in proc.iterdir():
        if not process.name.isdigit():
            continue
        try:
            if process.stat().st_uid != uid:
                continue
            for fd in (process / "fd").iterdir():
                held.add(os.path.realpath(os.readlink(fd)))
        except OSError:  # the process ended while we looked, or is not ours to read
            continue
    return held


def sweep(folder, min_age: float = MIN_AGE_SECONDS) -> list[str]:
    """Remove the spooled uploads in `folder` that no process holds open and that were not
    written to in the last `min_age` seconds; return their paths."""
    try:
        entries = [entry for entry in os.scandir(folder) if entry.is_file(follow_symlinks=False)]
    except FileNotFoundError:
        return []
    # Listed first, then /proc: a file still in use was opened when made, so before the list.
    held = open_files()
    if held is None:
        return []  # nothing can be known to be abandoned: verify_fixity reports them later
    now, removed = time.time(), []
    for entry in entries:
        path = os.path.realpath(entry.path)
        try:
            if path in held or now - entry.stat().st_mtime < min_age:
                continue
            os.remove(path)
        except FileNotFoundError:  # its request ended and removed it meanwhile
            continue
        removed.append(path)
    return removed
