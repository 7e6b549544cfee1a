from django.urls import path

from . import views

app_name = "arsip"

urlpatterns = [
    path("entri/<int:pk>/", views.record_archive, name="record"),
    path("entri/<int:pk>/unggah/", views.upload, name="upload"),
    path("entri/<int:pk>/lokasi/", views.place, name="place"),
    path("entri/<int:pk>/pinjam/", views.check_out, name="check-out"),
    path("entri/<int:pk>/kembali/", views.check_in, name="check-in"),
    path("entri/<int:pk>/arsipkan/", views.archive, name="archive"),
    path("berkas/<int:pk>/unduh/", views.download, name="download"),
    path("akses/", views.access_report, name="access-report"),
]
