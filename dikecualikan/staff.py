"""The staff pages (/staf/): what waits for me, the register, a record, and the SOP's forms.

Every view goes through `ppid.access` (`role_required`, `record_for`); every change goes
through `workflow` (by `ppid.views.take_step` for forms), which decides who may do what
in which state. The buttons a record page shows are exactly `workflow.allowed_steps`.
"""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from arsip import uploads
from arsip.models import Custody
from ppid.access import record_for, require_role, role_required
from ppid.forms import sane_date
from ppid.views import confirm_page, take_step

from . import jobs, office, tasks, workdays, workflow
from .documents import late_dik_pdf
from .forms import (
    ClassificationForm,
    DecisionForm,
    DecisionItemForm,
    LinkForm,
    OpenForm,
    RecordFilter,
    RecordForm,
    RedactedCopyForm,
    RequestForm,
    RetestForm,
    WithdrawForm,
)
from .models import (
    Action,
    Approval,
    CollectionPeriod,
    Decision,
    DecisionItem,
    Document,
    Objection,
    OpenReason,
    Record,
    State,
    Transition,
)
from .paging import keyset_page, query_without
from .pdf import pdf_response, render_pdf
from .public import decision_file, test_sheet_file
from .roles import CHOSEN_OFFICE, Role, has_role, offices_of, required_approvals
from .staff_objections import with_days_left


@role_required()
@never_cache
def dashboard(request):
    counts = dict(Record.objects.values_list("state").annotate(n=Count("id")))
    today = timezone.localdate()
    period = CollectionPeriod.objects.current(today)
    calendar = workdays.Calendar()
    days_left = None
    if period and period.collect_by >= today:
        days_left = workdays.working_days_between(today, period.collect_by, calendar)
    late = list(period.late_records().order_by("pk")[:25]) if period else []
    context = {
        "today": today,
        "period": period,
        "days_left": days_left,
        "review": _review_queue(request.user, today, calendar),
        "objections": _open_objections(request.user, today),
        "job_warnings": _job_warnings(request.user),
        "late_pdf": _late_pdf(request.user),
        "late": late,
        "late_ids": {record.pk for record in late},
        "counts": [(state, counts.get(state.value, 0)) for state in State],
        # Everything whose next step is this person's, the earliest deadline first.
        "waiting": workflow.waiting_for(request.user, today),
        # Only KPU decides: what the office has asked and waits for, the oldest first.
        "with_kpu": Record.objects.filter(state=State.REQUESTED).order_by("request_date", "pk")[
            :25
        ],
        "overdue": Custody.objects.overdue().select_related("record").order_by("due_date")[:25],
        # Only the buttons this person's roles can use.
        "may_collect": workflow.may(request.user, "collect"),
        "may_enter_decision": workflow.may(request.user, "enter_decision"),
    }
    return render(request, "dikecualikan/dashboard.html", context)


@login_required
@never_cache
def office_switch(request):
    """The offices where the person holds a role: act for another (staff pages and admin)."""
    places = offices_of(request.user)
    if request.method == "POST":
        chosen = next((p for p in places if p.slug == request.POST.get("office")), None)
        if chosen is None:  # an office where they hold no role: as if it were not there
            messages.error(request, _("You hold no role in that office."))
        else:
            request.session[CHOSEN_OFFICE] = chosen.slug
            messages.success(request, _("You now act for %(office)s.") % {"office": chosen.name})
            return redirect("dikecualikan:dashboard")
    return render(
        request, "dikecualikan/office_switch.html", {"places": places, "here": office.current()}
    )


def _open_objections(user, today):
    """Objections not yet answered, for the Atasan PPID (who answers) and the PPID."""
    if not has_role(user, Role.ATASAN, Role.PPID):
        return []
    pending = Objection.objects.filter(answer__isnull=True).order_by("answer_due", "pk")[:25]
    return with_days_left(list(pending), today)


def _job_warnings(user):
    """The daily jobs that never ran, failed or missed a night, for the Atasan PPID and the PPID."""
    if not has_role(user, Role.ATASAN, Role.PPID):
        return []
    return jobs.warnings()


