"""The staff pages of objections (keberatan) and rulings (/staf/keberatan/).

The desk, the PPID or the Atasan PPID registers an objection; only the Atasan PPID
answers it; a ruling of the Komisi Informasi is recorded on it. Every change goes through
`workflow` (objections.py); the requester's name and contact never leave these pages.
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from arsip import uploads
from ppid.access import role_required
from ppid.views import take_step

from . import workdays, workflow
from .forms import AnswerForm, ObjectionForm, RulingForm
from .models import Objection, ObjectionAnswer


def with_days_left(objections, today=None):
    """Add `working_days_left` to each unanswered objection (one calendar for the list)."""
    today = today or timezone.localdate()
    calendar = workdays.Calendar()
    for objection in objections:
        if objection.answer_due >= today:
            objection.working_days_left = workdays.working_days_between(
                today, objection.answer_due, calendar
            )
        else:
            objection.working_days_left = None  # overdue
    return objections


@role_required()
@never_cache
def objection_list(request):
    objections = (
        Objection.objects.select_related("answer").prefetch_related("records").order_by("-id")
    )[:200]
    return render(
        request,
        "dikecualikan/objection_list.html",
        {"objections": with_days_left(list(objections)), "may_enter": _may_enter(request.user)},
    )


def _may_enter(user) -> bool:
    return workflow.may(user, "object")


@role_required(*workflow.STEPS["object"].roles)
@never_cache
def objection_new(request):
    form = ObjectionForm(request.POST or None)
    done = _("The objection is registered; the Atasan PPID answers it within 30 working days.")
    if objection := take_step(request, form, workflow.receive_objection, done):
        return redirect("dikecualikan:staff-objection", pk=objection.pk)
    context = {"form": form, "title": _("Register an objection (keberatan)")}
    return render(request, "dikecualikan/record_form.html", context)


@role_required()
@never_cache
def objection_detail(request, pk):
    objection = get_object_or_404(Objection.objects.select_related("entered_by"), pk=pk)
    answer = ObjectionAnswer.objects.filter(objection=objection).first()
    # Each step is offered once it can happen, to the roles that take it.
    may_rule = workflow.may(request.user, "ruling")
    context = {
        "objection": objection,
        "answer": answer,
        "records": objection.records.all(),
        "rulings": objection.rulings.all(),
        "may_answer": workflow.may_answer(request.user) and answer is None,
        "late": workflow.received_late(objection),
        "may_rule": may_rule and workflow.ruling_unmet(objection) is None,
        "ruling_later": workflow.ruling_unmet(objection) if may_rule else None,
    }
    with_days_left([objection])
    return render(request, "dikecualikan/objection_detail.html", context)


@role_required(*workflow.ANSWER_ROLES)
@never_cache
def objection_answer(request, pk):
    """The Atasan PPID answers: upheld opens the records, refused keeps them."""
    done, title = _("The answer is recorded."), _("Answer %(objection)s")
    objection = get_object_or_404(Objection, pk=pk)
    records = _listed(objection)
    page = {
        "what": [
            _(
                "Upheld: %(records)s are opened on the answer's date; they leave the public DIK "
                "(a new version of the list) and /dibuka/ announces them."
            )
            % {"records": records},
            _(
                "Refused: the exemption stands; the requester may bring a dispute to the "
                "Komisi Informasi within 14 working days of the answer."
            ),
            _("The answer is given once and cannot be changed afterwards."),
        ],
        "told": _(
            "Nobody is mailed: send the answer letter to the requester; an opening is public "
            "on /dibuka/."
        ),
        "submit_label": _("Record the answer"),
    }
    return _objection_step(
        request,
        objection,
        (AnswerForm, "jawaban", workflow.answer_objection, workflow.answer_unmet),
        done,
        title,
        page,
    )


@role_required(*workflow.STEPS["ruling"].roles)
@never_cache
def objection_ruling(request, pk):
    """A ruling of the Komisi Informasi (or a court) in the dispute on the objection."""
    done, title = _("The ruling is recorded."), _("Ruling on %(objection)s")
    objection = get_object_or_404(Objection, pk=pk)
    page = {
        "what": [
            _(
                "A ruling that orders the information opened opens %(records)s on the ruling's "
                "date: they leave the public DIK and /dibuka/ announces them. Only the Atasan "
                "PPID records such a ruling."
            )
            % {"records": _listed(objection)},
            _("A ruling that upholds the exemption is written in the records' history."),
            _("A ruling is recorded once, with its PDF, and cannot be changed afterwards."),
        ],
        "told": _("Nobody is mailed; an opening is public on /dibuka/."),
        "submit_label": _("Record the ruling"),
    }
    step = (RulingForm, "putusan", workflow.record_ruling, workflow.ruling_unmet)
    return _objection_step(request, objection, step, done, title, page)


def _listed(objection) -> str:
    """The objection's records as the confirmation names them: "#3 title, #5 title"."""
    return ", ".join(
        f"#{record.pk} {record.public_title}" for record in objection.records.order_by("pk")
    )


def _objection_step(request, objection, parts, done, title, page):
    """A step on one objection with a form and an optional PDF: show it, take it, say why not.

    The page says what the step does and who is told, and is offered only once the step
    can happen (`unmet`); a post goes on to the workflow, which says why it refuses.
    """
    form_class, prefix, step, unmet = parts
    if request.method != "POST" and (reason := unmet(objection)) is not None:
        messages.error(request, reason)
        return redirect("dikecualikan:staff-objection", pk=objection.pk)
    form = form_class(
        request.POST or None,
        request.FILES or None,
        prefix=prefix,
        refusals=uploads.refusals(request),
        objection=objection,
    )
    if take_step(request, form, step, done, objection=objection):
        return redirect("dikecualikan:staff-objection", pk=objection.pk)
    context = {
        "form": form,
        "title": title % {"objection": objection},
        "multipart": True,
        "back": reverse("dikecualikan:staff-objection", args=[objection.pk]),
        **page,
    }
    return render(request, "dikecualikan/record_form.html", context)


@role_required()
@never_cache
def objection_file(request, pk, kind, item=None):
    """The answer letter or a ruling as PDF, for staff."""
    objection = get_object_or_404(Objection, pk=pk)
    if kind == "jawaban":
        row = get_object_or_404(ObjectionAnswer.objects.exclude(pdf=""), objection=objection)
    elif kind == "putusan":
        row = get_object_or_404(objection.rulings.exclude(pdf=""), pk=item)
    else:
        raise Http404
    name = f"{kind}-keberatan-{objection.pk}.pdf"
    return FileResponse(row.pdf.open("rb"), content_type="application/pdf", filename=name)
