"""Writes that touch several models. Each is one atomic, keyword-only function taking `by=user`.

Views, forms, signals and `Model.save()` do not write plans; they call these.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from enum import Enum

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from .content import PlanContent
from .data import ENTRY_FIELDS, PLAN_FIELDS, EntryData, PlanChanges, StepNoteData
from .merge import Base, Conflict, base_to_json, changes_from_json, changes_to_json, merge, resolve
from .models import (
    CareTeamMember,
    Client,
    Entry,
    PendingConflict,
    PlanDraft,
    PlanVersion,
    SafetyPlan,
    StepNote,
)
from .steps import SECTIONS_BY_KEY, STEP_NUMBERS, STEPS

__all__ = ["EntryData", "PlanChanges", "StepNoteData"]


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


def client_plan(client: Client) -> SafetyPlan | None:
    try:
        return client.plan
    except SafetyPlan.DoesNotExist:
        return None


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
    filled_sections = set(plan.entries.values_list("section", flat=True).distinct())
    empty = []
    for step in STEPS:
        filled = any(section.key in filled_sections for section in step.sections)
        if step.number == 7 and plan.most_important.strip():
            filled = True
        if not filled:
            empty.append(step.number)
    return empty


def _locked_plan(client: Client) -> SafetyPlan:
    plan, _created = SafetyPlan.objects.get_or_create(client=client)
    return SafetyPlan.objects.select_for_update().get(pk=plan.pk)


def _apply(plan: SafetyPlan, changes: PlanChanges, by: User) -> None:
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

    for step, note in changes.step_notes.items():
        StepNote.objects.update_or_create(
            plan=plan, step=step, defaults={"likelihood": note.likelihood, "barriers": note.barriers}
        )

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
) -> SaveResult:
    """Save what a form changed, all or nothing.

    From a stale copy (someone saved since the form was built): a repeated identical submit is
    ALREADY_SAVED; otherwise the change is merged with theirs using `base` (MERGED), or, when the
    same entry changed on both screens, nothing is saved and a PendingConflict keeps every word
    for the clinician to decide (CONFLICT).
    """
    plan = _locked_plan(client)
    outcome = SaveOutcome.SAVED
    if plan.revision != expected_revision:
        if not _differs(plan, changes):
            return SaveResult(plan=plan, outcome=SaveOutcome.ALREADY_SAVED)
        if base is None or base.revision != expected_revision:
            raise StalePlanError(plan.revision)
        merged, conflicts = merge(current=PlanContent.from_plan(plan), base=base, mine=changes)
        if conflicts:
            pending = PendingConflict.objects.create(
                plan=plan, created_by=by, changes=changes_to_json(changes), base=base_to_json(base), scope=scope
            )
            PlanDraft.objects.filter(plan=plan, scope=scope, saved_by=by).delete()
            return SaveResult(plan=plan, outcome=SaveOutcome.CONFLICT, conflict=pending)
        changes, outcome = merged, SaveOutcome.MERGED
    _apply(plan, changes, by)
    PlanDraft.objects.filter(plan=plan, scope=scope, saved_by=by).delete()
    return SaveResult(plan=plan, outcome=outcome)


def conflicts_of(pending: PendingConflict) -> tuple[PlanChanges, list[Conflict]]:
    """Recompute a pending conflict against the plan as it is now."""
    base = Base.parse(pending.base)
    assert base is not None
    return merge(current=PlanContent.from_plan(pending.plan), base=base, mine=changes_from_json(pending.changes))


@transaction.atomic
def resolve_conflict(
    *, client: Client, by: User, pending: PendingConflict, choices: dict[str, str], expected_revision: int
) -> SaveResult:
    """Save the clinician's choices. If the plan moved on again meanwhile, nothing is saved (StalePlanError)."""
    plan = _locked_plan(client)
    if plan.pk != pending.plan_id or pending.resolved_at is not None:
        raise ValueError("conflict does not belong to this plan or is already resolved")
    if plan.revision != expected_revision:
        raise StalePlanError(plan.revision)
    merged, conflicts = conflicts_of(pending)
    _apply(plan, resolve(merged, conflicts, choices), by)
    pending.resolved_at = timezone.now()
    pending.save(update_fields=["resolved_at"])
    return SaveResult(plan=plan, outcome=SaveOutcome.SAVED)


