"""Audit chains, step 3 of 3: every event has its place, so a chain can be made unforkable.

One event per (chain, seq) and one successor per (chain, prev_hash); the old single-chain constraints
(unique prev_hash and hash across all events) and the one-row chain head go. Rebuilding the table on
SQLite drops its triggers with the old table, so the append-only guards are created again last.
"""

from django.db import migrations, models

from plans import db_guards


def add_guards(apps, schema_editor):
    for guard in (db_guards.AUDIT_EVENTS, db_guards.AUDIT_CHECKPOINTS):
        db_guards.create_guard(schema_editor.connection, guard)


def restore_chain_head(apps, schema_editor):
    """Backwards: the one-row head, at the newest event (development only: with more than one chain the
    old single-chain constraints cannot be put back)."""
    last = apps.get_model("plans", "AuditEvent").objects.order_by("-pk").first()
    apps.get_model("plans", "AuditChainHead").objects.get_or_create(
        pk=1, defaults={"hash": last.hash if last else "0" * 64, "event_id": last.pk if last else None}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0012_audit_legacy_chain"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_chain_head),
        migrations.DeleteModel(name="AuditChainHead"),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(verbose_name="number in its chain"),
        ),
        migrations.RemoveConstraint(model_name="auditevent", name="audit_event_prev_hash_unique"),
        migrations.RemoveConstraint(model_name="auditevent", name="audit_event_hash_unique"),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_event_chain_seq_unique"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("chain", "prev_hash"), name="audit_event_chain_prev_hash_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(condition=models.Q(("seq__gte", 1)), name="audit_event_seq_positive"),
        ),
        migrations.RunPython(add_guards, add_guards),
    ]
