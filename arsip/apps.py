import os

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ArsipConfig(AppConfig):
    name = "arsip"
    verbose_name = _("Archive (arsip)")

    def ready(self):
        # Uploads spool inside the private area (settings.FILE_UPLOAD_TEMP_DIR); Django
        # refuses to start when that folder is missing, and a fresh checkout has none.
        try:
            os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, mode=0o700, exist_ok=True)
        except OSError:
            pass  # a read-only disk: Django's own check (files.E001) then names the folder
