"""Mail to the next actors: written to the outbox in the step's transaction, sent by the worker.

Each person is sent to the page where they act: the desk to the record's archive
page, the PPID (and the Atasan PPID) to the staff record page, approvers to the
record's verdict screen in the admin. The mail is plain text: nothing in it is
HTML-escaped.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .. import office, outbox
from ..models import Decision, OutgoingMail, Record
from ..roles import Role, addresses_in, required_approvals


def recipients(roles) -> list[str]:
    """The addresses of the people holding these roles in the acting office, and no other."""
    return sorted({address for found in _addresses(roles).values() for address in found})


def _addresses(roles) -> dict[str, list[str]]:
    """{role: addresses} in the acting office, read at once (roles.addresses_in)."""
    here, roles = office.current(), list(roles)
    found = addresses_in([here], roles)
    return {role: found.get((here.pk, role), []) for role in roles}


def record_page(record: Record, role: str) -> str:
    """The address where someone of this role acts on the record."""
    if role == Role.DESK:
        path = reverse("arsip:record", args=[record.pk])
    elif role in required_approvals():  # the verdict screen
        path = reverse("admin:dikecualikan_record_change", args=[record.pk])
    else:
        path = reverse("dikecualikan:staff-record", args=[record.pk])
    return settings.SITE_URL + path


def staff_page(name: str, *args) -> str:
    """The address of a staff page (they are the deployment's, whichever office acts)."""
    return settings.SITE_URL + reverse(name, args=args)


def send_later(subject_template: str, context: dict, roles, link=None, people=()) -> None:
    """Write one mail per recipient to the outbox; the worker sends them once committed.

    `link(role)` gives the page each role acts on; a person holding two roles gets
    one mail, for the first of them. `people` are addresses mailed besides the roles
    (the person an account change concerns), with no role and no link.
    """
    groups = [*_addresses(roles).items(), (None, people)]
    for mail in _mails(subject_template, context, groups, link):
        outbox.queue(mail.to, mail.subject, mail.body, record=mail.record, decision=mail.decision)


def _mails(subject_template: str, context: dict, groups, link) -> list[OutgoingMail]:
    """The acting office's mails (unsaved) to the addresses of each (role, addresses) group:
    a person in two groups is mailed once, for the first."""
    about = {
        "record": context["record"] if isinstance(context.get("record"), Record) else None,
        "decision": context["decision"] if isinstance(context.get("decision"), Decision) else None,
    }
    sent, mails = set(), []
    for role, addresses in groups:
        to = sorted({address for address in addresses if address and address not in sent})
        if not to:
            continue
        sent.update(to)
        page = {"link": link and role and link(role), "role": role}
        subject, body = _render(subject_template, {**context, **page})
        mails += [OutgoingMail(to=each, subject=subject, body=body, **about) for each in to]
    return mails


def _render(template: str, context: dict) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, "site_url": settings.SITE_URL, "office": office.current().name}
        subject = render_to_string(f"dikecualikan/email/{template}_subject.txt", context)
        body = render_to_string(f"dikecualikan/email/{template}.txt", context)
    return " ".join(subject.split()), body


def notify(record: Record, event: str, roles) -> None:
    send_later(event, {"record": record}, roles, link=lambda role: record_page(record, role))


def notify_decision(decision: Decision, places=None) -> None:
    """Tell the people of the acting office (or of each of these offices, at once: KPU's
    revocation changes a hundred offices' lists) that the decision is on their public DIK."""

    def link(role):
        return settings.SITE_URL + reverse("dikecualikan:staff-decision", args=[decision.pk])

    def context():
        # The decision on the office's own public site (its items there are the office's).
        path = reverse("dikecualikan:decision", args=[decision.pk])
        return {
            "decision": decision,
            "public_link": office.public_url() + path,
        }

    roles = [Role.DESK, Role.PPID, Role.ATASAN]
    if places is None:
        send_later("published", context(), roles, link=link)
        return
    addresses, mails = addresses_in(places, roles), []
    for place in places:
        with office.acting(place):
            groups = [(role, addresses.get((place.pk, role), [])) for role in roles]
            mails += _mails("published", context(), groups, link)
    outbox.queue_many(mails)
