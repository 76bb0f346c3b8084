"""Security events in the audit trail: new action names, so a new check constraint.

On SQLite, changing a constraint rebuilds the table, which drops its triggers: the append-only guard
is taken down first and put back last, on every database, so it is never missing afterwards.
"""

from django.conf import settings
from django.db import migrations, models

from plans import db_guards


def add_guard(apps, schema_editor):
    db_guards.create_guard(schema_editor.connection, db_guards.AUDIT_EVENTS)


def remove_guard(apps, schema_editor):
    db_guards.drop_guard(schema_editor.connection, db_guards.AUDIT_EVENTS)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0009_model_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(remove_guard, add_guard),
        migrations.RemoveConstraint(
            model_name="auditevent",
            name="audit_event_action_valid",
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
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
                ],
                max_length=30,
                verbose_name="action",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "action__in",
                        [
                            "sign_in",
                            "sign_in_failed",
                            "sign_out",
                            "mfa_changed",
                            "client_created",
                            "client_edited",
                            "client_viewed",
                            "plan_viewed",
                            "plan_edited",
                            "conflict_resolved",
                            "version_saved",
                            "version_restored",
                            "printed",
                            "care_team_changed",
                            "exported",
                            "archived",
                            "unarchived",
                            "client_list_viewed",
                            "access_denied",
                            "csrf_failed",
                            "locked_out",
                            "mfa_failed",
                            "mfa_locked",
                        ],
                    )
                ),
                name="audit_event_action_valid",
            ),
        ),
        migrations.RunPython(add_guard, remove_guard),
    ]
