"""The transition table of the SOP, who may take which step, the row lock and the history row.

Every step module of the workflow builds on these: `check_step` (state and role against
STEPS), `lock_record` (the row lock, and stale forms refused), `move` (the history row
and the saved state).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..history import lock_chains
from ..models import Action, Outcome, Record, State, Transition
from ..office import current as current_office
from ..roles import Role, has_role, required_approvals

S = State
APPROVERS = "approvers"  # stands for the roles the acting office's approvals name
SYSTEM = "system"  # the register itself (manage.py review_due), never a person
# The PPID of the KPU Provinsi a request travels through: another office's person, whose
# role is checked in their own office (workflow/requests.py), never offered as a button here.
THROUGH = "through"


@dataclass(frozen=True)
class Step:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the state does not change
    roles: frozenset[str] | str


def _step(action, sources, target, roles):
    return Step(
        action,
        frozenset(sources),
        target,
        roles if roles in (APPROVERS, SYSTEM, THROUGH) else frozenset(roles),
    )


BEFORE_ARCHIVE = [S.COLLECTED, S.CLASSIFIED, S.AWAITING_APPROVAL, S.RETURNED, S.APPROVED, S.LISTED]
AFTER_ARCHIVE = [S.ARCHIVED, S.REQUESTED, S.DECIDED, S.PUBLISHED, S.OPENED]
STEPS: dict[str, Step] = {
    "collect": _step(Action.COLLECT, [], S.COLLECTED, [Role.DESK, Role.PPID]),
    "edit": _step(
        Action.EDIT, [S.COLLECTED, S.CLASSIFIED, S.RETURNED], None, [Role.DESK, Role.PPID]
    ),
    "classify": _step(
        Action.CLASSIFY, [S.COLLECTED, S.CLASSIFIED, S.RETURNED], S.CLASSIFIED, [Role.PPID]
    ),
    "submit": _step(Action.SUBMIT, [S.CLASSIFIED], S.AWAITING_APPROVAL, [Role.PPID]),
    # A test that concludes "terbuka" ends the proposal: the information is open.
    "close_open": _step(Action.CLOSE_OPEN, [S.CLASSIFIED], S.REJECTED, [Role.PPID]),
    # Already exempted by a decision in force (SOP step 1): listed under it, no proposal.
    "link": _step(Action.LINK, [S.COLLECTED], S.LISTED, [Role.DESK, Role.PPID]),
    "approve": _step(Action.APPROVE, [S.AWAITING_APPROVAL], S.APPROVED, APPROVERS),
    "return": _step(Action.RETURN, [S.AWAITING_APPROVAL], S.RETURNED, APPROVERS),
    "reject": _step(Action.REJECT, [S.AWAITING_APPROVAL], S.REJECTED, APPROVERS),
    "upload": _step(Action.UPLOAD, BEFORE_ARCHIVE, None, [Role.DESK, Role.PPID]),
    # After archiving, a softcopy may still be replaced by a new version (the old one stays).
    "upload_version": _step(
        Action.UPLOAD, [*BEFORE_ARCHIVE, *AFTER_ARCHIVE], None, [Role.DESK, Role.PPID]
    ),
    "place": _step(Action.PLACE, [*BEFORE_ARCHIVE, *AFTER_ARCHIVE], None, [Role.DESK, Role.PPID]),
    "check_out": _step(
        Action.CHECK_OUT, [*BEFORE_ARCHIVE, *AFTER_ARCHIVE], None, [Role.DESK, Role.PPID]
    ),
    "check_in": _step(
        Action.CHECK_IN, [*BEFORE_ARCHIVE, *AFTER_ARCHIVE], None, [Role.DESK, Role.PPID]
    ),
    # An item listed under a decision in force is archived too; it is then decided.
    # A partially exempted record's redacted copy: a public file, until it is opened.
    "redact": _step(
        Action.REDACT,
        [*BEFORE_ARCHIVE, S.ARCHIVED, S.REQUESTED, S.DECIDED, S.PUBLISHED],
        None,
        [Role.DESK, Role.PPID],
    ),
    # The PPID confirms the redacted copy before it is published, never its own upload: a
    # copy that still shows the exempt part discloses it for good (DOMAIN.md section 4).
    "confirm_redaction": _step(
        Action.CONFIRM_REDACTION,
        [*BEFORE_ARCHIVE, S.ARCHIVED, S.REQUESTED, S.DECIDED, S.PUBLISHED],
        None,
        [Role.PPID],
    ),
    "archive": _step(Action.ARCHIVE, [S.APPROVED, S.LISTED], S.ARCHIVED, [Role.DESK, Role.PPID]),
    # Only KPU decides: the office asks it, through KPU Provinsi, and records its answer.
    "request": _step(Action.REQUEST, [S.ARCHIVED], S.REQUESTED, [Role.PPID]),
    # KPU Provinsi returns a request with a note: its records go back to the office's PPID.
    "request_returned": _step(Action.REQUEST_RETURNED, [S.REQUESTED], S.ARCHIVED, THROUGH),
    "decide_exempt": _step(Action.DECIDE, [S.REQUESTED], S.DECIDED, [Role.PPID]),
    "decide_open": _step(Action.DECIDE, [S.REQUESTED, S.DECIDED], S.OPENED, [Role.PPID]),
    # A decision is entered once it is received from KPU; it changes no record by itself.
    "enter_decision": _step(Action.DECIDE, [], None, [Role.PPID, Role.DESK]),
    # Its date corrected before publication: each item's end is counted again from it.
    "correct_end": _step(
        Action.DECIDE, [S.LISTED, S.ARCHIVED, S.DECIDED], None, [Role.PPID, Role.DESK]
    ),
    "publish": _step(Action.PUBLISH, [S.DECIDED], S.PUBLISHED, [Role.PPID, Role.DESK]),
    # An item listed later under a decision already published is published on its own.
    "publish_listed": _step(Action.PUBLISH, [S.DECIDED], S.PUBLISHED, [Role.PPID, Role.DESK]),
    # A revoking decision names the published items it opens; publishing it opens them.
    "revoke_item": _step(Action.DECIDE, [S.PUBLISHED], None, [Role.PPID]),
    # An item added to a decision by mistake, before publication: the record goes back.
    "withdraw": _step(
        Action.WITHDRAW, [S.LISTED, S.DECIDED, S.OPENED, S.PUBLISHED], None, [Role.PPID]
    ),
    "open": _step(Action.OPEN, [S.PUBLISHED], S.OPENED, [Role.PPID, Role.ATASAN]),
    # An objection to a refused request concerns published records (UU 14/2008 Pasal 35);
    # the Atasan PPID answers it, and a ruling of the Komisi Informasi may follow.
    # A published item tested again (on a request, a dispute, the yearly update): kept.
    "retest": _step(Action.RETEST, [S.PUBLISHED], None, [Role.PPID]),
    "object": _step(Action.OBJECT, [S.PUBLISHED], None, [Role.DESK, Role.PPID, Role.ATASAN]),
    "ruling": _step(Action.RULING, [S.PUBLISHED], None, [Role.PPID, Role.ATASAN]),
    # The register keeps itself true (review_due): an ending period enters the review
    # queue, an ended one opens the record. A corrected decision date may end an item
    # before its publication: it opens at once (decisions.correct_decision).
    "review": _step(Action.REVIEW, [S.PUBLISHED], None, SYSTEM),
    "expire": _step(Action.OPEN, [S.LISTED, S.ARCHIVED, S.DECIDED, S.PUBLISHED], S.OPENED, SYSTEM),
}


class WorkflowError(Exception):
    """A step that may not happen now. `message` says what is wrong and what to do.

    `field_errors` maps form field names to messages where the fault is in the data.
    """

    def __init__(self, message, field_errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}

    def __str__(self):
        return str(self.message)

    def add_to(self, form) -> None:
        """Show the refusal on a form: beside each field it names, or above the form."""
        for field, message in self.field_errors.items():
            form.add_error(field if field in form.fields else None, message)
        if not self.field_errors:
            form.add_error(None, self.message)


def roles_for(step: Step) -> frozenset[str]:
    if step.roles in (SYSTEM, THROUGH):
        return frozenset()
    return frozenset(required_approvals()) if step.roles == APPROVERS else step.roles


def is_register(user) -> bool:
    """Whether the user is the register's own account (review_due), not a person."""
    return getattr(user, "username", None) == settings.PPID_SYSTEM_USERNAME


