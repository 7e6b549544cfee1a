"""Receiving uploaded files: spooled inside the private area, bounded, and never a 500.

Django parses a multipart body before any view runs (the CSRF check reads the
form), so the limits that protect the disk must sit in the upload handler, not
in the view. A file over the limit, or one the disk cannot take (full, read-only),
is dropped as it streams: its partial spool file is removed, the rest of the
body is read and discarded, and the form says why (`RefusalsMixin`).
"""

import logging
import os

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .storage import storage_failed_message

logger = logging.getLogger(__name__)


def upload_limit() -> int:
    """Return the largest file any form of the app accepts, in bytes."""
    return max(settings.ARSIP_MAX_UPLOAD_MB, settings.DECISION_MAX_UPLOAD_MB) * 1024 * 1024


class BoundedUploadHandler(TemporaryFileUploadHandler):
    """Spool each file to FILE_UPLOAD_TEMP_DIR; drop it at the limit or on a disk error."""

    def new_file(self, field_name, *args, **kwargs):
        # Set before anything can fail, so that the refusal names the field; and forget the
        # previous field's file, which the parser closes (deletes) when this one is skipped.
        self.field_name = field_name
        self.__dict__.pop("file", None)
        try:
            os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, mode=0o700, exist_ok=True)
            super().new_file(field_name, *args, **kwargs)
        except OSError:
            logger.exception("Cannot spool an upload in %s", settings.FILE_UPLOAD_TEMP_DIR)
            self._refuse(storage_failed_message())

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > upload_limit():
            self._refuse(
                _("The file is larger than the largest accepted, %(limit)s; nothing was stored.")
                % {"limit": filesizeformat(upload_limit())}
            )
        try:
            self.file.write(raw_data)
        except OSError:
            logger.exception("Cannot spool an upload in %s", settings.FILE_UPLOAD_TEMP_DIR)
            self._refuse(storage_failed_message())

    def _refuse(self, message: str):
        if "file" in self.__dict__:
            self.file.close()  # a TemporaryUploadedFile removes its spool file on close
            del self.file
        refusals = self.request.__dict__.setdefault("upload_refusals", {})
        refusals[self.field_name] = message
        raise SkipFile()


def refusals(request) -> dict[str, str]:
    """Return {field name: why its file was dropped} for this request's uploads."""
    if request.method != "POST":
        return {}
    request.FILES  # noqa: B018 (parse the body now, so that the handler has spoken)
    return getattr(request, "upload_refusals", {})


class RefusalsMixin:
    """A form that shows, beside its file field, why the upload handler dropped the file."""

    def __init__(self, *args, refusals: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.refusals = refusals or {}

    def full_clean(self):
        super().full_clean()
        for field, message in self.refusals.items():
            if self.is_bound and field in self.fields:
                self._errors.pop(field, None)  # not "required": say why it was refused
                self.add_error(field, message)
