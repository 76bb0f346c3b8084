"""Every write of follow-up contacts: one atomic, keyword-only function each, taking `by=user`, audited
(plans.audit) as its last write. Views call these and never write.

The schedule: starting a follow-up schedules contact 1, due 72 hours after the start. When a contact is
completed (a record says the client was reached) or its last allowed attempt is recorded, the next
contact is scheduled, due 7 days after that record. The follow-up runs until a clinician ends it: with
"engaged in care" once at least two contacts reached the client, or with another reason at any time.
"""

import dataclasses
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from plans import actions as plan_actions
from plans import audit
from plans.content import PlanContent
from plans.models import AuditEvent, Client, PlanVersion, SafetyPlan

from .models import (
    DAYS_BETWEEN_CONTACTS,
    FIRST_CONTACT_HOURS,
    MIN_CONTACTS_BEFORE_ENGAGED,
    Contact,
    ContactRecord,
    FollowUp,
)

Action = AuditEvent.Action


class FollowUpError(Exception):
    """What was asked can't be done as things stand (the view says why, in the clinician's words)."""


class AlreadyRunningError(FollowUpError):
    pass


class ContactClosedError(FollowUpError):
    """The contact is no longer open: completed, out of attempts, or its follow-up ended."""


class TooFewContactsError(FollowUpError):
    pass


@dataclass(frozen=True)
class ContactData:
    """What one attempt at a contact found. Everything after `left_message` is only for a reached client."""

    reached: bool
    method: str
    left_message: bool = False
    how_doing: str = ""
    used_plan: str = ""
    steps_helped: tuple[int, ...] = ()
    got_in_way: str = ""
    means_checked: bool = False
    next_appointment: datetime.date | None = None
    appointment_note: str = ""
    version: PlanVersion | None = None
    means_status: list[dict[str, str]] = field(default_factory=list)


def means_status(plan: SafetyPlan | None) -> list[dict[str, str]]:
    """The agreed steps for safer surroundings as they stand: each one's identity and confirmation date."""
    entries = PlanContent.from_plan(plan, with_notes=False).sections.get("means_safety", [])
    return [{"uid": str(entry.uid), "confirmed_on": entry.confirmed_on} for entry in entries]


def _locked_follow_up(follow_up: FollowUp) -> FollowUp:
    return FollowUp.objects.select_for_update().get(pk=follow_up.pk)


def _schedule(follow_up: FollowUp, number: int, due_at: datetime.datetime) -> Contact:
    return Contact.objects.create(
        follow_up=follow_up,
        number=number,
        due_at=due_at,
        attempts_allowed=settings.FOLLOWUP_ATTEMPTS_PER_CONTACT,
    )


@transaction.atomic
def start_follow_up(
    *, client: Client, by: User, setting: str, started_at: datetime.datetime, ip: str | None = None
) -> FollowUp:
    """Start following up a client whose plan was made at a discharge or a first visit: contact 1 is due
    72 hours after `started_at` (timezone-aware)."""
    if timezone.is_naive(started_at):
        raise ValueError("started_at must be timezone-aware")
    if plan_actions.client_plan(client) is None:
        raise FollowUpError("the client has no plan")
    Client.objects.select_for_update().filter(pk=client.pk).first()  # one start at a time per client
    if FollowUp.objects.filter(client=client, ended_at__isnull=True).exists():
        raise AlreadyRunningError("a follow-up is already running")
    follow_up = FollowUp.objects.create(client=client, setting=setting, started_at=started_at, started_by=by)
    _schedule(follow_up, 1, started_at + datetime.timedelta(hours=FIRST_CONTACT_HOURS))
    audit.record(action=Action.FOLLOWUP_STARTED, by=by, client=client, target=f"followup:{follow_up.pk}", ip=ip)
    return follow_up


def _check_version(client: Client, version: PlanVersion | None) -> None:
    if version is not None and version.plan.client_id != client.pk:
        raise ValueError("the version is not one of this client's")


@transaction.atomic
def record_contact(
    *, client: Client, by: User, contact: Contact, data: ContactData, ip: str | None = None
) -> ContactRecord:
    """Record one attempt at an open contact. Reaching the client completes it; so does the last allowed
    attempt. Either way the next contact is scheduled, a week on."""
    follow_up = _locked_follow_up(contact.follow_up)
    if follow_up.client_id != client.pk:
        raise ValueError("the contact is not one of this client's")
    if not follow_up.is_open or not Contact.objects.open().filter(pk=contact.pk).exists():
        raise ContactClosedError("this contact is no longer open")
    made = contact.records.filter(corrects__isnull=True)
    if made.filter(reached=True).exists():
        raise ContactClosedError("this contact was already completed")
    attempt = made.count() + 1
    if attempt > contact.attempts_allowed:
        raise ContactClosedError("every attempt at this contact was already made")
    _check_version(client, data.version)
    record = _create_record(contact=contact, attempt=attempt, by=by, data=data)
    if data.reached or attempt == contact.attempts_allowed:
        _schedule(follow_up, contact.number + 1, record.recorded_at + datetime.timedelta(days=DAYS_BETWEEN_CONTACTS))
    audit.record(
        action=Action.CONTACT_RECORDED, by=by, client=client, target=f"contact:{contact.pk} record:{record.pk}", ip=ip
    )
    return record


