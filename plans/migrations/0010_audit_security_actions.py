"""Six more audit actions, for security events the app is to record: the client list viewed, access
refused, a form refused for its CSRF token, a lock-out, a wrong second-factor code, the second step locked."""

from django.db import migrations, models

from plans import db_guards

ACTIONS = [
    ("sign_in", "Signed in"),
    ("sign_in_failed", "Sign-in failed"),
    ("sign_out", "Signed out"),
    ("mfa_changed", "Sign-in security changed"),
    ("client_created", "Client added"),
    ("client_edited", "Client details edited"),
    ("client_viewed", "Client viewed"),
    ("plan_viewed", "Plan viewed"),
    ("plan_edited", "Plan edited"),
    ("conflict_resolved", "Conflict resolved"),
    ("version_saved", "Version saved"),
    ("version_restored", "Version restored"),
    ("printed", "Printed or downloaded"),
    ("care_team_changed", "Care team changed"),
    ("exported", "Exported"),
    ("archived", "Archived"),
    ("unarchived", "Taken out of the archive"),
    ("client_list_viewed", "Client list or search viewed"),
    ("access_denied", "Access refused"),
    ("csrf_failed", "Form refused (CSRF)"),
    ("locked_out", "Locked out after failed sign-ins"),
    ("mfa_failed", "Wrong second-step code"),
    ("mfa_locked", "Second-step codes paused"),
]


def add_guard(apps, schema_editor):
    """Changing the action constraint rebuilds the table on SQLite, which drops its triggers with the old
    table: create them again (both ways)."""
    db_guards.create_guard(schema_editor.connection, db_guards.AUDIT_EVENTS)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0009_model_names"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, add_guard),
        migrations.RemoveConstraint(model_name="auditevent", name="audit_event_action_valid"),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(choices=ACTIONS, max_length=30, verbose_name="action"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(("action__in", [value for value, _label in ACTIONS])),
                name="audit_event_action_valid",
            ),
        ),
        migrations.RunPython(add_guard, migrations.RunPython.noop),
    ]
