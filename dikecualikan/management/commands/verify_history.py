"""Check that the register's history is as it was written.

Run it daily beside verify_fixity (README: cron or a systemd timer). It recomputes
every chained table's hash chain (a row changed, inserted or deleted below the
application breaks it from that row on), checks that each record's state is the one
its last history row left it in, and that each published record names a decision
that covers it. It prints `ok N, broken N`, the first broken row of each table, and
exits 1 on any break, so the scheduler's mail or monitoring notices.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef, Subquery

from dikecualikan.history import history_models, verify_chain
from dikecualikan.models import DecisionItem, Record, State, Transition


def records_out_of_step() -> tuple[int, int, list[str]]:
    """Return (records ok, records broken, why for the first few broken)."""
    last = Transition.objects.filter(record=OuterRef("pk")).order_by("-pk")
    covered = DecisionItem.objects.active().filter(
        record=OuterRef("pk"), decision=OuterRef("published_in")
    )
    rows = Record.objects.annotate(
        last_state=Subquery(last.values("to_state")[:1]), covered=Exists(covered)
    ).values_list("pk", "state", "last_state", "published_in", "covered")
    ok, broken, why = 0, 0, []
    for pk, state, last_state, published_in, is_covered in rows.iterator():
        problem = None
        if state != last_state:
            problem = f"record #{pk} is “{state}” but its last history row says “{last_state}”"
        elif state == State.PUBLISHED and not (published_in and is_covered):
            problem = f"record #{pk} is published without a decision that covers it"
        if problem:
            broken += 1
            why.append(problem)
        else:
            ok += 1
    return ok, broken, why[:5]


class Command(BaseCommand):
    help = (
        "Recompute the history's hash chains and check each record's state against its "
        "history; exit 1 on any break."
    )

    def handle(self, *args, **options):
        total_ok = total_broken = 0
        for model in history_models():
            if not model.chained:
                continue
            ok, broken, first = verify_chain(model)
            total_ok, total_broken = total_ok + ok, total_broken + broken
            line = f"{model._meta.label}: ok {ok}, broken {broken}"
            if first is not None:
                line += f"; first broken row: id {first.pk} ({first})"
            self.stdout.write(line)
        ok, broken, why = records_out_of_step()
        total_ok, total_broken = total_ok + ok, total_broken + broken
        self.stdout.write(f"records against their history: ok {ok}, broken {broken}")
        for problem in why:
            self.stdout.write(f"  {problem}")
        self.stdout.write(f"ok {total_ok}, broken {total_broken}")
        if total_broken:
            raise CommandError(
                f"{total_broken} rows of the history do not verify: see above. Nothing was "
                "changed; restore from the backup and compare (README, History)."
            )
