"""Two people acting at once: the record's row lock makes their steps happen one after the other."""

import datetime
import threading

import pytest
from django.db import connection, connections

from dikecualikan import office, workflow
from dikecualikan.history import verify_chain
from dikecualikan.models import Approval, Record, Transition

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_together(*calls):
    """Run the calls in threads (each with its own connection), released by one barrier;
    each acts for the test's office, as each person's request does."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)
    here = office.current()

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            with office.acting(here):
                outcomes[index] = call()
        except Exception as error:  # reported to the test below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under concurrency need PostgreSQL (SQLite serialises all writes)")


def test_two_approvers_at_the_same_moment_end_with_one_transition_to_approved(
    make_record, pembina, pertimbangan
):
    for _ in range(5):  # a race that passes once may pass by luck: run it a few times
        record = make_record("awaiting_approval")
        outcomes = run_together(
            lambda r=record: workflow.approve(record=r, by=pembina),
            lambda r=record: workflow.approve(record=r, by=pertimbangan),
        )
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert Record.objects.get(pk=record.pk).state == "approved"
        assert Transition.objects.filter(record=record, to_state="approved").count() == 1
        assert Approval.objects.filter(record=record, verdict="approve").count() == 2


def test_the_same_approver_clicking_twice_at_once_gives_one_verdict(make_record, pembina):
    record = make_record("awaiting_approval")
    outcomes = run_together(
        lambda: workflow.approve(record=record, by=pembina),
        lambda: workflow.approve(record=record, by=pembina),
    )
    assert sum(isinstance(o, workflow.WorkflowError) for o in outcomes) == 1
    assert Approval.objects.filter(record=record).count() == 1


def test_a_return_and_an_approval_at_once_leave_one_consistent_state(
    make_record, pembina, pertimbangan
):
    record = make_record("awaiting_approval")
    outcomes = run_together(
        lambda: workflow.approve(record=record, by=pembina),
        lambda: workflow.return_for_revision(record=record, by=pertimbangan, note="Perbaiki"),
    )
    record.refresh_from_db()
    errors = [o for o in outcomes if isinstance(o, Exception)]
    # Either the approval came first (then the return), or the return came first and the
    # approval was refused because the record was no longer awaiting approval.
    assert record.state == "returned"
    assert all(isinstance(e, workflow.WorkflowError) for e in errors) and len(errors) <= 1
    assert Approval.objects.filter(record=record).count() == 2 - len(errors)


def test_two_decisions_published_at_once_make_two_numbered_dik_versions(make_record, ppid):
    from dikecualikan.models import DikVersion

    first, second = make_record.decision(), make_record.decision()
    make_record("decided", decision=first)
    make_record("decided", decision=second)
    outcomes = run_together(
        lambda: workflow.publish_decision(decision=first, by=ppid),
        lambda: workflow.publish_decision(decision=second, by=ppid),
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(DikVersion.objects.values_list("number", flat=True)) == [1, 2]
    assert Record.objects.filter(state="published").count() == 2


def test_the_same_file_uploaded_twice_at_the_same_moment_is_stored_once(make_record, desk):
    from arsip.models import SoftcopyVersion

    from ..arsip import samples

    data = samples.pdf("Diunggah dua kali")
    for _ in range(3):
        record = make_record("collected")
        outcomes = run_together(
            *[
                lambda r=record: workflow.upload_softcopy(
                    record=r, by=desk, file=samples.upload("scan.pdf", data)
                )
                for _ in range(2)
            ]
        )
        refused = [o for o in outcomes if isinstance(o, workflow.WorkflowError)]
        assert len(refused) == 1 and "SHA-256" in str(refused[0]), outcomes
        versions = SoftcopyVersion.objects.filter(softcopy__record=record)
        assert versions.count() == 1
        # The refused copy was removed: every stored file belongs to a version.
        storage = SoftcopyVersion._meta.get_field("file").storage
        folder = f"softcopy/{office.current().slug}"  # the office's own files
        assert len(storage.listdir(folder)[1]) == SoftcopyVersion.objects.count()


def test_the_same_decision_entered_twice_at_once_is_one_decision_and_one_pdf(ppid, settings):
    from django.core.files.base import ContentFile

    from dikecualikan.management.commands.seed_demo import tiny_pdf
    from dikecualikan.models import DecidingBody, Decision

    kpu = DecidingBody.objects.get(name="Komisi Pemilihan Umum")

    def enter():
        return workflow.create_decision(
            by=ppid,
            body=kpu,
            number="731 Tahun 2025",
            year=2025,
            title="tentang DIK",
            date_set=datetime.date(2025, 8, 21),
            place="Jakarta",
            signatory="Ketua KPU",
            pdf=ContentFile(tiny_pdf(["Keputusan"]), name="keputusan.pdf"),
        )

    outcomes = run_together(enter, enter)
    refused = [o for o in outcomes if isinstance(o, workflow.WorkflowError)]
    assert len(refused) == 1, outcomes
    decision = Decision.objects.get()
    stored = [p for p in settings.MEDIA_ROOT.rglob("*.pdf")]
    assert [p.name for p in stored] == [decision.pdf.name.rsplit("/", 1)[-1]]


def test_history_written_at_the_same_moment_on_different_records_keeps_one_chain(
    make_record, pembina
):
    """No row lock orders them: the chains' lock does, so no two rows chain to the same one."""
    records = [make_record("awaiting_approval") for _ in range(6)]
    outcomes = run_together(*[lambda r=r: workflow.approve(record=r, by=pembina) for r in records])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    for model in (Transition, Approval):
        ok, broken, first = verify_chain(model)
        assert (ok, broken) == (model.objects.count(), 0), first


