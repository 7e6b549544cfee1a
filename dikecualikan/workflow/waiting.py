"""What waits for whom: who takes the next step, and what it is ("Menunggu saya").

One set of rules for the record page's panel (`next_steps`, one record), the dashboard's
list (`waiting_for`, one person) and the header's count (`waiting_count`, one query):

    a record        the roles of the step that moves it on (STEPS, via next_roles)
    a verdict       each approver who may still judge it this round
    an objection    unanswered: the Atasan PPID answers it, by its answer_due
    the review      a published item whose period ends soon: the PPID declares it open or
                    tests it again, by its end date
    a decision      entered, not yet published, with items: whoever publishes (the record
                    page of a decided record points to it)
    a failed mail   the outbox gave up on it: the PPID and the Atasan PPID, who read why
                    in the outbox
    a request       another office's request to KPU: the PPID of the KPU Provinsi it was
                    sent to forwards or returns it; KPU's PPID, once forwarded, decides it

Ordered by deadline, earliest first; what has none comes after, the longest wait first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import office
from ..models import (
    CollectionPeriod,
    Decision,
    DecisionItem,
    DecisionRequest,
    Objection,
    OutgoingMail,
    Record,
    State,
)
from ..roles import Role, approving_roles_of, has_role, roles_of
from ..workdays import review_window_end
from .objections import ANSWER_ROLES
from .requests import waiting_here
from .steps import STEPS, WAITING_OUTSIDE, latest_item, next_roles, waiting_states

S = State
# The review queue is the PPID's: it declares an item open early, or tests it again.
REVIEW_ROLES = (Role.PPID,)
RECORD_KINDS = ("record", "verdict", "review")
# The outbox shows the mail it gave up on to these roles (models.OutgoingMail).
MAIL_ROLES = (Role.PPID, Role.ATASAN)

NEXT_ACTION = {
    S.COLLECTED: _("Classify it: the grounds, the consequence test and the period."),
    S.CLASSIFIED: _(
        "Submit it for approval; or, if the test concludes “terbuka”, close it as open."
    ),
    S.AWAITING_APPROVAL: _("Give the verdicts: approve, return or reject."),
    S.RETURNED: _("Revise the classification as the note says, then submit it again."),
    S.APPROVED: _("Archive it: upload the softcopy, record the hardcopy place, archive."),
    S.ARCHIVED: _("Ask KPU, through KPU Provinsi, for the consequence test and decision."),
    S.REQUESTED: _("KPU decides; record its decision here when it arrives."),
    S.LISTED: _("Archive it (softcopy and hardcopy place), then publish it."),
    S.DECIDED: _("Publish the decision: the item goes on the public DIK."),
    S.PUBLISHED: _(
        "Nothing now: the register watches its period; an objection goes to the Atasan PPID."
    ),
    S.OPENED: _("Nothing: the information is open and is served on request."),
    S.REJECTED: _("Nothing: it is served as ordinary public information."),
}

# Who the states of WAITING_OUTSIDE wait on, when nobody in the office has a step.
WAITING_ON = {
    S.REQUESTED: _("KPU (outside the office)"),
    S.PUBLISHED: _("nobody, until the period ends or an objection comes"),
}


@dataclass
class Waiting:
    """One thing that waits: on whom (`roles`), what they do, on what, and by when."""

    kind: str  # record, verdict, review, objection, decision, mail, request
    roles: tuple[str, ...]
    what: str
    subject: object  # the Record, Objection, Decision or OutgoingMail
    deadline: datetime.date | None = None
    since: datetime.datetime | None = None
    outside: str = ""  # who outside the office acts, when no role of it does

    @property
    def title(self) -> str:
        """The record's internal title (staff pages), or the objection's or decision's name."""
        if self.kind in RECORD_KINDS:
            return self.subject.title
        if self.kind == "mail":
            return self.subject.subject
        return str(self.subject)

    @property
    def who(self) -> str:
        labels = [str(Role(role).label) for role in self.roles]
        return ", ".join(labels) or str(self.outside or _("nobody"))

    def order(self) -> tuple:
        far = datetime.date.max
        since = self.since or timezone.now()
        return (self.deadline is None, self.deadline or far, since)


