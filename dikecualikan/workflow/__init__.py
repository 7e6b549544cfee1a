"""The SOP as a state machine: the only code that changes a record's state.

    collected --classify--> classified --submit--> awaiting_approval --(all quorums)--> approved
        |                    ^    ^                    |        |
        +--classify----------+    +---classify---- returned <---+ return (note)
                                                       |
                                  awaiting_approval ---+--reject (note)--> rejected (open info)

    approved --archive--> archived --request (letter to KPU via KPU Provinsi)--> requested
    requested --decide(exempt)--> decided --publish--> published
    requested, decided --decide(open)--> opened
    published --open(reason, instrument)--> opened

Each step is one keyword-only function, in the module of its SOP step:

    steps.py      the transition table (STEPS), checks, allowed_steps, the row lock, history
    collect.py    step 1: collect, edit
    classify.py   step 2: classification rules, classify, submit
    verdicts.py   step 2: approve, return, reject (the quorum)
    archive.py    step 3: softcopies, hardcopy place and custody, archive (the only
                  module that imports arsip)
    decisions.py  step 4: decisions, their records, publication, opening
    mail.py       notifications, sent after commit

Callers use `from dikecualikan import workflow` and `workflow.<name>`. A step runs in
a transaction, locks the record row, checks the state and the actor's role against
STEPS (written once, as data), writes a Transition row, saves with `update_fields` and
queues mail with `on_commit`. A forbidden call raises WorkflowError, whose message says
what is wrong and what to do; nothing is written then.
"""

from .archive import archive, check_in_hardcopy, check_out_hardcopy, place_hardcopy, upload_softcopy
from .classify import classification_errors, classify, participants_of, submit
from .collect import RECORD_FIELDS, collect, edit
from .decisions import (
    DEFAULT_ADDRESSEE,
    create_decision,
    open_record,
    publish_decision,
    record_decision,
    request_decision,
)
from .steps import (
    APPROVERS,
    STEPS,
    Step,
    WorkflowError,
    allowed_steps,
    decision_steps,
    may,
    roles_for,
    waiting_states,
)
from .verdicts import NOTE_REQUIRED, approve, reject, return_for_revision

__all__ = [
    "APPROVERS",
    "DEFAULT_ADDRESSEE",
    "NOTE_REQUIRED",
    "RECORD_FIELDS",
    "STEPS",
    "Step",
    "WorkflowError",
    "allowed_steps",
    "approve",
    "archive",
    "check_in_hardcopy",
    "check_out_hardcopy",
    "classification_errors",
    "classify",
    "collect",
    "create_decision",
    "decision_steps",
    "edit",
    "may",
    "open_record",
    "participants_of",
    "place_hardcopy",
    "publish_decision",
    "record_decision",
    "reject",
    "request_decision",
    "return_for_revision",
    "roles_for",
    "submit",
    "upload_softcopy",
    "waiting_states",
]
