"""Audit chains, step 1 of 3: where each event sits (chain, seq), and signed checkpoints.

Every event written so far joins the chain "legacy" (its place in it is numbered by 0012); the
constraints that make a chain unforkable come in 0013, once every event has its place.
"""

from django.db import migrations, models

from plans import db_guards


def restore_event_guard(apps, schema_editor):
    """Backwards, last: removing the columns rebuilt the table on SQLite, without its triggers."""
    db_guards.create_guard(schema_editor.connection, db_guards.AUDIT_EVENTS)


def add_checkpoint_guard(apps, schema_editor):
    """Checkpoints can be inserted, never updated or deleted (triggers, like audit events in 0005)."""
    db_guards.create_guard(schema_editor.connection, db_guards.AUDIT_CHECKPOINTS)


def remove_checkpoint_guard(apps, schema_editor):
    db_guards.drop_guard(schema_editor.connection, db_guards.AUDIT_CHECKPOINTS)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0010_audit_security_actions"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_event_guard),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField(unique=True)),
                ("created_at", models.DateTimeField()),
                ("previous", models.CharField(blank=True, max_length=64)),
                ("heads", models.JSONField()),
                ("mac", models.CharField(max_length=64, unique=True)),
            ],
            options={
                "verbose_name": "audit checkpoint",
                "verbose_name_plural": "audit checkpoints",
                "ordering": ["number"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("number__gte", 1)), name="audit_checkpoint_number_positive"
                    )
                ],
            },
        ),
        migrations.RunPython(add_checkpoint_guard, remove_checkpoint_guard),
        # On PostgreSQL a column added with a default fills existing rows without an UPDATE, so the
        # append-only trigger does not fire. (SQLite rebuilds the table and loses its triggers: 0013
        # creates them again.)
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.CharField(default="legacy", max_length=40, verbose_name="chain"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(null=True, verbose_name="number in its chain"),
        ),
    ]
