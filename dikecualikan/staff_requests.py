"""The staff pages of requests to KPU through KPU Provinsi (/staf/permintaan/), and of
KPU's revocation in part naming the items it opens in every office.

The office's PPID sends one letter for its archived records; the PPID of its KPU Provinsi
reads the public fields and the consequence test, and forwards the request to KPU or
returns it with a note; KPU's PPID sees what was forwarded from every province, with the
working days it has waited. Each office reads only the requests that concern it
(DecisionRequest.objects): another's is a 404. Every change goes through `workflow`.
"""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ppid.access import role_required
from ppid.views import take_step

from . import office, workdays, workflow
from .forms import (
    DecideRequestForm,
    ForwardRequestForm,
    ItemsInOfficesForm,
    ReturnRequestForm,
    SendRequestForm,
    WithdrawInOfficesForm,
)
from .models import Decision, DecisionRequest, RequestEvent, State
from .roles import Role, has_role


def with_days_waiting(requests, today=None):
    """Add `days_waiting`: the working days since the request reached the acting office."""
    today = today or timezone.localdate()
    calendar = workdays.Calendar()
    for request in requests:
        reached = request.forwarded_at if request.addressed_to_id == office.current().pk else None
        since = timezone.localdate(reached or request.sent_at)
        request.days_waiting = workdays.working_days_between(since, today, calendar)
    return requests


@role_required()
@never_cache
def request_list(request):
    here = office.current()
    requests = DecisionRequest.objects.select_related("office", "via")
    context = {
        "waiting": with_days_waiting(
            list(workflow.waiting_here().select_related("office", "via")[:200])
        ),
        "sent": list(requests.filter(office=here).order_by("-sent_at", "-pk")[:200]),
        "answered": list(
            requests.exclude(office=here)
            .exclude(pk__in=workflow.waiting_here().values("pk"))
            .order_by("-sent_at", "-pk")[:200]
        ),
        "may_send": workflow.through_office() is not None and has_role(request.user, Role.PPID),
    }
    return render(request, "dikecualikan/request_list.html", context)


@role_required(Role.PPID)
@never_cache
def request_new(request):
    via = workflow.through_office()
    if via is None:
        return render(request, "dikecualikan/request_new.html", {"via": None})
    form = SendRequestForm(request.POST or None, initial={"records": request.GET.getlist("record")})
    done = _("The request is sent to %(via)s; its records wait there for the decision.")
    if sent := take_step(request, form, workflow.send_request, done % {"via": via.name}):
        return redirect("dikecualikan:staff-request", pk=sent.pk)
    page = {
        "title": _("Send a request to KPU"),
        "back": reverse("dikecualikan:staff-requests"),
        "what": [
            _(
                "The records chosen move to “%(state)s” and wait for KPU's decision; only "
                "%(via)s can return them to you, with a note."
            )
            % {"state": State.REQUESTED.label, "via": via.name},
            _("%(via)s reads their public fields and consequence test, never a file.")
            % {"via": via.name},
        ],
        "told": _("The PPID of %(via)s, by mail and on the dashboard.") % {"via": via.name},
        "submit_label": _("Send the request"),
    }
    return render(request, "dikecualikan/record_form.html", {"form": form, **page})


@role_required()
@never_cache
def request_detail(request, pk):
    found = get_object_or_404(DecisionRequest.objects, pk=pk)
    return _page(request, found)


@role_required(Role.PPID)
@never_cache
def request_forward(request, pk):
    found = get_object_or_404(DecisionRequest.objects, pk=pk)
    page = {
        "title": _("Forward %(request)s to KPU") % {"request": found},
        "what": [
            _("The request goes to KPU with your cover letter; KPU tests and decides it."),
            _("Its records stay with KPU; the office cannot be given them back from here."),
        ],
        "told": _("The PPID of %(office)s and KPU's PPID, by mail.") % {"office": found.office},
        "submit_label": _("Forward to KPU"),
    }
    done = _("The request is forwarded to KPU.")
    return _answer(request, found, ForwardRequestForm, workflow.forward_request, done, page)


@role_required(Role.PPID)
@never_cache
def request_return(request, pk):
    found = get_object_or_404(DecisionRequest.objects, pk=pk)
    page = {
        "title": _("Return %(request)s to the office") % {"request": found},
        "what": [
            _(
                "Its records go back to the office's PPID, archived, with your note on top; "
                "the office may send them again in a new letter."
            ),
        ],
        "told": _("The PPID of %(office)s, by mail.") % {"office": found.office},
        "submit_label": _("Return the request"),
    }
    done = _("The request is returned; its records are back with the office's PPID.")
    return _answer(request, found, ReturnRequestForm, workflow.return_request, done, page)


