"""What the actions share: the plan of a client, locked for writing, and who may act."""

from ..models import (
    AuditEvent,
    Client,
    SafetyPlan,
)

Action = AuditEvent.Action


def client_plan(client: Client) -> SafetyPlan | None:
    try:
        return client.plan
    except SafetyPlan.DoesNotExist:
        return None


def locked_plan(client: Client) -> SafetyPlan:
    plan, _created = SafetyPlan.objects.get_or_create(client=client)
    return SafetyPlan.objects.select_for_update().get(pk=plan.pk)


class NotAllowedError(Exception):
    """`by` may not do this (checked here too, whatever the view or admin already checked)."""
