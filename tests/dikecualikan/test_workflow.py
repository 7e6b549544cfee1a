"""Every step of the SOP: the allowed path, each wrong role, each wrong state, its history row."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from arsip.models import Placement, Softcopy
from dikecualikan import workflow
from dikecualikan.models import Approval, Decision, Record, Transition
from dikecualikan.roles import grant
from dikecualikan.workflow import STEPS, WorkflowError

from ..conftest import CLASSIFICATION, LINKED, pdf_file, receive_objection

ROLE_USER = {
    "desk": "desk",
    "ppid": "ppid",
    "pembina": "pembina",
    "tim_pertimbangan": "pertimbangan",
    "atasan": "atasan",
}
ALL_STATES = [
    "collected",
    "classified",
    "awaiting_approval",
    "returned",
    "rejected",
    "approved",
    "archived",
    "requested",
    "listed",
    "decided",
    "published",
    "opened",
]
# Steps on a single record (publish works per decision and has its own tests below).
# A ruling is per objection, and records already opened meanwhile only keep it (own tests).
# A corrected decision moves its items' ends itself (test_decision_corrections.py).
RECORD_STEPS = [
    name
    for name in STEPS
    if name not in ("collect", "enter_decision", "publish", "ruling", "correct_end")
    # Taken on a request by another office's PPID (test_requests.py), not on a record.
    and name != "request_returned"
]


def fire(name, record, user, make_record, location):
    """Take the named step on the record as the user, with valid data."""
    calls = {
        "edit": lambda: workflow.edit(record=record, by=user, title="Judul baru"),
        "classify": lambda: workflow.classify(record=record, by=user, **CLASSIFICATION),
        "submit": lambda: workflow.submit(record=record, by=user),
        "approve": lambda: workflow.approve(record=record, by=user),
        "return": lambda: workflow.return_for_revision(record=record, by=user, note="Perbaiki"),
        "reject": lambda: workflow.reject(record=record, by=user, note="Bukan Pasal 17"),
        "upload": lambda: workflow.upload_softcopy(record=record, by=user, file=pdf_file()),
        "upload_version": lambda: workflow.upload_softcopy(
            record=record, by=user, file=pdf_file(), softcopy=Softcopy(record=record)
        ),
        "place": lambda: workflow.place_hardcopy(record=record, by=user, location=location),
        "check_out": lambda: workflow.check_out_hardcopy(
            record=record,
            by=user,
            holder="Sdr. Anton (Bawaslu)",
            purpose="Pemeriksaan",
            due_date=timezone.localdate() + datetime.timedelta(days=3),
        ),
        "check_in": lambda: workflow.check_in_hardcopy(record=record, by=user),
        "archive": lambda: workflow.archive(record=record, by=user),
        "redact": lambda: workflow.upload_redacted_copy(record=record, by=user, file=pdf_file()),
        "confirm_redaction": lambda: workflow.confirm_redaction(record=record, by=user),
        "request": lambda: workflow.request_decision(
            record=record,
            by=user,
            letter_number="123/PP.01-SD/6171/2025",
            letter_date=datetime.date(2025, 8, 4),
        ),
        "decide_exempt": lambda: workflow.record_decision(
            decision=make_record.decision(), record=record, outcome="exempt", by=user
        ),
        "decide_open": lambda: workflow.record_decision(
            decision=make_record.decision(), record=record, outcome="open", by=user
        ),
        "close_open": lambda: workflow.close_as_open(record=record, by=user),
        "link": lambda: workflow.link_record(
            record=record, decision=make_record.decision(), by=user, **LINKED
        ),
        "publish_listed": lambda: workflow.publish_listed(record=record, by=user),
        "revoke_item": lambda: workflow.record_decision(
            decision=revoking(record, make_record), record=record, outcome="open", by=user
        ),
        "withdraw": lambda: workflow.withdraw_item(record=record, by=user, note="Salah entri"),
        "object": lambda: receive_objection(user, [record]),
        "retest": lambda: workflow.retest(
            record=record,
            by=user,
            occasion="yearly",
            test_scope=CLASSIFICATION["test_scope"],
            harm=CLASSIFICATION["harm"],
            statutes=CLASSIFICATION["statutes"],
            public_interest=CLASSIFICATION["public_interest"],
            balancing=CLASSIFICATION["balancing"],
            test_conclusion="exempt",
            scope_unchanged=True,
            test_experts=CLASSIFICATION["test_experts"],
            test_date=datetime.date(2026, 11, 25),
            test_place="Pontianak",
        ),
        "review": lambda: workflow.mark_for_review(record=record, by=user),
        "expire": lambda: workflow.expire(record=record, by=user),
        "open": lambda: workflow.open_record(
            record=record, by=user, reason="consent", instrument="Surat persetujuan 12 Mei 2026"
        ),
    }
    return calls[name]()


def revoking(record, make_record):
    """A decision revoking the one the record is published under (or another published one)."""
    revoked = record.published_in or make_record("published").published_in
    return make_record.decision(revokes=revoked, date_set=datetime.date(2025, 9, 16))


def snapshot(record):
    record = Record.objects.get(pk=record.pk)
    return (
        record.state,
        record.version,
        Transition.objects.filter(record=record).count(),
        Approval.objects.filter(record=record).count(),
        Softcopy.objects.filter(record=record).count(),
        Placement.objects.filter(record=record).count(),
    )


def allowed_roles(step):
    return set(workflow.roles_for(step))


@pytest.mark.parametrize("name", RECORD_STEPS)
def test_each_step_refuses_every_role_that_may_not_take_it(name, cast, make_record, location):
    step = STEPS[name]
    source = sorted(step.sources, key=ALL_STATES.index)[0]
    for username, user in cast.items():
        if username in {ROLE_USER[role] for role in allowed_roles(step)}:
            continue
        record = make_record(source)
        before = snapshot(record)
        with pytest.raises(WorkflowError):
            fire(name, record, user, make_record, location)
        assert snapshot(record) == before, f"{username} changed something with {name}"


@pytest.mark.parametrize("name", RECORD_STEPS)
def test_each_step_refuses_every_state_it_does_not_start_from(name, cast, make_record, location):
    step = STEPS[name]
    if step.roles == workflow.SYSTEM:  # the register's own steps (review_due)
        user = workflow.register_user()
    else:
        user = cast[ROLE_USER[sorted(allowed_roles(step))[0]]]
    for state in ALL_STATES:
        if state in step.sources:
            continue
        record = make_record(state)
        before = snapshot(record)
        with pytest.raises(WorkflowError) as error:
            fire(name, record, user, make_record, location)
        assert "Reload" in str(error.value) or "Muat ulang" in str(error.value)
        assert snapshot(record) == before, f"{name} from {state} changed something"


def test_desk_collects_a_record_with_its_first_history_row(desk):
    record = workflow.collect(
        by=desk,
        title="Berkas",
        public_title="Informasi",
        holding_unit="Divisi Hukum",
        document_type="Memorandum",
    )
    assert record.state == "collected"
    (row,) = record.transitions.all()
    assert (row.action, row.from_state, row.to_state, row.actor) == (
        "collect",
        "",
        "collected",
        desk,
    )


def test_approvers_cannot_collect(pembina):
    with pytest.raises(WorkflowError):
        workflow.collect(
            by=pembina, title="B", public_title="I", holding_unit="U", document_type="D"
        )
    assert not Record.objects.exists()


def test_collect_names_each_missing_field(desk):
    with pytest.raises(WorkflowError) as error:
        workflow.collect(by=desk, title=" ", public_title="I", holding_unit="", document_type="D")
    assert set(error.value.field_errors) == {"title", "holding_unit"}


def test_edit_changes_fields_and_writes_a_history_row(make_record, desk):
    record = make_record("collected")
    record = workflow.edit(
        record=record, by=desk, title="Judul yang diperbaiki", version=record.version
    )
    assert Record.objects.get(pk=record.pk).title == "Judul yang diperbaiki"
    last = record.transitions.last()
    assert (last.action, last.from_state, last.to_state) == ("edit", "collected", "collected")
    # The old value and the new one, not only the field's name (issue "The record cannot be
    # rewritten", item 2).
    assert last.details["changes"] == {"title": ["Berkas internal 1", "Judul yang diperbaiki"]}


def test_the_timeline_shows_an_edits_old_and_new_values(client, make_record, desk):
    record = make_record("collected")
    workflow.edit(record=record, by=desk, holding_unit="Divisi Hukum")
    client.force_login(desk)
    page = client.get(f"/staf/entri/{record.pk}/").content.decode()
    assert "<del>Divisi Teknis</del> &rarr; <ins>Divisi Hukum</ins>" in page


def test_a_stale_form_is_refused_and_changes_nothing(make_record, desk, ppid):
    record = make_record("collected")
    opened_at_version = record.version
    workflow.edit(record=record, by=ppid, title="Diubah orang lain")
    with pytest.raises(WorkflowError) as error:
        workflow.edit(record=record, by=desk, title="Versi saya", version=opened_at_version)
    assert "reload" in str(error.value).lower() or "muat ulang" in str(error.value).lower()
    assert Record.objects.get(pk=record.pk).title == "Diubah orang lain"


def test_ppid_classifies_with_grounds_consequence_test_and_period(make_record, ppid):
    record = make_record("collected")
    record = workflow.classify(record=record, by=ppid, **CLASSIFICATION)
    record = Record.objects.get(pk=record.pk)
    assert record.state == "classified"
    assert [g.code for g in record.grounds.all()] == ["17h2"]
    assert record.period_years == 5 and record.harm.startswith("Mengungkap")
    last = record.transitions.last()
    assert (last.action, last.from_state, last.to_state, last.actor) == (
        "classify",
        "collected",
        "classified",
        ppid,
    )


@pytest.mark.parametrize("missing", ["grounds", "harm", "public_interest", "balancing", "statutes"])
def test_a_classification_missing_a_part_is_refused(make_record, ppid, missing):
    record = make_record("collected")
    values = {**CLASSIFICATION, missing: [] if missing == "grounds" else ""}
    with pytest.raises(WorkflowError) as error:
        workflow.classify(record=record, by=ppid, **values)
    assert missing in error.value.field_errors or "harm" in error.value.field_errors
    assert Record.objects.get(pk=record.pk).state == "collected"


@pytest.mark.parametrize("code", ["17a1", "17b", "17c", "17d", "17e", "17f"])
def test_an_indefinite_period_is_refused_for_grounds_17a_to_17f(make_record, ppid, code):
    record = make_record("collected")
    values = {**CLASSIFICATION, "grounds": ["17h", code], "period_type": "indefinite"}
    with pytest.raises(WorkflowError) as error:
        workflow.classify(record=record, by=ppid, **values)
    assert code in str(error.value.field_errors["period_type"])
    assert Record.objects.get(pk=record.pk).state == "collected"


@pytest.mark.parametrize("code", ["17g", "17h", "17i", "17j"])
def test_an_indefinite_period_is_allowed_for_grounds_17g_to_17j(make_record, ppid, code):
    record = make_record("collected")
    values = {**CLASSIFICATION, "grounds": [code], "period_type": "indefinite"}
    if code == "17j":  # 17j rests on another Undang-Undang
        values["statutes"] = "UU 14/2008 Pasal 17 huruf j; UU 43/2009 tentang Kearsipan"
        values.update(statute_type="uu", statute_number="43", statute_year=2009)
        values["statute_article"] = "Pasal 44"
    record = workflow.classify(record=record, by=ppid, **values)
    assert record.state == "classified" and record.period_years is None


def test_a_fixed_period_longer_than_the_grounds_maximum_is_refused(make_record, ppid):
    record = make_record("collected")
    values = {**CLASSIFICATION, "grounds": ["17a2"], "period_years": 31}
    with pytest.raises(WorkflowError) as error:
        workflow.classify(record=record, by=ppid, **values)
    assert "30" in str(error.value.field_errors["period_years"])


@pytest.mark.parametrize(
    "values,field",
    [
        ({"period_type": "until_date", "period_until": None}, "period_until"),
        ({"period_type": "until_date", "period_until": datetime.date(2020, 1, 1)}, "period_until"),
        ({"period_type": "until_event", "period_event": " "}, "period_event"),
        ({"period_type": "fixed", "period_years": None}, "period_years"),
        ({"period_type": "forever"}, "period_type"),
    ],
)
def test_a_period_without_its_value_is_refused(make_record, ppid, values, field):
    record = make_record("collected")
    with pytest.raises(WorkflowError) as error:
        workflow.classify(record=record, by=ppid, **{**CLASSIFICATION, **values})
    assert field in error.value.field_errors


def test_classify_keeps_only_the_value_of_the_chosen_period(make_record, ppid):
    record = make_record("collected")
    until = timezone.localdate() + datetime.timedelta(days=400)
    record = workflow.classify(
        record=record,
        by=ppid,
        **{**CLASSIFICATION, "period_type": "until_date", "period_until": until, "period_years": 5},
    )
    assert (record.period_until, record.period_years) == (until, None)


def test_submit_opens_an_approval_round_and_the_worker_mails_the_approvers(
    make_record, ppid, pembina, pertimbangan, mailoutbox, worker
):
    record = make_record("classified")
    record = workflow.submit(record=record, by=ppid)
    assert mailoutbox == []  # written to the outbox, sent by the worker
    assert record.state == "awaiting_approval" and record.round == 1
    worker()  # (it also sends the fixtures' role grants, mailed to the Atasan PPID)
    assert sorted(m.to[0] for m in mailoutbox if f"#{record.pk}" in m.subject) == [
        "pembina@example.org",
        "pertimbangan@example.org",
    ]


def test_a_second_click_on_submit_changes_nothing(make_record, ppid):
    record = make_record("classified")
    workflow.submit(record=record, by=ppid)
    before = snapshot(record)
    with pytest.raises(WorkflowError):
        workflow.submit(record=record, by=ppid)
    assert snapshot(record) == before


def test_one_approval_is_recorded_while_the_record_waits_for_the_other_role(make_record, pembina):
    record = make_record("awaiting_approval")
    record = workflow.approve(record=record, by=pembina, note="Setuju")
    assert record.state == "awaiting_approval"
    (approval,) = record.approvals.all()
    assert (approval.role, approval.verdict, approval.round) == ("pembina", "approve", 1)
    last = record.transitions.last()
    assert (last.action, last.from_state, last.to_state) == (
        "approve",
        "awaiting_approval",
        "awaiting_approval",
    )


def test_the_record_is_approved_when_every_required_role_has_its_quorum(
    make_record, pembina, pertimbangan, mailoutbox, django_capture_on_commit_callbacks
):
    record = make_record("awaiting_approval")
    workflow.approve(record=record, by=pembina)
    with django_capture_on_commit_callbacks(execute=True):
        record = workflow.approve(record=record, by=pertimbangan)
    assert record.state == "approved"
    assert record.transitions.filter(to_state="approved").count() == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["desk@example.org", "ppid@example.org"]


def test_the_quorum_of_each_role_comes_from_the_offices_approvals(
    make_record, edit_office, pembina, pertimbangan, pertimbangan2
):
    edit_office(approvals="pembina:1,tim_pertimbangan:2")
    record = make_record("classified")
    record = workflow.submit(record=record, by=record.transitions.get(action="classify").actor)
    workflow.approve(record=record, by=pembina)
    record = workflow.approve(record=record, by=pertimbangan)
    assert record.state == "awaiting_approval"
    record = workflow.approve(record=record, by=pertimbangan2)
    assert record.state == "approved"


def test_the_atasan_gives_verdicts_only_when_the_office_requires_the_role(
    make_record, edit_office, atasan, pembina, pertimbangan
):
    record = make_record("awaiting_approval")
    with pytest.raises(WorkflowError):
        workflow.approve(record=record, by=atasan)
    edit_office(approvals="pembina:1,tim_pertimbangan:1,atasan:1")
    workflow.approve(record=record, by=pembina)
    record = workflow.approve(record=record, by=pertimbangan)
    assert record.state == "awaiting_approval"
    assert workflow.approve(record=record, by=atasan).state == "approved"


def test_nobody_approves_a_record_they_classified_or_submitted(make_record, ppid):

    grant(ppid, "pembina")  # a small office: one person, two roles
    record = make_record("awaiting_approval")
    before = snapshot(record)
    with pytest.raises(WorkflowError) as error:
        workflow.approve(record=record, by=ppid)
    assert "classified or submitted" in str(error.value) or "mengklasifikasi" in str(error.value)
    assert snapshot(record) == before
    assert not {"approve", "return", "reject"} & set(workflow.allowed_steps(record, ppid))


def test_one_user_gives_one_verdict_per_record_per_round(make_record, pembina):
    record = make_record("awaiting_approval")
    workflow.approve(record=record, by=pembina)
    before = snapshot(record)
    for verdict in (workflow.approve, workflow.reject):
        with pytest.raises(WorkflowError):
            verdict(record=record, by=pembina, note="lagi")
    assert snapshot(record) == before


@pytest.mark.parametrize("verdict", [workflow.return_for_revision, workflow.reject])
def test_return_and_reject_need_a_note(make_record, pembina, verdict):
    record = make_record("awaiting_approval")
    before = snapshot(record)
    with pytest.raises(WorkflowError) as error:
        verdict(record=record, by=pembina, note="   ")
    assert "note" in error.value.field_errors
    assert snapshot(record) == before


def test_a_return_sends_the_record_back_and_resubmission_starts_a_new_round(
    make_record, ppid, pembina, pertimbangan, mailoutbox, django_capture_on_commit_callbacks
):
    record = make_record("awaiting_approval")
    workflow.approve(record=record, by=pembina)
    with django_capture_on_commit_callbacks(execute=True):
        record = workflow.return_for_revision(record=record, by=pertimbangan, note="Lengkapi uji")
    assert record.state == "returned"
    assert [m.to[0] for m in mailoutbox] == ["ppid@example.org"]
    record = workflow.classify(record=record, by=ppid, **CLASSIFICATION)
    record = workflow.submit(record=record, by=ppid)
    assert record.round == 2
    # The pembina's approval of round 1 does not count in round 2.
    record = workflow.approve(record=record, by=pertimbangan)
    assert record.state == "awaiting_approval"
    record = workflow.approve(record=record, by=pembina)
    assert record.state == "approved"
    assert list(record.approvals.values_list("round", "verdict")) == [
        (1, "approve"),
        (1, "return"),
        (2, "approve"),
        (2, "approve"),
    ]


def test_a_rejected_record_is_final(make_record, ppid):
    record = make_record("rejected")
    assert record.transitions.last().note == "Perlu diperbaiki"
    assert workflow.allowed_steps(record, ppid) == []


def test_archive_needs_a_softcopy_and_a_hardcopy_place(make_record, desk, location):
    record = make_record("approved")
    with pytest.raises(WorkflowError):
        workflow.archive(record=record, by=desk)
    workflow.upload_softcopy(record=record, by=desk, file=pdf_file())
    with pytest.raises(WorkflowError):
        workflow.archive(record=record, by=desk)
    workflow.place_hardcopy(record=record, by=desk, location=location, box="B1", folder="M2")
    record = workflow.archive(record=record, by=desk)
    assert record.state == "archived"
    assert list(record.transitions.values_list("action", flat=True))[-3:] == [
        "upload",
        "place",
        "archive",
    ]


def test_archive_refuses_a_softcopy_whose_checksum_no_longer_verifies(make_record, desk, location):
    record = make_record("approved")
    version = workflow.upload_softcopy(record=record, by=desk, file=pdf_file())
    workflow.place_hardcopy(record=record, by=desk, location=location)
    with open(version.file.path, "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(WorkflowError):
        workflow.archive(record=record, by=desk)
    assert Record.objects.get(pk=record.pk).state == "approved"


def test_a_softcopy_is_stored_privately_with_its_checksum_under_a_server_made_name(
    make_record, desk, tmp_path
):
    import hashlib

    record = make_record("collected")
    data = pdf_file(name="../../etc/Rahasia \u202egpj.pdf")
    version = workflow.upload_softcopy(record=record, by=desk, file=data)
    stored = version.file.path
    assert stored.startswith(str(tmp_path / "private"))
    assert "Rahasia" not in stored
    with open(stored, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == version.sha256
    assert version.size == data.size and version.content_type == "application/pdf"
    assert "/" not in version.original_name and "\u202e" not in version.original_name


def test_a_new_version_of_a_softcopy_keeps_the_old_one(make_record, desk):
    record = make_record("collected")
    first = workflow.upload_softcopy(record=record, by=desk, file=pdf_file(text="v1"))
    second = workflow.upload_softcopy(
        record=record, by=desk, file=pdf_file(text="v2"), softcopy=first.softcopy
    )
    assert (first.number, second.number) == (1, 2)
    assert first.softcopy.versions.count() == 2 and first.sha256 != second.sha256


def test_a_decision_with_outcome_exempt_decides_the_record(make_record, make_decision, ppid):
    record = make_record("requested")
    decision = make_decision()
    item = workflow.record_decision(decision=decision, record=record, outcome="exempt", by=ppid)
    record = Record.objects.get(pk=record.pk)
    assert (record.state, item.outcome) == ("decided", "exempt")
    last = record.transitions.last()
    assert (last.action, last.from_state, last.instrument) == ("decide", "requested", str(decision))


def test_a_decision_with_outcome_open_opens_a_decided_record(make_record, make_decision, ppid):
    record = make_record("decided")
    workflow.record_decision(decision=make_decision(), record=record, outcome="open", by=ppid)
    assert Record.objects.get(pk=record.pk).state == "opened"
    assert record.decision_items.count() == 2  # exempted first, opened later: both kept


def test_a_published_decision_takes_no_more_records(make_record, ppid):
    published = make_record("published")
    decision = published.decision_items.get().decision
    record = make_record("requested")
    with pytest.raises(WorkflowError):
        workflow.record_decision(decision=decision, record=record, outcome="exempt", by=ppid)
    assert Record.objects.get(pk=record.pk).state == "requested"


def test_publishing_a_decision_publishes_its_exempted_records(
    make_record, make_decision, ppid, mailoutbox, django_capture_on_commit_callbacks
):
    decision = make_decision()
    exempt = [make_record("decided", decision=decision) for _ in range(2)]
    opened = make_record("requested")
    workflow.record_decision(decision=decision, record=opened, outcome="open", by=ppid)
    with django_capture_on_commit_callbacks(execute=True):
        decision = workflow.publish_decision(decision=decision, by=ppid)
    assert decision.published_by == ppid and decision.published_at is not None
    states = dict(Record.objects.values_list("pk", "state"))
    assert [states[r.pk] for r in exempt] == ["published", "published"]
    assert states[opened.pk] == "opened"
    assert Transition.objects.filter(action="publish", instrument=str(decision)).count() == 2
    assert mailoutbox and "1/HM.02" in mailoutbox[0].subject


def test_a_decision_is_published_once(make_record, ppid):
    decision = make_record("published").decision_items.get().decision
    count = Transition.objects.count()
    with pytest.raises(WorkflowError):
        workflow.publish_decision(decision=decision, by=ppid)
    assert Transition.objects.count() == count


def test_a_decision_without_records_or_pdf_cannot_be_published(make_record, make_decision, ppid):
    with pytest.raises(WorkflowError):
        workflow.publish_decision(decision=make_decision(), by=ppid)
    no_pdf = make_decision(pdf=None)
    make_record("decided", decision=no_pdf)
    with pytest.raises(WorkflowError):
        workflow.publish_decision(decision=no_pdf, by=ppid)
    assert not Decision.objects.published().exists()


@pytest.mark.parametrize("username", ["pembina", "pertimbangan", "atasan", "admin"])
def test_only_ppid_and_desk_publish_decisions(make_record, make_decision, cast, username):
    decision = make_decision()
    record = make_record("decided", decision=decision)
    with pytest.raises(WorkflowError):
        workflow.publish_decision(decision=decision, by=cast[username])
    assert Record.objects.get(pk=record.pk).state == "decided"
    assert not Decision.objects.get(pk=decision.pk).is_published


def test_opening_a_published_record_keeps_the_reason_and_instrument(make_record, atasan):
    record = make_record("published")
    record = workflow.open_record(
        record=record,
        by=atasan,
        reason="consent",
        instrument="Surat persetujuan tertulis 3 Mei 2026",
        note="Persetujuan yang bersangkutan",
    )
    last = record.transitions.last()
    assert (record.state, last.reason, last.instrument, last.from_state) == (
        "opened",
        "consent",
        "Surat persetujuan tertulis 3 Mei 2026",
        "published",
    )


@pytest.mark.parametrize("reason,instrument", [("", "Surat"), ("expired", " "), ("bogus", "Surat")])
def test_opening_needs_a_reason_and_an_instrument(make_record, ppid, reason, instrument):
    record = make_record("published")
    with pytest.raises(WorkflowError):
        workflow.open_record(record=record, by=ppid, reason=reason, instrument=instrument)
    assert Record.objects.get(pk=record.pk).state == "published"


def test_allowed_steps_name_exactly_what_each_role_may_do_now(make_record, cast):
    record = make_record("awaiting_approval")
    assert workflow.allowed_steps(record, cast["pembina"]) == ["approve", "return", "reject"]
    # No softcopy to version, no place to lend from, nothing out to return yet.
    assert workflow.allowed_steps(record, cast["desk"]) == ["upload", "place"]
    assert workflow.allowed_steps(record, cast["admin"]) == []


def test_allowed_steps_follow_the_files_and_the_hardcopy_as_the_steps_themselves_do(
    make_record, desk, location
):
    record = make_record("approved")
    workflow.upload_softcopy(record=record, by=desk, file=pdf_file())
    workflow.place_hardcopy(record=record, by=desk, location=location)
    assert workflow.allowed_steps(record, desk) == [
        "upload",
        "upload_version",
        "place",
        "check_out",
        "archive",
    ]
    workflow.check_out_hardcopy(
        record=record,
        by=desk,
        holder="Sdr. Anton",
        purpose="Pemeriksaan",
        due_date=timezone.localdate() + datetime.timedelta(days=1),
    )
    steps = workflow.allowed_steps(record, desk)
    assert "check_in" in steps and "check_out" not in steps
    with pytest.raises(WorkflowError, match="Sdr. Anton"):
        workflow.check_out_hardcopy(
            record=record,
            by=desk,
            holder="Orang lain",
            purpose="Lagi",
            due_date=timezone.localdate() + datetime.timedelta(days=1),
        )


def test_a_published_decision_offers_no_step_and_takes_no_record(make_record, ppid):
    record = make_record("published")
    decision = record.published_in
    assert workflow.decision_steps(decision, ppid) == []
    fresh = make_record.decision()
    assert workflow.decision_steps(fresh, ppid) == ["decide_exempt", "correct", "publish"]
    with pytest.raises(WorkflowError, match="keputusan yang lebih baru"):
        workflow.record_decision(
            decision=decision, record=make_record("requested"), outcome="exempt", by=ppid
        )


def test_nothing_in_the_register_can_be_deleted(make_record):
    record = make_record("published")
    for obj in [
        record,
        record.transitions.first(),
        record.approvals.first(),
        record.decision_items.first(),
        record.softcopies.first(),
        record.softcopies.first().versions.first(),
        record.placements.first(),
    ]:
        with pytest.raises(PermissionDenied):
            obj.delete()
    with pytest.raises(PermissionDenied):
        Record.objects.all().delete()
    with pytest.raises(PermissionDenied):
        Transition.objects.filter(record=record).delete()
    assert Record.objects.filter(pk=record.pk).exists()


def test_the_ppid_records_the_request_to_kpu_through_kpu_provinsi(make_record, ppid):
    record = make_record("archived")
    record = workflow.request_decision(
        record=record,
        by=ppid,
        letter_number="123/PP.01-SD/6171/2025",
        letter_date=datetime.date(2025, 8, 4),
    )
    assert record.state == "requested"
    assert record.request_addressee.startswith("KPU Provinsi Kalimantan Barat")
    last = record.transitions.last()
    assert (last.action, last.from_state, last.to_state) == ("request", "archived", "requested")
    assert last.instrument == "123/PP.01-SD/6171/2025, 4 Agustus 2025"


def test_an_archived_record_is_not_decided_before_it_is_requested_from_kpu(
    make_record, make_decision, ppid
):
    record = make_record("archived")
    with pytest.raises(WorkflowError):
        workflow.record_decision(decision=make_decision(), record=record, outcome="exempt", by=ppid)
    assert Record.objects.get(pk=record.pk).state == "archived"


@pytest.mark.parametrize(
    "number,date,field",
    [
        ("", datetime.date(2025, 8, 4), "letter_number"),
        ("12/PP.01/2025", None, "letter_date"),
        ("12/PP.01/2025", datetime.date(2999, 1, 1), "letter_date"),
    ],
)
def test_a_request_without_its_letter_number_or_with_a_future_date_is_refused(
    make_record, ppid, number, date, field
):
    record = make_record("archived")
    with pytest.raises(WorkflowError) as refused:
        workflow.request_decision(record=record, by=ppid, letter_number=number, letter_date=date)
    assert field in refused.value.field_errors
    assert Record.objects.get(pk=record.pk).state == "archived"


def test_an_approval_keeps_the_other_approvers_forms_valid_but_a_change_does_not(
    make_record, pembina, pertimbangan, pertimbangan2, edit_office
):
    edit_office(approvals="pembina:1,tim_pertimbangan:2")
    record = make_record("awaiting_approval")
    read = record.version
    workflow.approve(record=record, by=pembina, version=read)
    workflow.approve(record=record, by=pertimbangan, version=read)  # still valid
    record.refresh_from_db()
    assert record.state == "awaiting_approval"
    # The last approval completes the quorum: the record is approved, a new version.
    workflow.approve(record=record, by=pertimbangan2, version=read)
    record.refresh_from_db()
    assert record.state == "approved" and record.version == read + 1