def role_names(roles) -> str:
    return ", ".join(str(Role(r).label) for r in sorted(roles))


def state_names(states) -> str:
    return ", ".join(str(State(s).label) for s in sorted(states))


def check_step(record: Record, user, name: str) -> Step:
    step = check_state(record, name)
    roles = roles_for(step)
    if step.roles == THROUGH:
        raise WorkflowError(
            _("Only the PPID of the KPU Provinsi a request was sent to returns it, on the request.")
        )
    if step.roles == SYSTEM:
        if not is_register(user):
            raise WorkflowError(
                _("Only the register itself takes this step, every day (manage.py review_due).")
            )
    elif not has_role(user, *roles):
        raise WorkflowError(
            _(
                "Only %(roles)s may do this (“%(action)s”). Ask one of them, or ask the "
                "administrator for the role if it is yours."
            )
            % {"roles": role_names(roles), "action": Action(step.action).label}
        )
    if (reason := unmet(record, name)) is not None:
        raise WorkflowError(reason)
    return step


def check_state(record: Record, name: str) -> Step:
    """Refuse a step the record's state does not allow (who takes it is checked apart)."""
    step = STEPS[name]
    if step.sources and record.state not in step.sources:
        raise WorkflowError(
            _(
                "This record is now “%(state)s”, so it cannot be “%(action)s”: that is possible "
                "only when it is %(allowed)s. Reload the page to see its current state."
            )
            % {
                "state": record.get_state_display(),
                "action": Action(step.action).label,
                "allowed": state_names(step.sources),
            }
        )
    return step


