"""A decision of KPU covers the items of many offices, and each office publishes it for its own
list (DOMAIN.md section 5: SOP step 4 is the office's act), on its own day, with its own DIK
version. Before, the first office to publish a shared decision shut every other one out."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from arsip.models import Location
from dikecualikan import office, workflow
from dikecualikan.models import (
    DecidingBody,
    DecisionPublication,
    DikVersion,
    Office,
    Record,
    State,
)
from dikecualikan.roles import Role, grant
from dikecualikan.workflow.waiting import ready_to_publish
from tests.conftest import pdf_file, tiny_pdf


def kubu_raya() -> Office:
    place = Office.objects.get(slug="kuburayakab")
    place.in_service = True
    place.save()
    return place


def test_each_office_publishes_the_same_decision_for_its_own_items(
    make_record, make_decision, same_roles_in, ppid
):
    decision = make_decision()
    ours = make_record("decided", decision=decision, public_title="Data Pontianak")
    same_roles_in(kubu_raya())
    with office.acting(kubu_raya()):
        theirs = make_record("decided", decision=decision, public_title="Data Kubu Raya")
    workflow.publish_decision(decision=decision, by=ppid)
    ours.refresh_from_db()
    assert ours.state == State.PUBLISHED
    page = Client().get(f"/kuburayakab/keputusan/{decision.pk}/")
    assert page.status_code == 404  # not on Kubu Raya's list until Kubu Raya publishes it
    with office.acting(kubu_raya()):
        assert Record.objects.get(pk=theirs.pk).state == State.DECIDED
        assert decision in ready_to_publish()
        workflow.publish_decision(decision=decision, by=ppid)
        assert Record.objects.get(pk=theirs.pk).state == State.PUBLISHED
        assert list(DikVersion.objects.values_list("number", flat=True)) == [1]
    assert list(DikVersion.objects.values_list("number", flat=True)) == [1]
    with office.every_office():
        assert DecisionPublication.objects.filter(decision=decision).count() == 2
    page = Client().get(f"/kuburayakab/keputusan/{decision.pk}/").content.decode()
    assert "Data Kubu Raya" in page and "Data Pontianak" not in page
    home = Client().get("/").content.decode()
    assert "Data Pontianak" in home and "Data Kubu Raya" not in home


def test_an_office_publishes_a_decision_once_and_nobody_corrects_it_after_the_first(
    make_record, make_decision, same_roles_in, ppid
):
    decision = make_decision()
    make_record("decided", decision=decision)
    workflow.publish_decision(decision=decision, by=ppid)
    decision.refresh_from_db()
    refused = workflow.decision_unmet(decision, "publish")
    assert refused == "Keputusan ini sudah diumumkan; tidak ada yang berubah."
    same_roles_in(kubu_raya())
    with office.acting(kubu_raya()):
        # Its own items may still be decided under it: it has not published it for its list.
        assert workflow.decision_unmet(decision, "decide_exempt") is None
        # But the decision itself is public already: only a later decision changes it.
        assert "sudah diumumkan" in workflow.decision_unmet(decision, "correct")


def test_an_item_listed_under_a_decision_another_office_published_puts_it_on_the_list(
    make_record, make_decision, same_roles_in, ppid, desk
):
    decision = make_decision()
    make_record("decided", decision=decision)
    workflow.publish_decision(decision=decision, by=ppid)
    same_roles_in(kubu_raya())
    with office.acting(kubu_raya()):
        record = make_record("listed", decision=decision, public_title="Tercantum nasional")
        shelf = Location.objects.create(building="Kantor KPU Kabupaten Kubu Raya", room="Arsip")
        workflow.upload_softcopy(record=record, by=desk, file=pdf_file())
        workflow.place_hardcopy(record=record, by=desk, location=shelf)
        workflow.archive(record=record, by=desk)
        assert not decision.is_published  # not yet on Kubu Raya's list
        workflow.publish_listed(record=record, by=ppid)
        assert decision.is_published
        assert Record.objects.get(pk=record.pk).state == State.PUBLISHED
    page = Client().get(f"/kuburayakab/keputusan/{decision.pk}/").content.decode()
    assert "Tercantum nasional" in page


def decision_fields() -> dict:
    """A decision of KPU as KPU's own PPID enters it."""
    return {
        "body": DecidingBody.objects.get(kind="kpu"),
        "number": "9/HM.02-Kpt/05/KPU/XI/2026",
        "year": 2026,
        "title": "tentang Daftar Informasi Publik yang Dikecualikan",
        "date_set": datetime.date(2026, 11, 2),
        "place": "Jakarta",
        "signatory": "Ketua KPU",
        "pdf": ContentFile(tiny_pdf(["Keputusan"]), name="keputusan.pdf"),
    }


