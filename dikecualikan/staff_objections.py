"""The staff pages of objections (keberatan) and rulings (/staf/keberatan/).

The desk, the PPID or the Atasan PPID registers an objection; only the Atasan PPID
answers it; a ruling of the Komisi Informasi is recorded on it. Every change goes through
`workflow` (objections.py); the requester's name and contact never leave these pages.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
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
    may_answer = workflow.may_answer(request.user) and answer is None
    answer_form = AnswerForm(prefix="jawaban") if may_answer else None
    may_rule = workflow.may(request.user, "ruling")
    context = {
        "objection": objection,
        "answer": answer,
        "records": objection.records.all(),
        "rulings": objection.rulings.all(),
        "answer_form": answer_form,
        "late": workflow.received_late(objection),
        "ruling_form": RulingForm(prefix="putusan") if may_rule else None,
    }
    with_days_left([objection])
    return render(request, "dikecualikan/objection_detail.html", context)


@role_required(*workflow.ANSWER_ROLES)
@never_cache
def objection_answer(request, pk):
    """The Atasan PPID answers: upheld opens the records, refused keeps them."""
    done, title = _("The answer is recorded."), _("Answer %(objection)s")
    return _objection_step(
        request, pk, AnswerForm, "jawaban", workflow.answer_objection, done, title
    )


@role_required(*workflow.STEPS["ruling"].roles)
@never_cache
def objection_ruling(request, pk):
    """A ruling of the Komisi Informasi (or a court) in the dispute on the objection."""
    done, title = _("The ruling is recorded."), _("Ruling on %(objection)s")
    return _objection_step(request, pk, RulingForm, "putusan", workflow.record_ruling, done, title)


def _objection_step(request, pk, form_class, prefix, step, done, title):
    """A step on one objection with a form and an optional PDF: show it, take it, say why not."""
    objection = get_object_or_404(Objection, pk=pk)
    form = form_class(
        request.POST or None,
        request.FILES or None,
        prefix=prefix,
        refusals=uploads.refusals(request),
    )
    if take_step(request, form, step, done, objection=objection):
        return redirect("dikecualikan:staff-objection", pk=objection.pk)
    context = {"form": form, "title": title % {"objection": objection}, "multipart": True}
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
