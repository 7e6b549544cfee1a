"""Each office's history is a chain of its own, with a lock of its own: one office's
history verifies alone, and two offices writing at once never wait on each other."""

import re
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from dikecualikan import office
from dikecualikan.history import ChainHead, chain_heads, lock_chains, verify_chain
from dikecualikan.models import Office, Record, Transition


def kubu_raya() -> Office:
    return Office.objects.get(slug="kuburayakab")


def note(record, by, text):
    return Transition.objects.create(
        record=record, action="edit", from_state=record.state, to_state=record.state,
        actor=by, note=text,
    )  # fmt: skip


@pytest.fixture
def two_offices(make_record, same_roles_in, desk):
    """A record in Pontianak and one in Kubu Raya, each with its history."""
    same_roles_in(kubu_raya())
    ours = make_record("collected")
    with office.acting(kubu_raya()):
        theirs = make_record("collected")
    return ours, theirs


def test_each_offices_rows_of_a_table_are_a_chain_of_their_own(two_offices, desk):
    ours, theirs = two_offices
    with office.every_office():
        heads = {scope: (count, head) for scope, count, head in chain_heads(Transition)}
        assert set(heads) == {office.current().pk, kubu_raya().pk}
        # Kubu Raya's first row chains to nothing: it starts its own chain.
        first = Transition.objects.filter(record=theirs).order_by("pk").first()
    assert verify_chain(Transition, scope=kubu_raya().pk) == (heads[kubu_raya().pk][0], 0, None)
    ours_before = heads[office.current().pk]
    with office.acting(kubu_raya()):
        note(theirs, desk, "catatan Kubu Raya")
    with office.every_office():
        after = {scope: (count, head) for scope, count, head in chain_heads(Transition)}
        assert verify_chain(Transition) == (Transition.objects.count(), 0, None)
    assert after[office.current().pk] == ours_before  # Pontianak's chain did not move
    assert after[kubu_raya().pk][0] == heads[kubu_raya().pk][0] + 1
    assert first.chain != ""


def test_one_office_verifies_alone_and_the_command_names_each_chain(two_offices, capsys):
    call_command("verify_history", "--office", "kuburayakab")
    out = capsys.readouterr().out
    assert "dikecualikan.Transition: ok" in out and "broken 0" in out
    assert "dikecualikan.UserEvent" not in out  # the deployment's chain: not one office's
    call_command("verify_history", "--heads")
    heads = capsys.readouterr().out
    assert "dikecualikan.Transition@kuburayakab " in heads
    assert "dikecualikan.Transition@pontianakkota " in heads
    call_command("verify_history", "--heads", "--office", "kuburayakab")
    assert "pontianakkota" not in capsys.readouterr().out
    with pytest.raises(CommandError, match="names no office"):
        call_command("verify_history", "--office", "atlantis")


def test_a_record_moved_to_another_office_breaks_both_chains(two_offices, desk):
    ours, theirs = two_offices
    note(ours, desk, "kedua")  # Pontianak's chain goes on after the moved record's rows
    with office.every_office():
        Record.objects.filter(pk=ours.pk).update(office=kubu_raya())  # the owner, in SQL
        ok, broken, first = verify_chain(Transition)
    assert broken >= 1 and first.record_id in (ours.pk, theirs.pk)


def test_a_head_that_is_not_its_chains_last_row_is_found(two_offices, capsys):
    ChainHead.objects.filter(table="dikecualikan.Transition", scope=kubu_raya().pk).update(
        chain="0" * 64
    )
    with pytest.raises(CommandError):
        call_command("verify_history")
    out = capsys.readouterr().out
    assert re.search(r"heads of the chains: ok [1-9]\d*, broken 1", out) and "0" * 64 in out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_offices_write_their_history_at_the_same_moment_without_waiting(
    make_record, same_roles_in, desk
):
    if connection.vendor != "postgresql":
        pytest.skip("the chains' locks are PostgreSQL's advisory locks")
    same_roles_in(kubu_raya())
    ours = make_record("collected")
    with office.acting(kubu_raya()):
        theirs = make_record("collected")
    held, done = threading.Event(), threading.Event()
    outcome = {}

    def pontianak_holds_its_lock():
        try:
            with office.acting(office.default()), transaction.atomic():
                lock_chains()
                held.set()
                done.wait(timeout=20)  # holds Pontianak's chains until Kubu Raya is done
        finally:
            connections.close_all()

    def write(place, record, key):
        try:
            with office.acting(place), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                note(record, desk, key)
            outcome[key] = "written"
        except Exception as error:  # reported below
            outcome[key] = error
        finally:
            connections.close_all()

    holder = threading.Thread(target=pontianak_holds_its_lock)
    holder.start()
    assert held.wait(timeout=10)
    kr = threading.Thread(target=write, args=(kubu_raya(), theirs, "kubu raya"))
    kr.start()
    kr.join(timeout=15)
    pt = threading.Thread(target=write, args=(office.default(), ours, "pontianak"))
    pt.start()
    pt.join(timeout=15)
    done.set()
    holder.join(timeout=15)
    assert outcome["kubu raya"] == "written"  # another office's lock: no wait
    assert "lock timeout" in str(outcome["pontianak"])  # its own office's: it waits
    with office.every_office():
        assert verify_chain(Transition)[1] == 0
