"""What an organisation configures, read through the shared cache: one cache read instead of four queries.

Every page that shows a plan needs the crisis lines, the organisation's step wording, the suggestions
(the checklist tells them apart from the client's own words) and the vague phrases. They change a few
times a year, in the admin, and hold no client's data, so they are kept in the shared cache (the database
cache, or Redis; `safetyplan.settings.CACHES`), never in a process: every app server sees a change at once.

A save or delete of any of them, through the admin or code, empties the cache (signals: at once, and again
after the transaction commits, so a request that read the old rows meanwhile cannot keep them);
so does `migrate`, whose data migrations send no signals to these models. A bulk `QuerySet.update()`
sends no signal either: call `forget()` after one. As a last guard, what is cached lasts `TIMEOUT` seconds.

Within one request the library is read from the cache once (`OncePerRequest`, a middleware); outside a
request (a management command, a test calling an action) every call reads the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponseBase

from .models import CrisisResource, StepText, Suggestion, VaguePhrase

KEY = "plans:library:1"
TIMEOUT = 300


@dataclass(frozen=True)
class Library:
    crisis_resources: tuple[CrisisResource, ...]  # active ones, every country, in the model's order
    step_texts: tuple[StepText, ...]
    suggestions: tuple[Suggestion, ...]  # active or not, in the model's order
    vague_phrases: tuple[tuple[str, str], ...]  # (phrase, ask) of the active ones

    def warning_sign_suggestions(self) -> list[str]:
        """The ideas offered for warning signs (the checklist asks for the client's own words)."""
        return [suggestion.text for suggestion in self.suggestions if suggestion.section == "warning_signs"]

    def crisis_resources_on_plans(self) -> list[CrisisResource]:
        """As `CrisisResource.objects.on_plans()`: the active ones of CRISIS_COUNTRY, in order."""
        return [resource for resource in self.crisis_resources if resource.country == settings.CRISIS_COUNTRY]


# What this request has read: {} at the start of each request (OncePerRequest), None outside one.
_this_request: ContextVar[dict[str, Library] | None] = ContextVar("library_this_request", default=None)


def library() -> Library:
    seen = _this_request.get()
    if seen is not None and KEY in seen:
        return seen[KEY]
    found = _read()
    if seen is not None:
        seen[KEY] = found
    return found


def _read() -> Library:
    cached = cache.get(KEY)
    if isinstance(cached, Library):
        return cached
    fresh = Library(
        crisis_resources=tuple(CrisisResource.objects.filter(is_active=True)),
        step_texts=tuple(StepText.objects.order_by("pk")),
        suggestions=tuple(Suggestion.objects.all()),
        vague_phrases=tuple(VaguePhrase.objects.filter(is_active=True).values_list("phrase", "ask")),
    )
    cache.set(KEY, fresh, TIMEOUT)
    return fresh


def forget_after_migrate(using: str = "default", **_kwargs: Any) -> None:
    """`forget` after `migrate`, unless the database cache's table is not there (migrated back before it)."""
    backend = settings.CACHES["default"]
    in_database = backend["BACKEND"].endswith("DatabaseCache")
    if in_database and backend["LOCATION"] not in connections[using].introspection.table_names():
        return
    forget()


def forget(**_kwargs: Any) -> None:
    """Empty the cached library now and again when the current transaction commits (a signal receiver)."""
    seen = _this_request.get()
    if seen is not None:
        seen.clear()
    cache.delete(KEY)
    transaction.on_commit(lambda: cache.delete(KEY))


class OncePerRequest:
    """Middleware: the library is read from the shared cache at most once in a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _this_request.set({})
        try:
            return self.get_response(request)
        finally:
            _this_request.reset(token)