@transaction.atomic
def keep_draft(*, client: Client, by: User, scope: str, data: dict[str, list[str]], base_revision: int) -> PlanDraft:
    """Keep what was typed but can't be saved yet (autosave of a form with errors)."""
    plan = _locked_plan(client)
    draft, _created = PlanDraft.objects.update_or_create(
        plan=plan,
        scope=scope,
        saved_by=by,
        defaults={"data": data, "base_revision": base_revision, "saved_at": timezone.now()},
    )
    return draft


@transaction.atomic
def save_version(
    *, client: Client, by: User, review_date: date, note: str, next_review_date: date | None
) -> PlanVersion:
    """Freeze the working plan as the next numbered version (append-only)."""
    plan = _locked_plan(client)
    last = plan.versions.order_by("-number").values_list("number", flat=True).first() or 0
    if plan.next_review_date != next_review_date:
        plan.next_review_date = next_review_date
        plan.revision += 1
        plan.updated_by = by
        plan.save()
    content = PlanContent.from_plan(plan)
    return PlanVersion.objects.create(
        plan=plan,
        number=last + 1,
        created_by=by,
        review_date=review_date,
        note=note,
        next_review_date=next_review_date,
        snapshot=content.to_json(),
        revision=plan.revision,
    )


@transaction.atomic
def restore_version(*, client: Client, by: User, version: PlanVersion) -> SafetyPlan:
    """Make an older version's content the working draft again (the version itself is untouched)."""
    plan = _locked_plan(client)
    if version.plan_id != plan.pk:
        raise ValueError("version does not belong to this plan")
    content = PlanContent.from_json(version.snapshot)
    changes = PlanChanges(
        sections=dict(content.sections),
        plan_fields={name: getattr(content, name) for name in PLAN_FIELDS},
        step_notes={number: content.step_notes.get(number, StepNoteData()) for number in STEP_NUMBERS},
    )
    _apply(plan, changes, by)
    return plan


@dataclass(frozen=True)
class ClientData:
    name: str
    preferred_name: str = ""
    record_number: str = ""
    preferred_language: str = "en"
    date_of_birth: date | None = None


class DuplicateSubmitError(Exception):
    def __init__(self, client: Client) -> None:
        super().__init__(client.pk)
        self.client = client


@transaction.atomic
def create_client(*, by: User, data: ClientData, token: uuid.UUID | None = None) -> Client:
    """Add a client with `by` as lead clinician. A repeated submit of the same form adds nothing."""
    if token is not None:
        existing = Client.objects.visible_to(by).filter(creation_token=token).first()
        if existing is not None:
            raise DuplicateSubmitError(existing)
    try:
        with transaction.atomic():
            client = Client.objects.create(
                name=data.name,
                preferred_name=data.preferred_name,
                record_number=data.record_number,
                preferred_language=data.preferred_language,
                date_of_birth=data.date_of_birth,
                created_by=by,
                creation_token=token,
            )
    except IntegrityError:
        existing = Client.objects.visible_to(by).filter(creation_token=token).first() if token else None
        if existing is not None:
            raise DuplicateSubmitError(existing) from None
        raise
    CareTeamMember.objects.create(client=client, user=by, role=CareTeamMember.Role.LEAD)
    return client


@transaction.atomic
def update_client(*, client: Client, by: User, data: ClientData) -> Client:
    client.name = data.name
    client.preferred_name = data.preferred_name
    client.record_number = data.record_number
    client.preferred_language = data.preferred_language
    client.date_of_birth = data.date_of_birth
    client.save()
    return client


@transaction.atomic
def add_to_care_team(*, client: Client, user: User, by: User, role: str = CareTeamMember.Role.MEMBER) -> CareTeamMember:
    member, _created = CareTeamMember.objects.get_or_create(client=client, user=user, defaults={"role": role})
    return member
