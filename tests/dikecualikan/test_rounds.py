"""Every classification submitted is kept; an approver sees what changed since the last round."""

import pytest
from django.urls import reverse

from dikecualikan import workflow
from dikecualikan.models import Approval, Classification
from tests.conftest import CLASSIFICATION


@pytest.fixture
def second_round(make_record, ppid, pembina):
    """Returned by the Pembina with a note, classified again (harm and period), resubmitted."""
    record = make_record("returned")
    revised = {
        **CLASSIFICATION,
        "harm": "Mengungkap riwayat penyakit calon secara rinci",
        "period_years": 3,
    }
    record = workflow.classify(record=record, by=ppid, **revised)
    return workflow.submit(record=record, by=ppid, note="Sudah diperbaiki sesuai catatan.")


def test_each_submission_freezes_its_classification_and_the_verdicts_point_to_it(second_round):
    first, second = Classification.objects.filter(record=second_round).order_by("round")
    assert (first.round, second.round) == (1, 2)
    assert (
        first.data["harm"] == "Mengungkap kondisi kesehatan seseorang kepada publik"
    )  # as it was judged
    assert second.data["harm"] == "Mengungkap riwayat penyakit calon secara rinci"
    assert (first.data["period_years"], second.data["period_years"]) == (5, 3)
    assert first.data["grounds"] == ["17h2"]
    (returned,) = Approval.objects.filter(record=second_round, round=1)
    assert returned.classification == first


def test_the_record_page_shows_what_changed_since_the_round_before(client, ppid, second_round):
    client.force_login(ppid)
    page = client.get(reverse("dikecualikan:staff-record", args=[second_round.pk])).content.decode()
    assert "Mengungkap kondisi kesehatan seseorang kepada publik</del>" in page
    assert "Mengungkap riwayat penyakit calon secara rinci</ins>" in page
    changes = [(old, new) for _label, old, new in second_round.round_changes()]
    assert changes == [
        (
            "Mengungkap kondisi kesehatan seseorang kepada publik",
            "Mengungkap riwayat penyakit calon secara rinci",
        ),
        ("5", "3"),
    ]


def test_the_approvers_screen_shows_what_changed_since_the_round_before(
    client, pertimbangan, second_round
):
    client.force_login(pertimbangan)
    page = client.get(reverse("admin:dikecualikan_record_change", args=[second_round.pk]))
    text = page.content.decode()
    assert "<del>Mengungkap kondisi kesehatan seseorang kepada publik</del>" in text
    assert "<ins>Mengungkap riwayat penyakit calon secara rinci</ins>" in text


def test_a_reclassification_keeps_old_and_new_values_in_its_history_row(second_round):
    row = second_round.transitions.filter(action="classify").order_by("-pk").first()
    assert row.details["changes"]["harm"] == [
        "Mengungkap kondisi kesehatan seseorang kepada publik",
        "Mengungkap riwayat penyakit calon secara rinci",
    ]
    assert row.details["changes"]["period_years"] == [5, 3]
    first = second_round.transitions.filter(action="classify").order_by("pk").first()
    assert "changes" not in first.details  # the first classification changes nothing
