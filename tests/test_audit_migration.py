"""Migrations 0011 to 0013: the events written before chains existed become the chain "legacy",
keep their hashes, are verified as before, and are anchored by checkpoint #1."""

import hashlib
import json

import pytest
from django.db import DatabaseError, IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from plans import audit
from plans.models import AuditCheckpoint, AuditEvent

from .trail import assert_trail_ok, execute, guards_lifted

BEFORE = [("plans", "0009_model_names")]


def old_hash(prev_hash, created_at, actor_id, action, client_id, ip):
    """The hash as plans/audit.py computed it before chains: no chain, no seq."""
    fields = {
        "action": action,
        "actor": actor_id,
        "client": client_id,
        "created_at": created_at.astimezone(timezone.UTC).isoformat(timespec="microseconds"),
        "ip": ip,
        "target": "",
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256((prev_hash + canonical).encode("ascii")).hexdigest()


def write_old_trail(apps):
    """Four events the way the single-chain code wrote them, with the one-row chain head."""
    user = apps.get_model("auth", "User").objects.create(username="before")
    OldEvent = apps.get_model("plans", "AuditEvent")
    prev, written = "0" * 64, []
    for action, client_id in [("sign_in", None), ("client_created", 7), ("client_viewed", 7), ("sign_out", None)]:
        created_at = timezone.now()
        hash_ = old_hash(prev, created_at, user.pk, action, client_id, "192.0.2.1")
        written.append(
            OldEvent.objects.create(
                created_at=created_at,
                actor_id=user.pk,
                action=action,
                client_id=client_id,
                ip="192.0.2.1",
                prev_hash=prev,
                hash=hash_,
            )
        )
        prev = hash_
    apps.get_model("plans", "AuditChainHead").objects.update_or_create(
        pk=1, defaults={"hash": prev, "event_id": written[-1].pk}
    )
    return [(event.pk, event.hash) for event in written]


# serialized_rollback: after this test's flush, the seeded rows come back for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_events_from_before_chains_become_the_legacy_chain_and_still_verify(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "checkpoints.jsonl"
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("plans")
    executor.migrate(BEFORE)
    old = write_old_trail(executor.loader.project_state(BEFORE).apps)

    MigrationExecutor(connection).migrate(latest)

    events = list(AuditEvent.objects.order_by("pk").values_list("pk", "hash", "chain", "seq"))
    assert events == [(pk, hash_, "legacy", seq) for seq, (pk, hash_) in enumerate(old, 1)]  # hashes kept
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.number, checkpoint.heads) == (1, [["legacy", 4, old[-1][1]]])
    line = json.loads(settings.AUDIT_CHECKPOINT_FILE.read_text())
    assert (line["number"], line["mac"]) == (1, checkpoint.mac)
    assert_trail_ok(events=4, chains=1)

    # New events start chains of their own; the legacy chain is closed.
    event = audit.record(action="client_viewed", by=None, client_id=7)
    assert (event.chain, event.seq, event.prev_hash) == ("client:7", 1, audit.GENESIS)
    assert_trail_ok(events=5, chains=2)

    # The guards are back after the table was rebuilt (SQLite), and the legacy chain is verified as before.
    with pytest.raises((DatabaseError, IntegrityError), match="append-only"):
        execute("DELETE FROM plans_auditevent WHERE id = %s", [old[-1][0]])
    with guards_lifted():
        execute("DELETE FROM plans_auditevent WHERE id = %s", [old[-1][0]])
        execute("UPDATE plans_auditevent SET client_id = 8 WHERE id = %s", [old[1][0]])
    assert [problem.message for problem in audit.verify_trail().problems] == [
        f"chain legacy: event #{old[1][0]} (seq 2) was changed: its hash does not match its fields"
    ]
