"""The cast: one user per role, a second member of the Tim Pertimbangan, and an IT admin.

Factories (`make_record`) drive records through the real workflow functions,
so every test starts from a history real use would leave.

Transactional tests (threads against PostgreSQL, the browser) are marked
`django_db(transaction=True, serialized_rollback=True)`: the flush that ends them
would otherwise take the rows the data migrations made (roles, grounds) from the
tests after them.
"""

import contextlib
import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.db.backends.base.operations import BaseDatabaseOperations
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from arsip.models import Location, SoftcopyVersion
from dikecualikan import office, workflow
from dikecualikan.dik import published_rows
from dikecualikan.history import (
    append_only_models,
    drop_triggers,
    install_kept_triggers,
    install_triggers,
)
from dikecualikan.management.commands.seed_demo import tiny_pdf
from dikecualikan.models import (
    DecidingBody,
    Decision,
    DecisionItem,
    DikChange,
    DikVersion,
    ExemptionGround,
    Outcome,
    Record,
)
from dikecualikan.roles import Role, grant, roles_of


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_history_triggers():
    """The flush after a transactional test empties every table, which the history's
    triggers refuse (as they must in use): lift them for the flush alone."""
    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(ops, sql_list):
        editor = SimpleNamespace(connection=ops.connection, execute=ops.connection.cursor().execute)
        for model in [*append_only_models(), Location]:
            drop_triggers(editor, model)
        original(ops, sql_list)
        for model in append_only_models():
            install_triggers(editor, model, getattr(model, "closing_fields", ()))
        install_kept_triggers(editor, Location, Location.MUTABLE_FIELDS)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """MD5 hashing, mail in memory, and every file on this test's own tmp_path."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "private" / "tmp")
    cache.clear()  # public pages are cached per DIK version, and each test starts at version 0
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": settings.STORAGES["private"]["BACKEND"],
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    # The field resolved its storage callable at import time; point it at this test's folder.
    field = SoftcopyVersion._meta.get_field("file")
    original = field.storage
    field.storage = storages["private"]
    assert isinstance(field.storage, FileSystemStorage)
    yield
    field.storage = original


@pytest.fixture(autouse=True)
def _acting_office(request):
    """A test that uses the database acts for the default office, as each request does
    (ppid.middleware.acting_office) and each command and task says: a query of an office's
    rows with no office acting raises (dikecualikan/office.py)."""
    names = set(request.fixturenames)
    if "transactional_db" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    elif request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")
    else:
        yield
        return
    office.forget()  # a row kept from another test's rolled-back transaction
    with office.acting(office.default()):
        yield


@pytest.fixture
def edit_office(db):
    """Edit the default office's row as its administrator would; return the row."""

    def edit(**fields):
        here = office.current()  # the row this test acts for, edited in place
        for name, value in fields.items():
            setattr(here, name, value)
        here.save()
        return here

    return edit