def unmet(record: Record, name: str):
    """Return why a step cannot be taken on this record beyond its state and role, or None.

    Only cheap facts, asked by the step itself (check_step) and by `allowed_steps`, so a
    button is offered exactly when the step would pass these checks.
    """
    if name in ("submit", "close_open"):
        return _conclusion_unmet(record, name)
    if name in ("withdraw", "publish_listed"):
        return _item_unmet(record, name)
    if name in ("redact", "confirm_redaction") and not record.is_partial:
        return _("Only a record of which a part is withheld has a redacted public copy.")
    if name == "confirm_redaction":
        if not record.redacted_copy:
            return _("There is no redacted copy to confirm; upload one first.")
        if record.redaction_confirmed:
            return _("The current redacted copy is already confirmed.")
    if name == "upload_version" and not record.softcopies.exists():
        return _("Upload a softcopy first: there is no softcopy to add a version to.")
    if name == "check_out" and not record.placements.exists():
        return _("Record where the hardcopy is filed before lending it out.")
    if name in ("check_out", "check_in"):
        out = record.custody.out().first()
        if name == "check_out" and out is not None:
            return _("The hardcopy is already out with %(holder)s; record its return first.") % {
                "holder": out.holder
            }
        if name == "check_in" and out is None:
            return _("The hardcopy is not out; there is nothing to return.")
    return None


def redaction_bar(record: Record, user):
    """Return why this user may not confirm the record's redacted copy, or None."""
    if record.redacted_by_id is not None and record.redacted_by_id == user.pk:
        return _(
            "You uploaded this redacted copy: someone else confirms it, so that two people "
            "have looked for the exempt part."
        )
    return None


def _conclusion_unmet(record: Record, name: str):
    concludes_open = record.test_conclusion == Outcome.OPEN
    if name == "submit" and concludes_open:
        return _(
            "The consequence test concludes “terbuka”: the information is open and cannot be "
            "proposed for exemption. Close the record as open information, or correct the test."
        )
    if name == "close_open" and not concludes_open:
        return _("Only a consequence test that concludes “terbuka” closes a record as open.")
    return None


