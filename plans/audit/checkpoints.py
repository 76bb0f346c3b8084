"""Checkpoints: the chains' heads at a moment, signed with a key the database never holds.

A checkpoint is numbered, carries the MAC of the one before it, and lists as [chain, seq, hash] the
head of every chain that moved since that one (the first lists every chain). Its MAC is
HMAC-SHA256(settings.AUDIT_CHECKPOINT_KEY, canonical JSON of number, created_at, previous and heads).
Someone who can write to the database but does not hold the key can neither make one up, nor change
one, nor cut a chain back past one unnoticed. `manage.py audit_checkpoint` writes one (from cron), and
appends it as one JSON line to settings.AUDIT_CHECKPOINT_FILE when that is set: a copy outside the
database, so that deleting the newest checkpoints from the database is noticed too.
"""

import datetime
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

from ..models import AuditCheckpoint, AuditEvent
from .events import timestamp

FORMAT = 1
Heads = dict[str, tuple[int, str]]  # chain -> (seq, hash) of its newest event


class CheckpointRefusedError(Exception):
    """A chain is behind, or off, what an earlier checkpoint recorded: verify the trail first."""


def canonical(*, number: int, created_at: datetime.datetime, previous: str, heads: Sequence[Sequence[Any]]) -> str:
    """What the MAC is computed over: sorted keys, no spaces, ASCII only."""
    return json.dumps(
        {
            "format": FORMAT,
            "number": number,
            "created_at": timestamp(created_at),
            "previous": previous,
            "heads": [list(head) for head in heads],
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )


def checkpoint_mac(
    *, key: str, number: int, created_at: datetime.datetime, previous: str, heads: Sequence[Sequence[Any]]
) -> str:
    message = canonical(number=number, created_at=created_at, previous=previous, heads=heads)
    return hmac.new(key.encode(), message.encode("ascii"), hashlib.sha256).hexdigest()


def file_line(
    *, number: int, created_at: datetime.datetime, previous: str, heads: Sequence[Sequence[Any]], mac: str
) -> str:
    """One checkpoint as the file keeps it: its canonical JSON with the MAC added, on one line."""
    data = json.loads(canonical(number=number, created_at=created_at, previous=previous, heads=heads))
    data["mac"] = mac
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True) + "\n"


def append_line(path: Path, line: str) -> None:
    """Append and flush to disk, creating the file (readable by its owner and group only) if needed."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, line.encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def current_heads(using: str | None = None) -> Heads:
    """Every chain's newest event, read in one statement (one snapshot on PostgreSQL)."""
    using = using or router.db_for_read(AuditEvent)
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.chain, e.seq, e.hash FROM {table} e JOIN "  # noqa: S608  (the table's name, from the model)
            f"(SELECT chain, MAX(seq) AS seq FROM {table} GROUP BY chain) newest "
            "ON e.chain = newest.chain AND e.seq = newest.seq"
        )
        return {chain: (int(seq), hash_) for chain, seq, hash_ in cursor.fetchall()}


def recorded_heads(rows: Iterable[Sequence[Any]]) -> Heads:
    """What checkpoints record, in order (each row's heads), folded into every chain's last recorded head."""
    heads: Heads = {}
    for row in rows:
        for chain, seq, hash_ in row:
            heads[chain] = (seq, hash_)
    return heads


def moved_heads(now: Heads, recorded: Heads) -> list[list[Any]]:
    """The heads that moved since they were last recorded, as [chain, seq, hash] sorted by chain.
    Refused when a chain is shorter than recorded, or ends elsewhere than recorded at the same length."""
    for chain, (seq, hash_) in recorded.items():
        newest = now.get(chain)
        if newest is None or newest[0] < seq or (newest[0] == seq and newest[1] != hash_):
            raise CheckpointRefusedError(
                f"chain {chain} no longer reaches seq {seq} as a checkpoint recorded it: "
                "run manage.py verify_audit_chain"
            )
    return [[chain, seq, hash_] for chain, (seq, hash_) in sorted(now.items()) if recorded.get(chain) != (seq, hash_)]


@transaction.atomic
def write_checkpoint(*, key: str | None = None) -> AuditCheckpoint:
    """Sign and store the next checkpoint. Two run at once: one of them fails on the unique number."""
    key = key or settings.AUDIT_CHECKPOINT_KEY
    earlier = list(AuditCheckpoint.objects.order_by("number").values_list("number", "mac", "heads"))
    heads = moved_heads(current_heads(), recorded_heads(row[2] for row in earlier))
    number = earlier[-1][0] + 1 if earlier else 1
    previous = earlier[-1][1] if earlier else ""
    created_at = timezone.now()
    mac = checkpoint_mac(key=key, number=number, created_at=created_at, previous=previous, heads=heads)
    checkpoint = AuditCheckpoint(number=number, created_at=created_at, previous=previous, heads=heads, mac=mac)
    checkpoint.save(force_insert=True)
    return checkpoint


def copy_to_file(checkpoint: AuditCheckpoint, path: Path) -> None:
    """Append a stored checkpoint to the file outside the database (after its transaction committed)."""
    append_line(
        path,
        file_line(
            number=checkpoint.number,
            created_at=checkpoint.created_at,
            previous=checkpoint.previous,
            heads=checkpoint.heads,
            mac=checkpoint.mac,
        ),
    )
