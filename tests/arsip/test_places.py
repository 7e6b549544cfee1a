"""A hardcopy place is kept as it was named: a new name is a new place, records stay put."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from arsip.models import Location
from dikecualikan import workflow


def sql(statement, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def change_form(location) -> dict:
    return {
        "building": location.building,
        "room": location.room,
        "cabinet": location.cabinet,
        "shelf": location.shelf,
        "is_active": "on",
    }


def test_renaming_a_place_in_the_admin_makes_a_new_one_and_the_records_stay(
    client, it_admin, make_record, location
):
    record = make_record("archived")
    filed = record.placements.first().location
    client.force_login(it_admin)
    url = reverse("admin:arsip_location_change", args=[filed.pk])
    response = client.post(url, {**change_form(filed), "room": "Ruang Arsip Baru"}, follow=True)
    assert response.status_code == 200
    assert "tidak pernah diganti namanya" in response.content.decode()
    new = Location.objects.get(room="Ruang Arsip Baru")
    assert new.pk != filed.pk
    filed.refresh_from_db()
    assert filed.room != "Ruang Arsip Baru"  # the old place is as it was
    assert record.placements.first().location == filed  # until the record is moved


def test_moving_a_record_to_the_new_place_is_a_history_row(make_record, desk):
    record = make_record("archived")
    new = Location.objects.create(building="Gedung B", room="Ruang 2", cabinet="Lemari 1")
    workflow.place_hardcopy(record=record, by=desk, location=new, box="Boks 1", folder="Map 1")
    assert record.placements.first().location == new
    assert record.transitions.filter(action="place").count() == 2


def test_a_place_keeps_its_name_in_the_orm_and_in_plain_sql(location):
    location.room = "Diganti"
    with pytest.raises(PermissionDenied):
        location.save()
    location.refresh_from_db()
    location.is_active = False
    location.save()  # retiring a place is allowed: only its name is kept
    with pytest.raises(DatabaseError, match="kept as it was written"):
        sql('UPDATE "arsip_location" SET "room" = %s', ["Diganti"])
    with pytest.raises(DatabaseError):
        sql('DELETE FROM "arsip_location"')
    sql('UPDATE "arsip_location" SET "is_active" = %s', [True])
    location.refresh_from_db()
    assert location.room != "Diganti" and location.is_active