def _late_pdf(user):
    """The newest DIK version whose PDF the worker has not rendered in time, for the same."""
    if not has_role(user, Role.ATASAN, Role.PPID):
        return None
    return late_dik_pdf()


def _review_queue(user, today, calendar):
    """Published items whose period ends soon (or has ended), for those who may open them."""
    if not workflow.may(user, "open"):
        return []
    queue = list(workflow.due_for_review(today).order_by("ends_on", "pk")[:50])
    for record in queue:
        record.working_days_left = workdays.working_days_between(today, record.ends_on, calendar)
        record.ended = record.ends_on < today
    return queue


@role_required()
@never_cache
def record_list(request):
    form = RecordFilter(request.GET or None)
    records = Record.objects.all()
    descending = True
    if form.is_valid():
        records = records.matching(**form.cleaned_data)
        descending = form.cleaned_data["urut"] != "lama"
    page = keyset_page(
        records.only("title", "public_title", "holding_unit", "state", "updated_at"),
        request.GET,
        descending=descending,
    )
    return render(
        request,
        "dikecualikan/record_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without(request.GET, "setelah", "sebelum", "halaman"),
        },
    )


@login_required
@never_cache
def record_detail(request, pk):
    record = record_for(request, pk)
    timeline = list(Transition.objects.filter(record=record).select_related("actor"))
    context = {
        "record": record,
        "grounds": record.grounds.all(),
        "approvals": Approval.objects.filter(record=record),
        "round_changes": record.round_changes(),
        "timeline": timeline,
        # The nota dinas of the record's latest submission lists what was submitted that day.
        "submitted_on": max(
            (timezone.localdate(row.at) for row in timeline if row.action == Action.SUBMIT),
            default=None,
        ),
        "softcopies": record.softcopies.prefetch_related("versions"),
        "placement": record.placements.select_related("location").first(),
        "custody": record.custody.out().first(),
        "decisions": record.decision_items.select_related("decision").prefetch_related("grounds"),
        "steps": workflow.allowed_steps(record, request.user),
        "objections": with_days_left(list(record.objections.select_related("answer"))),
        "retests": record.retests.select_related("by"),
    }
    return render(request, "dikecualikan/record_detail.html", context)


@role_required(*workflow.STEPS["collect"].roles)
@never_cache
def record_new(request):
    """The DIK form (SOP step 1). A second post of the same form creates nothing more."""
    form = RecordForm(request.POST or None)

    def done(record):
        if getattr(record, "already_sent", False):
            return _("This form was already sent; the record exists once.")
        return _("Record #%(id)s is collected.") % {"id": record.pk}

    fields = [*workflow.RECORD_FIELDS, "token"]
    if record := take_step(request, form, workflow.collect, done, fields=fields):
        return redirect("dikecualikan:staff-record", pk=record.pk)
    return render(
        request,
        "dikecualikan/record_form.html",
        {"form": form, "title": _("New record (DIK form)")},
    )


@login_required
@never_cache
def record_edit(request, pk):
    record = record_for(request, pk)
    if refused := _page_of_step(request, record, "edit"):
        return refused
    form = RecordForm(request.POST or None, instance=Record.objects.get(pk=record.pk))
    fields = (*workflow.RECORD_FIELDS, "version")
    if take_step(
        request, form, workflow.edit, _("The record is saved."), fields=fields, record=record
    ):
        return redirect("dikecualikan:staff-record", pk=record.pk)
    return render(
        request,
        "dikecualikan/record_form.html",
        {"form": form, "record": record, "title": _("Edit record #%(id)s") % {"id": record.pk}},
    )


@login_required
@never_cache
def record_classify(request, pk):
    """Classification and consequence test (SOP step 2)."""
    record = record_for(request, pk)
    if refused := _page_of_step(request, record, "classify"):
        return refused
    form = ClassificationForm(request.POST or None, instance=Record.objects.get(pk=record.pk))
    form.without(request.user)
    done = _("The classification is saved.")
    if take_step(request, form, workflow.classify, done, record=record):
        return redirect("dikecualikan:staff-record", pk=record.pk)
    return render(request, "dikecualikan/record_classify.html", {"form": form, "record": record})


