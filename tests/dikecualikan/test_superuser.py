"""A superuser without an SOP role is accountable: no withheld content, roles only on record."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from dikecualikan.models import UserEvent
from dikecualikan.roles import Role, grant

WITHHELD = [
    "admin:dikecualikan_record_changelist",
    "admin:dikecualikan_transition_changelist",
    "admin:dikecualikan_objection_changelist",
    "admin:arsip_softcopyversion_changelist",
    "admin:arsip_custody_changelist",
    "admin:arsip_fixitycheck_changelist",
]


@pytest.mark.parametrize("name", WITHHELD)
def test_a_superuser_without_a_role_is_refused_the_withheld_lists(client, it_admin, name):
    client.force_login(it_admin)
    assert client.get(reverse(name)).status_code == 403


def test_a_superuser_without_a_role_sees_no_record_a_softcopy_or_a_test(
    client, it_admin, make_record
):
    record = make_record("archived", title="Rekam medis calon Budi (internal)")
    version = record.softcopies.get().versions.get()
    client.force_login(it_admin)
    assert (
        client.get(reverse("admin:dikecualikan_record_change", args=[record.pk])).status_code == 403
    )
    url = reverse("admin:arsip_softcopyversion_change", args=[version.pk])
    assert client.get(url).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "Rekam medis calon Budi" not in index
    assert "record/" not in index and "softcopyversion/" not in index
    # What they manage stays theirs: accounts, places, the calendar.
    assert "auth/user/" in index and "arsip/location/" in index


def test_the_same_person_given_a_role_sees_the_register_and_the_grant_is_on_record(
    client, it_admin, make_record, atasan, mailoutbox, django_capture_on_commit_callbacks
):
    record = make_record("collected")
    # However the role is given (the admin's user form, a command, the shell), the grant
    # is a row of the user history and a mail to the Atasan PPID.
    with django_capture_on_commit_callbacks(execute=True):
        grant(it_admin, Role.PPID)
    event = UserEvent.objects.get(user=it_admin, kind=UserEvent.Kind.GRANTED)
    assert event.role == Role.PPID
    assert any(atasan.email in m.to for m in mailoutbox)
    client.force_login(it_admin)
    url = reverse("admin:dikecualikan_record_change", args=[record.pk])
    assert client.get(url).status_code == 200


def test_a_role_is_never_renamed_or_deleted_in_the_admin(client, it_admin):
    group = Group.objects.get(name=Role.PPID)
    client.force_login(it_admin)
    url = reverse("admin:auth_group_change", args=[group.pk])
    client.post(url, {"name": "Bukan PPID", "permissions": []})
    assert Group.objects.filter(name=Role.PPID).exists()
    assert client.get(reverse("admin:auth_group_delete", args=[group.pk])).status_code == 403


def test_making_someone_a_superuser_and_undoing_it_are_kept_in_the_user_history(
    desk, atasan, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk.is_superuser = True
        desk.save()
    desk.is_superuser = False
    desk.save()
    kinds = list(
        UserEvent.objects.filter(user=desk, role="superuser")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == [UserEvent.Kind.SUPERUSER_ON, UserEvent.Kind.SUPERUSER_OFF]
    assert any(atasan.email in m.to and "superuser" in m.body for m in mailoutbox)


def test_a_new_superuser_is_kept_and_a_sign_in_writes_nothing(client, db):
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("ti", "ti@example.org", "pw")
    assert UserEvent.objects.filter(user=admin, kind=UserEvent.Kind.SUPERUSER_ON).exists()
    before = UserEvent.objects.count()
    client.post(reverse("login"), {"username": "ti", "password": "pw"})
    assert UserEvent.objects.count() == before  # last_login changed, nothing else
