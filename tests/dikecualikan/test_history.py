"""The history cannot be rewritten: not through the ORM, not in plain SQL, and not unnoticed."""

import datetime
import hashlib
import importlib
import json
import re
from io import BytesIO, StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from arsip.models import AccessLog, Custody, FixityCheck, SoftcopyVersion
from dikecualikan import documents, workflow
from dikecualikan.dik import PUBLIC_FIELDS
from dikecualikan.history import (
    NEVER_DELETED,
    append_only_models,
    chain_of,
    content_of,
    drop_published_triggers,
    drop_triggers,
    reseal,
    unkeyed_chain_of,
    verify_chain,
)
from dikecualikan.models import (
    Approval,
    Classification,
    DecisionItem,
    DikChange,
    DikVersion,
    Office,
    Record,
    Transition,
    UserEvent,
)

HISTORY = [
    *(Transition, Approval, Classification, DecisionItem, DikVersion, DikChange, UserEvent),
    *(AccessLog, Custody, FixityCheck, SoftcopyVersion),
]


def label(model):
    return model._meta.label


@pytest.fixture
def history(make_record, desk, ppid):
    """A published record and an archived one taken out, downloaded and checked; a third
    requested from KPU through KPU Provinsi (its steps in both offices' registers)."""
    published = make_record("published")
    archived = make_record("archived")
    Office.objects.filter(slug="kalbar").update(in_service=True)
    workflow.send_request(
        records=[make_record("archived")],
        by=ppid,
        letter_number="1/PL.01-SD/6171/2026",
        letter_date=timezone.localdate(),
    )
    workflow.check_out_hardcopy(
        record=archived,
        by=desk,
        holder="Sdr. Anton",
        purpose="Periksa",
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )
    version = archived.softcopies.get().versions.get()
    AccessLog.objects.create(version=version, user=desk, reason="Periksa", sha256=version.sha256)
    FixityCheck.objects.create(
        run="r1", version=version, name=version.file.name, status="ok", actual_sha256="a" * 64
    )
    return SimpleNamespace(published=published, archived=archived)


def sql(statement, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def text_column(model) -> str:
    """A text column the row was written with (not a closing one): the target of a rewrite."""
    for field in model._meta.concrete_fields:
        kept = field.name not in (*model.closing_fields, "chain")
        if kept and isinstance(field, models.CharField | models.TextField):
            return field.column
    raise AssertionError(model)


def lift_triggers(model):
    """Drop a table's triggers, as its owner could (the test's transaction restores them)."""
    drop_triggers(SimpleNamespace(connection=connection, execute=sql), model)


def lift_published_trigger():
    drop_published_triggers(SimpleNamespace(connection=connection, execute=sql), Record)


def verify(*args) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("verify_history", *args, stdout=out)
    except CommandError:
        return out.getvalue(), 1
    return out.getvalue(), 0


@pytest.mark.parametrize("model", HISTORY, ids=label)
def test_the_orm_refuses_to_rewrite_or_delete_a_history_row(history, model):
    row = model.objects.order_by("pk").first()
    rows = model.objects.filter(pk=row.pk)
    attempts = [
        lambda: rows.update(pk=row.pk),
        lambda: rows.delete(),
        lambda: rows._raw_delete(rows.db),
        lambda: model.objects.bulk_update([row], [text_column(model)]),
        lambda: row.save(),
        lambda: row.delete(),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match=str(NEVER_DELETED)):
            attempt()
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", HISTORY, ids=label)
def test_the_database_refuses_update_and_delete_in_plain_sql(history, model):
    table, column = model._meta.db_table, text_column(model)
    before = list(model.objects.order_by("pk").values_list(column, flat=True))
    with pytest.raises(DatabaseError, match="append-only"):
        sql(f'UPDATE "{table}" SET "{column}" = %s', ["x"])
    with pytest.raises(DatabaseError, match="append-only"):
        sql(f'DELETE FROM "{table}"')
    assert list(model.objects.order_by("pk").values_list(column, flat=True)) == before


@pytest.mark.postgres
@pytest.mark.parametrize("model", [Transition, AccessLog, FixityCheck], ids=label)
def test_postgresql_refuses_to_truncate_a_history_table(history, model):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE is refused above)")
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own inserts: no check left pending
    with pytest.raises(DatabaseError, match="append-only"):
        sql(f'TRUNCATE "{model._meta.db_table}"')
    assert model.objects.exists()