@login_required
@never_cache
def record_submit(request, pk):
    """Confirm, then submit: the classification is frozen for the round's verdicts."""
    approvers = ", ".join(str(Role(role).label) for role in required_approvals())
    done = _("Submitted. Next: %(approvers)s give their verdicts (they are mailed).") % {
        "approvers": approvers
    }
    if request.method == "POST":
        acknowledged = request.POST.get("old_test_acknowledged") == "on"
        return _posted_step(request, pk, workflow.submit, done, old_test_acknowledged=acknowledged)
    record = record_for(request, pk)
    if refused := _not_now(request, record, "submit"):
        return refused
    acknowledge = None
    if workflow.stale_test(record):
        acknowledge = _(
            "I know the consequence test of %(date)s is more than two years old, and submit "
            "it as it is (the Komisi Informasi expects a current test)."
        ) % {"date": date_format(record.test_date, "j F Y")}
    what = [
        _(
            "The classification as it stands now is frozen for round %(round)s: the approvers "
            "judge exactly this, and the record page keeps it."
        )
        % {"round": record.round + 1},
        _("It cannot be edited or classified again until an approver returns it."),
    ]
    return confirm_page(
        request,
        title=_("Submit record #%(id)s for approval") % {"id": record.pk},
        what=what,
        told=approvers,
        button=_("Submit for approval"),
        back=reverse("dikecualikan:staff-record", args=[record.pk]),
        version=record.version,
        final=False,
        acknowledge=acknowledge,
        acknowledge_name="old_test_acknowledged",
    )


def _not_now(request, record, step):
    """Send the person back to the record when the step is not theirs to take now."""
    if step in workflow.allowed_steps(record, request.user):
        return None
    messages.error(request, _("You cannot take this step on this record now."))
    return redirect("dikecualikan:staff-record", pk=record.pk)


def _page_of_step(request, record, step):
    """Refuse at once (the friendly 403) a person whose roles never take this step; show the
    page of a step that cannot happen on this record now only with the reason, on the record.
    A post goes on to the workflow, which says why it refuses (a form opened earlier)."""
    if not workflow.may(request.user, step):
        raise PermissionDenied(_("Your roles do not take this step."))
    return _not_now(request, record, step) if request.method != "POST" else None


@login_required
@never_cache
def record_close_open(request, pk):
    """Confirm, then close: the test concluded "terbuka", the record is open information."""
    record = record_for(request, pk)
    if refused := _page_of_step(request, record, "close_open"):
        return refused
    if request.method == "POST":
        done = _("The record is closed as open information; serve it like any public information.")
        return _posted_step(request, pk, workflow.close_as_open, done)
    what = [
        _(
            "The proposal ends: the record becomes “%(state)s” and is never proposed for "
            "exemption; it is served like any public information."
        )
        % {"state": State.REJECTED.label},
        _("The consequence test that concludes “terbuka” stays on the record."),
    ]
    return confirm_page(
        request,
        title=_("Close record #%(id)s as open information") % {"id": record.pk},
        what=what,
        told=_("Nobody is mailed; the record's history names you."),
        button=_("Close as open information"),
        back=reverse("dikecualikan:staff-record", args=[record.pk]),
        version=record.version,
    )


@login_required
@never_cache
def record_publish_listed(request, pk):
    """Confirm, then publish a record listed under a decision already published."""
    record = record_for(request, pk)
    if refused := _page_of_step(request, record, "publish_listed"):
        return refused
    if request.method == "POST":
        done = _("Published: the record is on the public DIK under its decision.")
        return _posted_step(request, pk, workflow.publish_listed, done)
    what = [
        _("The record goes on the public DIK under %(decision)s, in a new version of the list.")
        % {"decision": workflow.latest_item(record).decision},
    ]
    return confirm_page(
        request,
        title=_("Publish record #%(id)s under its decision") % {"id": record.pk},
        what=what,
        told=_("The public, on the DIK; nobody is mailed."),
        button=_("Publish under its decision"),
        back=reverse("dikecualikan:staff-record", args=[record.pk]),
        version=record.version,
    )


