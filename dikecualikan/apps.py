from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DikecualikanConfig(AppConfig):
    name = "dikecualikan"
    verbose_name = _("Exempted information register")

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from .views import forget_messages

        user_logged_out.connect(forget_messages, dispatch_uid="dikecualikan.forget_messages")

        from . import signals

        signals.connect()

        from django.core import checks

        from .office import check_logo

        checks.register(check_logo)
