"""Django's own Indonesian strings that said the wrong thing, corrected in locale/id."""

from django.urls import reverse


def test_a_duplicate_reads_already_exists_not_does_not_exist(client, it_admin, location):
    client.force_login(it_admin)
    data = {
        "building": location.building,
        "room": location.room,
        "cabinet": location.cabinet,
        "shelf": location.shelf,
        "is_active": "on",
    }
    page = client.post(reverse("admin:arsip_location_add"), data).content.decode()
    assert "sudah ada" in page and "tidak ada." not in page


def test_a_failed_sign_in_names_the_username_once(client, db):
    page = client.post(reverse("login"), {"username": "siapa", "password": "salah"})
    text = page.content.decode()
    assert "Masukkan nama pengguna dan kata sandi yang benar" in text
    assert "nama pengguna nama pengguna" not in text


def test_the_admins_go_button_never_reads_buka(client, it_admin):
    client.force_login(it_admin)
    page = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert ">Jalankan<" in page and ">Buka<" not in page
    changelist = reverse("admin:auth_user_changelist")
    response = client.post(changelist, {"action": "delete_selected", "index": 0}, follow=True)
    assert "Pilih entri terlebih dahulu" in response.content.decode()