def _item_unmet(record: Record, name: str):
    item = latest_item(record)
    if name == "publish_listed":
        # An item under a decision in force (published by any office): this office
        # publishes it on its own, and so publishes the decision for its list.
        if item is None or item.outcome != Outcome.EXEMPT or not item.decision.published_anywhere:
            return _("Publish this record with its decision, from the decision's page.")
        return None
    # withdraw: only the latest item, and only before what it did is public.
    if item is None:
        return _("This record is in no decision; there is nothing to withdraw.")
    if item.proposed.get("state") != S.COLLECTED and (kept := kept_by_its_body(item.decision)):
        return kept  # KPU's answer to the office's request, or its revocation's naming
    if item.decision.is_published and record.state not in (S.LISTED, S.DECIDED):
        return _(
            "The decision is published: only a later decision changes what it says. Enter that "
            "decision instead."
        )
    return None


def latest_item(record: Record):
    """Return the record's latest item in a decision that is not withdrawn, or None."""
    items = record.decision_items.active().select_related("decision__body")
    return items.order_by("-added_at", "-pk").first()


def kept_by_its_body(decision):
    """Why the acting office may not write or withdraw what this decision says of its
    records, or None: a decision its deciding body entered in its own office of the register
    (KPU's) is written by that body alone, on the office's request (requests.decide_request)
    or by its revocation (nationwide.open_in_offices). The office lists an item under it
    (link) as under any decision in force."""
    body = decision.body
    home = body.home_office_id if body is not None else None
    if home is None or decision.entered_in_id != home or home == current_office().pk:
        return None
    return _(
        "%(body)s entered this decision itself and says what it decides of each record: ask "
        "it through a request (Requests to KPU), or list an item it already exempts under a "
        "decision in force."
    ) % {"body": body.name}


def may(user, name: str) -> bool:
    """Return True when the user holds a role that may take the named step (in some state)."""
    return has_role(user, *roles_for(STEPS[name]))


def waiting_states(user) -> set[str]:
    """Return the states in which this user has the next step that moves a record on.

    Verdicts are not here (see RecordQuerySet.awaiting_verdict_of), nor the states
    whose next step waits on someone outside the office: KPU's decision on a requested
    record, an outside event (expiry, consent, a ruling) for a published one.
    """
    return {
        state
        for name, step in STEPS.items()
        if step.target
        and step.roles not in (APPROVERS, SYSTEM, THROUGH)
        and has_role(user, *step.roles)
        if name not in ALTERNATIVES
        for state in step.sources
        if state not in WAITING_OUTSIDE
    }


def next_roles(state: str) -> list[str]:
    """The roles whose step moves a record on from this state: who acts now."""
    found = []
    for name, step in STEPS.items():
        if state in step.sources and step.target and name not in ALTERNATIVES:
            found += sorted(set(roles_for(step)) - set(found))
    return found


WAITING_OUTSIDE = frozenset({S.REQUESTED, S.PUBLISHED})
# Another way on for some records, not what waits: a collected record waits for its
# classification, though one already exempted nationally is listed instead.
ALTERNATIVES = frozenset({"link"})


def allowed_steps(record: Record, user) -> list[str]:
    """Return the names of the steps this user may take on this record now (for buttons)."""
    allowed = []
    for name, step in STEPS.items():
        if not step.sources or record.state not in step.sources:
            continue
        if step.roles in (SYSTEM, THROUGH) or not has_role(user, *roles_for(step)):
            continue
        if step.roles == APPROVERS and record.verdict_bar(user) is not None:
            continue
        if name == "confirm_redaction" and redaction_bar(record, user) is not None:
            continue
        if unmet(record, name) is not None:
            continue
        allowed.append(name)
    return allowed


def decision_unmet(decision, name: str):
    """Return why a decision cannot take a record, be corrected or be published now, or None.

    `name` is a step on a record (decide_exempt, decide_open, revoke_item, link) or one
    on the decision itself (correct, publish).
    """
    if name == "link":
        return _not_linkable(decision)
    if name == "correct":
        # Published by any office, it is on a public list: only a later decision changes it.
        if not decision.published_anywhere:
            return None
    elif not decision.is_published:  # each office publishes it for its own list
        return None
    if name == "publish":
        return _("This decision was already published; nothing changed.")
    # After publication only a later decision changes anything.
    return _(
        "This decision is already published: it cannot take more records nor be corrected; "
        "enter the later decision instead."
    )