def test_a_custody_row_is_closed_once_by_the_return_and_never_again(history, desk):
    workflow.check_in_hardcopy(record=history.archived, by=desk)
    custody = Custody.objects.get()
    assert custody.checked_in_at and custody.checked_in_by_name == "desk"
    assert custody.checked_in_then == "desk (Desk Pelayanan Informasi)"
    with pytest.raises(PermissionDenied):
        custody.save(update_fields=["checked_in_at"])
    with pytest.raises(DatabaseError, match="append-only"):
        sql('UPDATE "arsip_custody" SET "checked_in_at" = NULL')
    assert Custody.objects.get().checked_in_at == custody.checked_in_at


def test_an_open_custody_row_cannot_change_its_holder_while_it_is_closed(history):
    with pytest.raises(DatabaseError, match="append-only"):
        sql(
            'UPDATE "arsip_custody" SET "checked_in_at" = %s, "holder" = %s',
            [timezone.now(), "Orang lain"],
        )
    assert Custody.objects.get().holder == "Sdr. Anton"


def test_verify_history_is_green_on_the_demo(db):
    call_command("seed_demo", force=True, stdout=StringIO())
    call_command("review_due", stdout=StringIO())
    out, status = verify()
    assert status == 0, out
    assert out.strip().splitlines()[-1].endswith("broken 0")
    assert "dikecualikan.Transition: ok" in out and "arsip.AccessLog: ok" in out


def test_verify_history_finds_a_row_changed_in_sql_once_its_trigger_was_dropped(history):
    assert verify()[1] == 0
    target = Transition.objects.order_by("pk")[3]
    lift_triggers(Transition)
    rewrite = 'UPDATE "dikecualikan_transition" SET "note" = %s WHERE id = %s'
    sql(rewrite, ["ditulis ulang", target.pk])
    out, status = verify()
    assert status == 1
    assert f"dikecualikan.Transition: ok {Transition.objects.count() - 1}, broken 1" in out
    assert f"first broken row: id {target.pk}" in out


def test_verify_history_finds_a_row_deleted_in_sql_from_the_row_after_it(history):
    rows = list(AccessLog.objects.order_by("pk"))
    AccessLog.objects.create(version=rows[0].version, user=rows[0].user, reason="Kedua", sha256="b")
    first = AccessLog.objects.order_by("pk").first()
    lift_triggers(AccessLog)
    sql('DELETE FROM "arsip_accesslog" WHERE id = %s', [first.pk])
    ok, broken, first_broken = verify_chain(AccessLog)
    assert (ok, broken) == (0, 1) and first_broken.reason == "Kedua"


def test_verify_history_finds_a_record_whose_state_disagrees_with_its_history(history):
    record = history.archived
    sql('UPDATE "dikecualikan_record" SET "state" = %s WHERE id = %s', ["approved", record.pk])
    out, status = verify()
    assert status == 1
    assert f"record #{record.pk} is “approved” but its last history row says “archived”" in out


def test_the_database_refuses_a_published_record_without_its_decision(history):
    lift_published_trigger()  # it refuses first; the CHECK stands behind it
    with pytest.raises(IntegrityError):
        sql(
            'UPDATE "dikecualikan_record" SET "published_in_id" = NULL WHERE id = %s',
            [history.published.pk],
        )
    assert Record.objects.get(pk=history.published.pk).published_in_id


def test_the_history_shows_who_acted_as_they_were_named_then(client, history, desk, ppid):
    desk.first_name, desk.last_name = "Nama", "Baru"
    desk.save()
    client.force_login(ppid)
    record_page = reverse("dikecualikan:staff-record", args=[history.archived.pk])
    page = client.get(record_page).content.decode()
    # The desk acted as "desk", an account without a full name then.
    assert "desk (Desk Pelayanan Informasi)" in page and "Nama Baru" not in page
    report = client.get(reverse("arsip:access-report")).content.decode()
    assert "desk (Desk Pelayanan Informasi)" in report and "Nama Baru" not in report


def triggers_on(table) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [f'"{table}"'],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [table],
            )
        return cursor.fetchone()[0]


