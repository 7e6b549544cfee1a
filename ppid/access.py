"""Who may see the staff pages: the one access check every staff and archive view goes through."""

from functools import wraps

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from dikecualikan import office
from dikecualikan.models import Record
from dikecualikan.roles import ADMIN, administers, has_role, roles_of


def require_role(user, *roles) -> None:
    """Refuse a user who holds none of the roles (any SOP role when none are named)."""
    if not (has_role(user, *roles) if roles else roles_of(user)):
        raise PermissionDenied(_("This page is for the PPID staff who hold a role in the SOP."))


def role_required(*roles):
    """Decorate a view for signed-in users who hold one of the roles (any SOP role if none)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            require_role(request.user, *roles)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def record_for(request, pk) -> Record:
    """Return the record for a user who holds an SOP role, or refuse."""
    require_role(request.user)
    return get_object_or_404(Record, pk=pk)


class OfficeRolesBackend(ModelBackend):
    """What a person may do in the admin: the permissions of the roles they hold in the
    acting office (each role's group lists them), besides their own. A PPID of Pontianak
    signed in while Kubu Raya acts holds no PPID permission there."""

    def _get_group_permissions(self, user_obj):
        held = {*roles_of(user_obj), *([ADMIN] if administers(user_obj) else [])}
        return Permission.objects.filter(group__name__in=held)

    def get_group_permissions(self, user_obj, obj=None):
        _in_acting_office(user_obj)
        return super().get_group_permissions(user_obj, obj)

    def get_all_permissions(self, user_obj, obj=None):
        _in_acting_office(user_obj)
        return super().get_all_permissions(user_obj, obj)


def _in_acting_office(user) -> None:
    """Django keeps a person's permissions on the user object: they are one office's."""
    here = office.current().pk
    if user.__dict__.get("_perm_office") != here:
        user.__dict__.pop("_perm_cache", None)
        user.__dict__.pop("_group_perm_cache", None)
        user._perm_office = here
