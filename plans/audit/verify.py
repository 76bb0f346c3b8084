"""Verifying the trail: every chain recomputed from its first event, against the signed checkpoints.

Found, each named by its chain and event: an event changed (its hash no longer matches its fields),
an event removed from the middle (a gap in seq, or a broken link), a chain cut back or rewritten past
a checkpoint (shorter than, or different from, what the checkpoint recorded); a checkpoint forged or
changed (its HMAC does not match), removed from the middle of the checkpoints (a gap in their numbers
or links), or, with a checkpoint file, removed from the database while the file still has it.
Events removed from the end of a chain after its last checkpoint cannot be told from events never
written: checkpoints as often as that window should be short.
"""

import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime

from ..models import AuditCheckpoint, AuditEvent
from .checkpoints import checkpoint_mac
from .events import GENESIS, event_hash


@dataclass(frozen=True)
class Problem:
    message: str
    chain: str = ""
    event_id: int | None = None


@dataclass
class Report:
    events: int = 0
    chains: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Recorded:
    """A head as a checkpoint recorded it."""

    seq: int
    hash: str
    checkpoint: int


# chain -> seq -> what a checkpoint recorded there
Expected = dict[str, dict[int, Recorded]]


def _signed(key: str, data: dict[str, Any]) -> bool:
    """Whether a checkpoint's MAC is the one its key gives; False too when it cannot be read at all."""
    try:
        created_at = data["created_at"]
        if isinstance(created_at, str):
            created_at = parse_datetime(created_at)
        heads = data["heads"]
        if created_at is None or not all(
            isinstance(c, str) and isinstance(s, int) and isinstance(h, str) for c, s, h in heads
        ):
            return False
        expected = checkpoint_mac(
            key=key, number=int(data["number"]), created_at=created_at, previous=str(data["previous"]), heads=heads
        )
    except (KeyError, TypeError, ValueError):
        return False
    return hmac.compare_digest(expected, str(data["mac"]))


def _expect(expected: Expected, number: int, heads: Iterable[list[Any]]) -> None:
    for chain, seq, hash_ in heads:
        expected.setdefault(chain, {}).setdefault(seq, Recorded(seq=seq, hash=hash_, checkpoint=number))


def _check_checkpoints(report: Report, key: str, expected: Expected) -> dict[int, str]:
    """The stored checkpoints: each signed, numbered 1, 2, 3 ... and linked to the one before.
    Returns number -> MAC, for the file's lines to be compared with."""
    stored: dict[int, str] = {}
    previous_mac, next_number = "", 1
    fields = ("number", "created_at", "previous", "heads", "mac")
    for row in AuditCheckpoint.objects.order_by("number").values(*fields):
        number = row["number"]
        report.checkpoints += 1
        stored[number] = row["mac"]
        if number != next_number:
            report.problems.append(
                Problem(f"checkpoints #{next_number} to #{number - 1} are missing: removed from the database")
            )
        elif row["previous"] != previous_mac:
            report.problems.append(Problem(f"checkpoint #{number} does not follow checkpoint #{number - 1}"))
        if _signed(key, row):
            _expect(expected, number, row["heads"])
        else:
            report.problems.append(
                Problem(
                    f"checkpoint #{number} is forged or was changed: its HMAC does not match "
                    "(or AUDIT_CHECKPOINT_KEY is not the key it was signed with)"
                )
            )
        previous_mac, next_number = row["mac"], number + 1
    if not stored:
        report.notes.append(
            "No checkpoint yet: events removed from the end of a chain cannot be found "
            "(run manage.py audit_checkpoint, from cron)."
        )
    return stored


