"""Saving the working plan, all or nothing: from the editor, autosave drafts, and merged or conflicting saves."""

import uuid
from dataclasses import dataclass
from enum import Enum

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from .. import audit
from ..content import PLAN_FIELDS, PlanChanges, PlanContent, StepNoteData
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
from ..steps import ENTRY_FIELDS, SECTIONS_BY_KEY, empty_steps
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


def _empty_steps(plan: SafetyPlan) -> list[int]:
    return empty_steps(set(plan.entries.values_list("section", flat=True).distinct()), plan.most_important)


def _write_step_notes(plan: SafetyPlan, changes: PlanChanges) -> None:
    """The clinician's step notes: only those that changed are written (one query to read, one per kind of write)."""
    if not changes.step_notes:
        return
    existing = {note.step: note for note in plan.step_notes.filter(step__in=list(changes.step_notes))}
    created, updated = [], []
    for step, data in changes.step_notes.items():
        note = existing.get(step)
        if note is None:
            created.append(StepNote(plan=plan, step=step, likelihood=data.likelihood, barriers=data.barriers))
        elif (note.likelihood, note.barriers) != (data.likelihood, data.barriers):
            note.likelihood, note.barriers = data.likelihood, data.barriers
            updated.append(note)
    if created:
        StepNote.objects.bulk_create(created)
    if updated:
        StepNote.objects.bulk_update(updated, ["likelihood", "barriers"])


def apply_changes(plan: SafetyPlan, changes: PlanChanges, by: User) -> None:
    """Write `changes` to the locked plan and bump its revision."""
    for key in changes.sections:
        if key not in SECTIONS_BY_KEY:
            raise ValueError(f"unknown section {key!r}")
    for name, value in changes.plan_fields.items():
        if name not in PLAN_FIELDS:
            raise ValueError(f"unknown plan field {name!r}")
        setattr(plan, name, value)

    if changes.sections:
        plan.entries.filter(section__in=list(changes.sections)).delete()
        rows = []
        # A uid reused (a tampered form, or "keep both") gets a fresh one.
        seen: set[uuid.UUID] = set(
            plan.entries.exclude(section__in=list(changes.sections)).values_list("uid", flat=True)
        )
        for key, entries in changes.sections.items():
            for position, data in enumerate(entries):
                uid = data.uid if data.uid is not None and data.uid not in seen else uuid.uuid4()
                seen.add(uid)
                values = {name: getattr(data, name) for name in ENTRY_FIELDS}
                rows.append(Entry(plan=plan, section=key, position=position, uid=uid, **values))
        Entry.objects.bulk_create(rows)

    _write_step_notes(plan, changes)

    plan.revision += 1
    plan.updated_by = by
    plan.empty_steps = _empty_steps(plan)
    plan.save()


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
    apply_changes(plan, changes, by)
    PlanDraft.objects.filter(plan=plan, scope=scope, saved_by=by).delete()
    audit.record(
        action=Action.PLAN_EDITED, by=by, client=client, target=f"plan:{plan.pk} revision:{plan.revision}", ip=ip
    )
    return SaveResult(plan=plan, outcome=outcome)


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
    apply_changes(plan, resolve(merged, conflicts, choices), by)
    pending.resolved_at = timezone.now()
    pending.save(update_fields=["resolved_at"])
    audit.record(
        action=Action.CONFLICT_RESOLVED,
        by=by,
        client=client,
        target=f"conflict:{pending.pk} revision:{plan.revision}",
        ip=ip,
    )
    return SaveResult(plan=plan, outcome=SaveOutcome.SAVED)


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