def review_end(today: datetime.date) -> datetime.date:
    """The review window's last day for today, read once per day and process (the header
    counts the queue on every staff page; the calendar's table changes rarely)."""
    key = f"waiting:review-end:{office.cache_part()}:{today.isoformat()}"  # its own calendar
    end = cache.get(key)
    if end is None:
        end = review_window_end(today)
        cache.set(key, end, 600)
    return end


def _in_review(record: Record, today: datetime.date) -> bool:
    return (
        record.state == S.PUBLISHED
        and record.ends_on is not None
        and record.ends_on <= review_end(today)
    )


def _review_item(record: Record, today: datetime.date) -> Waiting:
    if record.ends_on < today:
        what = _("Its period has ended: open it (the register does so in its daily run).")
    else:
        what = _("Its period ends soon: declare it open now, or test it again.")
    return Waiting("review", REVIEW_ROLES, what, record, deadline=record.ends_on)


def _objection_item(objection: Objection) -> Waiting:
    what = _("Answer the objection: uphold it (the records are opened) or refuse it.")
    return Waiting(
        "objection",
        tuple(ANSWER_ROLES),
        what,
        objection,
        deadline=objection.answer_due,
        since=objection.entered_at,
    )


def _decision_item(decision: Decision) -> Waiting:
    what = _("Publish the decision: its records go on the public DIK.")
    return Waiting(
        "decision", tuple(sorted(STEPS["publish"].roles)), what, decision, since=decision.created_at
    )


def _mail_item(mail: OutgoingMail) -> Waiting:
    what = _(
        "This mail to %(to)s was not sent: the outbox says why; check the address, tell the person."
    ) % {"to": mail.to}
    return Waiting("mail", MAIL_ROLES, what, mail, since=mail.last_attempt_at or mail.created_at)


def _request_item(request: DecisionRequest) -> Waiting:
    if request.state == DecisionRequest.State.SENT:
        what = _("Forward the request to KPU with a cover letter, or return it with a note.")
        since = request.sent_at
    else:
        what, since = _("Test and decide the records of this request (KPU)."), request.forwarded_at
    return Waiting("request", (Role.PPID,), what, request, since=since)


def _record_item(record: Record, roles, deadline=None) -> Waiting:
    kind = "verdict" if record.state == S.AWAITING_APPROVAL else "record"
    what = NEXT_ACTION[record.state]
    if record.state == S.DECIDED:
        what = _("Publish it under its decision, which is already published.")
    return Waiting(kind, tuple(roles), what, record, deadline=deadline, since=record.updated_at)


def _collect_by(record: Record, period: CollectionPeriod | None):
    """A record still collected in the running period is classified by its deadline."""
    collected = timezone.localdate(record.created_at)
    if period and record.state == S.COLLECTED and collected >= period.starts_on:
        return period.collect_by
    return None


def next_steps(record: Record, today: datetime.date | None = None) -> list[Waiting]:
    """Return who acts next on this record and what they do (empty: nobody in the office).

    A published record may wait on two people at once: the Atasan PPID for an objection's
    answer and the PPID for its review.
    """
    today = today or timezone.localdate()
    state = record.state
    if state == S.DECIDED:
        item = latest_item(record)
        if item is not None and not item.decision.is_published:
            return [_decision_item(item.decision)]
        return [_record_item(record, STEPS["publish_listed"].roles)]
    if state == S.PUBLISHED:
        found = [
            _objection_item(objection)
            for objection in record.objections.filter(answer__isnull=True).order_by(
                "answer_due", "pk"
            )
        ]
        if _in_review(record, today):
            found.append(_review_item(record, today))
        return found
    if state in WAITING_OUTSIDE:
        return [Waiting("record", (), NEXT_ACTION[state], record, outside=WAITING_ON[state])]
    roles = next_roles(state)
    if not roles:
        return []
    deadline = _collect_by(record, CollectionPeriod.objects.current(today))
    return [_record_item(record, sorted(roles), deadline)]


def nobody_waits(record: Record) -> str:
    """What the panel says when no step waits on anyone: why nothing happens now."""
    return str(WAITING_ON.get(record.state) or _("nobody"))


