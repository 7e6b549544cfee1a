"""Softcopy bytes: stored once, hashed while streaming, re-hashed on demand."""

import hashlib
import re
import unicodedata

from django.core.files import File
from django.core.files.storage import FileSystemStorage

CHUNK = 1024 * 1024


class PrivateFileSystemStorage(FileSystemStorage):
    """A local folder with no URL at all (plain FileSystemStorage falls back to MEDIA_URL)."""

    def url(self, name):
        raise ValueError(
            "Softcopies have no URL: they are served only through the access-logged view."
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
    hasher = hashlib.sha256()
    with storage.open(name, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)


def sanitize_name(name: str) -> str:
    """Return the uploaded file name as harmless metadata (no path, control or bidi characters)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" ._")
    return name[:200] or "berkas"
