"""Who granted which role to whom is kept in the register's history of users."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from dikecualikan.models import UserEvent
from dikecualikan.roles import Role


def user_form(client, user) -> dict:
    """The admin's change form of a user as it stands, ready to post back."""
    form = client.get(reverse("admin:auth_user_change", args=[user.pk])).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name in ("groups", "user_permissions"):
            data[name] = [getattr(v, "pk", v) for v in value or []]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif hasattr(value, "strftime"):
            data[f"{name}_0"], data[f"{name}_1"] = (
                value.strftime("%Y-%m-%d"),
                value.strftime("%H:%M:%S"),
            )
        elif value is not None:
            data[name] = value
    return data


def test_granting_a_role_in_the_admin_is_written_with_who_did_it_and_mailed_to_the_atasan(
    client, it_admin, atasan, django_capture_on_commit_callbacks
):
    person = User.objects.create_user(
        "baru", "baru@example.org", first_name="Dewi", last_name="Lestari"
    )
    client.force_login(it_admin)
    data = {**user_form(client, person), "groups": [Group.objects.get(name=Role.PPID).pk]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:auth_user_change", args=[person.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    (event,) = UserEvent.objects.filter(user=person)
    assert (event.kind, event.role, event.user_name) == ("granted", "ppid", "Dewi Lestari")
    assert event.actor == it_admin and event.by == "admin"
    (message,) = [m for m in mail.outbox if atasan.email in m.to]
    assert "PPID" in message.body and "Dewi Lestari" in message.body and "&" not in message.body


def test_removing_a_role_is_written_too_and_only_for_roles_the_person_held(ppid, it_admin):
    ppid.groups.remove(Group.objects.get(name=Role.PPID), Group.objects.get(name=Role.ATASAN))
    (event,) = UserEvent.objects.filter(user=ppid, kind="removed")
    assert event.role == "ppid" and event.actor is None  # a command, outside any request


def test_a_role_given_from_the_group_side_or_cleared_is_written(it_admin):
    person = User.objects.create_user("lain")
    group = Group.objects.get(name=Role.DESK)
    group.user_set.add(person)
    person.groups.clear()
    assert list(
        UserEvent.objects.filter(user=person).order_by("pk").values_list("kind", "role")
    ) == [
        ("granted", "desk"),
        ("removed", "desk"),
    ]


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
