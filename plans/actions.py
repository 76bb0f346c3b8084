"""Writes that touch several models. Each is one atomic, keyword-only function taking `by=user`.

Views, forms, signals and `Model.save()` do not write plans; they call these. Each action that
changes something records one audit event (plans/audit.py) in its own transaction, as its last
write, so the event commits or rolls back with the change. `ip` is where the request came from
(`audit.client_ip(request)`).
"""

import uuid
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import audit
from .content import PlanContent
from .data import ENTRY_FIELDS, PLAN_FIELDS, EntryData, PlanChanges, StepNoteData
from .merge import Base, Conflict, base_to_json, changes_from_json, changes_to_json, merge, resolve
from .models import (
    AuditEvent,
    CardSelection,
    CareTeamMember,
    Client,
    Entry,
    PendingConflict,
    PlanDraft,
    PlanVersion,
    SafetyPlan,
    StepNote,
)
from .steps import SECTIONS_BY_KEY, STEP_NUMBERS, empty_steps

__all__ = ["EntryData", "PlanChanges", "StepNoteData"]

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
    return empty_steps(set(plan.entries.values_list("section", flat=True).distinct()), plan.most_important)


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
    ip: str | None = None,
) -> SaveResult:
    """Save what a form changed, all or nothing.

    From a stale copy (someone saved since the form was built): a repeated identical submit is
    ALREADY_SAVED; otherwise the change is merged with theirs using `base` (MERGED), or, when the
    same entry changed on both screens, nothing is saved and a PendingConflict keeps every word
    for the clinician to decide (CONFLICT). Only SAVED and MERGED are audited (plan_edited).
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
    audit.record(
        action=Action.PLAN_EDITED, by=by, client=client, target=f"plan:{plan.pk} revision:{plan.revision}", ip=ip
    )
    return SaveResult(plan=plan, outcome=outcome)


def conflicts_of(pending: PendingConflict) -> tuple[PlanChanges, list[Conflict]]:
    """Recompute a pending conflict against the plan as it is now."""
    base = Base.parse(pending.base)
    assert base is not None
    return merge(current=PlanContent.from_plan(pending.plan), base=base, mine=changes_from_json(pending.changes))


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
    plan = _locked_plan(client)
    if plan.pk != pending.plan_id or pending.resolved_at is not None:
        raise ValueError("conflict does not belong to this plan or is already resolved")
    if plan.revision != expected_revision:
        raise StalePlanError(plan.revision)
    merged, conflicts = conflicts_of(pending)
    _apply(plan, resolve(merged, conflicts, choices), by)
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
    *, client: Client, by: User, review_date: date, note: str, next_review_date: date | None, ip: str | None = None
) -> PlanVersion:
    """Freeze the working plan as the next numbered version (append-only)."""
    plan = _locked_plan(client)
    latest = plan.versions.order_by("-number").first()
    if latest is not None and (
        latest.created_by_id,
        latest.revision,
        latest.review_date,
        latest.note,
        latest.next_review_date,
    ) == (by.pk, plan.revision, review_date, note, next_review_date):
        return latest  # the same form submitted twice: versions are permanent, so never freeze it twice
    last = latest.number if latest is not None else 0
    if plan.next_review_date != next_review_date:
        plan.next_review_date = next_review_date
        plan.revision += 1
        plan.updated_by = by
        plan.save()
    content = PlanContent.from_plan(plan)
    version = PlanVersion.objects.create(
        plan=plan,
        number=last + 1,
        created_by=by,
        review_date=review_date,
        note=note,
        next_review_date=next_review_date,
        snapshot=content.to_json(),
        revision=plan.revision,
    )
    audit.record(action=Action.VERSION_SAVED, by=by, client=client, target=f"version:{version.pk}", ip=ip)
    return version


@transaction.atomic
def restore_version(*, client: Client, by: User, version: PlanVersion, ip: str | None = None) -> SafetyPlan:
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
    audit.record(
        action=Action.VERSION_RESTORED,
        by=by,
        client=client,
        target=f"version:{version.pk} revision:{plan.revision}",
        ip=ip,
    )
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
def create_client(*, by: User, data: ClientData, token: uuid.UUID | None = None, ip: str | None = None) -> Client:
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
    audit.record(action=Action.CLIENT_CREATED, by=by, client=client, ip=ip)
    return client


@transaction.atomic
def update_client(*, client: Client, by: User, data: ClientData, ip: str | None = None) -> Client:
    client.name = data.name
    client.preferred_name = data.preferred_name
    client.record_number = data.record_number
    client.preferred_language = data.preferred_language
    client.date_of_birth = data.date_of_birth
    client.save()
    audit.record(action=Action.CLIENT_EDITED, by=by, client=client, ip=ip)
    return client


# --- Care teams ------------------------------------------------------------------------------------


class NotAllowedError(Exception):
    """`by` may not do this (checked here too, whatever the view or admin already checked)."""


class LastLeadError(Exception):
    """The change would leave the client without a lead clinician."""


def _locked_team(client: Client) -> list[CareTeamMember]:
    """The client's care team, locked, so two changes at once can't both remove the last lead."""
    return list(CareTeamMember.objects.select_for_update().filter(client=client).order_by("pk"))


def _check_may_manage_care_team(team: list[CareTeamMember], by: User) -> None:
    """The client's lead clinician, or an administrator who may change clients."""
    if any(member.user_id == by.pk and member.role == CareTeamMember.Role.LEAD for member in team):
        return
    if by.is_active and (by.is_superuser or by.has_perm("plans.change_client")):
        return
    raise NotAllowedError


