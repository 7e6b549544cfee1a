"""Softcopy bytes: stored once, hashed while streaming, re-hashed on demand."""

import hashlib
import os
import re
import tempfile
import unicodedata

from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _

CHUNK = 1024 * 1024
# A file being written carries this prefix until it is complete; verify_fixity reports
# one left behind by a crash.
TEMP_PREFIX = ".tmp-"


class PrivateFileSystemStorage(FileSystemStorage):
    """A local folder with no URL at all (plain FileSystemStorage falls back to MEDIA_URL).

    A file is written under a temporary name beside its final one, synced, and renamed
    only when complete, so a crash or a full disk never leaves half a softcopy under a
    name the archive knows; a failed write removes its partial file. (S3 needs none of
    this: an object appears only once its upload has completed.)
    """

    def url(self, name):
        raise ValueError(
            "Softcopies have no URL: they are served only through the access-logged view."
        )

    def _save(self, name, content):
        final = self.path(name)
        folder = os.path.dirname(final)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)  # mode 0600
        try:
            with os.fdopen(descriptor, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.rename(partial, final)  # the names are random: nothing is overwritten
        except BaseException:
            os.unlink(partial)
            raise
        return str(name).replace("\\", "/")


def storage_failed_message() -> str:
    return _(
        "The archive's storage cannot take the file now (it is full or read-only). Nothing "
        "was stored. Tell the administrator, and upload the file again later."
    )


class HashingFile(File):
    """A file wrapper that computes SHA-256 and size of what the storage reads from it.

    Storages read either through `chunks()` (file system) or `read()` (S3);
    both come through `read`, and a rewind starts the count again.
    """

    def __init__(self, file, name=None):
        super().__init__(file, name)
        self._reset()

    def _reset(self):
        self.hasher = hashlib.sha256()
        self.bytes_read = 0

    def seek(self, pos, whence=0):
        if pos == 0 and whence == 0:
            self._reset()
        return self.file.seek(pos, whence)

    def read(self, size=-1):
        data = self.file.read(size)
        self.hasher.update(data)
        self.bytes_read += len(data)
        return data

    @property
    def sha256(self) -> str:
        return self.hasher.hexdigest()


def sha256_of(storage, name: str) -> str:
    """Return the SHA-256 of a stored file, read in chunks."""
    with storage.open(name, "rb") as fh:
        return sha256_of_stream(fh)


def sha256_of_stream(fh) -> str:
    hasher = hashlib.sha256()
    for chunk in iter(lambda: fh.read(CHUNK), b""):
        hasher.update(chunk)
    return hasher.hexdigest()


_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)


def sanitize_name(name: str, limit: int = 200) -> str:
    """Return the uploaded file name as harmless metadata (no path, control or bidi characters).

    A name cut to `limit` keeps its extension; a name with nothing left is "berkas".
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Category C holds the control and format characters, the right-to-left override among them.
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name)
    stem, dot, extension = name.rpartition(".")
    if not (dot and extension.isalnum() and len(extension) <= 10):
        stem, extension = name, ""
    room = limit - len(extension) - 1 if extension else limit
    stem = stem.strip(" ._")[:room].rstrip(" ._")
    if not stem:
        return f"berkas.{extension}" if extension else "berkas"
    return f"{stem}.{extension}" if extension else stem


def download_name(original_name: str, extension: str) -> str:
    """Return the name a download is sent under: the uploaded stem, the detected extension.

    What the uploader called the file says nothing of what it is: a `.docm` holding a
    plain document goes out as `.docx`, and a name with nothing harmless left as `berkas`.
    """
    stem = sanitize_name(original_name)
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    return f"{stem[:120].rstrip(' ._') or 'berkas'}.{extension}"
