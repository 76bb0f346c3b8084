"""Care teams: who is on a client's team, and who leads it. A client always keeps one lead."""

from django.contrib.auth.models import User
from django.db import transaction

from .. import audit
from ..models import (
    AuditEvent,
    CareTeamMember,
    Client,
)
from .common import NotAllowedError

Action = AuditEvent.Action


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
