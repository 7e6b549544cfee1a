"""Check that the register's history is as it was written.

Run it daily beside verify_fixity (docs/deployment.md, the daily jobs). It recomputes
every chained table's keyed hash chain (a row changed, inserted or deleted below the
application breaks it from that row on), and checks each record against its history:
its state is the one its last history row left it in; a published record went the
whole way (a quorum of approvals in one round, or a link to a decision in force; the
archive step; the request to KPU or the link; an item, not withdrawn, of the published
decision it names), shows what its last DIK version froze, and ends when its period
and its decision's date say. It prints `ok N, broken N` per table and per kind of
check with the first break of each, and exits 1 on any break, so the scheduler's mail
or monitoring notices.

Each check is recorded (dikecualikan/jobs.py) for the Atasan PPID's dashboard.

Each office's rows of a table are a chain of their own (the history of users is the
deployment's one chain); `--office slug` checks one office's chains and records alone.
Each chain's kept head (where its next row chains to) must be its last row.

`--heads` prints each chain's row count and last chain value instead ("table@office
rows head"), to be kept off the machine (it checks nothing, so it records no run);
`--compare-heads FILE` also checks that no chain has fewer rows than such a file says
and that each head it names is still its row (a truncated chain leaves no break behind
it: only a head kept elsewhere shows it). A line without "@office", from before chains
were kept per office, is the default office's chain (the history of users: the
deployment's).
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef, Subquery

from dikecualikan import jobs, office
from dikecualikan.dik import published_rows
from dikecualikan.history import (
    DEPLOYMENT,
    chain_heads,
    chain_value_at,
    history_models,
    rows_of_scope,
    scope_path,
    stale_heads,
    verify_chain,
)
from dikecualikan.models import (
    Action,
    DecisionItem,
    DikChange,
    Office,
    Record,
    State,
    Transition,
    period_end,
)


class Check:
    """One kind of check over the records: counts and the first break."""

    def __init__(self, name: str):
        self.name, self.ok, self.broken, self.first = name, 0, 0, None

    def see(self, problem: str | None) -> None:
        if problem is None:
            self.ok += 1
            return
        self.broken += 1
        self.first = self.first or problem


def records_out_of_step() -> tuple[int, int, list[str]]:
    """Return (records ok, records broken, why for the first few broken): state vs history."""
    last = Transition.objects.filter(record=OuterRef("pk")).order_by("-pk")
    rows = Record.objects.annotate(last_state=Subquery(last.values("to_state")[:1]))
    ok, broken, why = 0, 0, []
    for pk, state, last_state in rows.values_list("pk", "state", "last_state").iterator():
        if state == last_state:
            ok += 1
            continue
        broken += 1
        why.append(f"record #{pk} is “{state}” but its last history row says “{last_state}”")
    return ok, broken, why[:5]


def _took(*actions):
    return Exists(Transition.objects.filter(record=OuterRef("pk"), action__in=actions))


def published_records():
    """The published records, with what their path needs, from their history."""
    covered = DecisionItem.objects.active().filter(
        record=OuterRef("pk"),
        decision=OuterRef("published_in"),
        decision__published_at__isnull=False,
    )
    return (
        Record.objects.on_dik()
        .select_related("published_in")
        .annotate(
            archived=_took(Action.ARCHIVE),
            requested=_took(Action.REQUEST),
            linked=_took(Action.LINK),
            covered=Exists(covered),
        )
        .order_by("pk")
    )


def path_problem(record) -> str | None:
    """Why a published record did not go the whole way to publication, or None."""
    if not (record.requested or record.linked):
        return f"record #{record.pk} is published, but was never requested from KPU nor linked"
    # A record listed under a decision in force has no proposal of its own to approve.
    if not record.linked and not all(given >= n for _, given, n in record.approval_progress()):
        return f"record #{record.pk} is published without its quorum of approvals in one round"
    if not record.archived:
        return f"record #{record.pk} is published, but was never archived"
    if not record.covered:
        return f"record #{record.pk} is published without a published decision that covers it"
    return None


def frozen_rows() -> dict[int, dict]:
    """{record id: its row as its last DIK version published it}, for published records."""
    changes = DikChange.objects.filter(kind=DikChange.Kind.ADDED, record__state=State.PUBLISHED)
    ordered = changes.order_by("record_id", "version__number").values_list("record_id", "data")
    return dict(ordered.iterator())


def row_problem(pk: int, row: dict | None, frozen: dict | None) -> str | None:
    """Where a published record's public fields differ from its frozen DIK row, or None."""
    if not frozen:
        return f"record #{pk} is published, but no DIK version keeps its row"
    # The status says whether the period has ended by today: not a fact of the publication.
    for name in (key for key in frozen if key != "status"):
        if (row or {}).get(name) != frozen[name]:
            return (
                f"record #{pk}: “{name}” is {(row or {}).get(name)!r}, but its DIK version "
                f"published {frozen[name]!r}"
            )
    return None


def end_problem(record) -> str | None:
    """Whether a published record's end date is the one its period and decision give."""
    start = record.published_in.date_set
    due = period_end(record.period_type, record.period_years, record.period_until, start)
    if record.ends_on == due:
        return None
    return f"record #{record.pk} ends on {record.ends_on}, but its period and decision say {due}"