def _create_record(
    *,
    contact: Contact,
    attempt: int,
    by: User,
    data: ContactData,
    corrects: ContactRecord | None = None,
    note: str = "",
) -> ContactRecord:
    reached = data.reached
    return ContactRecord.objects.create(
        contact=contact,
        attempt=attempt,
        corrects=corrects,
        correction_note=note,
        recorded_by=by,
        reached=reached,
        method=data.method,
        left_message=data.left_message and not reached,
        how_doing=data.how_doing if reached else "",
        used_plan=data.used_plan if reached else "",
        steps_helped=",".join(str(step) for step in sorted(set(data.steps_helped))) if reached else "",
        got_in_way=data.got_in_way if reached else "",
        means_checked=data.means_checked and reached,
        means_status=data.means_status if reached and data.means_checked else [],
        next_appointment=data.next_appointment if reached else None,
        appointment_note=data.appointment_note if reached else "",
        version=data.version if reached else None,
    )


@transaction.atomic
def correct_record(
    *, client: Client, by: User, record: ContactRecord, data: ContactData, note: str, ip: str | None = None
) -> ContactRecord:
    """A correction of a record: a new record pointing to it (the old one stays as it was). Whether the
    client was reached is not corrected: the schedule has moved on from it (a correction keeps it)."""
    follow_up = _locked_follow_up(record.contact.follow_up)
    if follow_up.client_id != client.pk:
        raise ValueError("the record is not one of this client's")
    if ContactRecord.objects.filter(corrects=record).exists():
        raise FollowUpError("this record was already corrected; correct the newest one")
    if not note.strip():
        raise ValueError("a correction says what was corrected")
    _check_version(client, data.version)
    kept = dataclasses.replace(data, reached=record.reached)
    correction = _create_record(
        contact=record.contact, attempt=record.attempt, by=by, data=kept, corrects=record, note=note
    )
    audit.record(
        action=Action.CONTACT_RECORDED,
        by=by,
        client=client,
        target=f"record:{correction.pk} corrects:{record.pk}",
        ip=ip,
    )
    return correction


def contacts_reached(follow_up: FollowUp) -> int:
    return (
        Contact.objects.filter(follow_up=follow_up, records__reached=True, records__corrects__isnull=True)
        .distinct()
        .count()
    )


@transaction.atomic
def end_follow_up(
    *, client: Client, by: User, follow_up: FollowUp, reason: str, note: str = "", ip: str | None = None
) -> FollowUp:
    """End a running follow-up: the client is engaged in care (after at least two contacts reached them), or
    another reason (any time). Its open contact is no longer due."""
    follow_up = _locked_follow_up(follow_up)
    if follow_up.client_id != client.pk:
        raise ValueError("the follow-up is not this client's")
    if not follow_up.is_open:
        raise FollowUpError("this follow-up has already ended")
    if reason == FollowUp.EndReason.ENGAGED and contacts_reached(follow_up) < MIN_CONTACTS_BEFORE_ENGAGED:
        raise TooFewContactsError("at least two contacts first")
    follow_up.ended_at = timezone.now()
    follow_up.ended_by = by
    follow_up.end_reason = reason
    follow_up.end_note = note
    follow_up.save(update_fields=["ended_at", "ended_by", "end_reason", "end_note"])
    audit.record(action=Action.FOLLOWUP_ENDED, by=by, client=client, target=f"followup:{follow_up.pk}", ip=ip)
    return follow_up


@transaction.atomic
def confirm_means_step(
    *, client: Client, by: User, uid: str, confirmed_on: datetime.date, ip: str | None = None
) -> SafetyPlan:
    """Mark one agreed step for safer surroundings as confirmed done, in the plan itself, through the plan's
    own save (plans.actions.save_plan: a new revision, audited as a plan edit). The next version saved
    carries it, and "what changed" shows it."""
    plan = SafetyPlan.objects.select_for_update().filter(client=client).first()
    if plan is None:
        raise FollowUpError("the client has no plan")
    entries = PlanContent.from_plan(plan, with_notes=False).sections.get("means_safety", [])
    if not any(str(entry.uid) == uid for entry in entries):
        raise FollowUpError("no such step in the plan")
    changed = [
        entry.replace(confirmed_on=confirmed_on.isoformat()) if str(entry.uid) == uid else entry for entry in entries
    ]
    result = plan_actions.save_plan(
        client=client,
        by=by,
        changes=plan_actions.PlanChanges(sections={"means_safety": changed}),
        expected_revision=plan.revision,
        ip=ip,
    )
    return result.plan


def record_worklist_viewed(*, by: User, count: int, ip: str | None = None) -> AuditEvent:
    """Audit that a clinician was shown their contacts due: how many, never who."""
    return audit.record(action=Action.WORKLIST_VIEWED, by=by, target=f"worklist:{count}", ip=ip)


def record_team_report_viewed(
    *, by: User, kind: str, start: datetime.date, end: datetime.date, ip: str | None = None
) -> AuditEvent:
    """Audit that a lead was shown, or downloaded (`kind`: "page" or "csv"), the team view for a period."""
    if kind not in {"page", "csv"}:
        raise ValueError(f"unknown kind {kind!r}")
    return audit.record(
        action=Action.TEAM_REPORT_VIEWED, by=by, target=f"report:{kind} {start.isoformat()}/{end.isoformat()}", ip=ip
    )
