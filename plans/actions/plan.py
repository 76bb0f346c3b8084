"""Saving the working plan, all or nothing: from the editor, autosave drafts, and merged or conflicting saves."""

import uuid
from dataclasses import dataclass
from enum import Enum

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from .. import audit
from ..content import PLAN_FIELDS, EntryData, PlanChanges, PlanContent, StepNoteData
from ..merge import Base, Conflict, base_to_json, merge, resolve
from ..models import (
    AuditEvent,
    Client,
    Entry,
    PendingConflict,
    PlanDraft,
    SafetyPlan,
    StepNote,
)
from ..steps import ENTRY_FIELDS, SECTIONS, SECTIONS_BY_KEY
from .common import locked_plan

Action = AuditEvent.Action


class SaveOutcome(Enum):
    SAVED = "saved"
    ALREADY_SAVED = "already_saved"  # a repeat of the submit that was just saved
    MERGED = "merged"  # saved from a stale copy; merged with the other screen's changes
    CONFLICT = "conflict"  # the same entry changed on both screens: nothing saved, a choice is needed


class StalePlanError(Exception):
    """The form was built from an older revision and can't be merged (it carried no base)."""

    def __init__(self, current_revision: int) -> None:
        super().__init__(current_revision)
        self.current_revision = current_revision


@dataclass(frozen=True)
class SaveResult:
    plan: SafetyPlan
    outcome: SaveOutcome
    conflict: PendingConflict | None = None
    content: PlanContent | None = None  # the plan as saved (SAVED and MERGED)


def _differs(plan: SafetyPlan, changes: PlanChanges) -> bool:
    for name, value in changes.plan_fields.items():
        if getattr(plan, name) != value:
            return True
    if changes.step_notes:
        current_notes = {note.step: StepNoteData(note.likelihood, note.barriers) for note in plan.step_notes.all()}
        for step, data in changes.step_notes.items():
            if current_notes.get(step, StepNoteData()) != data:
                return True
    if changes.sections:
        current: dict[str, list[tuple[str, ...]]] = {key: [] for key in changes.sections}
        for entry in plan.entries.filter(section__in=list(changes.sections)).order_by("position"):
            current[entry.section].append(tuple(getattr(entry, name) for name in ENTRY_FIELDS))
        for key, entries in changes.sections.items():
            if current[key] != [entry.content() for entry in entries]:
                return True
    return False


def _write_step_notes(plan: SafetyPlan, changes: PlanChanges) -> dict[int, StepNoteData]:
    """The clinician's step notes: only those that changed are written. Returns every note of the plan."""
    existing = {note.step: note for note in plan.step_notes.all()}
    created, updated = [], []
    for step, data in changes.step_notes.items():
        note = existing.get(step)
        if note is None:
            note = StepNote(plan=plan, step=step, likelihood=data.likelihood, barriers=data.barriers)
            created.append(note)
            existing[step] = note
        elif (note.likelihood, note.barriers) != (data.likelihood, data.barriers):
            note.likelihood, note.barriers = data.likelihood, data.barriers
            updated.append(note)
    if created:
        StepNote.objects.bulk_create(created)
    if updated:
        StepNote.objects.bulk_update(updated, ["likelihood", "barriers"])
    return {step: StepNoteData(note.likelihood, note.barriers) for step, note in sorted(existing.items())}


@dataclass
class _Row:
    """An entry as stored: its primary key and position, and its content."""

    pk: int
    position: int
    data: EntryData


def _write_sections(plan: SafetyPlan, changes: PlanChanges) -> dict[str, list[EntryData]]:
    """Write the sections `changes` holds, touching only the rows that changed. Returns every section.

    A save usually changes one entry (autosave posts the part of the page that changed after each pause in
    typing): that entry is updated in place and nothing else is written. A section whose kept entries moved (an entry removed
    above them, or reordered) is rewritten whole, as the positions are unique.
    """
    stored = _stored_rows(plan)
    wanted = _with_identities(stored, changes)
    deleted: list[int] = []
    updated: list[tuple[int, EntryData]] = []
    created: list[Entry] = []
    for key, entries in wanted.items():
        section_deleted, section_updated, section_created = _section_writes(plan, key, stored[key], entries)
        deleted += section_deleted
        updated += section_updated
        created += section_created
    if deleted:
        Entry.objects.filter(pk__in=deleted).delete()
    for pk, entry in updated:
        Entry.objects.filter(pk=pk).update(**entry.values())
    if created:
        Entry.objects.bulk_create(created)
    return {key: wanted.get(key, [row.data for row in rows]) for key, rows in stored.items()}


def _section_writes(
    plan: SafetyPlan, key: str, rows: list[_Row], entries: list[EntryData]
) -> tuple[list[int], list[tuple[int, EntryData]], list[Entry]]:
    """What to delete, update and create for one section to hold `entries`, in order."""
    old = {row.data.uid: row for row in rows}
    moved = any(old[entry.uid].position != position for position, entry in enumerate(entries) if entry.uid in old)
    kept = {} if moved else old
    wanted_uids = {entry.uid for entry in entries}
    deleted = [row.pk for row in rows if moved or row.data.uid not in wanted_uids]
    updated, created = [], []
    for position, entry in enumerate(entries):
        row = kept.get(entry.uid)
        if row is None:
            assert entry.uid is not None  # every wanted entry has one (_with_identities)
            created.append(Entry(plan=plan, section=key, position=position, uid=entry.uid, **entry.values()))
        elif row.data != entry:
            updated.append((row.pk, entry))
    return deleted, updated, created


