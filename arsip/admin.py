from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from ppid.admin import ForRoleHolders, ReadOnlyMixin

from .models import Custody, FixityCheck, Location, SoftcopyVersion


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    """The places the office maintains; retired ones are marked out of use, never deleted.

    A new name makes a new place: the records filed in the old one keep it until moved.
    """

    list_display = ("building", "room", "cabinet", "shelf", "is_active")
    list_filter = ("is_active", "building")
    search_fields = ("building", "room", "cabinet", "shelf")

    def save_model(self, request, obj, form, change):
        if not (change and set(form.changed_data) & set(Location.NAME_FIELDS)):
            return super().save_model(request, obj, form, change)
        old = Location.objects.get(pk=obj.pk)
        obj.pk, obj._state.adding = None, True
        obj.save()
        message = _(
            "A place is never renamed: “%(new)s” was made as a new place. The records filed "
            "in “%(old)s” stay there until they are moved to it (each record's archive page)."
        )
        self.message_user(request, message % {"new": obj, "old": old}, messages.WARNING)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SoftcopyVersion)
class SoftcopyVersionAdmin(ForRoleHolders, ReadOnlyMixin, admin.ModelAdmin):
    """Metadata only: the files themselves are downloaded through the staff pages, with a reason."""

    list_display = (
        "original_name",
        "softcopy",
        "number",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    list_select_related = ("softcopy", "uploaded_by")
    search_fields = ("original_name", "sha256")
    exclude = ("file",)
    readonly_fields = (
        "softcopy",
        "number",
        "sha256",
        "size",
        "content_type",
        "original_name",
        "uploaded_by",
        "uploaded_at",
    )


@admin.register(Custody)
class CustodyAdmin(ForRoleHolders, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("record", "holder", "checked_out_at", "due_date", "checked_in_at")
    list_filter = (("checked_in_at", admin.EmptyFieldListFilter),)
    list_select_related = ("record",)
    search_fields = ("holder", "purpose")


@admin.register(FixityCheck)
class FixityCheckAdmin(ForRoleHolders, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("checked_at", "name", "status", "version", "run")
    list_filter = ("status",)
    search_fields = ("name", "run")
