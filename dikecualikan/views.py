from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

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


def admin_login(request):
    """Use the one sign-in page; without a deeper target, sign-in ends on the user's queue."""
    url = reverse("login")
    target = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    if target and safe and target != reverse("admin:index"):
        url += "?" + urlencode({"next": target})
    return redirect(url)