def _posted_step(request, pk, step, done, **extra):
    """A step on one record that needs no more than a click (and the form's version)."""
    record = record_for(request, pk)
    try:
        step(
            record=record,
            by=request.user,
            version=request.POST.get("version"),
            note=request.POST.get("note", ""),
            **extra,
        )
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("dikecualikan:staff-record", pk=record.pk)


# --- Decisions (SOP step 4) and opening ---------------------------------------------------


@role_required()
@never_cache
def decision_list(request):
    # The items of this office only: a decision of KPU may cover other offices' too.
    ours = Count("items", filter=Q(items__record__office=office.current()))
    decisions = Decision.objects.with_publication().annotate(n=ours).order_by("-date_set", "-id")
    decisions = decisions[:200]
    may_enter = workflow.may(request.user, "enter_decision")
    context = {"decisions": decisions, "may_enter": may_enter}
    return render(request, "dikecualikan/decision_list.html", context)


@role_required(*workflow.STEPS["enter_decision"].roles)
@never_cache
def decision_new(request):
    form = DecisionForm(
        request.POST or None, request.FILES or None, refusals=uploads.refusals(request)
    )
    done = _("The decision is entered; add the records it covers.")
    if decision := take_step(request, form, workflow.create_decision, done):
        return redirect("dikecualikan:staff-decision", pk=decision.pk)
    return render(
        request,
        "dikecualikan/record_form.html",
        {"form": form, "title": _("New decision (Keputusan)"), "multipart": True},
    )


@role_required()
@never_cache
def decision_pdf(request, pk):
    """The decision's PDF for staff, published or not yet."""
    decision = get_object_or_404(Decision.objects.exclude(pdf=""), pk=pk)
    return decision_file(decision)


@role_required(*workflow.STEPS["enter_decision"].roles)
@never_cache
def decision_edit(request, pk):
    """Correct a decision before it is published (the log keeps the old values)."""
    decision = get_object_or_404(Decision, pk=pk)
    if (reason := workflow.decision_unmet(decision, "correct")) is not None:
        messages.error(request, reason)
        return redirect("dikecualikan:staff-decision", pk=decision.pk)
    form = DecisionForm(
        request.POST or None,
        request.FILES or None,
        instance=Decision.objects.get(pk=decision.pk),
        refusals=uploads.refusals(request),
    )
    done = _("The decision is corrected.")
    if take_step(request, form, workflow.correct_decision, done, decision=decision):
        return redirect("dikecualikan:staff-decision", pk=decision.pk)
    title = _("Correct %(decision)s") % {"decision": decision}
    context = {"form": form, "title": title, "multipart": True}
    return render(request, "dikecualikan/record_form.html", context)


@role_required()
@never_cache
def decision_detail(request, pk):
    decisions = Decision.objects.with_publication().select_related("body", "revokes")
    decision = get_object_or_404(decisions, pk=pk)
    items = decision.items.select_related("record", "withdrawn_by").prefetch_related("grounds")
    steps = workflow.decision_steps(decision, request.user)
    across = workflow.names_in_offices(decision)  # KPU's revocation in part
    context = {
        "decision": decision,
        "items": items,
        "named_in_offices": workflow.named_in_offices(decision) if across else None,
        "candidates": _candidates(decision) if "decide_exempt" in steps and not across else [],
        "decision_steps": steps,
        "log": decision.log.select_related("actor"),
        "revoked_by": decision.revoked_by.all(),
    }
    return render(request, "dikecualikan/decision_detail.html", context)


def _candidates(decision: Decision):
    """The records this decision may take: requested ones, or those of the decision it revokes."""
    if decision.revokes_id is not None:
        records = Record.objects.filter(state=State.PUBLISHED, published_in=decision.revokes_id)
    else:
        states = workflow.STEPS["decide_exempt"].sources | workflow.STEPS["decide_open"].sources
        records = Record.objects.filter(state__in=states)
    taken = decision.items.active().values("record")
    return records.exclude(pk__in=taken).order_by("pk")[:200]