def _queues(user, today: datetime.date) -> dict:
    """Return {kind: queryset} of what waits for this user (the rules above, as queries)."""
    if not roles_of(user):
        return {}
    states = waiting_states(user) - {S.DECIDED}
    mine = models.Q(state__in=states)
    if has_role(user, *STEPS["publish_listed"].roles):
        # Decided under a decision already published: published on its own (publish_listed).
        published_item = DecisionItem.objects.active().filter(
            record=models.OuterRef("pk"), decision__published_at__isnull=False
        )
        mine |= models.Q(models.Exists(published_item), state=S.DECIDED)
    queues = {"record": Record.objects.filter(mine)}
    if approving_roles_of(user):
        queues["verdict"] = Record.objects.awaiting_verdict_of(user)
    if has_role(user, *REVIEW_ROLES):
        queues["review"] = Record.objects.on_dik().filter(ends_on__lte=review_end(today))
    if has_role(user, *ANSWER_ROLES):
        queues["objection"] = Objection.objects.filter(answer__isnull=True)
    if has_role(user, *STEPS["publish"].roles):
        queues["decision"] = ready_to_publish()
    if has_role(user, Role.PPID):
        queues["request"] = waiting_here()
    if has_role(user, *MAIL_ROLES):
        queues["mail"] = OutgoingMail.objects.filter(status=OutgoingMail.Status.FAILED)
    return queues


def ready_to_publish():
    """Decisions entered and not yet published that have something to publish."""
    items = DecisionItem.objects.active().filter(decision=models.OuterRef("pk"))
    # Not yet published by this office: each office publishes a decision for its own items.
    return Decision.objects.exclude(pk__in=Decision.objects.published().values("pk")).filter(
        models.Q(models.Exists(items)) | models.Q(revokes_whole=True)
    )


def waiting_for(user, today: datetime.date | None = None, limit: int = 50) -> list[Waiting]:
    """Return what waits for this user, the earliest deadline first (a fixed number of queries)."""
    today = today or timezone.localdate()
    queues = _queues(user, today)
    if not queues:
        return []
    found = []
    period = CollectionPeriod.objects.current(today) if "record" in queues else None
    for record in queues["record"].order_by("updated_at", "pk")[:limit]:
        roles = roles_of(user) & set(next_roles(record.state))
        if record.state == S.DECIDED:
            roles = roles_of(user) & STEPS["publish_listed"].roles
        found.append(_record_item(record, sorted(roles), _collect_by(record, period)))
    if "verdict" in queues:
        verdicts = queues["verdict"].order_by("updated_at", "pk")[:limit]
        found += [_record_item(record, approving_roles_of(user)) for record in verdicts]
    if "review" in queues:
        found += [
            _review_item(r, today) for r in queues["review"].order_by("ends_on", "pk")[:limit]
        ]
    if "objection" in queues:
        pending = queues["objection"].order_by("answer_due", "pk")[:limit]
        found += [_objection_item(objection) for objection in pending]
    if "decision" in queues:
        decisions = queues["decision"].order_by("created_at", "pk")[:limit]
        found += [_decision_item(decision) for decision in decisions]
    if "request" in queues:
        found += [_request_item(request) for request in queues["request"][:limit]]
    if "mail" in queues:
        failed = queues["mail"].order_by("last_attempt_at", "pk")[:limit]
        found += [_mail_item(mail) for mail in failed]
    return sorted(found, key=Waiting.order)[:limit]


class _Count(models.Subquery):
    """How many rows a queryset holds, as one column of an outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = models.IntegerField()
    empty_result_set_value = 0  # a queue that cannot hold anything (no state of the person's)


def waiting_count(user, today: datetime.date | None = None) -> int:
    """Return how many things wait for this user, in one query (the header's count)."""
    queues = _queues(user, today or timezone.localdate())
    if not queues:
        return 0
    counts = {kind: _Count(queryset.values("pk")) for kind, queryset in queues.items()}
    people = get_user_model().objects.filter(pk=user.pk)
    return sum(people.annotate(**counts).values_list(*counts).get())