def _check_file(report: Report, key: str, path: Path, stored: dict[int, str], expected: Expected) -> None:
    """The copy outside the database: every line signed, and still in the database as it was."""
    if not path.exists():
        report.notes.append(f"The checkpoint file {path} does not exist yet.")
        return
    in_file: set[int] = set()
    with path.open(encoding="ascii", errors="replace") as lines:
        for line_number, line in enumerate(lines, 1):
            try:
                data = json.loads(line)
                number = int(data["number"])
            except (ValueError, KeyError, TypeError):
                data, number = {}, 0
            if not number or not _signed(key, data):
                report.problems.append(Problem(f"line {line_number} of {path} is not a checkpoint signed with the key"))
                continue
            in_file.add(number)
            if number not in stored:
                report.problems.append(Problem(f"checkpoint #{number} is in {path} but not in the database: deleted"))
                _expect(expected, number, data["heads"])  # what it recorded still counts
            elif stored[number] != data["mac"]:
                report.problems.append(Problem(f"checkpoint #{number} in the database differs from the one in {path}"))
    missing = sorted(set(stored) - in_file)
    if missing:
        report.notes.append(f"{len(missing)} checkpoints in the database are not in {path} (from #{missing[0]}).")


class _ChainCheck:
    """One chain, read in seq order: the first problem found is reported, and the rest of the chain skipped."""

    def __init__(self, report: Report, chain: str, recorded: dict[int, Recorded]) -> None:
        self.report, self.chain, self.recorded = report, chain, recorded
        self.seq, self.hash, self.last_id = 0, GENESIS, 0
        self.broken = False
        report.chains += 1

    def fail(self, event_id: int | None, message: str) -> None:
        self.report.problems.append(Problem(f"chain {self.chain}: {message}", chain=self.chain, event_id=event_id))
        self.broken = True

    def event(self, row: tuple[Any, ...]) -> None:
        pk, chain, seq, prev_hash, stored_hash, created_at, actor_id, action, client_id, target, ip = row
        self.report.events += 1
        if self.broken:
            return
        fields = {"created_at": created_at, "actor_id": actor_id, "action": action, "client_id": client_id}
        expected_hash = event_hash(chain=chain, seq=seq, prev_hash=prev_hash, target=target, ip=ip, **fields)
        recorded = self.recorded.get(seq)
        if seq != self.seq + 1:
            self.fail(pk, f"event #{pk} is seq {seq}, after seq {self.seq}: events before it were removed")
        elif prev_hash != self.hash:
            self.fail(pk, f"event #{pk} (seq {seq}) does not link to the event before it: that one was changed")
        elif stored_hash != expected_hash:
            self.fail(pk, f"event #{pk} (seq {seq}) was changed: its hash does not match its fields")
        elif recorded is not None and recorded.hash != stored_hash:
            self.fail(pk, f"event #{pk} (seq {seq}) is not the one checkpoint #{recorded.checkpoint} recorded")
        self.seq, self.hash, self.last_id = seq, stored_hash, pk

    def end(self) -> None:
        if self.broken or not self.recorded:
            return
        furthest = max(self.recorded.values(), key=lambda head: head.seq)
        if furthest.seq > self.seq:
            where = f"event #{self.last_id} (seq {self.seq})" if self.seq else "no event"
            self.fail(
                self.last_id or None,
                f"ends at {where}, but checkpoint #{furthest.checkpoint} recorded seq {furthest.seq}: "
                "events were removed from its end",
            )


def _check_chains(report: Report, expected: Expected) -> None:
    columns = (
        "pk",
        "chain",
        "seq",
        "prev_hash",
        "hash",
        "created_at",
        "actor_id",
        "action",
        "client_id",
        "target",
        "ip",
    )
    rows = AuditEvent.objects.order_by("chain", "seq").values_list(*columns)
    current: _ChainCheck | None = None
    for row in rows.iterator(chunk_size=2000):
        if current is None or current.chain != row[1]:
            if current is not None:
                current.end()
            current = _ChainCheck(report, row[1], expected.pop(row[1], {}))
        current.event(row)
    if current is not None:
        current.end()
    for chain, recorded in sorted(expected.items()):  # chains checkpoints know and the events do not
        _ChainCheck(report, chain, recorded).end()


def verify_trail(*, key: str | None = None, checkpoint_file: Path | None = None) -> Report:
    """Check every chain and checkpoint (and the checkpoint file, if there is one)."""
    key = key or settings.AUDIT_CHECKPOINT_KEY
    if checkpoint_file is None:
        checkpoint_file = settings.AUDIT_CHECKPOINT_FILE
    report = Report()
    expected: Expected = {}
    stored = _check_checkpoints(report, key, expected)
    if checkpoint_file is not None:
        _check_file(report, key, checkpoint_file, stored, expected)
    _check_chains(report, expected)
    return report
