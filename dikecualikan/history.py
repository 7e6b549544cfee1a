"""The register's history: rows written once, never rewritten, chained by their hashes.

UU 14/2008 makes the history itself a matter of record (DOMAIN.md section 2), so the
history tables are append-only at three depths:

1. the ORM refuses update(), delete(), _raw_delete(), bulk_update() and a save() of an
   existing row (`AppendOnly`);
2. the database refuses UPDATE, DELETE and TRUNCATE (triggers made by
   `install_triggers`, from a migration), so plain SQL cannot rewrite either; it also
   keeps what the DIK published of a record (`install_published_triggers`);
3. each row of a chained table carries `chain`, the HMAC-SHA256 of its content and of
   the previous row's chain under settings.HISTORY_KEY, a key the database roles do not
   hold: a rewrite below both (an owner who dropped a trigger) and a row inserted in
   plain SQL are found by `manage.py verify_history`, since nobody without the key can
   compute the chain value such a row would need. (Before migration 0031 the chains
   were plain SHA-256, which anyone could compute; 0031 verified them and sealed them
   again under the key.)

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
import hmac
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from . import office
from .roles import Role, roles_of

# Who is acting now, for rows written where no user is passed (a role granted in the
# admin): set for each request by ppid.middleware.actor; None in a command.
ACTOR: contextvars.ContextVar = contextvars.ContextVar("ppid_actor", default=None)

NEVER_DELETED = _("Entries of the register are never deleted; correct them with a new entry.")

# Each office's rows of a table form a chain of their own (so one office's history verifies
# on its own), and each chain has its own lock: each new row reads the head of its chain, so
# two writers of one office must take turns, or both would chain to the same row; two
# offices never wait on each other. The lock is pg_advisory_xact_lock(CHAIN_LOCK, scope).
CHAIN_LOCK = 1_417_001_008  # UU 14/2008, our own number
# The scope of a chain that is no office's: the history of users (people, not records).
DEPLOYMENT = 0


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
        """Insert in order, each row chained to the one before it in its office's chain
        (under the chains' locks): rows of many offices at once, each in its own chain, in
        as many statements as for one office (KPU's revocation opens items in a hundred)."""
        objs = list(objs)
        if not objs:
            return []
        if not self.model.chained:
            for obj in objs:
                obj._stamp_actors()
            return super().bulk_create(objs, *args, **kwargs)
        scopes = [self.model.scope_of(obj) for obj in objs]
        for obj, scope in zip(objs, scopes, strict=True):
            obj._stamp_actors(scope)
        with transaction.atomic(using=self.db, savepoint=False):
            lock_chains(*set(scopes))
            heads = ChainHead.heads(self.model, set(scopes))
            for obj, scope in zip(objs, scopes, strict=True):
                obj.chain = heads[scope].chain = chain_of(heads[scope].chain, obj)
            made = super().bulk_create(objs, *args, **kwargs)
            ChainHead.objects.bulk_update(heads.values(), ["chain"])
            return made


class AppendOnly(NeverDeleted):
    """A history row: inserted once; only its `closing_fields` may be filled, once."""

    # Filled once when the entry is closed (the first one says whether it is).
    closing_fields: tuple[str, ...] = ()
    # {user foreign key: (name field, role field)}: who acted, as they were then.
    actor_fields: dict[str, tuple[str, str | None]] = {}
    chained = False
    # A chained table's rows chain per office (its default manager's `path` finds a row's
    # office); False: one chain for the deployment.
    office_chains = True

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
            scope = self.chain_scope()
            lock_chains(scope)
            head = ChainHead.of(type(self), scope)
            self.chain = head.chain = chain_of(head.chain, self)
            super().save(*args, **kwargs)
            head.save(update_fields=["chain"])

    @classmethod
    def chain_scope(cls) -> int:
        """Whose chain a new row joins: the acting office's (the office whose record it is
        about: rows are written while their office acts), or DEPLOYMENT for a table of
        rows that are no office's (`office_chains = False`)."""
        return office.acting_office().pk if cls.office_chains else DEPLOYMENT

    @classmethod
    def scope_of(cls, row) -> int:
        """The chain a row joins, read off the row itself (its record's office, say): rows
        written together may be of many offices. The acting office's where the table's
        manager names no path to an office."""
        path = scope_path(cls)
        if path is None:
            return cls.chain_scope()
        *links, last = path.split("__")
        for link in links:
            row = getattr(row, link)
        return getattr(row, last)

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

    def _stamp_actors(self, scope: int | None = None):
        """Keep who acted as they are now: their name, and their roles in the office whose
        chain the row joins (`scope`; the acting office's when not named or no office's)."""
        place = scope if self.office_chains and scope != DEPLOYMENT else None
        for link, (name_field, role_field) in self.actor_fields.items():
            user = getattr(self, link)
            if user is None or getattr(self, name_field):
                continue
            setattr(self, name_field, actor_name(user))
            if role_field and not getattr(self, role_field):
                setattr(self, role_field, actor_roles(user, place))


def actor_name(user) -> str:
    return (user.get_full_name() or user.get_username())[:200]


def actor_roles(user, place: int | None = None) -> str:
    """The user's SOP roles now (comma-separated codes), in the office of this id (the
    acting office by default): kept with what they did."""
    return ",".join(sorted(roles_of(user, place)))[:200]  # cached on the user


def role_labels(codes: str) -> str:
    """The labels of the roles kept as codes ("desk,ppid") with a history row."""
    return ", ".join(str(Role(c).label) for c in codes.split(",") if c in Role.values)


def named_then(name: str, roles: str) -> str:
    """A person as a history row keeps them: "Budi Santoso (PPID)"."""
    labels = role_labels(roles)
    return f"{name} ({labels})" if labels else name


def lock_chains(*scopes: int) -> None:
    """Take the locks of these scopes' chains (the acting office's when none is named)
    until the transaction ends, in one statement and in the scopes' order (two writers of
    several offices at once take them in the same order and never deadlock). SQLite
    serialises writes itself."""
    if connection.vendor == "postgresql":
        scopes = sorted(scopes) if scopes else [office.acting_office().pk]
        with connection.cursor() as cursor:
            # unnest() yields the array's elements in order: the locks are taken in it.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, scope) FROM unnest(%s::int[]) AS scope",
                [CHAIN_LOCK, scopes],
            )


class ChainHead(models.Model):
    """The last chain value of one scope's chain of one table: where its next row chains to.

    Read and moved under the scope's lock, in the transaction that writes the row. Not
    history itself: `verify_history` checks each head against the rows it ends.
    """

    table = models.CharField(max_length=100)  # the model's label
    scope = models.PositiveIntegerField()  # the office's id, or DEPLOYMENT
    chain = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["table", "scope"], name="chain_head_unique"),
        ]

    def __str__(self):
        return f"{self.table} ({self.scope}): {self.chain or '-'}"

    @classmethod
    def of(cls, model, scope: int) -> "ChainHead":
        """The head of the model's chain in this scope (the caller holds its lock). Missing
        (a scope's first row, or rows chained before heads were kept), it is read off the
        chain's last row, once."""
        head = cls.objects.filter(table=model._meta.label, scope=scope).first()
        if head is None:
            last = rows_of_scope(model, scope).order_by("-pk").values_list("chain", flat=True)
            head = cls.objects.create(
                table=model._meta.label, scope=scope, chain=last.first() or ""
            )
        return head

    @classmethod
    def heads(cls, model, scopes) -> dict[int, "ChainHead"]:
        """{scope: head} of the model's chains in these scopes, read in one query (the
        caller holds their locks)."""
        found = cls.objects.filter(table=model._meta.label, scope__in=scopes)
        heads = {head.scope: head for head in found}
        for scope in set(scopes) - set(heads):
            heads[scope] = cls.of(model, scope)
        return heads


