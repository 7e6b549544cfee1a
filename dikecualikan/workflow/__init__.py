"""The SOP as a state machine: the only code that changes a record's state.

    collected --classify--> classified --submit--> awaiting_approval --(all quorums)--> approved
        |                    ^    ^                    |        |
        +--classify----------+    +---classify---- returned <---+ return (note)
                                                       |
                                  awaiting_approval ---+--reject (note)--> rejected (open info)

    approved --archive--> archived --request (letter to KPU via KPU Provinsi)--> requested
    requested --decide(exempt)--> decided --publish--> published
    requested, decided --decide(open)--> opened
    collected --link (to a decision in force)--> listed --archive--> decided --publish--> ...
    classified --close_open (the test concludes "terbuka")--> rejected (open information)
    published --open(reason, instrument)--> opened
    published --revoking decision published--> opened
    published --expire (review_due: the period ended)--> opened
    listed, archived, decided --expire (a corrected decision date ended it)--> opened
    published --objection upheld by the Atasan PPID, or a ruling that orders it--> opened

Each step is one keyword-only function, in the module of its SOP step:

    steps.py      the transition table (STEPS), checks, allowed_steps, the row lock, history
    collect.py    step 1: collect, edit
    classify.py   step 2: classification rules, classify, submit
    periods.py    the period rules (Pasal 20, caps), shared by classify and decisions
    verdicts.py   step 2: approve, return, reject (the quorum)
    archive.py    step 3: softcopies, hardcopy place and custody, archive, the redacted
                  copy and its confirmation (the only module that imports arsip)
    decisions.py  step 4: the request to KPU, decisions, what they say of records, links,
                  withdrawals
    publication.py step 4: publication, revocation and opening (new DIK versions)
    requests.py   step 4 across offices: the request through KPU Provinsi, KPU's answer
    upward.py     the offices above an office, and the letters that go up to them
    nationwide.py KPU's revocation in part names the items it opens in every office
    review.py     after publication: the review queue and expiry (manage.py review_due)
    objections.py after publication: objections, their answers, and rulings
    waiting.py    who acts next and on what: the record page's panel, "Menunggu saya"
                  and the header's count, from one set of rules
    mail.py       notifications, sent after commit

Callers use `from dikecualikan import workflow` and `workflow.<name>`. A step runs in
a transaction, locks the record row, checks the state and the actor's role against
STEPS (written once, as data), writes a Transition row, saves with `update_fields` and
queues mail with `on_commit`. A forbidden call raises WorkflowError, whose message says
what is wrong and what to do; nothing is written then.
"""

from .archive import (
    archive,
    archive_needs,
    check_in_hardcopy,
    check_out_hardcopy,
    confirm_redaction,
    place_hardcopy,
    upload_redacted_copy,
    upload_softcopy,
)
from .classify import (
    classification_errors,
    classify,
    close_as_open,
    officials,
    participants_of,
    retest,
    stale_test,
    submit,
)
from .collect import RECORD_FIELDS, collect, edit
from .decisions import (
    DEFAULT_ADDRESSEE,
    correct_decision,
    create_decision,
    decision_errors,
    link_record,
    record_decision,
    request_decision,
    withdraw_item,
)
from .nationwide import (
    REVOCABLE_SHOWN,
    named_in_offices,
    open_in_offices,
    revocable,
    withdraw_in_offices,
)
from .objections import (
    ANSWER_ROLES,
    answer_errors,
    answer_objection,
    answer_unmet,
    dispute_opens_on,
    may_answer,
    objection_date_errors,
    receive_objection,
    received_late,
    record_ruling,
    ruling_errors,
    ruling_unmet,
)
from .publication import OPEN_BY_HAND, open_reasons, open_record, publish_decision, publish_listed
from .requests import (
    decide_request,
    forward_request,
    request_steps,
    requested_records,
    return_request,
    send_request,
    waiting_here,
)
from .review import due_for_review, ended_on, expire, mark_for_review, register_user, review_due
from .steps import (
    APPROVERS,
    STEPS,
    SYSTEM,
    WAITING_OUTSIDE,
    Step,
    WorkflowError,
    allowed_steps,
    decision_steps,
    decision_unmet,
    kept_by_its_body,
    latest_item,
    may,
    next_roles,
    roles_for,
    waiting_states,
)
from .upward import names_in_offices, through_office
from .verdicts import NOTE_REQUIRED, approve, reject, return_for_revision
from .waiting import NEXT_ACTION, Waiting, next_steps, nobody_waits, waiting_count, waiting_for

__all__ = [
    "ANSWER_ROLES",
    "REVOCABLE_SHOWN",
    "withdraw_in_offices",
    "named_in_offices",
    "names_in_offices",
    "open_in_offices",
    "revocable",
    "NEXT_ACTION",
    "Waiting",
    "next_steps",
    "nobody_waits",
    "waiting_count",
    "waiting_for",
    "APPROVERS",
    "DEFAULT_ADDRESSEE",
    "NOTE_REQUIRED",
    "RECORD_FIELDS",
    "STEPS",
    "SYSTEM",
    "Step",
    "WorkflowError",
    "allowed_steps",
    "next_roles",
    "WAITING_OUTSIDE",
    "answer_errors",
    "answer_objection",
    "answer_unmet",
    "approve",
    "archive",
    "archive_needs",
    "check_in_hardcopy",
    "check_out_hardcopy",
    "classification_errors",
    "classify",
    "officials",
    "close_as_open",
    "collect",
    "confirm_redaction",
    "correct_decision",
    "create_decision",
    "decision_steps",
    "decision_unmet",
    "dispute_opens_on",
    "due_for_review",
    "edit",
    "ended_on",
    "expire",
    "kept_by_its_body",
    "latest_item",
    "link_record",
    "mark_for_review",
    "may",
    "may_answer",
    "open_record",
    "open_reasons",
    "decision_errors",
    "objection_date_errors",
    "OPEN_BY_HAND",
    "participants_of",
    "place_hardcopy",
    "publish_decision",
    "publish_listed",
    "receive_objection",
    "received_late",
    "record_decision",
    "record_ruling",
    "register_user",
    "reject",
    "ruling_errors",
    "ruling_unmet",
    "request_decision",
    "retest",
    "return_for_revision",
    "review_due",
    "roles_for",
    "stale_test",
    "submit",
    "upload_redacted_copy",
    "upload_softcopy",
    "waiting_states",
    "withdraw_item",
    "forward_request",
    "return_request",
    "send_request",
    "decide_request",
    "request_steps",
    "requested_records",
    "through_office",
    "waiting_here",
]