@role_required(Role.PPID)
@never_cache
def request_decide(request, pk):
    """KPU decides a forwarded request, once, for the office that sent it (or the KPU
    Provinsi decides a request sent to it, where KPU's delegation is in force for it)."""
    found = get_object_or_404(DecisionRequest.objects, pk=pk)
    records = workflow.requested_records(found)
    form = DecideRequestForm(request.POST or None, records=records)
    words = _decider_words(found)
    done = words["done"]
    if request.method == "POST" and form.is_valid():
        arguments = {"decision": form.cleaned_data["decision"], "outcomes": form.outcomes()}
        step = workflow.decide_request
        if take_step(request, form, step, done, fields=[], asked=found, **arguments):
            return redirect("dikecualikan:staff-request", pk=found.pk)
    page = {
        "title": words["title"],
        "back": reverse("dikecualikan:staff-request", args=[found.pk]),
        "what": [
            _(
                "Each record moves, in the register of %(office)s, to decided (exempt) or to "
                "opened (open); the decision's period and grounds are written on it."
            )
            % {"office": found.office},
            _("%(office)s then publishes the decision for its own list.")
            % {"office": found.office},
        ],
        "told": _("The PPID of %(office)s, by mail.") % {"office": found.office},
        "submit_label": words["button"],
    }
    return render(request, "dikecualikan/record_form.html", {"form": form, **page})


def _decider_words(found) -> dict:
    """The decide page's words: KPU's, or the KPU Provinsi's deciding by delegation."""
    here = office.current()
    if found.via_id != here.pk:
        return {
            "title": _("KPU's decision on %(request)s") % {"request": found},
            "button": _("Record KPU's decision"),
            "done": _("KPU's decision is recorded; %(office)s publishes it for its list.")
            % {"office": found.office},
        }
    return {
        "title": _("The decision of %(body)s on %(request)s")
        % {"body": here.name, "request": found},
        "button": _("Record the decision of %(body)s") % {"body": here.name},
        "done": _("The decision of %(body)s is recorded; %(office)s publishes it for its list.")
        % {"body": here.name, "office": found.office},
    }


def _answer(request, found, form_class, step, done, page):
    """The KPU Provinsi's answer to a request, on its own page: what happens, who is told."""
    form = form_class(request.POST or None)
    if take_step(request, form, step, done, asked=found):
        return redirect("dikecualikan:staff-request", pk=found.pk)
    back = reverse("dikecualikan:staff-request", args=[found.pk])
    return render(request, "dikecualikan/record_form.html", {"form": form, "back": back, **page})


def _page(request, found):
    """The request's page: its letters, its records as the offices upward read them, this
    office's own register of its steps, and the answers its KPU Provinsi may give now."""
    here = office.current()
    context = {
        "found": found,
        "ours": found.office_id == here.pk,
        "records": workflow.requested_records(found),
        "events": RequestEvent.objects.filter(request=found).select_related("acting_for"),
        # Exactly the answers the workflow would take from this person now.
        "steps": workflow.request_steps(found, request.user),
        "decide_label": _decider_words(found)["button"],
    }
    return render(request, "dikecualikan/request_detail.html", context)


@role_required(Role.PPID)
@never_cache
def decision_open_in_offices(request, pk):
    """KPU's revocation in part: its PPID names the published items of every office it opens."""

    def page(decision, form):
        what = [
            _(
                "The items published under %(revoked)s in every office. Each item chosen is "
                "written in its office's register; it opens there, on this decision's date, "
                "when you publish this decision."
            )
            % {"revoked": decision.revokes},
        ]
        if len(form.fields["records"].choices) >= workflow.REVOCABLE_SHOWN:
            what.append(
                _("The first %(count)s are listed: name them, and the next ones are listed after.")
                % {"count": workflow.REVOCABLE_SHOWN}
            )
        return {
            "title": _("Items %(decision)s opens") % {"decision": decision},
            "what": what,
            "told": _("Each office's PPID, by mail, when this decision is published."),
            "submit_label": _("Name these items"),
        }

    done = _("The items are named; they open in their offices when the decision is published.")
    step = workflow.open_in_offices
    return _in_offices(request, pk, ItemsInOfficesForm, workflow.revocable, step, done, page)


@role_required(Role.PPID)
@never_cache
def decision_withdraw_in_offices(request, pk):
    """KPU's revocation in part: its PPID withdraws items named by mistake, before publishing."""

    def page(decision, form):
        return {
            "title": _("Withdraw items from %(decision)s") % {"decision": decision},
            "what": [
                _(
                    "Each item chosen leaves this decision, marked withdrawn with your reason "
                    "in its office's history; it stays on that office's list and may be named "
                    "again."
                ),
            ],
            "told": _("Nobody: the decision is not published yet."),
            "submit_label": _("Withdraw these items"),
        }

    done = _("The items are withdrawn from the decision; they stay on their offices' lists.")
    rows, step = workflow.named_in_offices, workflow.withdraw_in_offices
    return _in_offices(request, pk, WithdrawInOfficesForm, rows, step, done, page)


def _in_offices(request, pk, form_class, rows, step, done, page):
    """A page of KPU's revocation in part acting on items of every office (`rows(decision)`
    lists them), on its own page: what happens, who is told."""
    decision = get_object_or_404(Decision.objects.select_related("revokes", "body"), pk=pk)
    back = reverse("dikecualikan:staff-decision", args=[decision.pk])
    if not workflow.names_in_offices(decision):
        return redirect(back)
    form = form_class(request.POST or None, rows=rows(decision))
    if take_step(request, form, step, done, decision=decision):
        return redirect(back)
    context = {"form": form, "back": back, **page(decision, form)}
    return render(request, "dikecualikan/record_form.html", context)
