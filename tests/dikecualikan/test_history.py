"""The history cannot be rewritten: not through the ORM, not in plain SQL, and not unnoticed."""

import datetime
from io import BytesIO, StringIO
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from arsip.models import AccessLog, Custody, FixityCheck
from dikecualikan import workflow
from dikecualikan.history import NEVER_DELETED, drop_triggers, history_models, verify_chain
from dikecualikan.models import (
    Approval,
    Classification,
    DecisionItem,
    DikChange,
    DikVersion,
    Record,
    Transition,
    UserEvent,
)

HISTORY = [
    *(Transition, Approval, Classification, DecisionItem, DikVersion, DikChange, UserEvent),
    *(AccessLog, Custody, FixityCheck),
]


def label(model):
    return model._meta.label


@pytest.fixture
def history(make_record, desk):
    """A published record and an archived one taken out, downloaded and checked."""
    published = make_record("published")
    archived = make_record("archived")
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


def verify() -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("verify_history", stdout=out)
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


@pytest.mark.parametrize("model", history_models(), ids=label)
def test_every_history_table_has_its_triggers_after_every_migration(db, model):
    """A migration that remakes a table on SQLite drops its triggers: this finds it."""
    assert triggers_on(model._meta.db_table) == 2


def test_a_dik_version_keeps_its_rows_as_published_whatever_the_records_become(client, make_record):
    record = make_record("published")
    (version,) = DikVersion.objects.all()

    def export(fmt):
        url = reverse("dikecualikan:version-export", args=[version.number, fmt])
        response = client.get(url)
        return b"".join(response.streaming_content if response.streaming else [response.content])

    before = {fmt: export(fmt) for fmt in ("csv", "json")}
    assert record.public_title.encode() in before["csv"]
    Record.objects.filter(pk=record.pk).update(public_title="Judul diubah kemudian", harm="Lain")
    assert {fmt: export(fmt) for fmt in ("csv", "json")} == before
    # The PDF too, rendered again from the version's rows (not from the record).
    default_storage.delete(f"dik/dik-v{version.number}.pdf")
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(BytesIO(export("pdf"))).pages
    )
    assert record.public_title in text and "Judul diubah kemudian" not in text
    # The current list shows the record as it is now: the versions keep what was.
    assert (
        "Judul diubah kemudian" in client.get(reverse("dikecualikan:dik-csv")).getvalue().decode()
    )
