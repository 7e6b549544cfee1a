"""The staff pages of requests to KPU through KPU Provinsi (/staf/permintaan/).

The office's PPID sends one letter for its archived records; the PPID of its KPU Provinsi
reads the public fields and the consequence test, and forwards the request to KPU or
returns it with a note; KPU's PPID sees what was forwarded from every province, with the
working days it has waited. Each office reads only the requests that concern it
(DecisionRequest.objects): another's is a 404. Every change goes through `workflow`.
"""

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ppid.access import role_required
from ppid.views import take_step

from . import office, workdays, workflow
from .forms import ForwardRequestForm, ReturnRequestForm, SendRequestForm
from .models import DecisionRequest, RequestEvent
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
    chosen = request.GET.getlist("record")
    form = SendRequestForm(request.POST or None, initial={"records": chosen})
    via = workflow.through_office()
    done = _("The request is sent to %(via)s; its records wait there for the decision.") % {
        "via": via.name if via else ""
    }
    if sent := take_step(request, form, workflow.send_request, done):
        return redirect("dikecualikan:staff-request", pk=sent.pk)
    context = {"form": form, "via": via}
    return render(request, "dikecualikan/request_new.html", context)


@role_required()
@never_cache
def request_detail(request, pk):
    found = get_object_or_404(DecisionRequest.objects, pk=pk)
    return _page(request, found)


@role_required(Role.PPID)
@require_POST
def request_forward(request, pk):
    done = _("The request is forwarded to KPU.")
    return _answer(request, pk, ForwardRequestForm, workflow.forward_request, done)


@role_required(Role.PPID)
@require_POST
def request_return(request, pk):
    done = _("The request is returned; its records are back with the office's PPID.")
    return _answer(request, pk, ReturnRequestForm, workflow.return_request, done)


def _answer(request, pk, form_class, step, done):
    """The KPU Provinsi's answer to a request: taken, or its page again with the reasons."""
    found = get_object_or_404(DecisionRequest.objects, pk=pk)
    form = form_class(request.POST)
    if take_step(request, form, step, done, asked=found):
        return redirect("dikecualikan:staff-request", pk=found.pk)
    name = "forward_form" if form_class is ForwardRequestForm else "return_form"
    return _page(request, found, **{name: form})


def _page(request, found, **refused):
    """The request's page: its letters, its records as the offices upward read them, this
    office's own register of its steps, and the answers its KPU Provinsi may give now (a
    refused form again, with its reasons)."""
    here = office.current()
    may_answer = (
        found.via_id == here.pk
        and found.state == DecisionRequest.State.SENT
        and has_role(request.user, Role.PPID)
    )
    context = {
        "found": found,
        "ours": found.office_id == here.pk,
        "records": workflow.requested_records(found),
        "events": RequestEvent.objects.filter(request=found).select_related("acting_for"),
        # A refused form shows with its reasons, whoever sent it.
        "forward_form": refused.get("forward_form") or (may_answer and ForwardRequestForm()),
        "return_form": refused.get("return_form") or (may_answer and ReturnRequestForm()),
    }
    return render(request, "dikecualikan/request_detail.html", context)
