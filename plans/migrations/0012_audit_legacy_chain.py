"""Audit chains, step 2 of 3: the events written before chains existed become the chain "legacy".

They keep their hashes, computed before chain and seq existed, and are verified exactly as before
(plans.audit.event_hash leaves chain and seq out for this chain); nothing is recomputed. Each gets its
place (seq 1, 2, 3 ... in id order): that is an UPDATE, which the append-only guard refuses, so the
guard is dropped for that one statement and created again, in this migration's transaction.
No event is appended to "legacy" after this.

The one-row chain head (AuditChainHead, removed in 0013) was what told the old verification that no
event had been removed from the end. Its hash, at its event's place, becomes checkpoint #1, signed with
settings.AUDIT_CHECKPOINT_KEY (and written to the checkpoint file, if one is set): a legacy chain cut
back later is found like any other. If the head and the last event disagree, so does the checkpoint,
and verify_audit_chain says so, as it did before.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from plans import db_guards
from plans.audit import checkpoints

LEGACY = "legacy"

NUMBER = (
    "UPDATE plans_auditevent SET seq = numbered.place "
    "FROM (SELECT id AS event_id, ROW_NUMBER() OVER (ORDER BY id) AS place FROM plans_auditevent) AS numbered "
    "WHERE plans_auditevent.id = numbered.event_id"
)


def _legacy_head(AuditEvent, AuditChainHead):
    """(seq, hash) where the old chain head said the chain ends; the last event if the head was missing
    (the old code rebuilt a missing head from the last event the same way)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.event_id is not None:
        return AuditEvent.objects.filter(pk__lte=head.event_id).count(), head.hash
    last = AuditEvent.objects.order_by("-pk").first()
    return AuditEvent.objects.count(), last.hash


def number_the_legacy_chain(apps, schema_editor):
    AuditEvent = apps.get_model("plans", "AuditEvent")
    if not AuditEvent.objects.exists():
        return
    connection = schema_editor.connection
    db_guards.drop_guard(connection, db_guards.AUDIT_EVENTS)
    with connection.cursor() as cursor:
        cursor.execute(NUMBER)
    db_guards.create_guard(connection, db_guards.AUDIT_EVENTS)

    seq, hash_ = _legacy_head(AuditEvent, apps.get_model("plans", "AuditChainHead"))
    heads = [[LEGACY, seq, hash_]]
    created_at = timezone.now()
    mac = checkpoints.checkpoint_mac(
        key=settings.AUDIT_CHECKPOINT_KEY, number=1, created_at=created_at, previous="", heads=heads
    )
    apps.get_model("plans", "AuditCheckpoint").objects.create(
        number=1, created_at=created_at, previous="", heads=heads, mac=mac
    )
    if settings.AUDIT_CHECKPOINT_FILE is not None:
        line = checkpoints.file_line(number=1, created_at=created_at, previous="", heads=heads, mac=mac)
        checkpoints.append_line(settings.AUDIT_CHECKPOINT_FILE, line)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0011_audit_chains"),
    ]

    # Backwards, 0011 removes the columns this fills in and the checkpoints table.
    operations = [migrations.RunPython(number_the_legacy_chain, migrations.RunPython.noop)]
