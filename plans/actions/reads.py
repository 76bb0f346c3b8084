"""Auditing reads of a client's data, and exporting everything held about a client."""

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from .. import audit
from ..content import PlanContent
from ..extensions import export_parts
from ..models import (
    AuditEvent,
    CardSelection,
    Client,
    SafetyPlan,
)
from .common import NotAllowedError

Action = AuditEvent.Action

READ_ACTIONS = frozenset({Action.CLIENT_VIEWED, Action.PLAN_VIEWED, Action.PRINTED})


def record_access(*, client: Client, by: User, action: str, target: str = "", ip: str | None = None) -> AuditEvent:
    """Audit a read of a client's data: viewed, printed or downloaded. A write on GET; views call it once
    they know what they are about to show. Its one write is one INSERT (audit.record), so it opens no
    transaction or savepoint of its own: two queries, the chain's last event and the insert."""
    if action not in READ_ACTIONS:
        raise ValueError(f"{action!r} is not a read")
    return audit.record(action=action, by=by, client=client, target=target, ip=ip)


def record_client_list(*, by: User, results: int, searched: bool, ip: str | None = None) -> AuditEvent:
    """Audit that a clinician was shown a page of client names: how many matched, never the search text."""
    return audit.record(
        action=Action.CLIENT_LIST_VIEWED, by=by, target=f"{'search' if searched else 'list'}:{results}", ip=ip
    )


def record_denied(*, by: User | None, target: str, ip: str | None = None) -> AuditEvent:
    """A security event: a request for something this user may not see was refused (404)."""
    return audit.record(action=Action.ACCESS_DENIED, by=by, target=target, ip=ip)


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
    for part in export_parts():  # what other apps hold about the client (follow-up contacts)
        data[part.key] = part.export(client)
    return data


@transaction.atomic
def export_client(*, client: Client, by: User, ip: str | None = None) -> dict[str, Any]:
    """Everything held about one client (see `client_export`), for an administrator; audited."""
    if not (by.is_active and by.has_perm("plans.export_client")):
        raise NotAllowedError
    data = client_export(client)
    audit.record(action=Action.EXPORTED, by=by, client=client, target=f"versions:{len(data['versions'])}", ip=ip)
    return data
