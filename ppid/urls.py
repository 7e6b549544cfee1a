from django.contrib import admin
from django.contrib.auth import views as auth
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from dikecualikan import office
from dikecualikan.views import admin_login

from . import operations, second_factor
from .signin import SignInForm


def _site_header() -> str:
    return gettext("PPID %(office)s: exempted information") % {"office": office.current().name}


# Worded when a page is drawn, in its language and for the office it serves.
admin.site.site_header = lazy(_site_header, str)()
admin.site.site_title = _("PPID Dikecualikan")
admin.site.index_title = _("Approvals and register")

# A database outage answers 503 with Retry-After, not 500 (ppid/operations.py).
handler500 = "ppid.operations.server_error"

urlpatterns = [
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    # Sign-in and sign-out only: the office manages passwords, there is no self-service
    # reset by mail (docs/security.md). A changed password is asked after
    # the second factor, in the admin (/admin/password_change/).
    path("accounts/login/", auth.LoginView.as_view(form_class=SignInForm), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    # Where sign-out ends: "Anda telah keluar", a page of its own (a reload posts nothing).
    path(
        "accounts/keluar/",
        TemplateView.as_view(template_name="registration/logged_out.html"),
        name="signed-out",
    ),
    path("akun/dua-faktor/", second_factor.verify, name="second-factor"),
    # /sehat/ stays a constant `ok` (dikecualikan.urls); this one asks the database.
    path("sehat/siap/", operations.ready, name="ready"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staf/arsip/", include("arsip.urls")),
    path("", include("dikecualikan.urls")),
]
