from django.contrib import admin

from ppid.admin import ReadOnlyMixin

from .models import Custody, FixityCheck, Location, SoftcopyVersion


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    """The places the office maintains; retired ones are marked out of use, never deleted."""

    list_display = ("building", "room", "cabinet", "shelf", "is_active")
    list_filter = ("is_active", "building")
    search_fields = ("building", "room", "cabinet", "shelf")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SoftcopyVersion)
class SoftcopyVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
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
class CustodyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("record", "holder", "checked_out_at", "due_date", "checked_in_at")
    list_filter = (("checked_in_at", admin.EmptyFieldListFilter),)
    list_select_related = ("record",)
    search_fields = ("holder", "purpose")


@admin.register(FixityCheck)
class FixityCheckAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("checked_at", "name", "status", "version", "run")
    list_filter = ("status",)
    search_fields = ("name", "run")