def scope_path(model) -> str | None:
    """The lookup from a chained row to its office's id (None: the deployment's one chain)."""
    path = getattr(model._default_manager, "path", None)
    return f"{path}_id" if path and getattr(model, "office_chains", False) else None


def rows_of_scope(model, scope: int):
    """The rows of one scope's chain (every office's rows, read on purpose)."""
    path = scope_path(model)
    rows = model._base_manager.all()
    return rows.filter(**{path: scope}) if path else rows


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


def _chained_text(previous: str, row, closing) -> bytes:
    content = content_of(row, closing)
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"{previous}\n{text}".encode()


def chain_of(previous: str, row, closing=None) -> str:
    """Return the row's chain value: the HMAC-SHA256 of the previous one and its content."""
    key = settings.HISTORY_KEY.encode()
    return hmac.new(key, _chained_text(previous, row, closing), hashlib.sha256).hexdigest()


def unkeyed_chain_of(previous: str, row, closing=None) -> str:
    """The chains as written before migration 0031 (plain SHA-256): for its check alone."""
    return hashlib.sha256(_chained_text(previous, row, closing)).hexdigest()


def verify_chain(
    model, chain=chain_of, closing=None, scope: int | None = None
) -> tuple[int, int, object | None]:
    """Recompute a table's chains, each office's on its own (one scope's if named): (rows
    ok, rows broken, the first broken row or None). A table whose rows are no office's
    (and a migration's model) is one chain."""
    ok = broken = 0
    first = None
    previous: dict[int, str] = {}
    path = scope_path(model)
    rows = model._base_manager.all() if scope is None else rows_of_scope(model, scope)
    if path:
        rows = rows.annotate(_scope=models.F(path))
    for row in rows.order_by("pk").iterator(chunk_size=2000):
        here = getattr(row, "_scope", DEPLOYMENT)
        if chain(previous.get(here, ""), row, closing) == row.chain:
            ok += 1
        else:
            broken += 1
            first = first or row
        previous[here] = row.chain
    return ok, broken, first


