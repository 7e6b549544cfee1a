"""A correction of a decision's date re-checks everything that depends on it (issue 25, item 4).

The end of every item the decision exempts counts from its date: a corrected date moves
each end, is held again to the period rules (Pasal 20, the caps per ground), and opens at
once an item whose period it ends. The auditor's two cases: five years from 2015 shown as
running until 2031, and a 17a item running 36.9 years.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from dikecualikan import workflow
from dikecualikan.models import Decision, ExemptionGround, OpenReason, Record, Transition

D = datetime.date
SAID = {
    "statutes": "UU 14/2008 Pasal 17",
    "harm": "Membuka informasi ini merugikan pihak yang dilindungi",
    "balancing": "Kepentingan yang dilindungi lebih besar",
}


def setup(make_record, desk, *, with_17a=True):
    """An unpublished KPU decision of 2 March 2026 listing a five-year 17h2 item and,
    if asked, a 17a1 item until 1 March 2056 (within its 30 years)."""
    decision = make_record.decision(number="7/Kpts/KPU/2026", year=2026, date_set=D(2026, 3, 2))
    five = workflow.link_record(
        record=make_record(), decision=decision, by=desk, grounds=["17h2"],
        period_type="fixed", period_years=5, **SAID,
    ).record  # fmt: skip
    if not with_17a:
        return decision, five, None
    until = D(2056, 3, 1)
    seventeen_a = workflow.link_record(
        record=make_record(), decision=decision, by=desk, grounds=["17a1"],
        period_type="until_date", period_until=until, **SAID,
    ).record  # fmt: skip
    return decision, five, seventeen_a


def correct(client, user, decision, date_set):
    client.force_login(user)
    return client.post(
        reverse("dikecualikan:staff-decision-edit", args=[decision.pk]),
        {
            "body": decision.body_id,
            "number": decision.number,
            "year": str(date_set.year),
            "title": decision.title,
            "date_set": date_set.isoformat(),
            "place": decision.place,
            "signatory": decision.signatory,
        },
    )


def fresh(record):
    return Record.objects.get(pk=record.pk)


def test_the_items_end_as_decided_from_the_decisions_date(make_record, desk):
    _decision, five, seventeen_a = setup(make_record, desk)
    assert (five.ends_on, seventeen_a.ends_on) == (D(2031, 3, 2), D(2056, 3, 1))
    assert ExemptionGround.objects.get(code="17a1").max_years == 30


def test_a_corrected_date_moves_every_items_end_and_the_history_says_so(
    client, ppid, make_record, desk
):
    decision, five, seventeen_a = setup(make_record, desk)
    response = correct(client, ppid, decision, D(2026, 3, 20))
    assert response.status_code == 302
    assert fresh(five).ends_on == D(2031, 3, 20)
    assert fresh(seventeen_a).ends_on == D(2056, 3, 1)  # a date does not move with it
    row = Transition.objects.filter(record=five).latest("at", "id")
    assert row.details["changes"] == {"ends_on": ["2031-03-02", "2031-03-20"]}
    assert row.instrument == str(decision) and "20 Maret 2026" in row.note
    assert not Transition.objects.filter(record=seventeen_a, action="decide").exists()


def test_five_years_from_2015_end_in_2020_and_the_item_opens_at_once(
    client, ppid, make_record, desk
):
    decision, five, _none = setup(make_record, desk, with_17a=False)
    response = correct(client, ppid, decision, D(2015, 3, 2))
    assert response.status_code == 302
    record = fresh(five)
    assert record.ends_on == D(2020, 3, 2)
    assert (record.state, record.opened_reason) == ("opened", OpenReason.EXPIRED)
    # Opened as review_due would open it: from the day after its last day.
    assert timezone.localdate(record.opened_at) == D(2020, 3, 3)
    opening = Transition.objects.filter(record=record).latest("at", "id")
    assert (opening.action, opening.actor.username) == ("open", "register")
    assert "2 Maret 2020" in opening.instrument
    # Never published as exempt until 2031: the published decision leaves it open.
    workflow.publish_decision(decision=Decision.objects.get(pk=decision.pk), by=ppid)
    assert fresh(five).state == "opened"
    listed = b"".join(client.get("/dik.json").streaming_content).decode()
    assert '"items": []' in listed


def test_a_17a_item_cannot_run_past_its_30_years_from_a_corrected_date(
    client, ppid, make_record, desk
):
    decision, five, seventeen_a = setup(make_record, desk)
    for wrong in (D(2020, 3, 2), D(2015, 3, 2)):  # 36 and 41 years to 1 March 2056
        response = correct(client, ppid, decision, wrong)
        assert response.status_code == 200
        message = " ".join(response.context["form"].errors["date_set"])
        assert f"#{seventeen_a.pk}" in message and f"#{five.pk}" not in message
        assert "30" in message
    assert Decision.objects.get(pk=decision.pk).date_set == D(2026, 3, 2)
    assert fresh(five).ends_on == D(2031, 3, 2) and fresh(five).state == "listed"
    assert fresh(seventeen_a).ends_on == D(2056, 3, 1)
    assert not Transition.objects.filter(action__in=["decide", "open"]).exists()


def test_the_workflow_refuses_the_same_correction_and_names_the_item(make_record, desk, ppid):
    decision, _five, seventeen_a = setup(make_record, desk)
    fields = {name: getattr(decision, name) for name in Decision.FORM_FIELDS}
    try:
        workflow.correct_decision(
            decision=decision, by=ppid, **{**fields, "date_set": D(2020, 3, 2), "year": 2020}
        )
    except workflow.WorkflowError as refused:
        assert f"#{seventeen_a.pk}" in refused.field_errors["date_set"]
    else:
        raise AssertionError("the correction was not refused")


def test_only_the_roles_that_enter_decisions_correct_one(client, atasan, make_record, desk):
    decision, five, _none = setup(make_record, desk, with_17a=False)
    assert correct(client, atasan, decision, D(2015, 3, 2)).status_code == 403
    assert fresh(five).ends_on == D(2031, 3, 2) and fresh(five).state == "listed"
