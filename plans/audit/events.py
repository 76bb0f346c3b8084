"""Appending events: which chain an event joins, its hash, and the append itself.

An event joins the chain of its client ("client:42"), else of the user who acted ("user:7"), else
"system" (a failed sign-in with no known user). In its chain it takes the next `seq` and links to the
chain's last event by `prev_hash`: read the chain's last event, then INSERT ... ON CONFLICT DO NOTHING
(two queries, no lock, no savepoint). The unique constraints on (chain, seq) and (chain, prev_hash)
keep a chain from forking, and are also how appends to one chain wait for each other: an insert at a
place another transaction has just taken waits for that transaction, then inserts nothing if it
committed, and the append tries the next place. Appends to different chains never wait on each other.
The caller's transaction (the action's) holds its place until it ends, so call `record` last.
"""

import datetime
import hashlib
import ipaddress
import json
import time

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest
from django.utils import timezone

from ..models import AuditEvent, Client

GENESIS = "0" * 64  # the prev_hash of the first event of every chain
LEGACY_CHAIN = "legacy"  # the events written before chains existed (migration 0012), hashed as they were then
SYSTEM_CHAIN = "system"
TARGET_MAX_LENGTH = 100
# Each failed attempt means another append to the same chain committed first (the chain moved on). An
# append that lost once queues, but a new append that has not lost yet can still slip in ahead of it, so in
# a burst about one client a queued append may lose many times in a row: it gives up (a 500, the action
# rolled back) only after both this many attempts and this long. Measured: 8 writers appending about one
# client in a tight loop ran out of 100 attempts (about 0.2 s) within seconds.
MAX_ATTEMPTS = 100
MAX_WAIT_SECONDS = 10.0
ADVISORY_LOCK_CLASS = 0x41554454  # "AUDT": the first key of the PostgreSQL advisory locks taken here


class AuditChainBusyError(RuntimeError):
    """An append kept losing the race for the next place in its chain (MAX_ATTEMPTS and MAX_WAIT_SECONDS)."""


def _normalise_ip(value: str | None) -> str | None:
    """One spelling per address (so a hash computed before saving matches the row read back)."""
    if not value:
        return None
    text = value.strip().split("%", 1)[0]  # no IPv6 zone: the database column has no room for one
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from.

    REMOTE_ADDR, unless the app runs behind a proxy (settings.SECURE_PROXY_SSL_HEADER is set): then
    the last X-Forwarded-For entry, the one our proxy added. Earlier entries come from the client
    and can be forged.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        from_proxy = _normalise_ip(forwarded.rsplit(",", 1)[-1])
        if from_proxy is not None:
            return from_proxy
    remote = request.META.get("REMOTE_ADDR")
    return _normalise_ip(remote if isinstance(remote, str) else None)


def timestamp(moment: datetime.datetime) -> str:
    """A moment as hashed and signed: UTC, ISO 8601, to the microsecond."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def chain_for(*, client_id: int | None, actor_id: int | None) -> str:
    """The chain an event joins: its client's, else its actor's, else the system's."""
    if client_id is not None:
        return f"client:{client_id}"
    if actor_id is not None:
        return f"user:{actor_id}"
    return SYSTEM_CHAIN


def event_hash(
    *,
    chain: str,
    seq: int,
    prev_hash: str,
    created_at: datetime.datetime,
    actor_id: int | None,
    action: str,
    client_id: int | None,
    target: str,
    ip: str | None,
) -> str:
    """sha256 hex of prev_hash followed by a canonical JSON of the event's fields.

    The fields include the chain and the place in it, except in the legacy chain, whose events were
    hashed before either existed and are checked exactly as they were written.
    """
    fields: dict[str, object] = {
        "action": action,
        "actor": actor_id,
        "client": client_id,
        "created_at": timestamp(created_at),
        "ip": _normalise_ip(ip),
        "target": target,
    }
    if chain != LEGACY_CHAIN:
        fields.update(chain=chain, seq=seq)
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256((prev_hash + canonical).encode("ascii")).hexdigest()


_FIELDS = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
_STATEMENTS: dict[str, tuple[str, str]] = {}


