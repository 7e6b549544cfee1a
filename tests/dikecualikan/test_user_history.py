"""Who granted which role to whom is kept in the register's history of users."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from dikecualikan import office
from dikecualikan.models import Office, UserEvent
from dikecualikan.roles import Membership, Role, grant, roles_of

from ..conftest import user_change_form


def with_role(data: dict, place, role) -> dict:
    """The form's data with one more role row (the inline's "Add another")."""
    rows = int(data["memberships-TOTAL_FORMS"])
    return {
        **data,
        "memberships-TOTAL_FORMS": rows + 1,
        f"memberships-{rows}-office": place.pk,
        f"memberships-{rows}-role": role,
    }


def test_granting_a_role_in_the_admin_is_written_with_who_did_it_and_mailed_to_the_atasan(
    client, it_admin, atasan, django_capture_on_commit_callbacks
):
    person = User.objects.create_user(
        "baru", "baru@example.org", first_name="Dewi", last_name="Lestari"
    )
    client.force_login(it_admin)
    data = with_role(user_change_form(client, person), office.current(), Role.PPID)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:auth_user_change", args=[person.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    (event,) = UserEvent.objects.filter(user=person)
    assert (event.kind, event.role, event.user_name) == ("granted", "ppid", "Dewi Lestari")
    assert event.detail == "KPU Kota Pontianak"  # the office the role is held in
    assert event.actor == it_admin and event.by == "admin"
    assert roles_of(User.objects.get(pk=person.pk)) == {"ppid"}
    (message,) = [m for m in mail.outbox if atasan.email in m.to]
    assert "PPID" in message.body and "Dewi Lestari" in message.body and "&" not in message.body


def test_removing_a_role_is_written_too_and_only_for_roles_the_person_held(ppid, it_admin):
    Membership.objects.filter(user=ppid, role__in=[Role.PPID, Role.ATASAN]).delete()
    (event,) = UserEvent.objects.filter(user=ppid, kind="removed")
    assert event.role == "ppid" and event.actor is None  # a command, outside any request


def test_a_role_in_another_office_is_written_with_it_and_mailed_to_its_atasan_only(
    client, it_admin, atasan, django_capture_on_commit_callbacks
):
    kubu_raya = Office.objects.get(slug="kuburayakab")
    their_atasan = User.objects.create_user("atasan-kr", "atasan@kuburayakab.example")
    grant(their_atasan, Role.ATASAN, place=kubu_raya)
    person = User.objects.create_user("lain", first_name="Rina", last_name="Putri")
    client.force_login(it_admin)
    data = with_role(user_change_form(client, person), kubu_raya, Role.DESK)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:auth_user_change", args=[person.pk]), data)
    assert response.status_code == 302
    (event,) = UserEvent.objects.filter(user=person)
    assert (event.kind, event.role, event.detail) == (
        "granted",
        "desk",
        "KPU Kabupaten Kubu Raya",
    )
    told = [address for message in mail.outbox for address in message.to]
    assert "atasan@kuburayakab.example" in told and atasan.email not in told
    # Held there, not here: in Pontianak the person is nobody.
    person = User.objects.get(pk=person.pk)
    assert roles_of(person) == frozenset()
    with office.acting(kubu_raya):
        assert roles_of(person) == {"desk"}


def test_the_history_of_users_cannot_be_edited_in_the_admin(client, it_admin, ppid):
    event = UserEvent.objects.filter(user=ppid).first()
    client.force_login(it_admin)
    change = reverse("admin:dikecualikan_userevent_change", args=[event.pk])
    assert client.post(change, {"role": "atasan"}).status_code == 403
    assert (
        client.post(reverse("admin:dikecualikan_userevent_delete", args=[event.pk])).status_code
        == 403
    )
    assert UserEvent.objects.get(pk=event.pk).role == "ppid"


def test_the_admins_own_log_cannot_be_deleted(it_admin):
    entry = LogEntry.objects.create(
        user=it_admin, content_type=None, object_repr="x", action_flag=ADDITION
    )
    with pytest.raises(PermissionDenied), transaction.atomic():
        entry.delete()
    with pytest.raises(PermissionDenied), transaction.atomic():
        LogEntry.objects.all().delete()
    assert LogEntry.objects.filter(pk=entry.pk).exists()
