from django.urls import path

from . import views

app_name = "dikecualikan"

urlpatterns = [
    path("", views.home, name="home"),
    path("masuk/lanjut/", views.after_login, name="after-login"),
]