@pytest.mark.parametrize("model", append_only_models(), ids=label)
def test_every_history_table_has_its_triggers_after_every_migration(db, model):
    """A migration that remakes a table on SQLite drops its triggers: this finds it."""
    assert triggers_on(model._meta.db_table) == 2


def test_the_records_table_has_its_published_trigger_after_every_migration(db):
    assert triggers_on(Record._meta.db_table) == 1


def test_a_dik_version_keeps_its_rows_as_published_whatever_the_records_become(client, make_record):
    record = make_record("published")
    (version,) = DikVersion.objects.all()

    def export(fmt):
        url = reverse("dikecualikan:version-export", args=[version.number, fmt])
        response = client.get(url)
        return b"".join(response.streaming_content if response.streaming else [response.content])

    before = {fmt: export(fmt) for fmt in ("csv", "json")}
    assert record.public_title.encode() in before["csv"]
    lift_published_trigger()  # as the tables' owner could
    Record.objects.filter(pk=record.pk).update(public_title="Judul diubah kemudian", harm="Lain")
    assert {fmt: export(fmt) for fmt in ("csv", "json")} == before
    # The PDF too, rendered (by the worker's task) from the version's rows, not the record.
    documents.render_dik.call(version.number)
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(BytesIO(export("pdf"))).pages
    )
    assert record.public_title in text and "Judul diubah kemudian" not in text
    # The current list shows the record as it is now: the versions keep what was.
    assert (
        "Judul diubah kemudian" in client.get(reverse("dikecualikan:dik-csv")).getvalue().decode()
    )


# --- Tampering by the operator: keyed chains, published rows kept, paths and heads ------

KEYED = importlib.import_module("dikecualikan.migrations.0031_keyed_history")


def editor():
    return SimpleNamespace(connection=connection, execute=sql)


def test_the_chain_is_keyed_so_no_one_without_the_key_computes_it(history, settings):
    row = Transition.objects.order_by("pk").last()
    previous = Transition.objects.filter(pk__lt=row.pk).order_by("-pk").first().chain
    assert row.chain == chain_of(previous, row) != unkeyed_chain_of(previous, row)
    settings.HISTORY_KEY = "another key"
    assert chain_of(previous, row) != row.chain
    assert verify_chain(Transition)[1] == Transition.objects.count()


def forged_chain(previous: str, values: dict) -> str:
    """The chain value an operator computes by hand: SHA-256, as the code once did."""
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{text}".encode()).hexdigest()


@pytest.mark.postgres
def test_a_publication_forged_in_sql_is_found_broken_in_its_chain_and_its_path(
    history, make_record, desk
):
    """An operator with only INSERT and UPDATE publishes an unapproved record, in plain SQL."""
    if connection.vendor != "postgresql":
        pytest.skip("the operator's SQL is PostgreSQL's")
    record, decision = make_record("classified"), history.published.published_in
    now = timezone.now()
    sql(
        "UPDATE dikecualikan_record SET state = 'published', published_in_id = %s, "
        "published_at = now() WHERE id = %s",
        [decision.pk, record.pk],
    )
    sql(
        "INSERT INTO dikecualikan_decisionitem (decision_id, record_id, outcome, added_by_id, "
        "added_at, statutes, harm, balancing, period_type, period_event, test_sheet, proposed, "
        "withdrawal_note) VALUES (%s, %s, 'exempt', %s, now(), '', '', '', '', '', '', '{}', '')",
        [decision.pk, record.pk, desk.pk],
    )
    previous = Transition.objects.order_by("-pk").values_list("chain", flat=True).first()
    row = Transition(
        record=record, action="publish", from_state="decided", to_state="published",
        actor=desk, instrument=str(decision), round=0, at=now, actor_name="desk",
        actor_role="desk",
    )  # fmt: skip
    chain = forged_chain(previous, content_of(row))
    assert chain == unkeyed_chain_of(previous, row)  # what verify_history accepted before
    sql(
        "INSERT INTO dikecualikan_transition (record_id, action, from_state, to_state, "
        "actor_id, note, reason, instrument, round, at, details, actor_name, actor_role, chain) "
        "VALUES (%s, 'publish', 'decided', 'published', %s, '', '', %s, 0, %s, '{}', 'desk', "
        "'desk', %s)",
        [record.pk, desk.pk, str(decision), now, chain],
    )
    out, status = verify()
    assert status == 1
    forged = Transition.objects.order_by("-pk").first()
    assert f"first broken row: id {forged.pk}" in out
    assert f"record #{record.pk} is published, but was never requested from KPU nor linked" in out
    assert f"record #{record.pk} is published, but no DIK version keeps its row" in out


