"""Where a record is in the SOP, and what happens next: the stepper and the panel.

Who acts and what they do come from the workflow (workflow.next_steps), the same rules
that fill the dashboard's "Menunggu saya".
"""

from django import template
from django.utils import timezone

from dikecualikan import workflow
from dikecualikan.models import State, Verdict
from dikecualikan.roles import has_role

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


@register.inclusion_tag("dikecualikan/includes/next_panel.html", takes_context=True)
def next_panel(context, record):
    """Who acts next and what, with the way to it for the person who does."""
    returned = None
    if record.state == State.RETURNED:
        returned = record.approvals.filter(verdict=Verdict.RETURN).order_by("-at", "-pk").first()
    user = context["request"].user
    steps = [(step, has_role(user, *step.roles)) for step in workflow.next_steps(record)]
    return {
        "record": record,
        "returned": returned,
        "steps": steps,
        "nobody": workflow.nobody_waits(record),
        "what": workflow.NEXT_ACTION.get(record.state, ""),
        "today": timezone.localdate(),
    }
