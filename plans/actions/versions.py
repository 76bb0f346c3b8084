"""Versions: freezing the working plan as the next numbered version, and restoring an old one."""

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction

from .. import audit
from ..checklist import check, unmet_keys
from ..content import PLAN_FIELDS, PlanChanges, PlanContent, StepNoteData
from ..library import library
from ..models import (
    AuditEvent,
    Client,
    PlanVersion,
    SafetyPlan,
)
from ..steps import STEP_NUMBERS
from .common import locked_plan
from .plan import apply_changes

Action = AuditEvent.Action


@transaction.atomic
def save_version(
    *, client: Client, by: User, review_date: date, note: str, next_review_date: date | None, ip: str | None = None
) -> PlanVersion:
    """Freeze the working plan as the next numbered version (append-only)."""
    plan = locked_plan(client)
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
    suggested = library().warning_sign_suggestions()
    version = PlanVersion.objects.create(
        plan=plan,
        number=last + 1,
        created_by=by,
        review_date=review_date,
        note=note,
        next_review_date=next_review_date,
        snapshot=content.to_json(),
        revision=plan.revision,
        checklist=unmet_keys(check(content, suggested)),
    )
    audit.record(action=Action.VERSION_SAVED, by=by, client=client, target=f"version:{version.pk}", ip=ip)
    return version


@transaction.atomic
def restore_version(*, client: Client, by: User, version: PlanVersion, ip: str | None = None) -> SafetyPlan:
    """Make an older version's content the working draft again (the version itself is untouched)."""
    plan = locked_plan(client)
    if version.plan_id != plan.pk:
        raise ValueError("version does not belong to this plan")
    content = PlanContent.from_json(version.snapshot)
    changes = PlanChanges(
        sections=dict(content.sections),
        plan_fields={name: getattr(content, name) for name in PLAN_FIELDS},
        step_notes={number: content.step_notes.get(number, StepNoteData()) for number in STEP_NUMBERS},
    )
    apply_changes(plan, changes, by)
    audit.record(
        action=Action.VERSION_RESTORED,
        by=by,
        client=client,
        target=f"version:{version.pk} revision:{plan.revision}",
        ip=ip,
    )
    return plan
