"""Hardcopies: a place from the office's list, and a custody log of who took them out and back."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from arsip.models import Custody, Placement
from dikecualikan import workflow

TODAY = timezone.localdate


def test_desk_records_the_hardcopy_place_from_the_offices_locations(
    client, make_record, desk, location
):
    record = make_record("approved")
    client.force_login(desk)
    response = client.post(
        reverse("arsip:place", args=[record.pk]),
        {"location": location.pk, "box": "Boks 3", "folder": "Map 12"},
    )
    assert response.status_code == 302
    placement = Placement.objects.get()
    assert (placement.location, placement.box, placement.folder) == (location, "Boks 3", "Map 12")
    page = client.get(reverse("arsip:record", args=[record.pk])).content.decode()
    assert "Boks 3" in page


def test_a_retired_location_cannot_be_chosen(client, make_record, desk, location):
    location.is_active = False
    location.save()
    record = make_record("approved")
    client.force_login(desk)
    response = client.post(reverse("arsip:place", args=[record.pk]), {"location": location.pk})
    assert response.status_code == 400 and not Placement.objects.exists()


def test_lending_a_hardcopy_out_and_back_is_logged(client, make_record, desk):
    record = make_record("archived")
    client.force_login(desk)
    due = TODAY() + datetime.timedelta(days=7)
    response = client.post(
        reverse("arsip:check-out", args=[record.pk]),
        {"holder": "Sdr. Anton, Bawaslu Kota", "purpose": "Klarifikasi", "due_date": due},
    )
    assert response.status_code == 302
    custody = Custody.objects.get()
    assert (custody.holder, custody.due_date, custody.checked_in_at) == (
        "Sdr. Anton, Bawaslu Kota",
        due,
        None,
    )
    client.post(reverse("arsip:check-in", args=[record.pk]))
    custody.refresh_from_db()
    assert custody.checked_in_by == desk and custody.checked_in_at is not None
    assert list(record.transitions.values_list("action", flat=True))[-2:] == [
        "check_out",
        "check_in",
    ]


def test_a_hardcopy_already_out_cannot_be_lent_again(make_record, desk, ppid):
    record = make_record("archived")
    workflow.check_out_hardcopy(
        record=record,
        by=desk,
        holder="A",
        purpose="B",
        due_date=TODAY() + datetime.timedelta(days=1),
    )
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.check_out_hardcopy(
            record=record,
            by=ppid,
            holder="C",
            purpose="D",
            due_date=TODAY() + datetime.timedelta(days=1),
        )
    assert "A" in str(error.value)
    assert Custody.objects.count() == 1


def test_nothing_to_return_when_the_hardcopy_is_in(make_record, desk):
    record = make_record("archived")
    with pytest.raises(workflow.WorkflowError):
        workflow.check_in_hardcopy(record=record, by=desk)


def test_a_hardcopy_without_a_place_cannot_be_lent(make_record, desk):
    record = make_record("collected")
    with pytest.raises(workflow.WorkflowError):
        workflow.check_out_hardcopy(
            record=record,
            by=desk,
            holder="A",
            purpose="B",
            due_date=TODAY() + datetime.timedelta(days=1),
        )
    assert not Custody.objects.exists()


@pytest.mark.parametrize(
    "values,field",
    [
        (
            {"holder": "", "purpose": "B", "due_date": TODAY() + datetime.timedelta(days=1)},
            "holder",
        ),
        (
            {"holder": "A", "purpose": "B", "due_date": TODAY() - datetime.timedelta(days=1)},
            "due_date",
        ),
    ],
)
def test_lending_needs_a_name_a_purpose_and_a_future_date(make_record, desk, values, field):
    record = make_record("archived")
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.check_out_hardcopy(record=record, by=desk, **values)
    assert field in error.value.field_errors


def test_a_hardcopy_out_past_its_due_date_is_overdue(make_record, desk):
    record = make_record("archived")
    workflow.check_out_hardcopy(
        record=record,
        by=desk,
        holder="A",
        purpose="B",
        due_date=TODAY() + datetime.timedelta(days=2),
    )
    assert not Custody.objects.overdue().exists()
    later = TODAY() + datetime.timedelta(days=3)
    assert list(Custody.objects.overdue(today=later)) == [record.custody.get()]
    workflow.check_in_hardcopy(record=record, by=desk)
    assert not Custody.objects.overdue(today=later).exists()


def test_approvers_cannot_lend_hardcopies(make_record, pembina):
    record = make_record("archived")
    with pytest.raises(workflow.WorkflowError):
        workflow.check_out_hardcopy(
            record=record,
            by=pembina,
            holder="A",
            purpose="B",
            due_date=TODAY() + datetime.timedelta(days=1),
        )
