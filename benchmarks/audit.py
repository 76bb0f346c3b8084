"""Benchmark: audited appends per second with 1, 2, 4 and 8 concurrent writers, on PostgreSQL.

Run by `make bench` (or directly: `python benchmarks/audit.py [--seconds 1.5] [--rounds 3]`). Creates the
database safetyplan_bench_audit (dropped first if it is there, and at the end) on the server of
BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) and migrates it; without a server
it says so and skips. Each writer is a process of its own, with its own connection, appending events
about its own client, each in a transaction of its own as an action's event is, for a fixed time.
Three ways to append, interleaved round by round (the median round is printed):

- single lock (before): what plans/audit.py did until chains: lock the one chain head row
  (SELECT ... FOR UPDATE), insert the event after it through the ORM, move the head; one chain for all.
- chain lock: the same with one head row per client's chain (the alternative that was measured; written
  for the app, its insert would skip the ORM as `append` does, and it would cost a query more).
- append (now): plans.audit.record: read the chain's last event, INSERT ... ON CONFLICT DO NOTHING.

"waiting" is how many writers were waiting on a lock on average (pg_stat_activity sampled every 5 ms,
wait_event_type 'Lock', which includes waiting for another transaction's commit); the time waiting on
locks is that over the run, against the writers' time. Then, for reference, all writers appending about
one client (one chain: they queue, by design). Target: at 8 writers, append gives at least 1.5x its
1-writer throughput; on the 2-core machines the CPUs are the limit from 2 to 4 writers on, and the
single lock stays flat or falls.
"""

import argparse
import multiprocessing
import os
import secrets
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = "safetyplan_bench_audit"
os.environ["DATABASE_URL"] = SERVER.rsplit("/", 1)[0] + "/" + DATABASE
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetyplan.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")  # no query log in the writers
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))

WRITERS = (1, 2, 4, 8)
MODES = ("single lock", "chain lock", "append")
ONE_CLIENT = "append, one client"
COLUMNS = (*MODES, ONE_CLIENT)
HEADS = "bench_audit_head"


@dataclass(frozen=True)
class Job:
    mode: str
    client_id: int
    seconds: float


def recreate_database(*, drop_only: bool = False) -> None:
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        if not drop_only:
            admin.execute(f"CREATE DATABASE {DATABASE}")


# --- The writers (each in its own process) ---------------------------------------------------------------


def _append_behind_head(chain: str, client_id: int) -> None:
    """One event, the way the single-lock code appended (and a per-chain head row would): lock the head row,
    insert after it, move it. The event goes to `chain` (a chain of the benchmark's own)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from plans.audit import event_hash
    from plans.models import AuditEvent

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {HEADS} WHERE chain = %s FOR UPDATE", [chain])  # noqa: S608
        seq, prev_hash = cursor.fetchone()
        event = AuditEvent(action="plan_viewed", client_id=client_id, chain=chain, seq=seq + 1, prev_hash=prev_hash)
        event.created_at = timezone.now()
        event.hash = event_hash(
            chain=chain,
            seq=event.seq,
            prev_hash=prev_hash,
            created_at=event.created_at,
            actor_id=None,
            action=event.action,
            client_id=client_id,
            target="",
            ip=None,
        )
        event.save(force_insert=True)
        cursor.execute(f"UPDATE {HEADS} SET seq = %s, hash = %s WHERE chain = %s", [event.seq, event.hash, chain])  # noqa: S608


def _append(client_id: int) -> None:
    from django.db import transaction

    from plans.audit import record

    with transaction.atomic():
        record(action="plan_viewed", by=None, client_id=client_id)


def append_once(job: Job) -> None:
    if job.mode == "single lock":
        _append_behind_head("bench:single", job.client_id)
    elif job.mode == "chain lock":
        _append_behind_head(f"bench:client:{job.client_id}", job.client_id)
    else:
        _append(job.client_id)


def writer(job: Job, start: Any, results: Any) -> None:
    import django

    django.setup()
    from django.db import connections

    append_once(job)  # connected, and warm
    start.wait()
    count, deadline = 0, time.perf_counter() + job.seconds
    while time.perf_counter() < deadline:
        append_once(job)
        count += 1
    connections.close_all()
    results.put(count)


# --- Measuring ---------------------------------------------------------------------------------------------


class LockSampler(threading.Thread):
    """Counts the benchmark database's backends waiting on a lock, every 5 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'"
        with psycopg.connect(SERVER, autocommit=True) as monitor:
            while not self.stop.wait(0.005):
                row = monitor.execute(query, [DATABASE]).fetchone()
                self.samples.append(int(row[0]) if row else 0)


