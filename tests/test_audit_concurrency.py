"""Appends at the same moment, each on its own connection (PostgreSQL only: SQLite takes one write
transaction at a time, BEGIN IMMEDIATE, so appends there never overlap and nothing here can happen)."""

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import OperationalError, connection, connections, transaction

from plans import audit
from plans.models import AuditEvent

from .trail import assert_trail_ok

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every write transaction; appends overlap only on PostgreSQL",
    ),
    # serialized_rollback: after this module's flushes, the seeded rows come back for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_together(count: int, work: Callable[[int], None]) -> None:
    """`work(i)` in `count` threads, each with its own database connection, started at the same moment."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(i: int) -> None:
        try:
            start.wait()
            work(i)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=[i]) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def seqs(chain: str) -> list[int]:
    return list(AuditEvent.objects.filter(chain=chain).order_by("seq").values_list("seq", flat=True))


def test_concurrent_appends_to_one_chain_lose_nothing_and_do_not_fork():
    def append(i: int) -> None:
        for n in range(15):
            # Half of them inside a longer transaction, as an action's event is.
            if n % 2:
                with transaction.atomic():
                    audit.record(action="client_viewed", by=None, client_id=1, target=f"writer:{i}")
            else:
                audit.record(action="client_viewed", by=None, client_id=1, target=f"writer:{i}")

    run_together(6, append)
    assert seqs("client:1") == list(range(1, 91))
    assert Counter(AuditEvent.objects.values_list("target", flat=True)) == {f"writer:{i}": 15 for i in range(6)}
    assert_trail_ok(events=90, chains=1)


def test_concurrent_appends_to_different_chains_each_make_a_whole_chain():
    def append(i: int) -> None:
        for _ in range(20):
            audit.record(action="plan_viewed", by=None, client_id=100 + i)

    run_together(6, append)
    for i in range(6):
        assert seqs(f"client:{100 + i}") == list(range(1, 21))
    assert_trail_ok(events=120, chains=6)


def _append_with_lock_timeout(client_id: int, timeout: str) -> AuditEvent:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{timeout}'")
        return audit.record(action="plan_viewed", by=None, client_id=client_id)


def test_an_open_transaction_holds_up_its_own_chain_and_no_other():
    holding, done = threading.Event(), threading.Event()

    def hold_client_1_open() -> None:
        try:
            with transaction.atomic():
                audit.record(action="plan_edited", by=None, client_id=1)
                holding.set()
                done.wait(timeout=60)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_client_1_open)
    holder.start()
    try:
        assert holding.wait(timeout=60)
        # Another client's chain: no wait at all (a wait of more than 10 s would fail here).
        other = _append_with_lock_timeout(2, "10s")
        assert (other.chain, other.seq) == ("client:2", 1)
        # The same client's chain waits for the open transaction (here, until the lock timeout).
        with pytest.raises(OperationalError, match="lock timeout"):
            _append_with_lock_timeout(1, "200ms")
    finally:
        done.set()
        holder.join()
    after = audit.record(action="plan_viewed", by=None, client_id=1)
    assert (after.seq, seqs("client:1")) == (2, [1, 2])
    assert_trail_ok(events=3, chains=2)


def test_an_append_waiting_on_a_transaction_that_rolls_back_takes_its_place():
    holding, roll_back = threading.Event(), threading.Event()
    waiting: list[AuditEvent] = []

    def hold_then_roll_back() -> None:
        try:
            with pytest.raises(RuntimeError), transaction.atomic():
                audit.record(action="plan_edited", by=None, client_id=1)
                holding.set()
                roll_back.wait(timeout=60)
                raise RuntimeError("the action failed")
        finally:
            connections.close_all()

    def append_behind_it() -> None:
        try:
            waiting.append(audit.record(action="plan_viewed", by=None, client_id=1))
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_then_roll_back)
    holder.start()
    assert holding.wait(timeout=60)
    behind = threading.Thread(target=append_behind_it)
    behind.start()
    _wait_until_blocked()
    roll_back.set()
    holder.join()
    behind.join()
    assert [(event.seq, event.action) for event in waiting] == [(1, "plan_viewed")]
    assert_trail_ok(events=1, chains=1)


def _wait_until_blocked() -> None:
    """Until another backend waits on a lock: the append behind the open transaction (no sleeping for time)."""
    with connection.cursor() as cursor:
        for _ in range(10_000):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
    raise AssertionError("the second append never waited")
