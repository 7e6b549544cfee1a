from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DikecualikanConfig(AppConfig):
    name = "dikecualikan"
    verbose_name = _("Exempted information register")