def kpu_in_service() -> Office:
    place = Office.objects.get(slug="kpu")
    place.in_service = True
    place.save()
    return place


def test_each_deciding_body_knows_its_office(db):
    bodies = {body.kind: body for body in DecidingBody.objects.select_related("home_office")}
    assert bodies["kpu"].home_office.slug == "kpu"
    provinsi = DecidingBody.objects.get(kind="kpu_provinsi", province="Kalimantan Barat")
    assert provinsi.home_office.slug == "kalbar"


def test_a_body_in_the_register_enters_its_own_decisions_and_nobody_types_them_in(
    make_decision, ppid
):
    kpu = kpu_in_service()
    with pytest.raises(workflow.WorkflowError) as refused:
        make_decision()
    assert "mencatat sendiri keputusannya" in refused.value.field_errors["body"]
    ppid_kpu = User.objects.create_user("ppid-kpu", is_staff=True)
    grant(ppid_kpu, Role.PPID, place=kpu)
    with office.acting(kpu):
        decision = workflow.create_decision(by=ppid_kpu, **decision_fields())
    assert decision.entered_in == kpu and decision.recorded_by_another is None


def test_a_decision_typed_in_by_the_office_says_so_on_its_public_page(
    make_record, make_decision, ppid
):
    decision = make_decision()
    make_record("decided", decision=decision)
    workflow.publish_decision(decision=decision, by=ppid)
    assert decision.entered_in.slug == "pontianakkota"
    page = Client().get(f"/keputusan/{decision.pk}/").content.decode()
    assert "Dicatat dalam register oleh KPU Kota Pontianak" in page
    assert "bukan dimasukkan oleh Komisi Pemilihan Umum sendiri" in page


def test_kpus_revocation_in_whole_opens_every_offices_items_each_with_its_own_version(
    make_record, make_decision, same_roles_in, ppid, mailoutbox, django_capture_on_commit_callbacks
):
    revoked = make_decision()  # typed in by the offices while KPU kept no register here
    ours = make_record("decided", decision=revoked, public_title="Data Pontianak")
    same_roles_in(kubu_raya())
    with office.acting(kubu_raya()):
        theirs = make_record("decided", decision=revoked, public_title="Data Kubu Raya")
        workflow.publish_decision(decision=revoked, by=ppid)
    workflow.publish_decision(decision=revoked, by=ppid)
    revoked.refresh_from_db()
    kpu = kpu_in_service()
    ppid_kpu = User.objects.create_user("ppid-kpu", email="ppid-kpu@example.org", is_staff=True)
    grant(ppid_kpu, Role.PPID, place=kpu)
    with office.acting(kpu):
        fields = {**decision_fields(), "revokes": revoked, "revokes_whole": True}
        revocation = workflow.create_decision(by=ppid_kpu, **fields)
        with django_capture_on_commit_callbacks(execute=True):
            workflow.publish_decision(decision=revocation, by=ppid_kpu)
    for place, record in ((office.default(), ours), (kubu_raya(), theirs)):
        with office.acting(place):
            opened = Record.objects.get(pk=record.pk)
            assert opened.state == State.OPENED and opened.opened_reason == "revoked"
            assert timezone.localtime(opened.opened_at).date() == revocation.date_set
            assert sorted(DikVersion.objects.values_list("number", flat=True)) == [1, 2]
            assert revocation.is_published
    page = Client().get(f"/kuburayakab/keputusan/{revoked.pk}/").content.decode()
    assert "Dicabut seluruhnya dengan" in page and str(revocation) in page
    assert "Data Kubu Raya" not in Client().get("/kuburayakab/").content.decode()
    assert "Data Pontianak" not in Client().get("/").content.decode()
    assert {"ppid@example.org"} <= {address for m in mailoutbox for address in m.to}
