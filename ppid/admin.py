"""Admin pieces both apps share."""


class ReadOnlyMixin:
    """No adding, changing or deleting through the admin: views and actions only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