def chain_heads(model) -> list[tuple[int, int, str]]:
    """Each scope's chain of a table: (scope, row count, last chain value), by scope."""
    path = scope_path(model)
    if path is None:
        rows = model._base_manager.order_by("-pk").values_list("chain", flat=True)
        return [(DEPLOYMENT, model._base_manager.count(), rows.first() or "")]
    counts = (
        model._base_manager.values(path)
        .annotate(n=models.Count("pk"), last=models.Max("pk"))
        .order_by(path)
    )
    lasts = dict(
        model._base_manager.filter(pk__in=[c["last"] for c in counts]).values_list("pk", "chain")
    )
    return [(c[path], c["n"], lasts[c["last"]]) for c in counts]


def chain_value_at(model, count: int, scope: int = DEPLOYMENT) -> str | None:
    """The chain value of a scope's `count`-th row (by id), or None if it has fewer."""
    rows = rows_of_scope(model, scope).order_by("pk").values_list("chain", flat=True)
    return rows[count - 1 : count].first()


def stale_heads(scope: int | None = None) -> tuple[int, list[str]]:
    """Check each kept head against its chain's last row (a head or a row tampered with, or
    the chain's last rows deleted); one scope's if named: (heads ok, the problems)."""
    ok, found = 0, []
    for model in history_models():
        if not model.chained:
            continue
        now = {where: head for where, _count, head in chain_heads(model)}
        kept = ChainHead.objects.filter(table=model._meta.label)
        for head in kept if scope is None else kept.filter(scope=scope):
            if head.chain == now.get(head.scope, ""):
                ok += 1
                continue
            found.append(
                f"{model._meta.label} (scope {head.scope}): the chain ends in "
                f"{now.get(head.scope) or 'nothing'}, its head says {head.chain or 'nothing'}"
            )
    return ok, found


def history_models() -> list:
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, AppendOnly)]


def append_only_models() -> list:
    """Every table the append-only triggers guard: the history's, and Django's admin log."""
    from django.apps import apps

    return [*history_models(), apps.get_model("admin", "LogEntry")]


def reseal(apps, schema_editor, app_label: str, tables: dict) -> None:
    """For migration 0031: seal each table's chain under the key, once its old one verified.

    `tables` is {model: (closing fields, fields added after its chain began)}. A chain
    that verifies under the key already (a fresh install, or rows this release's
    migrations chained) is left as it is; one that verifies as plain SHA-256 is written
    again under the key, its triggers lifted for it (the migration runs as the tables'
    owner); any other stops the migration, and nothing is changed. Every table's
    triggers are installed again after, whatever an earlier migration that remade the
    table on SQLite took with it.
    """
    for name, (closing, added) in tables.items():
        model = apps.get_model(app_label, name)
        drop_triggers(schema_editor, model)
        if verify_chain(model, closing=closing)[1] == 0:
            install_triggers(schema_editor, model, closing)
            continue
        broken = verify_chain(model, _unkeyed_without(added), closing)
        if broken[1]:
            raise RuntimeError(
                f"{app_label}.{name}: the history's chain is broken from row id "
                f"{broken[2].pk} on ({broken[1]} rows do not verify), so it is not sealed "
                "under the key. Nothing was changed: restore the table from a backup whose "
                "chain verifies (docs/archive.md, the history), then migrate again."
            )
        ((_scope, count, old_head),) = chain_heads(model)  # a migration's model: one chain
        previous, rows = "", models.QuerySet(model)  # a plain one: this is the one rewrite
        for row in model._base_manager.order_by("pk").iterator(chunk_size=2000):
            previous = chain_of(previous, row, closing)
            rows.filter(pk=row.pk).update(chain=previous)
        install_triggers(schema_editor, model, closing)
        # The old head, for whoever compares with a backup made before (and the new one).
        print(
            f"\n  {app_label}.{name}: {count} rows verified, sealed under the key "
            f"(head was {old_head or '-'}, now {previous or '-'})",
            end="",
        )