def test_the_database_refuses_to_change_what_a_published_record_shows(history):
    record = history.published
    with pytest.raises(DatabaseError, match="kept as published"):
        sql(
            "UPDATE dikecualikan_record SET public_title = 'Judul lain' WHERE id = %s",
            [record.pk],
        )
    for column, value in [
        ("ends_on", "2099-01-01"),
        ("holding_unit", "Lain"),
        ("state", "decided"),
    ]:
        with pytest.raises(DatabaseError, match="kept as published"):
            sql(f"UPDATE dikecualikan_record SET {column} = %s WHERE id = %s", [value, record.pk])
    assert Record.objects.get(pk=record.pk).public_title == record.public_title
    # What is not public stays writable, and so does a record not yet published.
    sql(
        "UPDATE dikecualikan_record SET version = version + 1, title = 'x' WHERE id = %s",
        [record.pk],
    )
    sql("UPDATE dikecualikan_record SET public_title = 'y' WHERE id = %s", [history.archived.pk])


def test_opening_a_published_record_still_goes_through(history, ppid):
    workflow.open_record(
        record=history.published, by=ppid, reason="consent", instrument="Surat persetujuan"
    )
    opened = Record.objects.get(pk=history.published.pk)
    assert opened.state == "opened" and opened.opened_reason == "consent"
    with pytest.raises(DatabaseError, match="kept as published"):
        sql("UPDATE dikecualikan_record SET opened_reason = 'expired' WHERE id = %s", [opened.pk])


def test_a_public_title_changed_past_the_dropped_trigger_is_found_against_the_dik_row(history):
    assert verify()[1] == 0
    record = history.published
    lift_published_trigger()  # as the tables' owner could
    sql("UPDATE dikecualikan_record SET public_title = 'Judul lain' WHERE id = %s", [record.pk])
    out, status = verify()
    assert status == 1
    assert "published records against their DIK version: ok 0, broken 1" in out
    assert f"record #{record.pk}: “informasi” is 'Judul lain', but its DIK version published" in out


def test_an_end_date_that_disagrees_with_its_period_is_found(history):
    record = history.published
    lift_published_trigger()
    sql("UPDATE dikecualikan_record SET ends_on = %s WHERE id = %s", ["2099-12-31", record.pk])
    out, status = verify()
    assert status == 1
    assert "published records' end dates: ok 0, broken 1" in out
    assert f"record #{record.pk} ends on 2099-12-31, but its period and decision say 2030-" in out


def test_a_published_record_without_its_quorum_is_found(history, edit_office):
    edit_office(approvals="pembina:2,tim_pertimbangan:1")
    out, status = verify()
    assert status == 1
    assert f"record #{history.published.pk} is published without its quorum" in out


def heads() -> dict[str, tuple[int, str]]:
    out, status = verify("--heads")
    assert status == 0
    return {label: (int(n), head) for label, n, head in (line.split() for line in out.splitlines())}


def test_heads_print_each_chain_once_with_its_row_count_and_last_value(history):
    found = heads()
    assert found["dikecualikan.Transition@pontianakkota"] == (
        Transition.objects.count(),
        Transition.objects.order_by("-pk").first().chain,
    )
    chained = {m for m in apps.get_models() if getattr(m, "chained", False)}
    # Each office's chain is named with its office; the history of users is the deployment's.
    assert set(found) == {
        m._meta.label + ("@pontianakkota" if m.office_chains else "") for m in chained
    } | {"dikecualikan.RequestEvent@kalbar"}  # the request's steps in the Provinsi's register
    assert found["dikecualikan.UserEvent"][0] == UserEvent.objects.count()


