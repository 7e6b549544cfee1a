"""The archive (SOP step 3): softcopies in private storage, hardcopy places.

Softcopies are the withheld information itself. They live in the `private`
storage (a folder with no URL, or a private bucket), under server-made names,
with their SHA-256; no version is ever deleted.
"""

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dikecualikan import office
from dikecualikan.history import NeverDeletedQuerySet, named_then
from dikecualikan.models import AppendOnly, AppendOnlyQuerySet, NeverDeleted, Record
from dikecualikan.office import InOffice, OfficeOwned, office_field


def private_storage():
    return storages["private"]


def softcopy_name(instance, filename):
    # Never the uploaded name: it may reveal the content, and it must not be guessable. Under
    # the office's short name: each office's files apart (the uploader acts for the record's
    # office). Files stored before offices were data stay where they are.
    return f"softcopy/{office.current().slug}/{uuid.uuid4().hex}"


class Softcopy(NeverDeleted):
    """An electronic document of a record; replacing it adds a version."""

    record = models.ForeignKey(
        Record, models.PROTECT, related_name="softcopies", verbose_name=_("record")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = InOffice.through("record__office").from_queryset(NeverDeletedQuerySet)()

    class Meta:
        ordering = ["id"]
        verbose_name = _("softcopy")
        verbose_name_plural = _("softcopies")

    def __str__(self):
        latest = self.latest_version
        return latest.original_name if latest else f"softcopy {self.pk}"

    @property
    def latest_version(self):
        return self.versions.order_by("-number").first()


class SoftcopyVersion(AppendOnly):
    softcopy = models.ForeignKey(
        Softcopy, models.PROTECT, related_name="versions", verbose_name=_("softcopy")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(
        storage=private_storage, upload_to=softcopy_name, max_length=255, editable=False
    )
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    content_type = models.CharField(_("type"), max_length=100, editable=False)
    original_name = models.CharField(_("original name"), max_length=255, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    objects = InOffice.through("softcopy__record__office").from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["softcopy", "number"]
        verbose_name = _("softcopy version")
        verbose_name_plural = _("softcopy versions")
        constraints = [
            models.UniqueConstraint(fields=["softcopy", "number"], name="softcopy_version_unique"),
        ]

    def __str__(self):
        return f"{self.original_name} (v{self.number})"


PLACE_KEPT = _("A place is never renamed: make a new place, and move the records filed here to it.")


class Location(OfficeOwned, NeverDeleted):
    """A physical place the office maintains for hardcopies.

    A place is never renamed: a new name is a new place, and the records filed in the old
    one stay there until they are moved (a history row). Only "in use" changes.
    """

    NAME_FIELDS = ("building", "room", "cabinet", "shelf")
    MUTABLE_FIELDS = ("is_active",)  # all a place may change (the database holds it to that)

    building = models.CharField(_("building"), max_length=200)
    room = models.CharField(_("room"), max_length=200)
    cabinet = models.CharField(_("cabinet"), max_length=100)
    shelf = models.CharField(_("shelf"), max_length=100, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    office = office_field()

    objects = InOffice.from_queryset(NeverDeletedQuerySet)()

    class Meta:
        ordering = ["building", "room", "cabinet", "shelf"]
        verbose_name = _("hardcopy location")
        verbose_name_plural = _("hardcopy locations")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "building", "room", "cabinet", "shelf"],
                name="location_unique_in_office",
            ),
        ]

    def __str__(self):
        return ", ".join(p for p in [self.building, self.room, self.cabinet, self.shelf] if p)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            kept = Location.objects.filter(pk=self.pk).values(*self.NAME_FIELDS).get()
            if any(kept[name] != getattr(self, name) for name in self.NAME_FIELDS):
                raise PermissionDenied(PLACE_KEPT)
        return super().save(*args, **kwargs)


class Placement(AppendOnly):
    """Where a record's hardcopy is filed; the newest row is the current place."""

    record = models.ForeignKey(
        Record, models.PROTECT, related_name="placements", verbose_name=_("record")
    )
    location = models.ForeignKey(
        Location, models.PROTECT, related_name="placements", verbose_name=_("location")
    )
    box = models.CharField(_("box"), max_length=100, blank=True)
    folder = models.CharField(_("folder"), max_length=100, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    placed_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = InOffice.through("record__office").from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("hardcopy place")
        verbose_name_plural = _("hardcopy places")

    def __str__(self):
        extra = ", ".join(p for p in [self.box, self.folder] if p)
        return f"{self.location}" + (f", {extra}" if extra else "")


class AccessLog(AppendOnly):
    """One download of a softcopy: who saw which file, when and why."""

    chained = True
    actor_fields = {"user": ("user_name", "user_role")}

    version = models.ForeignKey(
        SoftcopyVersion, models.PROTECT, related_name="accesses", verbose_name=_("file")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    reason = models.TextField(_("reason for access"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The checksum of what was served, kept even if the file later proves changed.
    sha256 = models.CharField("SHA-256", max_length=64)
    # Who saw it, as they were then: a later renaming of the account rewrites nothing.
    user_name = models.CharField(_("by (name then)"), max_length=200, blank=True)
    user_role = models.CharField(_("roles then"), max_length=200, blank=True)
    chain = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    objects = InOffice.through("version__softcopy__record__office").from_queryset(
        AppendOnlyQuerySet
    )()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_name} {self.version}"

    @property
    def user_then(self) -> str:
        """Who downloaded, with the roles they held then."""
        return named_then(self.user_name, self.user_role)


class CustodyQuerySet(AppendOnlyQuerySet):
    def out(self):
        return self.filter(checked_in_at__isnull=True)

    def overdue(self, today=None):
        return self.out().filter(due_date__lt=today or timezone.localdate())


class Custody(AppendOnly):
    """A hardcopy taken out of its place: by whom, why, until when; and its return.

    The return closes the row once (and is a history row of the record's own).
    """

    chained = True
    closing_fields = ("checked_in_at", "checked_in_by", "checked_in_by_name", "checked_in_by_role")
    actor_fields = {
        "checked_out_by": ("checked_out_by_name", "checked_out_by_role"),
        "checked_in_by": ("checked_in_by_name", "checked_in_by_role"),
    }

    record = models.ForeignKey(
        Record, models.PROTECT, related_name="custody", verbose_name=_("record")
    )
    holder = models.CharField(_("taken by (name)"), max_length=200)
    purpose = models.TextField(_("purpose"))
    due_date = models.DateField(_("due back"))
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    checked_out_at = models.DateTimeField(_("taken out at"), default=timezone.now)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("return recorded by"),
    )
    checked_in_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    checked_out_by_name = models.CharField(_("recorded by (name then)"), max_length=200, blank=True)
    checked_in_by_name = models.CharField(
        _("return recorded by (name then)"), max_length=200, blank=True
    )
    checked_out_by_role = models.CharField(_("roles then"), max_length=200, blank=True)
    checked_in_by_role = models.CharField(_("roles then"), max_length=200, blank=True)
    chain = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    objects = InOffice.through("record__office").from_queryset(CustodyQuerySet)()

    class Meta:
        ordering = ["-checked_out_at", "-id"]
        verbose_name = _("hardcopy custody")
        verbose_name_plural = _("hardcopy custody log")
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=models.Q(checked_in_at__isnull=True),
                name="one_open_custody_per_record",
            ),
        ]

    def __str__(self):
        return f"{self.holder} ({self.checked_out_at:%Y-%m-%d})"

    @property
    def checked_out_then(self) -> str:
        return named_then(self.checked_out_by_name, self.checked_out_by_role)

    @property
    def checked_in_then(self) -> str:
        return named_then(self.checked_in_by_name, self.checked_in_by_role)

    @property
    def is_overdue(self) -> bool:
        return self.checked_in_at is None and self.due_date < timezone.localdate()


class FixityCheck(AppendOnly):
    """The result of re-hashing one stored file (or finding a file nothing knows of)."""

    class Status(models.TextChoices):
        OK = "ok", _("OK")
        CHANGED = "changed", _("Changed")
        MISSING = "missing", _("Missing")
        UNTRACKED = "untracked", _("Untracked file")
        TEMPORARY = "temporary", _("Leftover temporary file")

    run = models.CharField(_("run"), max_length=32, db_index=True)
    version = models.ForeignKey(
        SoftcopyVersion,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="fixity_checks",
        verbose_name=_("file"),
    )
    name = models.CharField(_("stored name"), max_length=255)
    status = models.CharField(_("result"), max_length=16, choices=Status.choices)
    expected_sha256 = models.CharField(_("expected SHA-256"), max_length=64, blank=True)
    actual_sha256 = models.CharField(_("actual SHA-256"), max_length=64, blank=True)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    moved_to = models.CharField(
        _("moved to quarantine as"),
        max_length=500,
        blank=True,
        help_text=_("Where verify_fixity --quarantine put an untracked or leftover file."),
    )

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("fixity check")
        verbose_name_plural = _("fixity checks")

    def __str__(self):
        return f"{self.name}: {self.status}"
