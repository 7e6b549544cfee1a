from django.contrib import admin

from dikecualikan.admin import ReadOnlyMixin

from .models import Location, SoftcopyVersion


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