def test_compare_heads_finds_a_chain_cut_short_or_grown_from_an_earlier_row(
    history, tmp_path, desk
):
    kept = tmp_path / "heads.txt"
    kept.write_text(verify("--heads")[0])
    workflow.check_in_hardcopy(record=history.archived, by=desk)  # the history grows: fine
    out, status = verify("--compare-heads", str(kept))
    assert status == 0, out
    assert "heads kept earlier: ok" in out
    # The owner deletes the newest rows (no break behind them), then the app writes on.
    lift_triggers(Transition)
    last = Transition.objects.order_by("-pk")[:3]
    sql("DELETE FROM dikecualikan_transition WHERE id >= %s", [list(last)[-1].pk])
    out, status = verify("--compare-heads", str(kept))
    assert "dikecualikan.Transition@pontianakkota had" in out and "rows were deleted" in out
    assert status == 1 and re.search(r"heads of the chains: ok \d+, broken 1", out)  # seen alone
    for note in ("a", "b", "c", "d"):
        Transition.objects.create(
            record=history.archived, action="edit", from_state="archived", to_state="archived",
            actor=desk, note=note,
        )  # fmt: skip
    out, status = verify("--compare-heads", str(kept))
    assert status == 1 and "is no longer the head kept then" in out


def test_compare_heads_refuses_a_file_it_cannot_read(db, tmp_path):
    out, status = verify("--compare-heads", str(tmp_path / "missing.txt"))
    assert status == 1


def rechain_unkeyed(model, before=()):
    """Write a table's chain as the code wrote it before 0031 (its triggers lifted).

    A row whose `before` fields are empty is chained as if they did not exist yet.
    """
    lift_triggers(model)
    previous = ""
    for row in model._base_manager.order_by("pk"):
        empty = tuple(name for name in before if getattr(row, name) in (None, ""))
        previous = unkeyed_chain_of(previous, row, (*row.closing_fields, *empty))
        sql(f'UPDATE "{model._meta.db_table}" SET chain = %s WHERE id = %s', [previous, row.pk])


def test_the_migration_seals_an_unkeyed_chain_that_verifies(history):
    rechain_unkeyed(Transition)
    assert verify_chain(Transition)[1] == Transition.objects.count()
    reseal(apps, editor(), "dikecualikan", {"Transition": ((), ())})
    assert verify_chain(Transition) == (Transition.objects.count(), 0, None)
    # Its triggers are back.
    with pytest.raises(DatabaseError, match="append-only"):
        sql("UPDATE dikecualikan_transition SET note = 'x'")


def test_the_migration_accepts_rows_chained_before_a_field_was_added(history, pembina):
    # A verdict written before 0026 had no classification, and its chain did not cover one.
    record = history.published
    Approval.objects.create(record=record, round=9, role="pembina", user=pembina, verdict="approve")
    rechain_unkeyed(Approval, before=("classification",))
    assert verify_chain(Approval, unkeyed_chain_of)[1] == 1  # the old check missed it
    reseal(apps, editor(), "dikecualikan", {"Approval": ((), ("classification",))})
    assert verify_chain(Approval) == (Approval.objects.count(), 0, None)


def test_the_migration_refuses_to_seal_a_chain_that_does_not_verify(history):
    rechain_unkeyed(Transition)
    target = Transition.objects.order_by("pk")[2]
    sql("UPDATE dikecualikan_transition SET note = 'ditulis ulang' WHERE id = %s", [target.pk])
    with pytest.raises(RuntimeError, match=f"broken from row id {target.pk} on"):
        reseal(apps, editor(), "dikecualikan", {"Transition": ((), ())})


def test_the_migration_keeps_every_public_column_of_a_record():
    # What the DIK shows, but what the workflow changes while published (the redacted copy)
    # or what the trigger guards on its own (the state and the opening).
    own = {f.split("__")[0] for f in PUBLIC_FIELDS}
    own -= {"redacted_copy", "state", "opened_at", "opened_reason"}
    assert own | {"published_at"} == set(KEYED.KEPT)


def test_the_admins_log_is_append_only_in_plain_sql(it_admin):
    entry = LogEntry.objects.create(
        user=it_admin, content_type=None, object_repr="x", action_flag=ADDITION
    )
    with pytest.raises(DatabaseError, match="append-only"):
        sql("UPDATE django_admin_log SET object_repr = 'y'")
    with pytest.raises(DatabaseError, match="append-only"):
        sql("DELETE FROM django_admin_log")
    assert LogEntry.objects.get(pk=entry.pk).object_repr == "x"