def _leads(team: list[CareTeamMember]) -> int:
    return sum(1 for member in team if member.role == CareTeamMember.Role.LEAD)


@transaction.atomic
def add_to_care_team(
    *,
    client: Client,
    user: User,
    by: User,
    role: str = CareTeamMember.Role.MEMBER,
    ip: str | None = None,
) -> CareTeamMember:
    """Put `user` on the client's care team. Someone already on it is left as they are."""
    if role not in CareTeamMember.Role.values:
        raise ValueError(f"unknown care-team role {role!r}")
    team = _locked_team(client)
    _check_may_manage_care_team(team, by)
    for member in team:
        if member.user_id == user.pk:
            return member
    member = CareTeamMember.objects.create(client=client, user=user, role=role)
    audit.record(action=Action.CARE_TEAM_CHANGED, by=by, client=client, target=f"add user:{user.pk} role:{role}", ip=ip)
    return member


@transaction.atomic
def set_care_team_role(*, client: Client, user: User, role: str, by: User, ip: str | None = None) -> CareTeamMember:
    """Make a care-team member lead, or not; the last lead can't stop being one."""
    if role not in CareTeamMember.Role.values:
        raise ValueError(f"unknown care-team role {role!r}")
    team = _locked_team(client)
    _check_may_manage_care_team(team, by)
    member = next((m for m in team if m.user_id == user.pk), None)
    if member is None:
        raise CareTeamMember.DoesNotExist
    if member.role == role:
        return member
    if member.role == CareTeamMember.Role.LEAD and _leads(team) == 1:
        raise LastLeadError
    member.role = role
    member.save(update_fields=["role"])
    audit.record(
        action=Action.CARE_TEAM_CHANGED, by=by, client=client, target=f"role user:{user.pk} role:{role}", ip=ip
    )
    return member


@transaction.atomic
def remove_from_care_team(*, client: Client, user: User, by: User, ip: str | None = None) -> None:
    """Take `user` off the client's care team; the last lead can't be removed."""
    team = _locked_team(client)
    _check_may_manage_care_team(team, by)
    member = next((m for m in team if m.user_id == user.pk), None)
    if member is None:
        raise CareTeamMember.DoesNotExist
    if member.role == CareTeamMember.Role.LEAD and _leads(team) == 1:
        raise LastLeadError
    member.delete()
    audit.record(action=Action.CARE_TEAM_CHANGED, by=by, client=client, target=f"remove user:{user.pk}", ip=ip)


# --- Reading, exporting and archiving ----------------------------------------------------------------

READ_ACTIONS = frozenset({Action.CLIENT_VIEWED, Action.PLAN_VIEWED, Action.PRINTED})


