"""Mail to the next actors, sent only once the step's transaction has committed."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from ..models import Decision, Record
from ..roles import Role


def recipients(roles) -> list[str]:
    users = get_user_model().objects.filter(is_active=True, groups__name__in=list(roles))
    return sorted({u.email for u in users.exclude(email="")})


def send_later(subject_template: str, context: dict, roles) -> None:
    """Queue one mail per recipient, sent only once the transaction has committed."""
    to = recipients(roles)
    if not to:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, "site_url": settings.SITE_URL, "office": settings.PPID_OFFICE_NAME}
        subject = render_to_string(f"dikecualikan/email/{subject_template}_subject.txt", context)
        body = render_to_string(f"dikecualikan/email/{subject_template}.txt", context)
    messages = [(" ".join(subject.split()), body, None, [address]) for address in to]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


def notify(record: Record, event: str, roles) -> None:
    send_later(event, {"record": record}, roles)


def notify_decision(decision: Decision) -> None:
    send_later("published", {"decision": decision}, [Role.DESK, Role.PPID, Role.ATASAN])
