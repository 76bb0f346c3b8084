"""The one way views fetch a client: through the care-team-scoped queryset, or 404."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .audit import client_ip
from .models import CareTeamMember, Client


def signed_in_user(request: HttpRequest) -> User:
    """The clinician behind a request that @login_required has already let through."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def get_client_for(request: HttpRequest, pk: int) -> Client:
    """The client `pk` if the signed-in user is on its care team; otherwise 404 (never 403).

    A refusal is recorded as a security event (by whom, which ID), whether or not the client exists.
    """
    client = Client.objects.visible_to(request.user).select_related("plan").filter(pk=pk).first()
    if client is None:
        from . import actions  # imported late: actions import this module's models

        actions.record_denied(by=signed_in_user(request), target=f"client:{pk}", ip=client_ip(request))
        raise Http404
    return client


def is_lead(client: Client, user: User) -> bool:
    """Whether `user` is a lead clinician of `client` (who may change its care team)."""
    return client.care_team.filter(user=user, role=CareTeamMember.Role.LEAD).exists()