def _statements(connection: BaseDatabaseWrapper) -> tuple[str, str]:
    """The two statements of an append, written once per database vendor: the chain's last event, and
    `INSERT ... ON CONFLICT DO NOTHING RETURNING id` (PostgreSQL, and SQLite since 3.35). Built by the
    ORM on every call instead, an append took nearly twice as long (0.75 ms against 1.4 ms, fsync off)."""
    if connection.vendor not in _STATEMENTS:
        quote = connection.ops.quote_name
        meta = AuditEvent._meta
        table = quote(meta.db_table)
        columns = ", ".join(quote(str(field.column)) for field in _FIELDS)
        values = ", ".join(["%s"] * len(_FIELDS))
        _STATEMENTS[connection.vendor] = (
            f"SELECT seq, hash FROM {table} WHERE chain = %s ORDER BY seq DESC LIMIT 1",  # noqa: S608  (names from the model)
            f"INSERT INTO {table} ({columns}) VALUES ({values}) "  # noqa: S608  (names from the model)
            f"ON CONFLICT DO NOTHING RETURNING {quote(str(meta.pk.column))}",
        )
    return _STATEMENTS[connection.vendor]


def _take_next_place(event: AuditEvent, using: str) -> bool:
    """Read the chain's last event, and insert this one after it; False if another append got there first.

    The insert raises no error when the place is taken, so no savepoint is needed around it (a failed
    INSERT would abort the caller's whole transaction on PostgreSQL). On PostgreSQL it waits for an
    append to the same place that is not committed yet, then inserts (that one rolled back) or does
    nothing (it committed)."""
    connection = connections[using]
    last_sql, insert_sql = _statements(connection)
    with connection.cursor() as cursor:
        cursor.execute(last_sql, [event.chain])
        last = cursor.fetchone()
        event.seq, event.prev_hash = (int(last[0]) + 1, str(last[1])) if last is not None else (1, GENESIS)
        event.created_at = timezone.now()  # read after the chain's last event: times rise along a chain
        event.hash = event_hash(
            chain=event.chain,
            seq=event.seq,
            prev_hash=event.prev_hash,
            created_at=event.created_at,
            actor_id=event.actor_id,
            action=event.action,
            client_id=event.client_id,
            target=event.target,
            ip=event.ip,
        )
        cursor.execute(
            insert_sql, [field.get_db_prep_save(field.pre_save(event, True), connection) for field in _FIELDS]
        )
        row = cursor.fetchone()
    if row is None:
        return False
    event.pk = int(row[0])
    event._state.adding = False
    event._state.db = using
    return True


def _queue_for_chain(chain: str, using: str) -> None:
    """PostgreSQL: wait for, and hold until the transaction ends, a lock on this chain that only appends
    that already lost a race take. Without it, every append waiting on the same chain wakes at each
    commit and races again, and all but one lose again (measured: a third of the throughput at 8
    writers on one chain). Other databases: nothing (SQLite runs one write transaction at a time)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(chain.encode()).digest()[:4], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_CLASS, key])


def _append(event: AuditEvent, using: str) -> AuditEvent:
    """Give the event the next place in its chain: two queries, unless a concurrent append to the same
    chain took that place first. Then queue behind the others that lost, and try again."""
    if _take_next_place(event, using):
        return event
    # A transaction for the queue's lock to last in (none of its own inside the caller's).
    with transaction.atomic(using=using, savepoint=False):
        _queue_for_chain(event.chain, using)
        deadline = time.monotonic() + MAX_WAIT_SECONDS
        attempts = 0
        while attempts < MAX_ATTEMPTS or time.monotonic() < deadline:
            if _take_next_place(event, using):
                return event
            attempts += 1
    raise AuditChainBusyError(f"audit chain {event.chain} stayed busy for {attempts} attempts")


def record(
    *,
    action: str,
    by: User | None,
    client: Client | None = None,
    client_id: int | None = None,
    target: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """Append one event. `by` is None when nobody is signed in (a failed sign-in, for example).

    `target` names what was acted on by ID only, like "version:3"; never plan content or names.
    Call it inside the transaction of the action it records (plans/actions/), as its last write: the
    event commits or rolls back with the action, and the next append to the same chain waits for it.
    One INSERT is its only write, so called outside a transaction it needs none of its own (only an
    append that lost a race to a concurrent one opens one, for the lock it then queues on).
    """
    if action not in AuditEvent.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    if client is not None:
        if client_id is not None and client_id != client.pk:
            raise ValueError("client and client_id disagree")
        client_id = client.pk
    if len(target) > TARGET_MAX_LENGTH:
        raise ValueError("audit target too long")
    actor_id = by.pk if by is not None else None
    event = AuditEvent(
        actor=by,
        action=action,
        client_id=client_id,
        target=target,
        ip=_normalise_ip(ip),
        chain=chain_for(client_id=client_id, actor_id=actor_id),
    )
    return _append(event, router.db_for_write(AuditEvent))
