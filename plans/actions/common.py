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
    """The client's plan, locked until the transaction ends; made first if the client has none yet."""
    try:
        return SafetyPlan.objects.select_for_update().get(client=client)  # one query, as a plan usually exists
    except SafetyPlan.DoesNotExist:
        SafetyPlan.objects.get_or_create(client=client)
        return SafetyPlan.objects.select_for_update().get(client=client)


class NotAllowedError(Exception):
    """`by` may not do this (checked here too, whatever the view or admin already checked)."""
