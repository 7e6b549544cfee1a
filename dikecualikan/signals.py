"""The register's history of users, written whatever changes a role.

A role is held in an office (roles.Membership). Every grant and removal, through the
admin or a command, writes a UserEvent (who, whom, which role, in which office, when)
that nothing can edit, and mails that office's Atasan PPID; so does making someone a
superuser, or no longer one, and changing what a role may do (its permissions). A
password set by someone else (the admin's password form, `manage.py changepassword`)
lets them sign in as that person: it is written too, and mailed to the person as well
as to the Atasan PPID. The admin's own log (LogEntry) is never deleted.
"""

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from . import office
from .history import ACTOR, NEVER_DELETED
from .models import Office, UserEvent
from .roles import Membership, Role
from .workflow.mail import send_later

CHANGES = {"post_add": UserEvent.Kind.GRANTED, "pre_remove": UserEvent.Kind.REMOVED}


def record_grant(sender, instance, created, raw=False, **kwargs):
    """A role given in an office: kept, and mailed to that office's Atasan PPID."""
    if created and not raw:
        _record_membership(instance, UserEvent.Kind.GRANTED)


def record_removal(sender, instance, **kwargs):
    """A role taken away in an office (or with the person's account): kept and mailed."""
    _record_membership(instance, UserEvent.Kind.REMOVED)


def _record_membership(membership, kind) -> None:
    # The office is written into the event's detail: the user history's columns (and the
    # chain over them) stay as they were before roles were held per office.
    place = Office.objects.get(pk=membership.office_id)
    event = UserEvent.objects.create(
        user_id=membership.user_id,
        kind=kind,
        role=membership.role,
        detail=place.name,
        actor_id=_actor_id(),
    )
    with office.acting(place):
        mail_events([event])


def mail_events(events, person=None, everywhere=False) -> None:
    """Mail account and role changes to the Atasan PPID of the acting office (the default
    one outside a request), or of every office for a change that reaches every office (what
    a role may do, a superuser); and to the person they concern."""
    people = [person.email] if person is not None else []
    reach = office.every_office() if everywhere else office.acting(office.current())
    with reach:
        send_later("role_changed", {"events": events}, [Role.ATASAN], people=people)


def record_permission_change(sender, instance, action, reverse, pk_set, **kwargs):
    """A role's permissions say what its holders may do: a change is kept like a grant."""
    if action in ("pre_remove", "pre_clear"):  # only what is there goes; known before it does
        held = set(
            (instance.group_set if reverse else instance.permissions).values_list("pk", flat=True)
        )
        pk_set, action = (held if action == "pre_clear" else held & set(pk_set)), "pre_remove"
    if action not in CHANGES or not pk_set:
        return
    if reverse:  # permission.group_set.add(...): the instance is the permission
        pairs = [(group, [instance]) for group in Group.objects.filter(pk__in=pk_set)]
    else:
        permissions = Permission.objects.filter(pk__in=pk_set).select_related("content_type")
        pairs = [(instance, list(permissions))]
    sign = "+" if action == "post_add" else "-"  # language-neutral: the row is kept as written
    events = UserEvent.objects.bulk_create(
        UserEvent(
            kind=UserEvent.Kind.ROLE_PERMISSIONS,
            role=group.name,
            detail=" ".join(sorted(f"{sign}{_label(p)}" for p in permissions)),
            actor_id=_actor_id(),
        )
        for group, permissions in pairs
    )
    mail_events(events, everywhere=True)


def _label(permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def record_password_set(sender, instance, created, **kwargs):
    """Whoever sets another person's password can sign in as them: keep it, tell them.

    `_password` holds the new password from set_password() until the save is done; a
    sign-in's rehash clears it first. One's own change is not kept, nor a change made
    in a request nobody signed in to (a person proving their mailbox, were there one).
    """
    if created or instance._password is None:
        return
    actor = ACTOR.get()
    if actor is not None and (not actor.is_authenticated or actor.pk == instance.pk):
        return
    event = UserEvent.objects.create(
        user=instance, kind=UserEvent.Kind.PASSWORD_SET, actor_id=_actor_id()
    )
    mail_events([event], person=instance)


def _actor_id():
    actor = ACTOR.get()
    return actor.pk if actor is not None and actor.is_authenticated else None


def remember_superuser(sender, instance, update_fields=None, **kwargs):
    """Before a user is saved, note whether they were a superuser (only if it may change)."""
    if update_fields is not None and "is_superuser" not in update_fields:
        instance._superuser_was = instance.is_superuser  # a sign-in's last_login: no query
        return
    was = sender.objects.filter(pk=instance.pk).values_list("is_superuser", flat=True).first()
    instance._superuser_was = bool(was)


def record_superuser_change(sender, instance, **kwargs):
    """A superuser can do everything in the admin: becoming one is kept like a role."""
    if instance.is_superuser == getattr(instance, "_superuser_was", instance.is_superuser):
        return
    kind = UserEvent.Kind.SUPERUSER_ON if instance.is_superuser else UserEvent.Kind.SUPERUSER_OFF
    event = UserEvent.objects.create(
        user=instance, kind=kind, role="superuser", actor_id=_actor_id()
    )
    instance._superuser_was = instance.is_superuser
    mail_events([event], everywhere=True)


def refuse_log_deletion(sender, instance, **kwargs):
    raise PermissionDenied(NEVER_DELETED)


def connect():
    post_save.connect(record_grant, sender=Membership, dispatch_uid="ppid.role_granted")
    post_delete.connect(record_removal, sender=Membership, dispatch_uid="ppid.role_removed")
    User = get_user_model()
    pre_save.connect(remember_superuser, sender=User, dispatch_uid="ppid.superuser_was")
    post_save.connect(record_superuser_change, sender=User, dispatch_uid="ppid.superuser")
    post_save.connect(record_password_set, sender=User, dispatch_uid="ppid.password_set")
    permissions = Group.permissions.through
    m2m_changed.connect(record_permission_change, sender=permissions, dispatch_uid="ppid.perms")
    pre_delete.connect(refuse_log_deletion, sender=LogEntry, dispatch_uid="ppid.log_kept")
