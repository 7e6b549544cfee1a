"""The approvers' screens (Pembina PPID, Tim Pertimbangan, Atasan PPID).

Everything here is read-only: the only way to change a record is an action,
and every action calls `dikecualikan.workflow`, so the admin cannot bypass the
SOP. Nothing can be deleted.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from arsip.models import Placement, Softcopy
from ppid import second_factor
from ppid.admin import CheckedSelection, ForRoleHolders, ReadOnlyMixin

from . import office, outbox, workflow
from .models import (
    PARTICIPANT_FIELDS,
    TEST_FIELDS,
    Approval,
    CapChange,
    CollectionPeriod,
    ConsequenceTest,
    DecidingBody,
    DecidingBodyChange,
    Decision,
    DecisionItem,
    ExemptionGround,
    Objection,
    ObjectionAnswer,
    Office,
    OfficeDay,
    OfficeHost,
    OutgoingMail,
    Record,
    Ruling,
    RulingBody,
    RulingBodyChange,
    Transition,
    UserEvent,
    Verdict,
)
from .roles import (
    Membership,
    Role,
    administers,
    approving_roles_of,
    has_role,
    parse_approvals,
)
from .templatetags.filters import lines_as_list


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False
    # Real column headers, no empty ones, and "None yet" for an empty table.
    template = "admin/edit_inline/read_only.html"
    # The header of a first column that names each row (the row's own words), or None.
    row_header = None


@admin.display(description=_("by"))
def actor_then(row):
    """Who acted, as they were then: the name and roles kept with the history row."""
    return row.actor_then


@admin.display(description=_("state"))
def state_change(row):
    """The state before and after, by their labels; a step that kept it says so once."""
    if row.from_state == row.to_state:
        return _("%(state)s (unchanged)") % {"state": row.get_to_state_display()}
    if not row.from_state:
        return row.get_to_state_display()
    return f"{row.get_from_state_display()} → {row.get_to_state_display()}"


class TransitionInline(ReadOnlyInline):
    model = Transition
    # Each row reads "Diklasifikasi oleh Budi Santoso (PPID)", then when, the states by
    # their labels, the note and the instrument.
    row_header = _("What happened")
    fields = ("at", state_change, "note", "instrument")
    readonly_fields = fields
    verbose_name_plural = _("History")


class ApprovalInline(ReadOnlyInline):
    model = Approval
    fields = ("round", "role", "user_name", "verdict", "note", "at")
    readonly_fields = fields


@admin.display(description=_("added on"))
def added_on(item):
    """When the record was added to the decision (the model field has no label of its own)."""
    return date_format(timezone.localtime(item.added_at), "DATETIME_FORMAT")


class DecisionItemInline(ReadOnlyInline):
    model = DecisionItem
    fields = ("decision", "outcome", added_on, "withdrawn_at")
    readonly_fields = fields


class SoftcopyInline(ReadOnlyInline):
    model = Softcopy
    fields = ("versions_summary",)
    readonly_fields = ("versions_summary",)

    @admin.display(description=_("Versions"))
    def versions_summary(self, obj):
        return format_html_join(
            "<br>",
            "v{}: {} ({} bytes, SHA-256 <code>{}</code>)",
            ((v.number, v.original_name, v.size, v.sha256) for v in obj.versions.all()),
        )


class PlacementInline(ReadOnlyInline):
    model = Placement
    fields = ("placed_at", "location", "box", "folder", "placed_by")
    verbose_name_plural = _("Hardcopy places (newest first)")


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "antrean"

    def lookups(self, request, model_admin):
        return [("saya", _("Awaiting my verdict")), ("semua", _("All records"))]

    def queryset(self, request, queryset):
        if self.value() == "saya":
            return queryset.awaiting_verdict_of(request.user)
        return queryset

    def choices(self, changelist):
        # No unfiltered "All" link: for approvers the bare list redirects to their queue.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class GroundFilter(admin.SimpleListFilter):
    """The ten letters of Pasal 17 (a-j), not all 38 grounds: short enough for a phone."""

    title = _("exemption ground")
    parameter_name = "pasal17"

    def lookups(self, request, model_admin):
        top = ExemptionGround.objects.filter(parent__isnull=True)
        return [(g.code, f"{g.code}: {Truncator(g.label).words(6)}") for g in top]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(grounds__code__startswith=self.value()).distinct()
        return queryset


class VerdictForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 60})
    )
    # The record's version when the approver read it: a change since then is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    # What the note is for, and what happens next, in the words of each verdict.
    HELP = {
        Verdict.APPROVE: _(
            "Optional. Once every required approval is in, the desk archives the record "
            "and the PPID asks KPU to decide."
        ),
        Verdict.RETURN: _(
            "Say what the PPID should change (grounds, test, period): the record goes back "
            "to the PPID, who submits it again for a new round."
        ),
        Verdict.REJECT: _(
            "Say why the information should not be withheld. Rejecting is final: the record "
            "is not proposed, and the information is open public information."
        ),
    }
    CONFIRM = {
        Verdict.APPROVE: _("Approve"),
        Verdict.RETURN: _("Return to the PPID"),
        Verdict.REJECT: _("Reject for good"),
    }

    def __init__(self, *args, verdict, **kwargs):
        super().__init__(*args, **kwargs)
        self.verdict = verdict
        self.fields["note"].required = verdict in workflow.NOTE_REQUIRED
        self.fields["note"].help_text = self.HELP[verdict]


VERDICT_FUNCTIONS = {
    Verdict.APPROVE: workflow.approve,
    Verdict.RETURN: workflow.return_for_revision,
    Verdict.REJECT: workflow.reject,
}


@admin.register(Record)
class RecordAdmin(ForRoleHolders, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "title", "state", "waiting", "round", "holding_unit")
    list_display_links = ("id", "title")
    list_filter = (QueueFilter, "state", "holding_unit", GroundFilter)
    search_fields = ("title", "public_title", "holding_unit")
    date_hierarchy = "created_at"
    list_per_page = 50
    # No verdict from the list: an approver opens the record, reads it, then judges it.
    actions = None
    change_form_template = "admin/dikecualikan/record/change_form.html"
    inlines = [
        ApprovalInline,
        TransitionInline,
        SoftcopyInline,
        PlacementInline,
        DecisionItemInline,
        type(
            "RetestInline",
            (ReadOnlyInline,),
            {
                "model": ConsequenceTest,
                "fields": ("test_date", "occasion", "test_conclusion", "scope_unchanged", "by"),
            },
        ),
    ]
    main_fields = (
        "state",
        "round",
        "progress",
        "title",
        "public_title",
        "holding_unit",
        "document_type",
        "created_by",
        "created_at",
    )
    classification_fields = (
        "round_changes",
        "exemption_scope",
        "withheld_part",
        "ground_list",
        *TEST_FIELDS,
        *PARTICIPANT_FIELDS,
        "period",
        "ends_on",
    )
    fieldsets = [
        (None, {"fields": main_fields}),
        (_("Classification and consequence test"), {"fields": classification_fields}),
    ]
    readonly_fields = main_fields + classification_fields

    @admin.display(description=_("exemption grounds"))
    def ground_list(self, obj):
        return format_html_join("<br>", "{}", ((str(g),) for g in obj.grounds.all()))

    @admin.display(description=_("changed since the round before"))
    def round_changes(self, obj):
        """What the PPID did with the last round's notes, field by field."""
        changes = obj.round_changes()
        if not changes:
            return "—"
        return format_html_join(
            "",
            "<div><strong>{}</strong>: <del>{}</del> → <ins>{}</ins></div>",
            ((label, lines_as_list(old), lines_as_list(new)) for label, old, new in changes),
        )

    @admin.display(description=_("approvals in this round"))
    def progress(self, obj):
        return format_html_join(
            " · ",
            "{}: {}/{}",
            ((str(label), n, needed) for label, n, needed in obj.approval_progress()),
        )

    @admin.display(description=_("exemption period"))
    def period(self, obj):
        return obj.period_display

    def get_queryset(self, request):
        # Annotated before the ordering is applied: the queue is ordered by the wait.
        records = self.model._default_manager.with_state_since()
        return records.order_by(*(self.get_ordering(request) or ()))

    def get_ordering(self, request):
        # The queue: the longest wait first, as on the staff dashboard.
        if request.GET.get(QueueFilter.parameter_name) == "saya":
            return ("state_since", "pk")
        return super().get_ordering(request)

    @admin.display(description=_("waiting"), ordering="state_since")
    def waiting(self, obj):
        """How long the record has been in its present state, with the date as a tooltip."""
        since = timezone.localtime(obj.state_since)
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            since.isoformat(),
            date_format(since, "DATETIME_FORMAT"),
            timesince(since, depth=1),
        )

    def changelist_view(self, request, extra_context=None):
        # Approvers land on their own queue; the filter can be cleared.
        if request.method == "GET" and not request.GET and approving_roles_of(request.user):
            return redirect(reverse("admin:dikecualikan_record_changelist") + "?antrean=saya")
        if request.GET.get(QueueFilter.parameter_name) == "saya":
            extra_context = {**(extra_context or {}), "title": _("My approval queue")}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        steps = workflow.allowed_steps(record, request.user) if record else []
        verdicts = [v for v in Verdict if v.value in steps]
        extra = {
            # "Entri #22 — judul", one heading (Django's would be "View record" over the name).
            "title": _("Record #%(id)s — %(title)s") % {"id": record.pk, "title": record.title}
            if record
            else None,
            "subtitle": None,
            "verdicts": verdicts,
            "record_version": record.version if record else None,
            "round_verdicts": record.approvals.filter(round=record.round) if record else [],
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def get_urls(self):
        verdict = path(
            "<path:object_id>/putusan/<str:verdict>/",
            self.admin_site.admin_view(self.verdict_view),
            name="dikecualikan_record_verdict",
        )
        return [verdict, *super().get_urls()]

    def verdict_view(self, request, object_id, verdict):
        """Confirm one verdict on one record, with its note, then call the workflow."""
        record = self.get_object(request, object_id)
        if record is None or verdict not in Verdict.values:
            raise Http404
        # The same door as the record's own page: no role, no record (not even its title).
        if not self.has_view_or_change_permission(request, record):
            raise PermissionDenied
        verdict = Verdict(verdict)
        if request.method != "POST" and verdict.value not in workflow.allowed_steps(
            record, request.user
        ):
            # Offered only where the workflow would take it (a verdict given already, a
            # record no longer waiting): back to the record, saying why. A post goes to the
            # workflow, whose refusal says exactly what changed.
            self.message_user(
                request, _("You cannot give this verdict on this record now."), messages.ERROR
            )
            return redirect("admin:dikecualikan_record_change", record.pk)
        initial = {"version": request.GET.get("versi") or record.version}
        form = VerdictForm(request.POST or None, verdict=verdict, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                VERDICT_FUNCTIONS[verdict](
                    record=record, by=request.user, note=data["note"], version=data["version"]
                )
            except workflow.WorkflowError as error:
                self.message_user(request, format_html("#{}: {}", record.pk, error), messages.ERROR)
                return redirect("admin:dikecualikan_record_change", record.pk)
            self.message_user(
                request,
                _("%(verdict)s: record #%(id)s.") % {"verdict": verdict.label, "id": record.pk},
                messages.SUCCESS,
            )
            return redirect("admin:dikecualikan_record_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Confirm: %(verdict)s") % {"verdict": verdict.label},
            "opts": self.model._meta,
            "form": form,
            "verdict": verdict,
            "confirm_label": form.CONFIRM[verdict],
            "record": record,
        }
        return TemplateResponse(request, "admin/dikecualikan/record/verdict.html", context)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("number", "issuer", "date_set", "title", "published_at")
    list_filter = ("issuer", "year", ("published_at", admin.EmptyFieldListFilter))
    search_fields = ("number", "title")
    readonly_fields = (
        "body",
        "issuer",
        "number",
        "year",
        "title",
        "date_set",
        "place",
        "signatory",
        "pdf",
        "revokes",
        "revokes_whole",
        "published_at",
        "published_by",
    )
    fields = readonly_fields
    inlines = [
        type(
            "ItemInline",
            (ReadOnlyInline,),
            {
                "model": DecisionItem,
                "fields": ("item", "outcome", "period_display", added_on, "withdrawn_at"),
                "readonly_fields": ("item", "outcome", "period_display", added_on, "withdrawn_at"),
                # A decision is public, and so is what it lists: the public title, never
                # the internal one (this page is open to accounts without an SOP role).
                "item": admin.display(description=_("information"))(
                    lambda self, item: f"#{item.record_id} {item.record.public_title}"
                ),
            },
        )
    ]


@admin.register(ExemptionGround)
class ExemptionGroundAdmin(admin.ModelAdmin):
    """The law's grounds; their period caps (Pasal 20) change only by a superuser, logged."""

    list_display = ("code", "label_id", "label_en", "max_years")
    search_fields = ("code", "label_id", "label_en")
    readonly_fields = ("code", "parent", "label_id", "label_en")
    inlines = [
        type(
            "CapChangeInline",
            (ReadOnlyInline,),
            {"model": CapChange, "fields": ("at", "actor", "old_years", "new_years")},
        )
    ]

    def has_add_permission(self, request):
        return False  # the law's list is loaded by a migration

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser  # a cap bounds every PPID's classification

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        old = ExemptionGround.objects.get(pk=obj.pk).max_years
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if old != obj.max_years:
                CapChange.objects.create(
                    ground=obj, old_years=old, new_years=obj.max_years, actor=request.user
                )


@admin.register(RulingBody)
class RulingBodyAdmin(admin.ModelAdmin):
    """The bodies that rule in a dispute: the law's list, kept true by a superuser, logged."""

    list_display = ("name", "instance", "basis")
    fields = ("name", "instance", "basis")
    inlines = [
        type(
            "RulingBodyChangeInline",
            (ReadOnlyInline,),
            {"model": RulingBodyChange, "fields": ("at", "actor", "changes")},
        )
    ]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser  # a ruling's body is law, not the office's choice

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        old = RulingBody.objects.filter(pk=obj.pk).values(*self.fields).first() or {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changes = {
                name: [old.get(name), getattr(obj, name)]
                for name in self.fields
                if old.get(name) != getattr(obj, name)
            }
            if changes:
                RulingBodyChange.objects.create(body=obj, changes=changes, actor=request.user)


@admin.register(OfficeDay)
class OfficeDayAdmin(admin.ModelAdmin):
    """The office's corrections of the working-day calendar (the holidays package is the rest)."""

    list_display = ("date", "kind", "name", "basis")
    list_filter = ("kind",)
    date_hierarchy = "date"


@admin.register(DecidingBody)
class DecidingBodyAdmin(admin.ModelAdmin):
    """The bodies that may decide are law, not the office's choice (DOMAIN.md section 6):
    every role may read the list, only a superuser keeps it true, and each change is logged."""

    list_display = ("name", "kind", "province", "decides_from", "basis", "by_delegation")
    fields = DecidingBody.LOGGED_FIELDS
    autocomplete_fields = ("home_office",)  # one of 553: found by name or short name
    inlines = [
        type(
            "DecidingBodyChangeInline",
            (ReadOnlyInline,),
            {"model": DecidingBodyChange, "fields": ("at", "actor", "changes")},
        )
    ]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        before = DecidingBody.objects.get(pk=obj.pk) if obj.pk else None
        changes = {
            name: [_plain(getattr(before, name)) if before else None, _plain(getattr(obj, name))]
            for name in DecidingBody.LOGGED_FIELDS
            if before is None or getattr(before, name) != getattr(obj, name)
        }
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if changes:
                DecidingBodyChange.objects.create(body=obj, changes=changes, actor=request.user)


def _plain(value):
    """A logged value as JSON keeps it: a date as ISO text, an office by its short name."""
    if isinstance(value, models.Model):
        return str(getattr(value, "slug", value.pk))
    return value.isoformat() if hasattr(value, "isoformat") else value


class OfficeForm(forms.ModelForm):
    def clean_approvals(self):
        try:
            parse_approvals(self.cleaned_data["approvals"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        return self.cleaned_data["approvals"]


class OfficeHostInline(admin.TabularInline):
    model = OfficeHost
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    """The 553 offices come from Kemendagri's region codes (dikecualikan/data/offices.csv): none
    is added or deleted here. An office's administrator keeps its identity (name, contacts,
    logo, time zone); the deployment's administrators (superusers) every office's, and alone
    its approvals and whether it uses the register. Django's admin log records each change."""

    form = OfficeForm
    list_display = ("name", "kind", "province", "slug", "time_zone", "in_service")
    list_filter = ("in_service", "kind", "time_zone", "province")
    search_fields = ("name", "slug", "code", "region")
    readonly_fields = ("kind", "code", "slug", "region", "province", "parent")
    fieldsets = (
        (None, {"fields": ("name", "kind", "code", "slug", "region", "province", "parent")}),
        (
            _("Identity on its pages and papers"),
            {"fields": ("place", "address", "phone", "email", "logo", "ppid_name", "time_zone")},
        ),
        (_("The register"), {"fields": ("approvals", "in_service")}),
    )

    def get_queryset(self, request):
        offices = super().get_queryset(request).select_related("parent")
        # An office's administrator keeps their own office's identity, and sees no other.
        return offices if request.user.is_superuser else offices.filter(pk=office.current().pk)

    def get_inlines(self, request, obj):
        # A subsite's name is also the server's (ALLOWED_HOSTS, DNS, certificate): the
        # deployment's administrators keep them.
        return [OfficeHostInline] if request.user.is_superuser else []

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        # The approvals quorum and taking part in the register: the deployment's decision.
        return (*self.readonly_fields, "approvals", "in_service")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        mine = obj is None or obj.pk == office.current().pk
        return mine and administers(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UserEvent)
class UserEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The register's history of users: who granted or removed which role, and when."""

    list_display = ("at", "user_name", "kind", "role_display", "detail", "by")
    list_filter = ("kind", "role")
    search_fields = ("user_name", "actor_name", "role", "detail")
    date_hierarchy = "at"

    @admin.display(description=_("role"))
    def role_display(self, obj):
        return obj.role_label


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ForRoleHolders, ReadOnlyMixin, admin.ModelAdmin):
    """The outbox, read-only: who was told what, when, and what failed (sent by the worker)."""

    list_display = ("created_at", "to", "subject", "status", "attempts", "sent_at")
    list_filter = ("status",)
    search_fields = ("to", "subject")
    date_hierarchy = "created_at"
    list_select_related = ("record", "decision")
    actions = ["send_again"]

    @admin.action(description=_("Send the failed mails again"))
    def send_again(self, request, queryset):
        # Those who see failed mails on their dashboard (the PPID, the Atasan PPID) resend.
        if not has_role(request.user, Role.PPID, Role.ATASAN):
            raise PermissionDenied
        failed = list(queryset.filter(status=OutgoingMail.Status.FAILED))
        for mail in failed:
            outbox.send_again(mail)
        self.message_user(
            request,
            _("%(n)s mail(s) put back in the queue; the worker tries them again now.")
            % {"n": len(failed)},
        )


@admin.register(Transition)
class TransitionAdmin(ForRoleHolders, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "record", "action", state_change, actor_then)
    list_filter = ("action", "to_state")
    list_select_related = ("record", "actor")
    search_fields = ("record__title", "note", "instrument")
    date_hierarchy = "at"


@admin.register(CollectionPeriod)
class CollectionPeriodAdmin(admin.ModelAdmin):
    """The PPID sets the rounds of SOP step 1 and their deadline; none is ever deleted."""

    list_display = ("name", "starts_on", "collect_by")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Objection)
class ObjectionAdmin(ForRoleHolders, ReadOnlyMixin, admin.ModelAdmin):
    """Objections are registered and answered on the staff pages; here they are read."""

    list_display = ("id", "received_on", "request_reference", "answer_due")
    date_hierarchy = "received_on"
    inlines = [
        type(
            "AnswerInline",
            (ReadOnlyInline,),
            {"model": ObjectionAnswer, "fields": ("outcome", "number", "answered_on", "reasons")},
        ),
        type(
            "RulingInline",
            (ReadOnlyInline,),
            {"model": Ruling, "fields": ("body_name", "number", "ruled_on", "opens")},
        ),
    ]


# The second factor is managed through the audited reset below, never by editing devices:
# django-otp's own device admins would show each person's TOTP secret.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)

admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(CheckedSelection, GroupAdmin):
    """The SOP's roles are groups by name: a role is never renamed or deleted here."""

    def get_readonly_fields(self, request, obj=None):
        return ("name",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    """A person's roles, each in an office: adding or deleting a row grants or removes it
    (the user history keeps both, and the office's Atasan PPID is mailed).

    The deployment's administrators (superusers) see and give roles in every office; an
    office's administrator only in their own office, and never the administrator role."""

    model = Membership
    fields = ("office", "role", "since")
    readonly_fields = ("since",)
    extra = 0

    def get_autocomplete_fields(self, request):
        return ("office",) if request.user.is_superuser else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "office" and not request.user.is_superuser:
            # Their own office, and only it: sent with the row (so that a role held twice is
            # refused with a message, as for a superuser), never chosen.
            here = office.acting_office()
            kwargs.update(
                queryset=Office.objects.filter(pk=here.pk),
                initial=here.pk,
                widget=forms.HiddenInput,
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        rows = Membership.objects.select_related("office").order_by("office__code", "role")
        return rows if request.user.is_superuser else rows.filter(office=office.acting_office())

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [("", "---------"), *Role.choices]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(get_user_model())
class StaffUserAdmin(CheckedSelection, UserAdmin):
    """Accounts. A password set here, a reset and an enrolment code are in the user history.

    Roles are held in offices (the inline below), not in Django's groups: a group is only
    the list of what its role may do (Admin → Roles). An office's administrator sees the
    people who hold roles in their office and nowhere else (someone who also works for
    another office, or a superuser, is the deployment's administrators' to change), and
    never makes anyone a superuser."""

    inlines = [MembershipInline]
    list_filter = ("is_staff", "is_superuser", "is_active")  # not groups: roles are per office
    fieldsets = tuple(
        (name, {**options, "fields": tuple(f for f in options["fields"] if f != "groups")})
        for name, options in UserAdmin.fieldsets
    )
    office_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.office_fieldsets
        return super().get_fieldsets(request, obj)

    def get_queryset(self, request):
        people = super().get_queryset(request)
        if request.user.is_superuser:
            return people
        here = office.acting_office()
        elsewhere = Membership.objects.exclude(office=here).values("user")
        return (
            people.filter(is_superuser=False, memberships__office=here)
            .exclude(pk__in=elsewhere)
            .distinct()
        )

    actions = ["reset_second_factor", "make_enrolment_code"]

    @admin.action(
        description=_("Reset the second factor (they set it up again with an enrolment code)"),
        permissions=["change"],
    )
    def reset_second_factor(self, request, queryset):
        made = [(user, *second_factor.reset(user=user, by=request.user)) for user in queryset]
        return self._show_codes(request, made)

    @admin.action(
        description=_("Make an enrolment code (to set up a second factor)"),
        permissions=["change"],
    )
    def make_enrolment_code(self, request, queryset):
        enrolled = TOTPDevice.objects.filter(confirmed=True).values("user")
        for user in queryset.filter(pk__in=enrolled):
            self.message_user(
                request,
                _("%(person)s has a second factor already: reset it if it is lost.")
                % {"person": user},
                messages.WARNING,
            )
        made = [
            (user, *second_factor.make_enrolment_code(user=user, by=request.user))
            for user in queryset.exclude(pk__in=enrolled)
        ]
        return self._show_codes(request, made) if made else None

    def _show_codes(self, request, made):
        """The codes, this once: only their hashes are kept."""
        context = {
            **self.admin_site.each_context(request),
            "title": _("Enrolment codes"),
            "opts": self.opts,
            "made": made,
        }
        return TemplateResponse(request, "admin/auth/user/enrolment_codes.html", context)