@role_required(*workflow.STEPS["decide_exempt"].roles)
@never_cache
def decision_add(request, pk, record_pk):
    """Add a record to a decision, with what the decision says of it (prefilled: the proposal)."""
    decision = get_object_or_404(Decision, pk=pk)
    record = record_for(request, record_pk)
    form = DecisionItemForm(
        request.POST or None,
        request.FILES or None,
        record=record,
        decision=decision,
        refusals=uploads.refusals(request),
    )
    done = _("The record is added to the decision.")
    if take_step(request, form, workflow.record_decision, done, decision=decision, record=record):
        return redirect("dikecualikan:staff-decision", pk=decision.pk)
    title = _("Record #%(id)s in %(decision)s") % {"id": record.pk, "decision": decision}
    context = {"form": form, "record": record, "title": title, "multipart": True}
    return render(request, "dikecualikan/record_form.html", context)


@login_required
@require_POST
def record_redacted_copy(request, pk):
    """Upload the redacted public copy of a record of which only a part is withheld."""
    record = record_for(request, pk)
    form = RedactedCopyForm(request.POST, request.FILES, refusals=uploads.refusals(request))
    done = _(
        "The redacted copy is stored. The PPID (not the person who uploaded it) confirms it; "
        "the public may read it once the record is published."
    )
    if stored := take_step(request, form, workflow.upload_redacted_copy, done, record=record):
        for warning in stored.warnings:
            messages.warning(request, warning)
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("dikecualikan:staff-record", pk=record.pk)


@login_required
@never_cache
def record_redacted_file(request, pk):
    """The redacted copy for staff with a role on the record, confirmed or not (to check it)."""
    record = record_for(request, pk)
    if not record.redacted_copy:
        raise Http404
    name = f"salinan-{record.pk}.pdf"
    return FileResponse(
        record.redacted_copy.open("rb"), content_type="application/pdf", filename=name
    )


@login_required
@require_POST
def record_confirm_redaction(request, pk):
    """The PPID confirms the redacted copy: looked at, nothing exempt is readable."""
    done = _("The redacted copy is confirmed; it may be published with the record.")
    return _posted_step(request, pk, workflow.confirm_redaction, done)


@login_required
@never_cache
def record_link(request, pk):
    """List a record under a decision in force: KPU already exempted it (SOP step 1)."""
    record = record_for(request, pk)
    if refused := _page_of_step(request, record, "link"):
        return refused
    form = LinkForm(
        request.POST or None,
        request.FILES or None,
        record=record,
        refusals=uploads.refusals(request),
    )
    done = _("The record is listed under the decision; archive it (step 3) to publish it.")
    if take_step(request, form, workflow.link_record, done, record=record):
        return redirect("dikecualikan:staff-record", pk=record.pk)
    title = _("List record #%(id)s under a decision in force") % {"id": record.pk}
    context = {"form": form, "record": record, "title": title, "multipart": True}
    return render(request, "dikecualikan/record_form.html", context)


@login_required
@never_cache
def record_withdraw(request, pk):
    """Withdraw a record from a decision it was added to by mistake (logged, never deleted)."""
    done = _("The record is withdrawn from the decision; its earlier state is back.")
    title = _("Withdraw record #%(id)s from its decision")
    page = {
        "what": [
            _(
                "The record leaves the decision it was added to by mistake and is back in its "
                "earlier state; the item stays in the history, marked withdrawn, with your reason."
            ),
        ],
        "told": _("Nobody is mailed; the decision's log and the record's history name you."),
        "submit_label": _("Withdraw from the decision"),
    }
    return _record_step(
        request, pk, WithdrawForm, workflow.withdraw_item, done, title, "withdraw", **page
    )


@role_required()
def decision_test_sheet(request, pk, item):
    """KPU's consequence-test sheet of one item, for staff (published or not yet)."""
    item = get_object_or_404(DecisionItem.objects.exclude(test_sheet=""), pk=item, decision=pk)
    return test_sheet_file(item)


@role_required(*workflow.STEPS["publish"].roles)
@never_cache
def decision_publish(request, pk):
    decision = get_object_or_404(Decision, pk=pk)
    if request.method != "POST":
        return _confirm_publication(request, decision)
    try:
        workflow.publish_decision(decision=decision, by=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Published: the decision and its records are on the public DIK.")
        )
    return redirect("dikecualikan:staff-decision", pk=decision.pk)


