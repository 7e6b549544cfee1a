"""A request to KPU travels through KPU Provinsi inside the register (PKPU 22/2023 Pasal 25).

Pontianak's PPID sends one letter for archived records; the PPID of KPU Provinsi
Kalimantan Barat reads the public fields and the consequence test, and forwards it to KPU
with a cover letter or returns it with a note. Another province sees nothing of it.
"""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from dikecualikan import office, workflow
from dikecualikan.management.commands.seed_demo import tiny_pdf
from dikecualikan.models import (
    DecidingBody,
    DecisionRequest,
    Office,
    Record,
    RequestEvent,
    State,
    Transition,
)
from dikecualikan.roles import Role, grant

LETTER = {"letter_number": "123/PL.01-SD/6171/2026", "letter_date": "2026-11-30"}
COVER = {"letter_number": "45/PL.01-SD/61/2026", "letter_date": "2026-12-01"}


def place(slug: str, in_service=True) -> Office:
    found = Office.objects.get(slug=slug)
    found.in_service = in_service
    found.save()
    return found


def person(username: str, where: Office, role=Role.PPID) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "pw", is_staff=True)
    grant(user, role, place=where)
    return user


@pytest.fixture
def kalbar(db):
    return place("kalbar")


@pytest.fixture
def ppid_kalbar(kalbar):
    return person("ppid-kalbar", kalbar)


@pytest.fixture
def ppid_kpu(db):
    return person("ppid-kpu", place("kpu"))


@pytest.fixture
def archived(make_record, kalbar):
    first = make_record("archived", title="Judul internal rahasia", public_title="Data kesehatan")
    return [first, make_record("archived", public_title="Rekam medis calon")]


def send(client, ppid, records, **changes):
    client.force_login(ppid)
    data = {**LETTER, "records": [r.pk for r in records], **changes}
    return client.post(reverse("dikecualikan:staff-request-new"), data)


def as_kalbar(client, user):
    client.logout()
    client.force_login(user)
    return client


def test_the_office_sends_one_letter_and_its_records_wait_at_the_provinsi(
    client, ppid, ppid_kalbar, archived, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, ppid, archived)
    request = DecisionRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dikecualikan:staff-request", args=[request.pk])
    assert request.state == "sent" and request.via.slug == "kalbar"
    assert request.addressed_to.slug == "kpu"
    for record in archived:
        record.refresh_from_db()
        assert record.state == State.REQUESTED
        assert record.request_number == LETTER["letter_number"]
        assert "KPU Provinsi Kalimantan Barat" in record.request_addressee
    # The step is in both offices' registers, each in its own chain.
    assert [e.kind for e in RequestEvent.objects.all()] == ["sent"]
    with office.acting(request.via):
        assert [e.kind for e in RequestEvent.objects.all()] == ["received"]
    assert [m.to for m in mailoutbox] == [["ppid-kalbar@example.org"]]
    assert "/staf/permintaan/" in mailoutbox[0].body