def _not_linkable(decision):
    """Why an item cannot be listed under this decision here, or None when it can: the
    decisions offered are Decision.objects.linkable(), and this says why one is not."""
    if type(decision).objects.linkable().filter(pk=decision.pk).exists():
        return None
    if decision.revoked_in_whole():
        return _(
            "This decision was revoked in whole and is no longer in force: nothing can be "
            "listed under it."
        )
    if decision.revokes_id is not None:
        return _(
            "This decision revokes another: it opens items, it exempts none. List the item "
            "under a decision that exempts it."
        )
    if not decision.published_anywhere:
        return _(
            "%(decision)s is not published yet by the office that entered it, so it is not "
            "in force: list the item once it is."
        ) % {"decision": decision}
    return _(
        "%(decision)s does not bind this office: an item is listed under a decision of KPU, "
        "or of this office's own KPU Provinsi."
    ) % {"decision": decision}


def decision_steps(decision, user) -> list[str]:
    """Return what this user may do with a decision now: add records, correct, publish."""
    return [
        name
        for name in ("decide_exempt", "correct", "publish")
        if may(user, "enter_decision" if name == "correct" else name)
        and decision_unmet(decision, name) is None
        and (name != "decide_exempt" or kept_by_its_body(decision) is None)
    ]


def _version(version) -> int | None:
    """The version a form was opened at, as it was posted; a damaged one is refused."""
    if version == "":
        return None
    try:
        return int(version)
    except (TypeError, ValueError):
        raise WorkflowError(
            _(
                "This form is damaged (its version is not a number). Nothing was saved: "
                "reload the page and try again."
            )
        ) from None


def lock_record(record: Record, version: int | None) -> Record:
    """Return the record re-read under a row lock; refuse a form opened before the last change."""
    read = _version(version) if version is not None else None
    # The history's lock before any row lock, in every step: its writers never deadlock.
    lock_chains()
    locked = Record.objects.select_for_update().get(pk=record.pk)
    if read is not None and read != locked.version:
        raise WorkflowError(
            _(
                "Someone changed this record after you opened the form. Nothing was saved: reload "
                "the page, check the changes and try again."
            )
        )
    return locked


def move(
    record: Record,
    by,
    step: Step,
    *,
    note: str = "",
    target: str | None = None,
    fields: tuple[str, ...] = (),
    changes_record: bool = True,
    **history,
) -> Transition:
    """Write the history row and save the new state (or the same state, for in-place steps).

    The version counts the changes a form opened earlier would not show; a step that leaves
    the record as its readers saw it (`changes_record=False`: one approval among several)
    keeps it, so that the other approvers' open forms stay valid.
    """
    from_state = record.state
    record.state = target or step.target or from_state
    record.version += 1 if changes_record else 0
    record.save(update_fields=["state", "version", "updated_at", *fields])
    row = history_row(record, by, step, from_state, note=note, **history)
    row.save()
    return row


def history_row(record: Record, by, step: Step, from_state: str, **history) -> Transition:
    """The history row of a step just taken on a record (not yet saved)."""
    return Transition(
        record=record,
        action=step.action,
        from_state=from_state,
        to_state=record.state,
        actor=by,
        round=record.round,
        **history,
    )


def move_many(
    records, by, step: Step, *, note: str = "", values=None, computed=None, **history
) -> list:
    """`move` for the many records of one step that sets the same `values` on each (a
    decision's items published together); `computed` are columns the database computes
    in the same UPDATE (the search vector), not set on the instances.

    Two statements for them all, not three for each: a decision of 1,000 records is
    published in about a second (docs/benchmarks.md). The history rows are chained in
    order, as one by one (AppendOnlyQuerySet.bulk_create).
    """
    values, rows = values or {}, []
    for record in records:
        from_state = record.state
        record.state = step.target or from_state
        record.version += 1
        for name, value in values.items():
            setattr(record, name, value)
        rows.append(history_row(record, by, step, from_state, note=note, **history))
    if step.target:  # an in-place step keeps each record's own state
        values = {**values, "state": step.target}
    Record.objects.filter(pk__in=[record.pk for record in records]).update(
        version=F("version") + 1, updated_at=timezone.now(), **values, **(computed or {})
    )
    return Transition.objects.bulk_create(rows, batch_size=500)


def required_text(values: dict, names) -> dict:
    return {
        name: _("This field is required.")
        for name in names
        if not str(values.get(name) or "").strip()
    }
