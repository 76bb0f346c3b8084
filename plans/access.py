"""The one way views fetch a client: through the care-team-scoped queryset, or 404."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from .models import Client


def get_client_for(request: HttpRequest, pk: int) -> Client:
    """The client `pk` if the signed-in user is on its care team; otherwise 404 (never 403)."""
    return get_object_or_404(Client.objects.visible_to(request.user).select_related("plan"), pk=pk)