def test_the_provinsi_reads_the_public_fields_and_the_test_never_the_internal_title(
    client, ppid, ppid_kalbar, archived
):
    send(client, ppid, archived)
    request = DecisionRequest.objects.get()
    page = as_kalbar(client, ppid_kalbar).get(
        reverse("dikecualikan:staff-request", args=[request.pk])
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Data kesehatan" in text and "Rekam medis calon" in text
    assert archived[0].harm in text and archived[0].test_place in text
    assert "Judul internal rahasia" not in text
    assert reverse("dikecualikan:staff-record", args=[archived[0].pk]) not in text
    assert "Teruskan ke KPU" in text and "Kembalikan ke kantor" in text
    # Its list says how long it has waited, in working days.
    listed = client.get(reverse("dikecualikan:staff-requests")).content.decode()
    assert LETTER["letter_number"] in listed and "0 hari kerja" in listed


def test_the_provinsi_forwards_it_to_kpu_which_then_sees_it(
    client, ppid, ppid_kalbar, ppid_kpu, archived
):
    send(client, ppid, archived)
    request = DecisionRequest.objects.get()
    url = reverse("dikecualikan:staff-request", args=[request.pk])
    as_kalbar(client, ppid_kpu)
    assert client.get(url).status_code == 404  # not forwarded yet: not KPU's to read
    as_kalbar(client, ppid_kalbar)
    forward = reverse("dikecualikan:staff-request-forward", args=[request.pk])
    assert client.post(forward, COVER).status_code == 302
    request.refresh_from_db()
    assert request.state == "forwarded" and request.forward_number == COVER["letter_number"]
    assert request.forwarded_by == ppid_kalbar
    assert [e.kind for e in RequestEvent.objects.order_by("pk")] == ["sent", "forwarded"]
    as_kalbar(client, ppid_kpu)
    assert client.get(url).status_code == 200
    waiting = client.get(reverse("dikecualikan:staff-requests")).content.decode()
    assert LETTER["letter_number"] in waiting and "Kota Pontianak" in waiting
    # The records still wait for KPU's decision.
    assert {r.state for r in Record.objects.filter(pk__in=[a.pk for a in archived])} == {
        State.REQUESTED
    }


def test_a_returned_request_sends_its_records_back_with_the_note_on_top(
    client, ppid, ppid_kalbar, archived
):
    send(client, ppid, archived)
    request = DecisionRequest.objects.get()
    as_kalbar(client, ppid_kalbar)
    back = reverse("dikecualikan:staff-request-return", args=[request.pk])
    refused = client.post(back, {"note": ""})
    assert "Alasan dikembalikan: Kolom ini wajib diisi." in refused.content.decode()
    request.refresh_from_db()
    assert request.state == "sent"
    note = "Uji konsekuensi belum ditandatangani Tim Pertimbangan."
    assert client.post(back, {"note": note}).status_code == 302
    # A second click, or a second person, meets the first answer.
    again = client.post(back, {"note": "lagi"}).content.decode()
    assert "sudah dijawab" in again
    for record in archived:
        record.refresh_from_db()
        assert record.state == State.ARCHIVED
        last = Transition.objects.filter(record=record).order_by("pk").last()
        assert last.note == note and last.action == "request_back"
        assert last.instrument == "KPU Provinsi Kalimantan Barat"
    as_kalbar(client, ppid)
    page = client.get(reverse("dikecualikan:staff-request", args=[request.pk])).content.decode()
    assert note in page and "Dikembalikan oleh KPU Provinsi Kalimantan Barat" in page
    # Archived again, the records can be sent in a new letter.
    assert send(client, ppid, archived, letter_number="124/PL.01-SD/6171/2026").status_code == 302


def test_another_province_sees_nothing_of_the_request(client, ppid, ppid_kalbar, archived):
    send(client, ppid, archived)
    request = DecisionRequest.objects.get()
    stranger = person("ppid-kalteng", place("kalteng"))
    as_kalbar(client, stranger)
    for name in ("staff-request",):
        assert client.get(reverse(f"dikecualikan:{name}", args=[request.pk])).status_code == 404
    for name in ("staff-request-forward", "staff-request-return"):
        url = reverse(f"dikecualikan:{name}", args=[request.pk])
        assert client.post(url, {**COVER, "note": "x"}).status_code == 404
    assert (
        LETTER["letter_number"]
        not in client.get(reverse("dikecualikan:staff-requests")).content.decode()
    )
    request.refresh_from_db()
    assert request.state == "sent"


def test_the_office_cannot_forward_its_own_request(client, ppid, ppid_kalbar, archived):
    send(client, ppid, archived)
    request = DecisionRequest.objects.get()
    url = reverse("dikecualikan:staff-request-forward", args=[request.pk])
    page = client.post(url, COVER).content.decode()
    assert "Hanya PPID KPU Provinsi" in page
    request.refresh_from_db()
    assert request.state == "sent"


def test_records_of_another_office_or_not_archived_cannot_be_sent(
    client, ppid, ppid_kalbar, archived, make_record, same_roles_in
):
    kubu_raya = place("kuburayakab")
    same_roles_in(kubu_raya)
    with office.acting(kubu_raya):
        theirs = make_record("archived")
    refused = send(client, ppid, [archived[0], theirs])
    assert refused.status_code == 200 and not DecisionRequest.objects.exists()
    collected = make_record("collected")
    page = send(client, ppid, [archived[0], collected]).content.decode()
    assert not DecisionRequest.objects.exists()
    archived[0].refresh_from_db()
    assert archived[0].state == State.ARCHIVED and "is-invalid" not in page
    nothing = send(client, ppid, []).content.decode()
    assert "Pilih informasi" in nothing and not DecisionRequest.objects.exists()


def test_letters_are_dated_in_order(client, ppid, ppid_kalbar, archived):
    future = send(client, ppid, archived, letter_date="2099-01-01").content.decode()
    assert "tidak boleh di masa mendatang" in future and not DecisionRequest.objects.exists()
    send(client, ppid, archived)
    request = DecisionRequest.objects.get()
    as_kalbar(client, ppid_kalbar)
    url = reverse("dikecualikan:staff-request-forward", args=[request.pk])
    early = client.post(url, {**COVER, "letter_date": "2026-11-01"}).content.decode()
    assert "sebelum surat kantor" in early
    request.refresh_from_db()
    assert request.state == "sent"


def test_without_its_provinsi_in_the_register_the_office_records_the_letter_as_before(
    client, ppid, make_record
):
    place("kalbar", in_service=False)
    record = make_record("archived")
    assert workflow.through_office() is None
    page = client_get_new(client, ppid)
    assert "tidak menggunakan register" in page
    workflow.request_decision(
        record=record, by=ppid, letter_number="1/2026", letter_date=datetime.date(2026, 11, 30)
    )
    record.refresh_from_db()
    assert record.state == State.REQUESTED


def test_with_its_provinsi_in_the_register_the_letter_is_not_typed_on_a_record(
    ppid, kalbar, make_record
):
    record = make_record("archived")
    with pytest.raises(workflow.WorkflowError, match="menggunakan register"):
        workflow.request_decision(
            record=record, by=ppid, letter_number="1/2026", letter_date=datetime.date(2026, 11, 30)
        )


def client_get_new(client, ppid) -> str:
    client.force_login(ppid)
    return client.get(reverse("dikecualikan:staff-request-new")).content.decode()


def test_every_offices_history_verifies_after_the_request_travelled(
    client, ppid, ppid_kalbar, archived, capsys
):
    send(client, ppid, archived)
    request = DecisionRequest.objects.get()
    as_kalbar(client, ppid_kalbar)
    client.post(reverse("dikecualikan:staff-request-return", args=[request.pk]), {"note": "x"})
    call_command("verify_history")
    out = capsys.readouterr().out
    assert "dikecualikan.RequestEvent: ok 4" in out and "broken 0" in out


def test_the_provinsi_and_then_kpu_find_the_request_waiting_on_their_dashboards(
    client, ppid, ppid_kalbar, ppid_kpu, archived
):
    send(client, ppid, archived)
    request = DecisionRequest.objects.get()
    dashboard = reverse("dikecualikan:dashboard")
    page = as_kalbar(client, ppid_kalbar).get(dashboard).content.decode()
    assert "Teruskan permohonan ke KPU dengan surat pengantar" in page
    assert str(request) in page and "Menunggu saya (1)" in page
    mine = as_kalbar(client, ppid).get(dashboard).content.decode()
    assert "Teruskan permohonan" not in mine  # the office that sent it waits on others
    as_kalbar(client, ppid_kalbar).post(
        reverse("dikecualikan:staff-request-forward", args=[request.pk]), COVER
    )
    assert "Menunggu saya (0)" in client.get(dashboard).content.decode()
    at_kpu = as_kalbar(client, ppid_kpu).get(dashboard).content.decode()
    assert "Uji dan putuskan informasi dalam permohonan ini" in at_kpu


@pytest.fixture
def forwarded(client, ppid, ppid_kalbar, archived):
    send(client, ppid, archived)
    request = DecisionRequest.objects.get()
    as_kalbar(client, ppid_kalbar).post(
        reverse("dikecualikan:staff-request-forward", args=[request.pk]), COVER
    )
    client.logout()
    request.refresh_from_db()
    return request


def entered_at(slug: str, person, **fields):
    """A decision a deciding body's PPID enters in its own office, as set and signed."""
    with office.acting(Office.objects.get(slug=slug)):
        return workflow.create_decision(
            by=person,
            **{
                "year": 2026,
                "title": "tentang Daftar Informasi Publik yang Dikecualikan",
                "date_set": datetime.date(2026, 12, 2),
                "pdf": ContentFile(tiny_pdf(["Keputusan"]), name="keputusan.pdf"),
                **fields,
            },
        )


def kpu_decision(ppid_kpu, **changes):
    """A decision KPU's PPID enters in KPU's own office."""
    fields = {
        "body": DecidingBody.objects.get(kind="kpu"),
        "number": "1210/HM.02-Kpt/05/KPU/XII/2026",
        "place": "Jakarta",
        "signatory": "Ketua KPU",
    }
    return entered_at("kpu", ppid_kpu, **{**fields, **changes})


def decide(client, ppid_kpu, request, decision, outcomes):
    client.logout()
    client.force_login(ppid_kpu)
    data = {"decision": decision.pk, **{f"outcome_{pk}": v for pk, v in outcomes.items()}}
    return client.post(reverse("dikecualikan:staff-request-decide", args=[request.pk]), data)


def test_kpu_decides_once_and_the_office_publishes_it_for_its_list(
    client, ppid, ppid_kpu, archived, forwarded, mailoutbox, django_capture_on_commit_callbacks
):
    Office.objects.filter(slug="kpu").update(in_service=True)
    decision = kpu_decision(ppid_kpu)
    exempt, opened = archived
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(
            client, ppid_kpu, forwarded, decision, {exempt.pk: "exempt", opened.pk: "open"}
        )
    assert response.status_code == 302
    forwarded.refresh_from_db()
    assert forwarded.state == "decided"
    exempt.refresh_from_db()
    opened.refresh_from_db()
    assert (exempt.state, opened.state) == (State.DECIDED, State.OPENED)
    # Written in Pontianak's register, by KPU's PPID, with the decision as its instrument.
    step = Transition.objects.filter(record=exempt).order_by("pk").last()
    assert step.actor == ppid_kpu and step.instrument == str(decision)
    assert [e.kind for e in RequestEvent.objects.order_by("pk")][-1] == "decided"
    with office.acting(Office.objects.get(slug="kpu")):
        assert [e.kind for e in RequestEvent.objects.order_by("pk")] == ["decided"]
    assert [m.to for m in mailoutbox][-1] == ["ppid@example.org"]
    # Pontianak publishes KPU's decision for its own list.
    workflow.publish_decision(decision=decision, by=ppid)
    exempt.refresh_from_db()
    assert exempt.state == State.PUBLISHED
    page = Client().get(f"/keputusan/{decision.pk}/").content.decode()
    assert exempt.public_title in page and "Dicatat dalam register" not in page


def test_kpu_decides_only_with_its_own_decision_and_an_outcome_for_every_record(
    client, ppid, ppid_kpu, ppid_kalbar, archived, forwarded
):
    Office.objects.filter(slug="kpu").update(in_service=True)
    decision = kpu_decision(ppid_kpu)
    page = decide(client, ppid_kpu, forwarded, decision, {archived[0].pk: "exempt"})
    assert "Pilih dikecualikan atau terbuka" in page.content.decode()
    forwarded.refresh_from_db()
    assert forwarded.state == "forwarded"
    assert {r.state for r in forwarded.records.all()} == {State.REQUESTED}
    # The Provinsi cannot decide for KPU: the request is not addressed to it.
    client.logout()
    client.force_login(ppid_kalbar)
    url = reverse("dikecualikan:staff-request-decide", args=[forwarded.pk])
    outcomes = {f"outcome_{r.pk}": "exempt" for r in archived}
    refused = client.post(url, {"decision": decision.pk, **outcomes}).content.decode()
    assert 'class="error-summary"' in refused  # KPU's decision is no choice of the Provinsi
    forwarded.refresh_from_db()
    assert forwarded.state == "forwarded"


def test_only_kpus_ppid_decides_and_only_with_a_decision_kpu_entered_once(
    client, ppid_kpu, ppid_kalbar, archived, forwarded, make_decision
):
    Office.objects.filter(slug="kpu").update(in_service=False)
    typed = make_decision()  # typed in by Pontianak while KPU kept no register here
    Office.objects.filter(slug="kpu").update(in_service=True)
    decision = kpu_decision(ppid_kpu)
    outcomes = {record.pk: "exempt" for record in archived}
    with office.acting(Office.objects.get(slug="kalbar")):
        # Forwarded, the request is KPU's to decide: the Provinsi answered it already.
        with pytest.raises(workflow.WorkflowError, match="sudah dijawab"):
            workflow.decide_request(
                asked=forwarded, decision=decision, by=ppid_kalbar, outcomes=outcomes
            )
    with office.acting(Office.objects.get(slug="pontianakkota")):
        with pytest.raises(workflow.WorkflowError, match="Hanya PPID KPU"):
            workflow.decide_request(
                asked=forwarded, decision=decision, by=ppid_kalbar, outcomes=outcomes
            )
    with office.acting(Office.objects.get(slug="kpu")):
        with pytest.raises(workflow.WorkflowError) as refused:
            workflow.decide_request(asked=forwarded, decision=typed, by=ppid_kpu, outcomes=outcomes)
        assert "decision" in refused.value.field_errors
        workflow.decide_request(asked=forwarded, decision=decision, by=ppid_kpu, outcomes=outcomes)
        with pytest.raises(workflow.WorkflowError, match="sudah dijawab"):
            workflow.decide_request(
                asked=forwarded, decision=decision, by=ppid_kpu, outcomes=outcomes
            )
    assert {r.state for r in Record.objects.filter(pk__in=outcomes)} == {State.DECIDED}


def test_a_neighbouring_office_of_the_same_province_sees_nothing_of_the_request(
    client, ppid, ppid_kalbar, archived
):
    send(client, ppid, archived)
    request = DecisionRequest.objects.get()
    neighbour = person("ppid-kuburaya", place("kuburayakab"))
    as_kalbar(client, neighbour)
    assert client.get(reverse("dikecualikan:staff-request", args=[request.pk])).status_code == 404
    listed = client.get(reverse("dikecualikan:staff-requests")).content.decode()
    assert LETTER["letter_number"] not in listed


def test_kpus_decision_cannot_be_dated_before_the_offices_letter(ppid_kpu, archived, forwarded):
    early = kpu_decision(ppid_kpu, date_set=datetime.date(2026, 11, 2), number="7/2026")
    outcomes = {record.pk: "exempt" for record in archived}
    with office.acting(Office.objects.get(slug="kpu")):
        with pytest.raises(workflow.WorkflowError, match="setelah surat permohonan"):
            workflow.decide_request(asked=forwarded, decision=early, by=ppid_kpu, outcomes=outcomes)
    forwarded.refresh_from_db()
    assert forwarded.state == "forwarded"
    assert {r.state for r in Record.objects.filter(pk__in=outcomes)} == {State.REQUESTED}


def test_each_office_is_offered_exactly_the_answers_the_workflow_would_take(
    client, ppid, ppid_kalbar, ppid_kpu, archived
):
    send(client, ppid, archived)
    request = DecisionRequest.objects.get()
    url = reverse("dikecualikan:staff-request", args=[request.pk])
    buttons = ("staff-request-forward", "staff-request-return", "staff-request-decide")

    def offered(user):
        page = as_kalbar(client, user).get(url).content.decode()
        return [b for b in buttons if reverse(f"dikecualikan:{b}", args=[request.pk]) in page]

    assert offered(ppid) == []  # the office that sent it waits
    # KPU's delegation is in force for KPU Provinsi Kalimantan Barat (its deciding body's data).
    assert offered(ppid_kalbar) == list(buttons)
    DecidingBody.objects.filter(home_office__slug="kalbar").update(by_delegation=False)
    assert offered(ppid_kalbar) == ["staff-request-forward", "staff-request-return"]
    client.post(reverse("dikecualikan:staff-request-forward", args=[request.pk]), COVER)
    assert offered(ppid_kalbar) == []
    assert offered(ppid_kpu) == ["staff-request-decide"]


def test_what_kpu_decided_of_the_offices_records_is_changed_by_kpu_alone(
    client, ppid, ppid_kpu, archived, forwarded, make_record
):
    Office.objects.filter(slug="kpu").update(in_service=True)
    decision = kpu_decision(ppid_kpu)
    exempt, opened = archived
    decide(client, ppid_kpu, forwarded, decision, {exempt.pk: "exempt", opened.pk: "open"})
    exempt.refresh_from_db()
    assert exempt.state == State.DECIDED
    # Pontianak's PPID withdraws no item of KPU's answer, and adds none of its own records.
    assert "withdraw" not in workflow.allowed_steps(exempt, ppid)
    with pytest.raises(workflow.WorkflowError, match="mencatat sendiri keputusan ini"):
        workflow.withdraw_item(record=exempt, by=ppid, note="Salah")
    never_requested = make_record("archived")
    with pytest.raises(workflow.WorkflowError, match="mencatat sendiri keputusan ini"):
        workflow.record_decision(
            decision=decision, record=never_requested, outcome="exempt", by=ppid
        )
    assert "decide_exempt" not in workflow.decision_steps(decision, ppid)
    exempt.refresh_from_db()
    assert exempt.state == State.DECIDED
    assert Record.objects.get(pk=never_requested.pk).state == State.ARCHIVED


def provinsi_decision(ppid_kalbar):
    """A decision KPU Provinsi Kalimantan Barat's PPID enters in its own office, by KPU's
    delegation (PKPU 4/2025)."""
    return entered_at(
        "kalbar",
        ppid_kalbar,
        body=DecidingBody.objects.get(home_office__slug="kalbar"),
        number="7/PL.01-Kpt/61/Prov/XII/2026",
        place="Pontianak",
        signatory="Ketua KPU Provinsi Kalimantan Barat",
    )


def test_the_provinsi_decides_by_delegation_and_kpu_never_sees_the_request(
    client, ppid, ppid_kalbar, ppid_kpu, archived, mailoutbox, django_capture_on_commit_callbacks
):
    send(client, ppid, archived)
    request = DecisionRequest.objects.get()
    decision = provinsi_decision(ppid_kalbar)
    exempt, opened = archived
    with django_capture_on_commit_callbacks(execute=True):
        response = as_kalbar(client, ppid_kalbar).post(
            reverse("dikecualikan:staff-request-decide", args=[request.pk]),
            {
                "decision": decision.pk,
                f"outcome_{exempt.pk}": "exempt",
                f"outcome_{opened.pk}": "open",
            },
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "decided" and request.forwarded_at is None
    exempt.refresh_from_db()
    opened.refresh_from_db()
    assert (exempt.state, opened.state) == (State.DECIDED, State.OPENED)
    told = [m for m in mailoutbox if m.to == ["ppid@example.org"]][-1]
    assert "Komisi Pemilihan Umum Provinsi Kalimantan Barat" not in told.subject
    assert "KPU Provinsi Kalimantan Barat telah memutuskan" in told.body
    # KPU never received it: not in its lists, a 404 on its page.
    client.logout()
    client.force_login(ppid_kpu)
    assert client.get(reverse("dikecualikan:staff-request", args=[request.pk])).status_code == 404
    # Pontianak publishes the Provinsi's decision for its list.
    workflow.publish_decision(decision=decision, by=ppid)
    exempt.refresh_from_db()
    assert exempt.state == State.PUBLISHED


def test_without_the_delegation_the_provinsi_only_forwards_or_returns(
    ppid, ppid_kalbar, archived, client
):
    send(client, ppid, archived)
    request = DecisionRequest.objects.get()
    decision = provinsi_decision(ppid_kalbar)
    DecidingBody.objects.filter(home_office__slug="kalbar").update(
        decides_from=datetime.date(2027, 1, 1)
    )
    with office.acting(Office.objects.get(slug="kalbar")):
        with pytest.raises(workflow.WorkflowError, match="pelimpahan"):
            workflow.decide_request(
                asked=request,
                decision=decision,
                by=ppid_kalbar,
                outcomes={r.pk: "exempt" for r in archived},
            )
    assert {r.state for r in Record.objects.filter(pk__in=[r.pk for r in archived])} == {
        State.REQUESTED
    }


def test_a_request_of_an_office_withdrawn_from_the_register_is_not_answered_in_it(
    ppid_kpu, archived, forwarded
):
    Office.objects.filter(slug="kpu").update(in_service=True)
    decision = kpu_decision(ppid_kpu)
    pontianak = Office.objects.get(slug="pontianakkota")
    pontianak.in_service = False
    pontianak.save()
    with office.acting(Office.objects.get(slug="kpu")):
        with pytest.raises(workflow.WorkflowError, match="tidak lagi menggunakan register"):
            workflow.decide_request(
                asked=forwarded,
                decision=decision,
                by=ppid_kpu,
                outcomes={record.pk: "exempt" for record in archived},
            )
    forwarded.refresh_from_db()
    assert forwarded.state == "forwarded"
    assert {r.state for r in Record.objects.filter(pk__in=[r.pk for r in archived])} == {
        State.REQUESTED
    }