@transaction.atomic
def record_access(*, client: Client, by: User, action: str, target: str = "", ip: str | None = None) -> AuditEvent:
    """Audit a read of a client's data: viewed, printed or downloaded. A write on GET, in its own
    transaction; views call it once they know what they are about to show."""
    if action not in READ_ACTIONS:
        raise ValueError(f"{action!r} is not a read")
    return audit.record(action=action, by=by, client=client, target=target, ip=ip)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def client_export(client: Client) -> dict[str, Any]:
    """Everything held about one client, as JSON-ready data: details, care team, the working plan,
    every version (snapshot and metadata), unsaved drafts, pending conflicts, the card choice and
    the audit trail (without IP addresses, which are the clinicians' data)."""
    plan = SafetyPlan.objects.filter(client=client).select_related("card_selection").first()
    data: dict[str, Any] = {
        "format": 1,
        "exported_at": timezone.now().isoformat(),
        "client": {
            "id": client.pk,
            "name": client.name,
            "preferred_name": client.preferred_name,
            "record_number": client.record_number,
            "preferred_language": client.preferred_language,
            "date_of_birth": _iso(client.date_of_birth),
            "created_at": _iso(client.created_at),
            "created_by_id": client.created_by_id,
            "archived_at": _iso(client.archived_at),
        },
        "care_team": [
            {"user_id": m.user_id, "username": m.user.get_username(), "role": m.role, "added_at": _iso(m.added_at)}
            for m in client.care_team.select_related("user").order_by("pk")
        ],
        "plan": None,
        "versions": [],
        "drafts": [],
        "conflicts": [],
        "card_selection": None,
    }
    if plan is not None:
        data["plan"] = {
            "id": plan.pk,
            "created_at": _iso(plan.created_at),
            "updated_at": _iso(plan.updated_at),
            "updated_by_id": plan.updated_by_id,
            "revision": plan.revision,
            "empty_steps": plan.empty_steps,
            "content": PlanContent.from_plan(plan).to_json(),
        }
        data["versions"] = [
            {
                "id": v.pk,
                "number": v.number,
                "created_at": _iso(v.created_at),
                "created_by_id": v.created_by_id,
                "created_by_username": v.created_by.get_username(),
                "review_date": _iso(v.review_date),
                "note": v.note,
                "next_review_date": _iso(v.next_review_date),
                "revision": v.revision,
                "snapshot": v.snapshot,
            }
            for v in plan.versions.select_related("created_by").order_by("number")
        ]
        data["drafts"] = [
            {
                "id": d.pk,
                "scope": d.scope,
                "saved_at": _iso(d.saved_at),
                "saved_by_id": d.saved_by_id,
                "base_revision": d.base_revision,
                "data": d.data,
            }
            for d in plan.drafts.order_by("pk")
        ]
        data["conflicts"] = [
            {
                "id": c.pk,
                "created_at": _iso(c.created_at),
                "created_by_id": c.created_by_id,
                "scope": c.scope,
                "resolved_at": _iso(c.resolved_at),
                "changes": c.changes,
                "base": c.base,
            }
            for c in plan.conflicts.order_by("pk")
        ]
        try:
            selection = plan.card_selection
        except CardSelection.DoesNotExist:
            selection = None
        if selection is not None:
            data["card_selection"] = {
                "entry_uids": selection.entry_uids,
                "updated_at": _iso(selection.updated_at),
                "updated_by_id": selection.updated_by_id,
            }
    data["audit_events"] = [
        {"id": pk, "created_at": _iso(created_at), "actor_id": actor_id, "action": action, "target": target}
        for pk, created_at, actor_id, action, target in AuditEvent.objects.filter(client_id=client.pk)
        .order_by("pk")
        .values_list("pk", "created_at", "actor_id", "action", "target")
    ]
    return data


@transaction.atomic
def export_client(*, client: Client, by: User, ip: str | None = None) -> dict[str, Any]:
    """Everything held about one client (see `client_export`), for an administrator; audited."""
    if not (by.is_active and by.has_perm("plans.export_client")):
        raise NotAllowedError
    data = client_export(client)
    audit.record(action=Action.EXPORTED, by=by, client=client, target=f"versions:{len(data['versions'])}", ip=ip)
    return data


def _check_may_change_clients(by: User) -> None:
    if not (by.is_active and by.has_perm("plans.change_client")):
        raise NotAllowedError


@transaction.atomic
def archive_client(*, client: Client, by: User, ip: str | None = None) -> bool:
    """Hide a client from every list and page (history is kept). False if it already was."""
    _check_may_change_clients(by)
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if locked.archived_at is not None:
        return False
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at"])
    client.archived_at = locked.archived_at
    audit.record(action=Action.ARCHIVED, by=by, client=client, ip=ip)
    return True


@transaction.atomic
def unarchive_client(*, client: Client, by: User, ip: str | None = None) -> bool:
    """Bring an archived client back to its care team's lists. False if it was not archived."""
    _check_may_change_clients(by)
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if locked.archived_at is None:
        return False
    locked.archived_at = None
    locked.save(update_fields=["archived_at"])
    client.archived_at = None
    audit.record(action=Action.UNARCHIVED, by=by, client=client, ip=ip)
    return True
