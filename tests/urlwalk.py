"""Every named URL of the project, read from the URL resolver, and the world its arguments are filled from."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from plans.models import Client, PendingConflict, SafetyPlan

# A coping step only the world's client has: it may never reach someone outside the care team.
SECRET_ENTRY = "Walk to the lighthouse at dawn"


# --- The walk ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "plans:client_detail"; "" when the pattern has no name
    route: str  # the full route, e.g. "clients/<int:pk>/"
    kwargs: tuple[str, ...]
    view: Callable[..., Any]
    area: str  # "admin", "auth" (under accounts/), "phone" (under p/: the client's phone, no sign-in) or "app"

    @property
    def takes_client(self) -> bool:
        return self.area == "app" and "pk" in self.kwargs


def _kwarg_names(pattern: Any) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    return list(pattern.regex.groupindex)


def walk(resolver: URLResolver | None = None, prefix: str = "", namespaces: tuple[str, ...] = ()) -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            for found in walk(entry, route, inner):
                yield Route(
                    found.name, found.route, (*_kwarg_names(entry.pattern), *found.kwargs), found.view, found.area
                )
        elif isinstance(entry, URLPattern):
            area = (
                "admin"
                if namespaces[:1] == ("admin",)
                else "auth"
                if route.startswith("accounts/")
                else "phone"
                if route.startswith("p/")
                else "app"
            )
            name = ":".join((*namespaces, entry.name)) if entry.name else ""
            yield Route(name, route, tuple(_kwarg_names(entry.pattern)), entry.callback, area)


ROUTES = [route for route in walk() if route.name]
UNNAMED = [route for route in walk() if not route.name]


# --- The world the URLs are filled from -------------------------------------------------------------


@dataclass
class World:
    client: Client
    plan: SafetyPlan
    conflict: PendingConflict
    users: dict[str, Any]
    record: int = 0  # a follow-up contact record of the client (on contact 1 of its running follow-up)
    contact: int = 0  # that contact

    def fillers(self, area: str) -> dict[str, Any]:
        if area == "app":
            member = self.client.care_team.get(user=self.users["member"]).pk
            return {
                "pk": self.client.pk,
                "step": 1,
                "number": 1,
                "conflict": self.conflict.pk,
                "member": member,
                "record": self.record,
                "contact": self.contact,
            }
        if area == "phone":
            return {}
        if area == "auth":
            # Sign-in pages: links from e-mails and security keys that do not exist (never a 500).
            return {"key": "no-such-key", "uidb36": "zz", "uidb64": "eno", "token": "no-such-token", "pk": 999_999}
        return {
            "object_id": self.client.pk,
            "id": self.users["member"].pk,
            "app_label": "plans",
            "content_type_id": ContentType.objects.get_for_model(Client).pk,
        }

    def url(self, route: Route, **override: Any) -> str:
        fillers = self.fillers(route.area)
        unknown = [name for name in route.kwargs if name not in fillers]
        if unknown:
            pytest.fail(
                f"The URL walker does not know what to put in {unknown} of {route.name} ({route.route!r}). "
                f"Teach it: add the argument to World.fillers() in tests/urlwalk.py, from the fixture world."
            )
        return reverse(route.name, kwargs={name: override.get(name, fillers[name]) for name in route.kwargs})
