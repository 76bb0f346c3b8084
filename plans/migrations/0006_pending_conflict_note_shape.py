"""Pending conflicts keep their changes in the one JSON shape of plan content (plans/content.py):
a step note as {"likelihood": ..., "barriers": ...}, as in version snapshots, not [likelihood, barriers]."""

from django.db import migrations


def notes_as_objects(apps, schema_editor):
    PendingConflict = apps.get_model("plans", "PendingConflict")
    for pending in PendingConflict.objects.all().only("pk", "changes"):
        notes = pending.changes.get("step_notes", {})
        if any(isinstance(note, list) for note in notes.values()):
            pending.changes["step_notes"] = {
                step: {"likelihood": note[0], "barriers": note[1]} if isinstance(note, list) else note
                for step, note in notes.items()
            }
            pending.save(update_fields=["changes"])


def notes_as_lists(apps, schema_editor):
    PendingConflict = apps.get_model("plans", "PendingConflict")
    for pending in PendingConflict.objects.all().only("pk", "changes"):
        notes = pending.changes.get("step_notes", {})
        if any(isinstance(note, dict) for note in notes.values()):
            pending.changes["step_notes"] = {
                step: [note.get("likelihood"), note.get("barriers", "")] if isinstance(note, dict) else note
                for step, note in notes.items()
            }
            pending.save(update_fields=["changes"])


class Migration(migrations.Migration):
    dependencies = [("plans", "0005_audit")]

    operations = [migrations.RunPython(notes_as_objects, notes_as_lists)]
