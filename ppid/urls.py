from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from dikecualikan.views import admin_login

admin.site.site_header = _("PPID KPU Kota Pontianak: exempted information")
admin.site.site_title = _("PPID Dikecualikan")
admin.site.index_title = _("Approvals and register")

urlpatterns = [
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staf/arsip/", include("arsip.urls")),
    path("", include("dikecualikan.urls")),
]