def published_checks() -> list[Check]:
    path = Check("published records' path to publication")
    rows = Check("published records against their DIK version")
    ends = Check("published records' end dates")
    records = list(published_records())
    current = published_rows(Record.objects.filter(pk__in=[r.pk for r in records]))
    frozen = frozen_rows()
    for record in records:
        path.see(path_problem(record))
        rows.see(row_problem(record.pk, current.get(record.pk), frozen.get(record.pk)))
        ends.see(end_problem(record))
    return [path, rows, ends]


def every_head(only: Office | None = None) -> list[tuple[str, int, str]]:
    """("table@office", rows, last chain value) for every chain (one office's if named)."""
    slugs = dict(Office.objects.values_list("pk", "slug"))
    heads = []
    for model in history_models():
        if not model.chained:
            continue
        for scope, count, head in chain_heads(model):
            if only is not None and scope != only.pk:
                continue
            label = model._meta.label + (f"@{slugs[scope]}" if scope != DEPLOYMENT else "")
            heads.append((label, count, head))
    return heads


def compare_heads(lines) -> tuple[int, int, list[str]]:
    """Check the heads of an earlier `--heads` against the chains now: (ok, broken, why)."""
    ok, broken, why = 0, 0, []
    for line in lines:
        if not line.strip():
            continue
        try:
            label, count, head = line.split()
            name, _at, slug = label.partition("@")
            model, count = apps.get_model(name), int(count)
            scope = _scope(model, slug)
        except (ValueError, LookupError, Office.DoesNotExist):
            broken += 1
            why.append(f"not a line of --heads: {line.strip()!r}")
            continue
        now = rows_of_scope(model, scope).count()
        if now < count:
            problem = f"{label} had {count} rows, now {now}: rows were deleted"
        elif count and chain_value_at(model, count, scope) != head:
            problem = f"{label}: row {count} is no longer the head kept then ({head})"
        else:
            ok += 1
            continue
        broken += 1
        why.append(problem)
    return ok, broken, why


def _scope(model, slug: str) -> int:
    if scope_path(model) is None:
        return DEPLOYMENT
    return Office.objects.get(slug=slug or office.default().slug).pk


class Command(BaseCommand):
    help = (
        "Recompute the history's hash chains and check each record against its history; "
        "exit 1 on any break. --heads prints each chain's head instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--office",
            metavar="SLUG",
            help="Check this office's chains and records only (e.g. pontianakkota).",
        )
        parser.add_argument(
            "--heads",
            action="store_true",
            help="Print each chained table's row count and last chain value, and nothing else.",
        )
        parser.add_argument(
            "--compare-heads",
            metavar="FILE",
            help="Also check the chains against heads an earlier --heads printed.",
        )

    def handle(self, *args, heads=False, compare_heads=None, **options):
        only = office.named(options["office"])
        if heads:
            for label, count, head in every_head(only):
                self.stdout.write(f"{label} {count} {head or '-'}")
            return
        # Every office's chains and records at once, on purpose; or one office's.
        reading = office.acting(only) if only else office.every_office()
        with jobs.recorded("verify_history") as job, reading:
            self.verify(job, compare_heads, only)

    def verify(self, job, compare_heads: str | None, only: Office | None = None) -> None:
        total_ok = total_broken = 0
        for model in history_models():
            if not model.chained or (only and scope_path(model) is None):
                continue
            ok, broken, first = verify_chain(model, scope=only.pk if only else None)
            total_ok, total_broken = total_ok + ok, total_broken + broken
            line = f"{model._meta.label}: ok {ok}, broken {broken}"
            if first is not None:
                line += f"; first broken row: id {first.pk} ({first})"
            self.stdout.write(line)
        ok, stale = stale_heads(only.pk if only else None)
        total_ok, total_broken = total_ok + ok, total_broken + len(stale)
        self.report("heads of the chains", ok, len(stale), stale)
        if compare_heads:
            ok, broken, why = self.compare(compare_heads)
            total_ok, total_broken = total_ok + ok, total_broken + broken
            self.report("heads kept earlier", ok, broken, why)
        ok, broken, why = records_out_of_step()
        total_ok, total_broken = total_ok + ok, total_broken + broken
        self.report("records against their history", ok, broken, why)
        for check in published_checks():
            total_ok, total_broken = total_ok + check.ok, total_broken + check.broken
            self.report(check.name, check.ok, check.broken, [check.first] if check.first else [])
        job.summary = f"verify_history: ok {total_ok}, broken {total_broken}"
        self.stdout.write(f"ok {total_ok}, broken {total_broken}")
        if total_broken:
            raise CommandError(
                f"{total_broken} rows of the history do not verify: see above. Nothing was "
                "changed; restore from the backup and compare (docs/archive.md, the history)."
            )

    def compare(self, path: str):
        try:
            with open(path, encoding="utf-8") as kept:
                return compare_heads(kept.readlines())
        except OSError as error:
            raise CommandError(f"Cannot read the heads kept earlier ({path}): {error}") from None

    def report(self, name: str, ok: int, broken: int, why: list[str]) -> None:
        self.stdout.write(f"{name}: ok {ok}, broken {broken}")
        for problem in why:
            self.stdout.write(f"  {problem}")