@dataclass(frozen=True)
class Run:
    per_second: float
    waiting: float  # writers waiting on a lock, on average


def run(mode: str, writers: int, seconds: float, *, one_client: bool = False) -> Run:
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(writers + 1), context.Queue()
    jobs = [Job(mode=mode, client_id=1000 + (0 if one_client else i), seconds=seconds) for i in range(writers)]
    processes = [context.Process(target=writer, args=(job, start, results)) for job in jobs]
    for process in processes:
        process.start()
    sampler = LockSampler()
    start.wait()
    sampler.start()
    total = sum(results.get(timeout=120) for _ in processes)
    sampler.stop.set()
    sampler.join()
    for process in processes:
        process.join()
        if process.exitcode:
            raise RuntimeError(f"a writer failed ({mode}, {writers} writers)")
    waiting = statistics.fmean(sampler.samples) if sampler.samples else 0.0
    return Run(per_second=total / seconds, waiting=waiting)


def prepare() -> int:
    """Migrate, and make the head rows the lock modes use. Returns the number of clients to spread over."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    call_command("migrate", verbosity=0)
    clients = 2 * max(WRITERS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {HEADS} (chain varchar(40) PRIMARY KEY, seq bigint, hash varchar(64))")
        chains = ["bench:single"] + [f"bench:client:{1000 + i}" for i in range(clients)]
        cursor.executemany(f"INSERT INTO {HEADS} VALUES (%s, 0, %s)", [(chain, "0" * 64) for chain in chains])  # noqa: S608
    connections.close_all()  # the writers are forked: they must not share this connection
    return clients


def median_run(runs: list[Run]) -> Run:
    ordered = sorted(runs, key=lambda r: r.per_second)
    return ordered[len(ordered) // 2]


def measure(seconds: float, rounds: int) -> dict[tuple[str, int], Run]:
    results: dict[tuple[str, int], list[Run]] = {}
    for round_ in range(rounds):
        for writers in WRITERS:
            for offset in range(len(MODES)):
                mode = MODES[(round_ + offset) % len(MODES)]  # the order rotates each round
                results.setdefault((mode, writers), []).append(run(mode, writers, seconds))
            # For reference: every writer appending about the same client, so to one chain.
            results.setdefault((ONE_CLIENT, writers), []).append(run("append", writers, seconds, one_client=True))
        print(f"  round {round_ + 1} of {rounds} done", flush=True)
    return {key: median_run(runs) for key, runs in results.items()}


def report(medians: dict[tuple[str, int], Run], seconds: float, rounds: int) -> None:
    print("\nAudit appends per second (PostgreSQL; each writer its own process, connection and client;")
    print(f"{rounds} interleaved rounds of {seconds} s, median round; waiting: writers waiting on a lock)")
    titles = {"single lock": "single lock (before)", "append": "append (now)"}
    print("  writers" + "".join(f"{titles.get(column, column):>26}" for column in COLUMNS))
    for writers in WRITERS:
        cells = [medians[(column, writers)] for column in COLUMNS]
        print(f"  {writers:>7}" + "".join(f"{r.per_second:>12.0f}/s waiting {r.waiting:3.1f}" for r in cells))
    ratios = {column: medians[(column, 8)].per_second / medians[(column, 1)].per_second for column in COLUMNS}
    print("  8 vs 1 " + "".join(f"{ratios[column]:>25.2f}x" for column in COLUMNS))
    waits = ", ".join(
        f"{column} {medians[(column, 8)].waiting * seconds:.1f} s ({medians[(column, 8)].waiting / 8:.0%})"
        for column in COLUMNS
    )
    print(f"  time waiting on locks at 8 writers, of {8 * seconds:.0f} writer-seconds: {waits}")
    ok = ratios["append"] >= 1.5
    print("  target met (append 8 vs 1 >= 1.5x)" if ok else "  TARGET MISSED (append 8 vs 1 < 1.5x)")


def verify() -> None:
    import django

    django.setup()
    from django.db import connections

    from plans.audit import verify_trail

    result = verify_trail()
    connections.close_all()
    state = "OK" if result.ok else f"BROKEN: {result.problems[0].message}"
    print(f"  the trail afterwards: {result.events} events in {result.chains} chains: {state}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    try:
        recreate_database()
    except psycopg.OperationalError as error:
        print(f"Audit benchmark skipped: no PostgreSQL at {SERVER} ({str(error).strip().splitlines()[0]})")
        return 0
    try:
        prepare()
        medians = measure(args.seconds, args.rounds)
        report(medians, args.seconds, args.rounds)
        verify()
    finally:
        recreate_database(drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
