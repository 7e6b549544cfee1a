"""The register's history: rows written once, never rewritten, chained by their hashes.

UU 14/2008 makes the history itself a matter of record (DOMAIN.md section 2), so the
history tables are append-only at three depths:

1. the ORM refuses update(), delete(), _raw_delete(), bulk_update() and a save() of an
   existing row (`AppendOnly`);
2. the database refuses UPDATE, DELETE and TRUNCATE (triggers made by
   `install_triggers`, from a migration), so plain SQL cannot rewrite either;
3. each row of a chained table carries `chain`, the SHA-256 of its content and of the
   previous row's chain, so a rewrite below both (an owner who dropped a trigger) is
   found by `manage.py verify_history`.

On SQLite, a migration that alters a history table may remake it (a new table, the
rows copied), and the triggers go with the old table: such a migration reinstalls them
(drop_triggers, install_triggers), and a test checks that every history table has its.

A few rows are *closed* once, later: a hardcopy's return, an item's withdrawal. Their
closing fields start empty and may be filled a single time, and nothing else of the row
may change then; the chain covers what was written at creation, and the closing is
also a history row of its own (check_in, withdraw), which the chain covers.
"""

import contextvars
import datetime
import decimal
import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from .roles import Role, roles_of

# Who is acting now, for rows written where no user is passed (a role granted in the
# admin): set for each request by ppid.middleware.actor; None in a command.
ACTOR: contextvars.ContextVar = contextvars.ContextVar("ppid_actor", default=None)

NEVER_DELETED = _("Entries of the register are never deleted; correct them with a new entry.")

# One lock for every chain: each new row reads the chain of the row before it, so two
# writers at once must take turns, or both would chain to the same row.
CHAIN_LOCK = 1_417_001_008  # pg_advisory_xact_lock key: UU 14/2008, our own number


class NeverDeletedQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionDenied(NEVER_DELETED)


class NeverDeleted(models.Model):
    """Refuse deletion of single rows and of querysets alike."""

    objects = NeverDeletedQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise PermissionDenied(NEVER_DELETED)


class AppendOnlyQuerySet(NeverDeletedQuerySet):
    def update(self, **kwargs):
        raise PermissionDenied(NEVER_DELETED)

    def _raw_delete(self, using):
        raise PermissionDenied(NEVER_DELETED)

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionDenied(NEVER_DELETED)

    def bulk_create(self, objs, *args, **kwargs):
        """Insert in order, each row chained to the one before it (under the chains' lock)."""
        objs = list(objs)
        for obj in objs:
            obj._stamp_actors()
        if not self.model.chained:
            return super().bulk_create(objs, *args, **kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            lock_chains()
            previous = self.model._base_manager.order_by("-pk").values_list("chain", flat=True)
            previous = previous.first() or ""
            for obj in objs:
                obj.chain = previous = chain_of(previous, obj)
            return super().bulk_create(objs, *args, **kwargs)


class AppendOnly(NeverDeleted):
    """A history row: inserted once; only its `closing_fields` may be filled, once."""

    # Filled once when the entry is closed (the first one says whether it is).
    closing_fields: tuple[str, ...] = ()
    # {user foreign key: (name field, role field)}: who acted, as they were then.
    actor_fields: dict[str, tuple[str, str | None]] = {}
    chained = False

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self._close(kwargs.get("update_fields"))
            return super().save(*args, **kwargs)
        self._stamp_actors()
        if not self.chained:
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            lock_chains()
            previous = type(self)._base_manager.order_by("-pk").values_list("chain", flat=True)
            self.chain = chain_of(previous.first() or "", self)
            return super().save(*args, **kwargs)

    def _close(self, update_fields):
        """Allow only the filling of the closing fields of a row not yet closed."""
        if not self.closing_fields or not update_fields:
            raise PermissionDenied(NEVER_DELETED)
        if not set(update_fields) <= set(self.closing_fields):
            raise PermissionDenied(NEVER_DELETED)
        marker = self.closing_fields[0]
        still_open = type(self)._base_manager.filter(pk=self.pk, **{f"{marker}__isnull": True})
        if not still_open.exists():
            raise PermissionDenied(NEVER_DELETED)
        self._stamp_actors()

    def _stamp_actors(self):
        for link, (name_field, role_field) in self.actor_fields.items():
            user = getattr(self, link)
            if user is None or getattr(self, name_field):
                continue
            setattr(self, name_field, actor_name(user))
            if role_field and not getattr(self, role_field):
                setattr(self, role_field, actor_roles(user))


def actor_name(user) -> str:
    return (user.get_full_name() or user.get_username())[:200]


def actor_roles(user) -> str:
    """The user's SOP roles now (comma-separated codes): kept with what they did."""
    return ",".join(sorted(roles_of(user)))[:200]  # cached on the user by the access check


def role_labels(codes: str) -> str:
    """The labels of the roles kept as codes ("desk,ppid") with a history row."""
    return ", ".join(str(Role(c).label) for c in codes.split(",") if c in Role.values)


def named_then(name: str, roles: str) -> str:
    """A person as a history row keeps them: "Budi Santoso (PPID)"."""
    labels = role_labels(roles)
    return f"{name} ({labels})" if labels else name


def lock_chains() -> None:
    """Take the chains' lock until the transaction ends (SQLite serialises writes itself)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def content_of(row, closing=None) -> dict:
    """The row's own content as JSON-safe values: what its chain covers.

    `closing` names the closing fields (a migration's models do not carry the attribute).
    """
    skipped = {"chain", *(row.closing_fields if closing is None else closing)}
    content = {}
    for field in row._meta.concrete_fields:
        if field.primary_key or field.name in skipped or field.attname in skipped:
            continue
        content[field.attname] = _plain(field.to_python(field.value_from_object(row)))
    return content


def _plain(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | FieldFile):
        return str(value)
    if isinstance(value, str):
        return str(value)  # a TextChoices member is written as its value
    return value


def chain_of(previous: str, row, closing=None) -> str:
    content = content_of(row, closing)
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{text}".encode()).hexdigest()


def verify_chain(model) -> tuple[int, int, object | None]:
    """Recompute a table's chain: (rows ok, rows broken, the first broken row or None)."""
    ok = broken = 0
    first = None
    previous = ""
    for row in model._base_manager.order_by("pk").iterator(chunk_size=2000):
        if chain_of(previous, row) == row.chain:
            ok += 1
        else:
            broken += 1
            first = first or row
        previous = row.chain
    return ok, broken, first


def history_models() -> list:
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, AppendOnly)]


