"""Admin pieces both apps share."""

from django.core.exceptions import SuspiciousOperation, ValidationError
from django.utils.translation import gettext as _

from dikecualikan.roles import roles_of


class ForRoleHolders:
    """Withheld content (internal titles, files and checksums, consequence tests, the
    requesters of objections): only for people who hold an SOP role. A superuser without
    one manages accounts, places and calendars; to read the register they must be given a
    role, and that grant is written in the user history (dikecualikan/signals.py)."""

    def has_module_permission(self, request):
        return bool(roles_of(request.user)) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return bool(roles_of(request.user)) and super().has_view_permission(request, obj)


class CheckedSelection:
    """An admin action on records picked by hand: a selection that names no row is a 400.

    Django's changelist would pass `_selected_action=abc` to the database and answer 500.
    """

    def response_action(self, request, queryset):
        pk = self.model._meta.pk
        try:
            for value in request.POST.getlist("_selected_action"):
                pk.to_python(value)
                pk.run_validators(pk.to_python(value))
        except ValidationError:
            raise SuspiciousOperation(_("The selection names no row of this list.")) from None
        return super().response_action(request, queryset)


class ReadOnlyMixin:
    """No adding, changing or deleting through the admin: views and actions only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