def _stored_rows(plan: SafetyPlan) -> dict[str, list[_Row]]:
    """Every entry of the plan as stored, by section, in order (one query)."""
    stored: dict[str, list[_Row]] = {section.key: [] for section in SECTIONS}
    for pk, section, position, uid, *values in plan.entries.values_list(
        "pk", "section", "position", "uid", *ENTRY_FIELDS
    ).order_by("section", "position"):
        stored.setdefault(section, []).append(_Row(pk, position, EntryData.of_row(uid, tuple(values))))
    return stored


def _with_identities(stored: dict[str, list[_Row]], changes: PlanChanges) -> dict[str, list[EntryData]]:
    """The sections `changes` holds, each entry with its own uid unless it is missing or already taken (a
    tampered form, or "keep both" of a conflict), then a fresh one."""
    seen = {row.data.uid for key, rows in stored.items() if key not in changes.sections for row in rows}
    wanted: dict[str, list[EntryData]] = {}
    for key, entries in changes.sections.items():
        wanted[key] = []
        for data in entries:
            uid = data.uid if data.uid is not None and data.uid not in seen else uuid.uuid4()
            seen.add(uid)
            wanted[key].append(data if uid == data.uid else data.replace(uid=uid))
    return wanted


def apply_changes(plan: SafetyPlan, changes: PlanChanges, by: User) -> PlanContent:
    """Write `changes` to the locked plan and bump its revision. Returns the plan's content as saved."""
    for key in changes.sections:
        if key not in SECTIONS_BY_KEY:
            raise ValueError(f"unknown section {key!r}")
    for name, value in changes.plan_fields.items():
        if name not in PLAN_FIELDS:
            raise ValueError(f"unknown plan field {name!r}")
        setattr(plan, name, value)

    sections = _write_sections(plan, changes)
    notes = _write_step_notes(plan, changes)
    content = PlanContent(sections=sections, step_notes=notes, **{name: getattr(plan, name) for name in PLAN_FIELDS})

    plan.revision += 1
    plan.updated_by = by
    plan.empty_steps = content.empty_steps()
    plan.save()
    return content


@transaction.atomic
def save_plan(
    *,
    client: Client,
    by: User,
    changes: PlanChanges,
    expected_revision: int,
    base: Base | None = None,
    scope: str = "all",
    ip: str | None = None,
) -> SaveResult:
    """Save what a form changed, all or nothing.

    From a stale copy (someone saved since the form was built): a repeated identical submit is
    ALREADY_SAVED; otherwise the change is merged with theirs using `base` (MERGED), or, when the
    same entry changed on both screens, nothing is saved and a PendingConflict keeps every word
    for the clinician to decide (CONFLICT). Only SAVED and MERGED are audited (plan_edited).
    """
    plan = locked_plan(client)
    outcome = SaveOutcome.SAVED
    if plan.revision != expected_revision:
        if not _differs(plan, changes):
            return SaveResult(plan=plan, outcome=SaveOutcome.ALREADY_SAVED)
        if base is None or base.revision != expected_revision:
            raise StalePlanError(plan.revision)
        merged, conflicts = merge(current=PlanContent.from_plan(plan), base=base, mine=changes)
        if conflicts:
            pending = PendingConflict.objects.create(
                plan=plan, created_by=by, changes=changes.to_json(), base=base_to_json(base), scope=scope
            )
            PlanDraft.objects.filter(plan=plan, scope=scope, saved_by=by).delete()
            return SaveResult(plan=plan, outcome=SaveOutcome.CONFLICT, conflict=pending)
        changes, outcome = merged, SaveOutcome.MERGED
    content = apply_changes(plan, changes, by)
    PlanDraft.objects.filter(plan=plan, scope=scope, saved_by=by).delete()
    audit.record(
        action=Action.PLAN_EDITED, by=by, client=client, target=f"plan:{plan.pk} revision:{plan.revision}", ip=ip
    )
    return SaveResult(plan=plan, outcome=outcome, content=content)


def conflicts_of(pending: PendingConflict) -> tuple[PlanChanges, list[Conflict]]:
    """Recompute a pending conflict against the plan as it is now."""
    base = Base.parse(pending.base)
    assert base is not None
    return merge(current=PlanContent.from_plan(pending.plan), base=base, mine=PlanChanges.from_json(pending.changes))


@transaction.atomic
def resolve_conflict(
    *,
    client: Client,
    by: User,
    pending: PendingConflict,
    choices: dict[str, str],
    expected_revision: int,
    ip: str | None = None,
) -> SaveResult:
    """Save the clinician's choices. If the plan moved on again meanwhile, nothing is saved (StalePlanError)."""
    plan = locked_plan(client)
    if plan.pk != pending.plan_id or pending.resolved_at is not None:
        raise ValueError("conflict does not belong to this plan or is already resolved")
    if plan.revision != expected_revision:
        raise StalePlanError(plan.revision)
    merged, conflicts = conflicts_of(pending)
    content = apply_changes(plan, resolve(merged, conflicts, choices), by)
    pending.resolved_at = timezone.now()
    pending.save(update_fields=["resolved_at"])
    audit.record(
        action=Action.CONFLICT_RESOLVED,
        by=by,
        client=client,
        target=f"conflict:{pending.pk} revision:{plan.revision}",
        ip=ip,
    )
    return SaveResult(plan=plan, outcome=SaveOutcome.SAVED, content=content)


@transaction.atomic
def keep_draft(*, client: Client, by: User, scope: str, data: dict[str, list[str]], base_revision: int) -> PlanDraft:
    """Keep what was typed but can't be saved yet (autosave of a form with errors)."""
    plan = locked_plan(client)
    draft, _created = PlanDraft.objects.update_or_create(
        plan=plan,
        scope=scope,
        saved_by=by,
        defaults={"data": data, "base_revision": base_revision, "saved_at": timezone.now()},
    )
    return draft