def verify_second_factor(client, user):
    """Mark the client's session as past the second factor, as a code typed at sign-in does."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Test"}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def _signed_in_past_the_second_factor(monkeypatch):
    """`client.force_login` signs in as a person does: password and second factor both.

    The tests of the second factor itself sign in through the pages (or `sign_in_halfway`).
    """
    original = Client.force_login

    def force_login(client, user, backend=None):
        original(client, user, backend)
        verify_second_factor(client, user)

    monkeypatch.setattr(Client, "force_login", force_login)
    return original


@pytest.fixture
def sign_in_halfway(_signed_in_past_the_second_factor):
    """Sign a client in with the password alone, the second factor still to come."""
    return lambda client, user: _signed_in_past_the_second_factor(client, user)


def totp_code(user) -> str:
    """The code the person's authenticator app shows now (computed from the enrolled secret;
    a person not enrolled yet is enrolled first)."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Test"}
    )
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the same code may sign in again
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def browser_sign_in(page, base, username, password="pw"):
    """Sign in through the pages in Chromium: password, then the code from the app."""
    user = User.objects.get(username=username)
    code = totp_code(user)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/akun/dua-faktor/**")
    page.fill("#id_code", code)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(lambda url: "/akun/dua-faktor/" not in url)


def _user(username, *roles, **extra):
    user = User.objects.create_user(
        username, f"{username}@example.org", "pw", is_staff=True, **extra
    )
    grant(user, *roles)
    return user


@pytest.fixture
def desk(db):
    return _user("desk", Role.DESK)


@pytest.fixture
def ppid(db):
    return _user("ppid", Role.PPID)


@pytest.fixture
def pembina(db):
    return _user("pembina", Role.PEMBINA)


@pytest.fixture
def pertimbangan(db):
    return _user("pertimbangan", Role.TIM_PERTIMBANGAN)


@pytest.fixture
def pertimbangan2(db):
    return _user("pertimbangan2", Role.TIM_PERTIMBANGAN)


@pytest.fixture
def atasan(db):
    return _user("atasan", Role.ATASAN)


@pytest.fixture
def it_admin(db):
    """A superuser with no role: may look, may not take part in the SOP."""
    return _user("admin", is_superuser=True)


@pytest.fixture
def cast(desk, ppid, pembina, pertimbangan, atasan, it_admin):
    return {
        "desk": desk,
        "ppid": ppid,
        "pembina": pembina,
        "pertimbangan": pertimbangan,
        "atasan": atasan,
        "admin": it_admin,
    }


@pytest.fixture
def same_roles_in(cast):
    """Give the cast the roles they hold here in another office too (a person may hold
    roles in several offices): `same_roles_in(kubu_raya)`."""

    def give(place):
        for person in cast.values():
            grant(person, *roles_of(person), place=place)

    return give


@pytest.fixture
def location(db):
    return Location.objects.create(
        building="Kantor KPU Kota Pontianak", room="Ruang Arsip", cabinet="Lemari A", shelf="Rak 1"
    )


# Tasks run as they are enqueued (inside the step's transaction), except in the tests
# about the queue itself, which ask for `worker`: the database backend and a real worker.
AT_ONCE = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "mail", "documents"],
    }
}


@pytest.fixture(autouse=True)
def _tasks_at_once(request, settings):
    if "worker" not in request.fixturenames:
        settings.TASKS = AT_ONCE


@pytest.fixture
def worker(db, monkeypatch):
    """Run `manage.py db_worker --batch` on the real database backend: every task that is
    due, then return. It runs inside the test's transaction (the test sees what it wrote, and
    it sees the test's rows), so it must not recycle the connection between tasks as a
    long-running worker does: that one call is made a no-op here."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run(queue="*"):
        call_command(
            "db_worker", batch=True, queue_name=queue, interval=0, startup_delay=False, verbosity=0
        )

    return run


CLASSIFICATION = {
    "grounds": ["17h2"],
    "test_scope": "Hasil pemeriksaan kesehatan jasmani dan rohani bakal calon",
    "statutes": "UU 14/2008 Pasal 17 huruf h angka 2",
    "harm": "Mengungkap kondisi kesehatan seseorang kepada publik",
    "public_interest": "Publik perlu tahu bahwa calon memenuhi syarat kesehatan",
    "balancing": "Kesimpulan memenuhi syarat diumumkan; rincian medis dilindungi",
    "test_conclusion": "exempt",
    "concerns_public_office": False,
    "period_type": "fixed",
    "period_years": 5,
    "test_experts": "Ahmad Fauzi, Ketua Tim Pertimbangan PPID",
    "test_date": datetime.date(2025, 8, 1),
    "test_place": "Pontianak",
}

# An objection (keberatan) as a requester files it, UU 14/2008 Pasal 35-36.
OBJECTION = {
    "requester_name": "Budi Santoso",
    "requester_contact": "Jl. Gajah Mada 5, Pontianak; budi@example.org",
    "received_on": datetime.date(2026, 11, 2),
    "request_reference": "PPID/12/XI/2026",
    "request_refused_on": datetime.date(2026, 10, 20),
    "grounds": "Informasi ini menyangkut kepentingan publik atas seleksi calon.",
}


def receive_objection(by, records, **changes):
    """File OBJECTION (with `changes`) against the records, through the workflow."""
    return workflow.receive_objection(by=by, records=records, **{**OBJECTION, **changes})


# What a decision in force says of an item listed under it (workflow.link_record).
LINKED = {
    "grounds": ["17h1"],
    "statutes": "UU 14/2008 Pasal 17 huruf h; UU 23/2006 Pasal 84 dan Pasal 85",
    "harm": "Membuka data kependudukan (NIK dan KK) pemilih secara lengkap",
    "balancing": "Daftar pemilih diumumkan tanpa NIK dan KK lengkap",
    "period_type": "indefinite",
}

# The default decision's day (make_decision).
DECIDED_ON = datetime.date(2025, 8, 21)

LADDER = [
    "collected",
    "classified",
    "awaiting_approval",
    "approved",
    "archived",
    "requested",
    "decided",
    "published",
    "opened",
]


def pdf_file(name="scan.pdf", text="Dokumen rahasia"):
    return ContentFile(tiny_pdf([text]), name=name)


def _on(day: datetime.date, hour=9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), ZoneInfo("Asia/Pontianak"))


DAY = datetime.timedelta(days=1)


def story(tested: datetime.date, decided: datetime.date, n: int = 0) -> dict:
    """The moments make_record's steps happen at, in the order of the instruments (DOMAIN.md
    section 4): collected before the consequence test, requested by a letter after it,
    decided on the decision's day, published after it (with CLASSIFICATION and the default
    decision: collected 28 July 2025, tested 1 August, requested 4 August, decided 21
    August, published 1 September 2025, before OBJECTION's refusal of 20 October 2026).
    The n-th record's moments come n seconds later: records keep the order they were made in.
    """
    requested = min(tested + 3 * DAY, decided)
    later = datetime.timedelta(seconds=n)
    moments = {
        "collected": _on(tested - 4 * DAY),
        "classified": _on(tested, 13),
        "awaiting_approval": _on(tested, 14),
        "returned": _on(tested, 15),
        "rejected": _on(tested, 15),
        "approved": _on(requested, 8),
        "archived": _on(requested, 9),
        "requested": _on(requested, 10),
        "decided": _on(decided, 10),
        "listed": _on(decided + DAY),
        "published": _on(decided + 11 * DAY),
    }
    return {name: moment + later for name, moment in moments.items()}


def on_its_day(moment: datetime.datetime):
    """Travel to a step's moment; one still to come (a test's own clock) stays now."""
    if moment > timezone.now():
        return contextlib.nullcontext()
    return time_machine.travel(moment, tick=True)


@pytest.fixture
def make_record(cast, location):
    """Return a factory: a record driven through the workflow up to `state`, each step on
    its day of `story` (so the instruments' dates tell one story)."""
    counter = iter(range(1, 10_000))

    def make(state="collected", decision=None, classification=None, **fields):
        """`fields` go to the DIK form, `classification` overrides CLASSIFICATION's."""
        n = next(counter)
        classified = {**CLASSIFICATION, **(classification or {})}
        days = story(
            classified["test_date"] or CLASSIFICATION["test_date"],
            decision.date_set if decision else DECIDED_ON,
            n,
        )
        values = {
            "title": f"Berkas internal {n}",
            "public_title": f"Informasi publik {n}",
            "holding_unit": "Divisi Teknis",
            "document_type": "Dokumen persyaratan calon",
        }
        with on_its_day(days["collected"]):
            record = workflow.collect(by=cast["desk"], **{**values, **fields})
        if state == "collected":
            return record
        if state == "listed":
            with on_its_day(days["listed"]):
                item = workflow.link_record(
                    record=record, decision=decision or make_decision(), by=cast["desk"], **LINKED
                )
            return item.record
        if state in ("returned", "rejected"):
            with on_its_day(days["classified"]):
                record = workflow.classify(record=record, by=cast["ppid"], **classified)
                record = workflow.submit(record=record, by=cast["ppid"])
            verdict = workflow.return_for_revision if state == "returned" else workflow.reject
            with on_its_day(days[state]):
                return verdict(record=record, by=cast["pembina"], note="Perlu diperbaiki")
        steps = {
            "classified": lambda r: workflow.classify(record=r, by=cast["ppid"], **classified),
            "awaiting_approval": lambda r: workflow.submit(record=r, by=cast["ppid"]),
            "approved": lambda r: workflow.approve(
                record=workflow.approve(record=r, by=cast["pembina"]), by=cast["pertimbangan"]
            ),
            "archived": lambda r: archive(r),
            "requested": lambda r: workflow.request_decision(
                record=r,
                by=cast["ppid"],
                letter_number="123/PP.01-SD/6171/2025",
                letter_date=days["requested"].date(),
            ),
            "decided": lambda r: (
                workflow.record_decision(
                    decision=decision or make_decision(),
                    record=r,
                    outcome=Outcome.EXEMPT,
                    by=cast["ppid"],
                ).record
            ),
            "published": lambda r: publish(r),
            "opened": lambda r: workflow.open_record(
                record=r, by=cast["ppid"], reason="consent", instrument="Surat persetujuan tertulis"
            ),
        }
        for name in LADDER[1 : LADDER.index(state) + 1]:
            moment = days.get(name)
            with on_its_day(moment) if moment else contextlib.nullcontext():
                record = steps[name](record)
        return record

    def archive(record):
        workflow.upload_softcopy(record=record, by=cast["desk"], file=pdf_file())
        workflow.place_hardcopy(record=record, by=cast["desk"], location=location, box="Boks 1")
        return workflow.archive(record=record, by=cast["desk"])

    def publish(record):
        item = record.decision_items.active().get()
        workflow.publish_decision(decision=item.decision, by=cast["ppid"])
        record.refresh_from_db()
        return record

    decisions = iter(range(1, 10_000))

    def make_decision(**fields):
        n = next(decisions)
        values = {
            "body": DecidingBody.objects.get(name="Komisi Pemilihan Umum"),
            "number": f"{n}/HM.02-Kpt/05/KPU/VIII/2025",
            "year": 2025,
            "title": "tentang Daftar Informasi Publik yang Dikecualikan",
            "date_set": DECIDED_ON,
            "place": "Jakarta",
            "signatory": "Ketua KPU",
            "pdf": ContentFile(tiny_pdf(["Keputusan"]), name="keputusan.pdf"),
        }
        return workflow.create_decision(by=cast["ppid"], **{**values, **fields})

    make.decision = make_decision
    return make


@pytest.fixture
def make_decision(make_record):
    return make_record.decision


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped when absent unless REQUIRE_BROWSER=1."""
    import os

    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make between page actions are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections
    from playwright.sync_api import sync_playwright

    before = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        # Playwright's event loop gives this thread a new context, and Django new connection
        # objects with it. The serialized data that serialized_rollback restores after a
        # flush was put on the old ones by the test-database setup: carry it over.
        for alias, old in before.items():
            if hasattr(old, "_test_serialized_contents"):
                connections[alias]._test_serialized_contents = old._test_serialized_contents
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def phone(browser):
    """A page 360 px wide, as on the cheap phones approvers carry."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def published_records(ppid):
    """Return a factory of n records already on the DIK, made in bulk (for list sizes only).

    Behaviour is tested on records driven through the workflow; this only fills lists.
    """

    def make(n, decision=None, unit="Divisi Teknis Penyelenggaraan", code="17h"):
        if decision is None:
            decision = Decision.objects.create(
                body=DecidingBody.objects.get(name="Komisi Pemilihan Umum"),
                issuer="Komisi Pemilihan Umum",
                number=f"B{Decision.objects.count() + 1}/Kpts/KPU/2025",
                year=2025,
                title="tentang DIK",
                date_set=datetime.date(2025, 8, 21),
                created_by=ppid,
                published_by=ppid,
                published_at=datetime.datetime(2025, 8, 22, tzinfo=datetime.UTC),
            )
            decision.pdf.save("k.pdf", ContentFile(tiny_pdf(["K"])))
        records = Record.objects.bulk_create(
            Record(
                title=f"internal {i}",
                public_title=f"Informasi massal {i}",
                holding_unit=unit,
                document_type="Dokumen",
                statutes="UU 14/2008",
                harm="Bahaya",
                balancing="Pertimbangan",
                period_type="fixed",
                period_years=5,
                state="published",
                created_by=ppid,
                published_in=decision,
                published_at=decision.published_at,
            )
            for i in range(n)
        )
        ground = ExemptionGround.objects.get(code=code)
        Record.grounds.through.objects.bulk_create(
            Record.grounds.through(record_id=r.pk, exemptionground_id=ground.pk) for r in records
        )
        DecisionItem.objects.bulk_create(
            DecisionItem(decision=decision, record=r, outcome="exempt", added_by=ppid)
            for r in records
        )
        last = DikVersion.objects.order_by("-number").first()
        version = DikVersion.objects.create(
            number=(last.number if last else 0) + 1, decision=decision
        )
        rows = published_rows(Record.objects.filter(pk__in=[r.pk for r in records]))
        DikChange.objects.bulk_create(
            DikChange(version=version, record=r, kind="added", data=rows[r.pk]) for r in records
        )
        return records

    return make


@pytest.fixture
def period(db):
    """A collection period running today: the dashboard offers its DIK as a PDF."""
    from dikecualikan.models import CollectionPeriod

    today = timezone.localdate()
    return CollectionPeriod.objects.create(
        name="Pemutakhiran DIK 2026",
        starts_on=today - datetime.timedelta(days=10),
        collect_by=today + datetime.timedelta(days=10),
    )


@pytest.fixture
def documents_in_every_state(period):
    """Return a factory: a person's documents page filled with one document in each state.

    The rows are written as the worker leaves them (for the pages' looks only: how the
    worker gets there is tested in tests/dikecualikan/test_documents.py).
    """
    from dikecualikan.models import Document

    def make(user):
        now = timezone.now()
        title = "Usulan DIK periode Pemutakhiran DIK 2026 untuk Divisi Teknis Penyelenggaraan"
        states = [
            {"status": "queued"},
            {"status": "queued", "attempts": 1, "error": "RuntimeError: sebentar"},
            {"status": "rendering", "attempts": 1, "rows_total": 4800, "rows_done": 1200},
            {"status": "ready", "rows_total": 4800, "rows_done": 4800, "pages": 812},
            {"status": "failed", "attempts": 3, "error": "RuntimeError: gagal membaca daftar"},
            {"status": "expired", "rows_total": 12, "rows_done": 12, "pages": 2},
        ]
        documents = []
        for number, fields in enumerate(states):
            ready = fields["status"] in ("ready", "expired")
            documents.append(
                Document.objects.create(
                    kind=Document.Kind.PERIOD_DIK,
                    params={"period": period.pk, "n": number},
                    key=f"period_dik:{number}",
                    title=title,
                    requested_by=user,
                    requested_at=now - datetime.timedelta(minutes=number),
                    file=f"dokumen/{number}/dik-periode.pdf" if ready else "",
                    size=2_400_000 if ready else None,
                    **fields,
                )
            )
        return documents

    return make


def user_change_form(client, user) -> dict:
    """The admin's change form of a person as it stands, with its role rows, ready to post
    back (the office column only where the signed-in administrator may choose it)."""
    context = client.get(reverse("admin:auth_user_change", args=[user.pk])).context
    form, data = context["adminform"].form, {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "user_permissions":
            data[name] = [getattr(v, "pk", v) for v in value or []]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif hasattr(value, "strftime"):
            data[f"{name}_0"], data[f"{name}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
        elif value is not None:
            data[name] = value
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for row in formset.initial_forms:
            for name in row.fields:
                value = row.instance.pk if name == "id" else row.initial.get(name)
                if value is not None:
                    data[row.add_prefix(name)] = getattr(value, "pk", value)
    return data
