from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from .models import Decision
from .workflow import approving_roles_of


def home(request):
    """The public front page: published decisions (the public DIK grows here in a later issue)."""
    decisions = Decision.objects.published().order_by("-date_set", "-id")[:50]
    return render(request, "public/home.html", {"decisions": decisions})


@login_required
def after_login(request):
    """Send approvers to their queue and everyone else to the register."""
    url = reverse("admin:dikecualikan_record_changelist")
    if approving_roles_of(request.user):
        url += "?antrean=saya"
    return redirect(url)