def backfill(apps, app_label: str, names: dict) -> None:
    """For a migration: stamp the rows written before the actors' names and the chains.

    `names` is {model: (closing fields, {user field: (name field, role field or None)})}.
    The names are the accounts' names at the time of the migration, the best there is.
    """
    for model_name, (closing, actors) in names.items():
        model = apps.get_model(app_label, model_name)
        previous = ""
        for row in model.objects.order_by("pk").iterator():
            for link, (name_field, role_field) in actors.items():
                user = getattr(row, link)
                if user is None:
                    continue
                name = f"{user.first_name} {user.last_name}".strip() or user.username
                setattr(row, name_field, name[:200])
                if role_field:
                    roles = sorted(user.groups.values_list("name", flat=True))
                    setattr(row, role_field, ",".join(roles)[:200])
            row.chain = previous = chain_of(previous, row, closing)
            row.save()


# The triggers: the database itself refuses to rewrite history (plain SQL included).
# Written by hand, not with django-pgtrigger: its triggers obey a session variable
# (SET pgtrigger.ignore) that any SQL client can set, and a guard the tamperer can
# switch off guards nothing. Turning these off takes the tables' owner (DROP TRIGGER).

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION ppid_history_append_only() RETURNS trigger AS $$
BEGIN
    -- TG_ARGV: the closing columns, filled once (the first says whether it is closed).
    IF TG_OP = 'UPDATE' AND TG_NARGS > 0
        AND to_jsonb(OLD) ->> TG_ARGV[0] IS NULL
        AND (to_jsonb(OLD) - TG_ARGV::text[]) = (to_jsonb(NEW) - TG_ARGV::text[]) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'ppid: % on % refused: the register''s history is append-only '
        '(correct it with a new entry)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""

PG_KEPT_FUNCTION = """
CREATE OR REPLACE FUNCTION ppid_kept_columns() RETURNS trigger AS $$
BEGIN
    -- TG_ARGV: the columns that may change (a place's "in use"); every other one is kept.
    IF TG_OP = 'UPDATE'
        AND (to_jsonb(OLD) - TG_ARGV::text[]) = (to_jsonb(NEW) - TG_ARGV::text[]) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'ppid: % on % refused: this entry is kept as it was written '
        '(make a new one)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""

SQLITE_ABORT = "SELECT RAISE(ABORT, 'ppid: the register''s history is append-only');"
SQLITE_KEPT = "SELECT RAISE(ABORT, 'ppid: this entry is kept as it was written (make a new one)');"


def install_triggers(schema_editor, model, closing=()) -> None:
    """Make the database refuse UPDATE, DELETE and TRUNCATE on a history table.

    `closing` names the fields that may be filled once, when the entry is closed.
    """
    closing = _columns(model, closing)
    allowed = _same_but(model, closing, f'OLD."{closing[0]}" IS NULL AND ') if closing else "0"
    _create(schema_editor, model, PG_FUNCTION, "ppid_history_append_only", closing, allowed)


def install_kept_triggers(schema_editor, model, mutable) -> None:
    """Make the database refuse DELETE, TRUNCATE and any UPDATE beyond `mutable` fields."""
    mutable = _columns(model, mutable)
    allowed = _same_but(model, mutable)
    _create(
        schema_editor, model, PG_KEPT_FUNCTION, "ppid_kept_columns", mutable, allowed, SQLITE_KEPT
    )


def _columns(model, names) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


def _same_but(model, columns, prefix="") -> str:
    """SQLite: the condition that every column but `columns` is unchanged by the UPDATE."""
    kept = [f.column for f in model._meta.concrete_fields if f.column not in columns]
    return prefix + " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in kept)


def _create(schema_editor, model, function, name, args, allowed, abort=SQLITE_ABORT) -> None:
    """The two triggers of a table: PostgreSQL calls `function`, SQLite checks `allowed`."""
    table, execute = model._meta.db_table, schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(function, None)  # no parameters: its "%" are for RAISE
        listed = ", ".join(f"'{column}'" for column in args)
        execute(
            f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION {name}({listed})"
        )
        execute(
            f'CREATE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    elif schema_editor.connection.vendor == "sqlite":  # SQLite has no TRUNCATE
        execute(f'CREATE TRIGGER "{table}_no_delete" BEFORE DELETE ON "{table}" BEGIN {abort} END')
        execute(
            f'CREATE TRIGGER "{table}_no_update" BEFORE UPDATE ON "{table}" '
            f"WHEN NOT ({allowed}) BEGIN {abort} END"
        )


def drop_triggers(schema_editor, model) -> None:
    """Remove a table's triggers: for the test suite's flush only (it empties tables)."""
    table = model._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        for suffix in ("append_only", "no_truncate"):
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_{suffix}" ON "{table}"')
    elif schema_editor.connection.vendor == "sqlite":
        for suffix in ("no_delete", "no_update"):
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_{suffix}"')
