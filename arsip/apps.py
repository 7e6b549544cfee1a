from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArsipConfig(AppConfig):
    name = "arsip"
    verbose_name = _("Archive (arsip)")
