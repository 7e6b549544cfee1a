"""Who may see the staff pages: the one access check every staff and archive view goes through."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from dikecualikan.models import Record
from dikecualikan.roles import has_role, roles_of


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