def _confirm_publication(request, decision):
    if "publish" not in workflow.decision_steps(decision, request.user):
        messages.error(request, _("This decision cannot be published now; its page says why."))
        return redirect("dikecualikan:staff-decision", pk=decision.pk)
    items = decision.items.active()
    if decision.revokes_id:
        what = [
            _("The decision goes on the public site, with its PDF."),
            _("The items it revokes are opened: they leave the DIK, and /dibuka/ lists them."),
        ]
    else:
        what = [
            _("The decision goes on the public site, with its PDF."),
            _("Its %(n)s exempted records go on the public DIK, in a new version of the list.")
            % {"n": items.filter(outcome="exempt").count()},
        ]
    return confirm_page(
        request,
        title=_("Publish %(decision)s") % {"decision": decision},
        what=what,
        told=_("the Desk Pelayanan Informasi, the PPID and the Atasan PPID (by mail)"),
        button=_("Publish the decision"),
        back=reverse("dikecualikan:staff-decision", args=[decision.pk]),
    )


@login_required
@never_cache
def record_open(request, pk):
    """Open a published record: its exemption ended, with the reason and the instrument."""
    done = _("The record is opened and leaves the public DIK; /dibuka/ announces it.")
    final = {
        "submit_label": _("Open the record"),
        "what": [
            _(
                "Opening takes the record off the public DIK (a new version of the list) and "
                "announces it on /dibuka/. It cannot be undone."
            )
        ],
        "told": _("The public, on /dibuka/ and in the DIK's history; nobody is mailed."),
    }
    title = _("Open record #%(id)s")
    return _record_step(request, pk, OpenForm, workflow.open_record, done, title, "open", **final)


@login_required
@never_cache
def record_retest(request, pk):
    """Test a published item again: on a request, during a dispute, in the yearly update."""
    record = record_for(request, pk)
    if refused := _page_of_step(request, record, "retest"):
        return refused
    form = RetestForm(request.POST or None, record=record)
    form.without(request.user)
    done = _("The test is recorded beside the earlier ones.")
    if take_step(request, form, workflow.retest, done, record=record):
        return redirect("dikecualikan:staff-record", pk=record.pk)
    title = _("Test record #%(id)s again") % {"id": record.pk}
    return render(
        request, "dikecualikan/record_form.html", {"form": form, "record": record, "title": title}
    )


@login_required
@never_cache
def record_request(request, pk):
    """Record the letter asking KPU, through KPU Provinsi, to test and decide; where the
    KPU Provinsi uses the register, the request is sent to it there (this record chosen)."""
    if workflow.through_office() is not None:
        record = record_for(request, pk)
        return redirect(f"{reverse('dikecualikan:staff-request-new')}?record={record.pk}")
    done = _("The request to KPU is recorded; the record waits for KPU's decision.")
    title = _("Request KPU's decision on record #%(id)s")
    page = {
        "what": [
            _(
                "The record becomes “%(state)s”: it waits for KPU's decision, which only KPU "
                "gives; you record it here when it arrives."
            )
            % {"state": State.REQUESTED.label},
            _("The letter's number and date go into the record's history for good."),
        ],
        "told": _("Nobody is mailed: the letter goes to KPU through KPU Provinsi as you send it."),
        "submit_label": _("Request KPU's decision"),
    }
    return _record_step(
        request, pk, RequestForm, workflow.request_decision, done, title, "request", **page
    )


def _record_step(request, pk, form_class, step, done, title, name, **page):
    """A step on one record with a form of its own: show it, take it, or show why not."""
    record = record_for(request, pk)
    if refused := _page_of_step(request, record, name):
        return refused
    initial = {"version": record.version}
    if "reason" in form_class.base_fields and request.GET.get("alasan") in OpenReason.values:
        initial["reason"] = request.GET["alasan"]  # from the review queue: declared open
    form = form_class(request.POST or None, initial=initial, record=record)
    if take_step(request, form, step, done, record=record):
        return redirect("dikecualikan:staff-record", pk=record.pk)
    context = {"form": form, "record": record, "title": title % {"id": record.pk}, **page}
    return render(request, "dikecualikan/record_form.html", context)