def _unkeyed_without(added):
    """The old chain check, which also accepts a row chained before `added` existed.

    A field added to a chained table (0026 added Approval.classification, 0030
    UserEvent.detail) changed the content of the rows written before it, empty in them:
    such a row verifies with or without the field.
    """

    def check(previous, row, closing):
        value = unkeyed_chain_of(previous, row, closing)
        if value == row.chain or not added:
            return value
        if any(getattr(row, row._meta.get_field(name).attname) not in (None, "") for name in added):
            return value
        return unkeyed_chain_of(previous, row, (*closing, *added))

    return check


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

PG_PUBLISHED_FUNCTION = """
CREATE OR REPLACE FUNCTION ppid_published_kept() RETURNS trigger AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
    kept text;
BEGIN
    -- TG_ARGV: the columns the public reads of a record once published. They never change
    -- after; the state only goes on to "opened", the one step that fills opened_at/_reason.
    IF OLD.published_at IS NULL THEN
        RETURN NEW;
    END IF;
    FOREACH kept IN ARRAY TG_ARGV LOOP
        IF old_row -> kept IS DISTINCT FROM new_row -> kept THEN
            RAISE EXCEPTION 'ppid: UPDATE of % on % refused: what the DIK published is kept as '
                'published (only a later decision changes it)', kept, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    IF (OLD.state, OLD.opened_at, OLD.opened_reason)
            IS DISTINCT FROM (NEW.state, NEW.opened_at, NEW.opened_reason)
        AND NOT (OLD.state = 'published' AND NEW.state = 'opened') THEN
        RAISE EXCEPTION 'ppid: UPDATE of the state on % refused: what the DIK published is kept '
            'as published (it is only ever opened)', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
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


def install_published_triggers(schema_editor, model, kept) -> None:
    """Make the database keep a published record's public columns (`kept`) as published.

    A record was published once its `published_at` is set; from then on an UPDATE may not
    change `kept`, and its state may only go from published to opened (with the opening's
    date and reason). Everything else of the row (its version, its search vector, the
    redacted copy a later step uploads) stays writable.
    """
    kept = _columns(model, kept)
    table, execute = model._meta.db_table, schema_editor.execute
    name = f"{table}_published_kept"
    if schema_editor.connection.vendor == "postgresql":
        execute(PG_PUBLISHED_FUNCTION, None)
        listed = ", ".join(f"'{column}'" for column in kept)
        execute(
            f'CREATE TRIGGER "{name}" BEFORE UPDATE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION ppid_published_kept({listed})"
        )
    elif schema_editor.connection.vendor == "sqlite":
        same = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in kept)
        opening = "OLD.\"state\" = 'published' AND NEW.\"state\" = 'opened'"
        unmoved = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in STATE_COLUMNS)
        abort = "SELECT RAISE(ABORT, 'ppid: what the DIK published is kept as published');"
        execute(
            f'CREATE TRIGGER "{name}" BEFORE UPDATE ON "{table}" '
            f'WHEN OLD."published_at" IS NOT NULL AND NOT ({same} AND ({unmoved} OR {opening})) '
            f"BEGIN {abort} END"
        )


STATE_COLUMNS = ("state", "opened_at", "opened_reason")


def drop_published_triggers(schema_editor, model) -> None:
    table = model._meta.db_table
    on = f' ON "{table}"' if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_published_kept"{on}')


def drop_triggers(schema_editor, model) -> None:
    """Remove a table's triggers: for the test suite's flush only (it empties tables)."""
    table = model._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        for suffix in ("append_only", "no_truncate"):
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_{suffix}" ON "{table}"')
    elif schema_editor.connection.vendor == "sqlite":
        for suffix in ("no_delete", "no_update"):
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_{suffix}"')
