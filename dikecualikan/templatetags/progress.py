"""Where a record is in the SOP, and what happens next: the stepper and the panel.

Who acts comes from the workflow's steps (workflow.next_roles); what they do is
written here once, per state, for the record page and the dashboard alike.
"""

from django import template
from django.utils.translation import gettext_lazy as _

from dikecualikan import workflow
from dikecualikan.models import State, Verdict
from dikecualikan.roles import Role

register = template.Library()

# The SOP's four steps, each reached by the states listed (shared/DOMAIN.md, the SOP).
MILESTONES = [
    (State.COLLECTED, {State.COLLECTED, State.CLASSIFIED, State.AWAITING_APPROVAL, State.RETURNED}),
    (State.APPROVED, {State.APPROVED}),
    (State.ARCHIVED, {State.ARCHIVED, State.REQUESTED, State.LISTED, State.DECIDED}),
    (State.PUBLISHED, {State.PUBLISHED}),
]
# Where the SOP ends otherwise, after the step reached before it.
LATER = {State.REJECTED: 1, State.OPENED: 4}

NEXT_ACTION = {
    State.COLLECTED: _("Classify it: the grounds, the consequence test and the period."),
    State.CLASSIFIED: _(
        "Submit it for approval; or, if the test concludes “terbuka”, close it as open."
    ),
    State.AWAITING_APPROVAL: _("Give the verdicts: approve, return or reject."),
    State.RETURNED: _("Revise the classification as the note says, then submit it again."),
    State.APPROVED: _("Archive it: upload the softcopy, record the hardcopy place, archive."),
    State.ARCHIVED: _("Ask KPU, through KPU Provinsi, for the consequence test and decision."),
    State.REQUESTED: _("KPU decides; record its decision here when it arrives."),
    State.LISTED: _("Archive it (softcopy and hardcopy place), then publish it."),
    State.DECIDED: _("Publish the decision: the item goes on the public DIK."),
    State.PUBLISHED: _(
        "Nothing now: the register watches its period; an objection goes to the Atasan PPID."
    ),
    State.OPENED: _("Nothing: the information is open and is served on request."),
    State.REJECTED: _("Nothing: it is served as ordinary public information."),
}


# Who the states of workflow.WAITING_OUTSIDE wait on.
WAITING_ON = {
    State.REQUESTED: _("KPU (outside the office)"),
    State.PUBLISHED: _("nobody, until the period ends or an objection comes"),
}


@register.inclusion_tag("dikecualikan/includes/stepper.html")
def sop_stepper(record):
    reached = LATER.get(record.state) or next(
        n for n, (_state, states) in enumerate(MILESTONES, 1) if record.state in states
    )
    steps = [
        {
            "number": n,
            "label": state.label,
            "done": n < reached or (n == reached and record.state in LATER),
            "current": n == reached and record.state not in LATER,
        }
        for n, (state, _states) in enumerate(MILESTONES, 1)
    ]
    later = record.get_state_display() if record.state in LATER else ""
    return {"steps": steps, "later": later, "state": record.get_state_display()}


@register.filter
def next_action(state) -> str:
    return NEXT_ACTION.get(state, "")


@register.filter
def who_acts(state) -> str:
    """The roles that act now, as their labels ("PPID", "Pembina PPID dan …")."""
    if state in workflow.WAITING_OUTSIDE:  # the next step waits on someone outside
        return str(WAITING_ON[state])
    labels = [str(Role(role).label) for role in workflow.next_roles(state)]
    return ", ".join(labels) or str(_("nobody"))


@register.inclusion_tag("dikecualikan/includes/next_panel.html")
def next_panel(record):
    returned = None
    if record.state == State.RETURNED:
        returned = record.approvals.filter(verdict=Verdict.RETURN).order_by("-at", "-pk").first()
    return {"record": record, "returned": returned}