@login_required
def consequence_test_pdf(request, pk):
    """The consequence-test sheet the participants sign (an internal document)."""
    record = record_for(request, pk)
    participants = workflow.participants_of(record.test_participants)
    # The sheet carries the test's own date, never the day it is printed.
    data = render_pdf("pdf/consequence_test.html", {"record": record, "participants": participants})
    return pdf_response(data, f"uji-konsekuensi-{record.pk}.pdf")


@role_required()
def submission_memo_pdf(request):
    """Ask for the nota dinas asking the approvers to approve one day's submissions."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("tanggal") or str(timezone.localdate()))
    except ValueError:
        day = None
    if day is None or not sane_date(day):
        messages.error(request, _("Give the date of the submission as YYYY-MM-DD."))
        return redirect("dikecualikan:dashboard")
    with translation.override("id"):  # the office's papers are named in Indonesian
        title = f"Nota dinas pengajuan {date_format(day, 'j F Y')}"
    return ask_for_document(request, Document.Kind.SUBMISSION_MEMO, {"day": str(day)}, title)


@role_required()
def period_dik_pdf(request, pk):
    """Ask for the DIK form of a collection period: every record collected in it, any number."""
    period = get_object_or_404(CollectionPeriod, pk=pk)
    title = f"Usulan DIK periode {period.name}"
    return ask_for_document(request, Document.Kind.PERIOD_DIK, {"period": period.pk}, title)


def ask_for_document(request, kind, params, title):
    """Ask the worker for a document (POST), or show what would be asked for (GET).

    Either way nobody waits for a render: the person goes to their documents page, where
    it shows its progress and, once ready, its download.
    """
    require_role(request.user, *tasks.ROLES[kind])
    if request.method != "POST":
        return render(request, "dikecualikan/document_ask.html", {"title": title})
    document, new = tasks.ask_for(request.user, kind, params, title)
    if new:
        messages.success(
            request,
            _(
                "%(title)s is being prepared. It appears below when it is ready; you can go on "
                "working meanwhile."
            )
            % {"title": title},
        )
    else:
        messages.info(request, _("%(title)s is already being prepared.") % {"title": title})
    return redirect("dikecualikan:documents")


@role_required()
@never_cache
def documents(request):
    """The documents this person asked for: their progress, and a download once ready."""
    mine = list(Document.objects.filter(requested_by=request.user)[:30])
    working = any(document.status in Document.WORKING for document in mine)
    for document in mine:  # one that failed or was removed can be asked for again here
        if document.status in (Document.Status.FAILED, Document.Status.EXPIRED):
            document.again = ask_url(document)
    context = {
        "documents": mine,
        "working": working,
        "document_days": settings.PPID_DOCUMENT_DAYS,
    }
    return render(request, "dikecualikan/documents.html", context)


def ask_url(document) -> str:
    """The address that asks for this document again, with its parameters."""
    params, kind = document.params, Document.Kind
    if document.kind == kind.PERIOD_DIK:
        return reverse("dikecualikan:staff-period-dik-pdf", args=[params["period"]])
    if document.kind == kind.SUBMISSION_MEMO:
        return f"{reverse('dikecualikan:staff-submission-memo-pdf')}?tanggal={params['day']}"
    query = urlencode({**{k: v for k, v in params.items() if v}, "format": "pdf"})
    return f"{reverse('arsip:access-report')}?{query}"


@role_required()
def document_file(request, pk):
    """A prepared document, to the person who asked for it while they hold its roles."""
    document = get_object_or_404(Document, pk=pk, requested_by=request.user)
    require_role(request.user, *tasks.ROLES[document.kind])
    if document.status != Document.Status.READY:
        messages.error(request, _("This document is not ready to download."))
        return redirect("dikecualikan:documents")
    response = FileResponse(
        storages["private"].open(document.file, "rb"),
        as_attachment=True,
        filename=document.file.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