def test_two_approvers_of_different_roles_judging_their_open_forms_at_once_both_count(
    make_record, pembina, pertimbangan
):
    for _ in range(5):
        record = make_record("awaiting_approval")
        read = record.version  # both opened the verdict screen before either judged
        outcomes = run_together(
            lambda r=record, v=read: workflow.approve(record=r, by=pembina, version=v),
            lambda r=record, v=read: workflow.approve(record=r, by=pertimbangan, version=v),
        )
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert Record.objects.get(pk=record.pk).state == "approved"
        assert Approval.objects.filter(record=record, verdict="approve").count() == 2


def test_the_same_dik_form_posted_twice_at_the_same_instant_makes_one_record(desk):
    from django.test import Client
    from django.urls import reverse

    from dikecualikan.models import SentForm

    form = {
        "title": "Berkas yang dikirim dua kali",
        "public_title": "Informasi yang dikirim dua kali",
        "holding_unit": "Divisi Teknis",
        "document_type": "Surat",
        "token": "f" * 32,
    }
    clients = [Client(), Client()]  # two tabs, or a double click that sent twice
    for client in clients:
        client.force_login(desk)
    outcomes = run_together(
        *[lambda c=c: c.post(reverse("dikecualikan:staff-record-new"), form) for c in clients]
    )
    assert all(getattr(o, "status_code", None) == 302 for o in outcomes), outcomes
    assert Record.objects.filter(title=form["title"]).count() == 1
    record = Record.objects.get(title=form["title"])
    assert {o.url for o in outcomes} == {reverse("dikecualikan:staff-record", args=[record.pk])}
    assert SentForm.objects.get().record == record
    assert Transition.objects.filter(record=record).count() == 1


def test_two_workers_on_postgresql_never_run_the_same_task_twice(settings, mailoutbox):
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from dikecualikan import outbox
    from dikecualikan.models import OutgoingMail

    settings.TASKS = {  # the real backend (the suite otherwise runs tasks at once)
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "mail", "documents"],
        }
    }
    for n in range(40):
        outbox.queue(f"orang{n}@example.org", f"Surel {n}", "Isi")

    def work(name):
        # As `db_worker --batch` runs it, each in its own thread and connection (the
        # command itself would install signal handlers, which only the main thread may).
        options = {"interval": 0, "batch": True, "backend_name": "default", "max_tasks": None}
        Worker(
            queue_names=["mail"],
            startup_delay=False,
            worker_id=name,
            excluded_queue_names=[],
            **options,
        ).run()

    outcomes = run_together(lambda: work("satu"), lambda: work("dua"))
    assert outcomes == [None, None]
    tasks = DBTaskResult.objects.filter(task_path="dikecualikan.outbox.deliver")
    assert tasks.count() == 40
    assert all(len(task.worker_ids) == 1 for task in tasks)  # each claimed once
    assert {task.worker_ids[0] for task in tasks} == {"satu", "dua"}  # both did work
    assert sorted(m.to[0] for m in mailoutbox) == sorted(f"orang{n}@example.org" for n in range(40))
    assert OutgoingMail.objects.filter(status="sent").count() == 40


def test_a_request_returned_and_forwarded_at_once_gets_exactly_one_answer(make_record, ppid):
    from io import StringIO

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from dikecualikan.models import DecisionRequest, Office, RequestEvent
    from dikecualikan.roles import Role, grant

    kalbar = Office.objects.get(slug="kalbar")
    kalbar.in_service = True
    kalbar.save()
    ppid_kalbar = User.objects.create_user("ppid-kalbar", is_staff=True)
    grant(ppid_kalbar, Role.PPID, place=kalbar)
    today = timezone.localdate()
    for n in range(3):  # a race that passes once may pass by luck
        record = make_record("archived")
        request = workflow.send_request(
            records=[record], by=ppid, letter_number=f"{n}/PP.01-SD/6171", letter_date=today
        )

        def answer(step, request=request, **details):
            with office.acting(kalbar):
                return step(asked=request, by=ppid_kalbar, **details)

        outcomes = run_together(
            lambda: answer(workflow.return_request, note="Uji konsekuensi belum lengkap."),
            lambda: answer(workflow.forward_request, letter_number="45/PP", letter_date=today),
        )
        refused = [o for o in outcomes if isinstance(o, Exception)]
        assert len(refused) == 1 and "sudah dijawab" in str(refused[0]), outcomes
        state = DecisionRequest.objects.get(pk=request.pk).state
        kinds = list(
            RequestEvent.objects.filter(request=request)
            .order_by("pk")
            .values_list("kind", flat=True)
        )
        record.refresh_from_db()
        if state == "returned":
            assert kinds == ["sent", "returned"] and record.state == "archived"
        else:
            assert (state, kinds, record.state) == ("forwarded", ["sent", "forwarded"], "requested")
    call_command("verify_history", stdout=StringIO())
