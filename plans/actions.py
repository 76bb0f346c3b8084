"""Writes that touch several models. Each is one atomic, keyword-only function taking `by=user`.

Views, forms, signals and `Model.save()` do not write plans; they call these.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from .models import CareTeamMember, Client, Entry, SafetyPlan, StepNote
from .steps import SECTIONS_BY_KEY, STEPS

ENTRY_FIELDS = ("text", "name", "phone", "phone_after_hours", "note", "address", "who", "by_when")
PLAN_FIELDS = ("most_important", "where_kept", "shared_with", "likelihood_of_use", "next_review_date")


@dataclass(frozen=True)
class EntryData:
    uid: uuid.UUID | None = None
    text: str = ""
    name: str = ""
    phone: str = ""
    phone_after_hours: str = ""
    note: str = ""
    address: str = ""
    who: str = ""
    by_when: str = ""

    def content(self) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in ENTRY_FIELDS)


@dataclass(frozen=True)
class StepNoteData:
    likelihood: int | None = None
    barriers: str = ""


@dataclass
class PlanChanges:
    """What one submitted form changes. Only what is present is replaced; the rest is left alone."""

    sections: dict[str, list[EntryData]] = field(default_factory=dict)
    plan_fields: dict[str, Any] = field(default_factory=dict)
    step_notes: dict[int, StepNoteData] = field(default_factory=dict)


class SaveOutcome(Enum):
    SAVED = "saved"
    ALREADY_SAVED = "already_saved"  # a repeat of the submit that was just saved


class StalePlanError(Exception):
    """The form was built from an older revision and would overwrite someone else's change."""

    def __init__(self, current_revision: int) -> None:
        super().__init__(current_revision)
        self.current_revision = current_revision


@dataclass(frozen=True)
class SaveResult:
    plan: SafetyPlan
    outcome: SaveOutcome


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


@transaction.atomic
def save_plan(*, client: Client, by: User, changes: PlanChanges, expected_revision: int) -> SaveResult:
    """Save what a form changed, all or nothing.

    Raises StalePlanError when the form was built from an older revision and its content differs
    from what is saved now; a repeated identical submit is reported as ALREADY_SAVED.
    """
    for key in changes.sections:
        if key not in SECTIONS_BY_KEY:
            raise ValueError(f"unknown section {key!r}")
    plan, _created = SafetyPlan.objects.get_or_create(client=client)
    plan = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.revision != expected_revision:
        if not _differs(plan, changes):
            return SaveResult(plan=plan, outcome=SaveOutcome.ALREADY_SAVED)
        raise StalePlanError(plan.revision)

    for name, value in changes.plan_fields.items():
        if name not in PLAN_FIELDS:
            raise ValueError(f"unknown plan field {name!r}")
        setattr(plan, name, value)

    if changes.sections:
        plan.entries.filter(section__in=list(changes.sections)).delete()
        rows = []
        for key, entries in changes.sections.items():
            seen: set[uuid.UUID] = set()
            for position, data in enumerate(entries):
                uid = data.uid if data.uid is not None and data.uid not in seen else uuid.uuid4()
                seen.add(uid)
                values = {name: getattr(data, name) for name in ENTRY_FIELDS}
                rows.append(Entry(plan=plan, section=key, position=position, uid=uid, **values))
        # A uid reused across two sections of one plan (a tampered form) gets a fresh one.
        all_uids: set[uuid.UUID] = set(
            plan.entries.exclude(section__in=list(changes.sections)).values_list("uid", flat=True)
        )
        for row in rows:
            if row.uid in all_uids:
                row.uid = uuid.uuid4()
            all_uids.add(row.uid)
        Entry.objects.bulk_create(rows)

    for step, note in changes.step_notes.items():
        StepNote.objects.update_or_create(
            plan=plan, step=step, defaults={"likelihood": note.likelihood, "barriers": note.barriers}
        )

    plan.revision += 1
    plan.updated_by = by
    plan.empty_steps = _empty_steps(plan)
    plan.save()
    return SaveResult(plan=plan, outcome=SaveOutcome.SAVED)


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
