"""What the print views share: no caching, the print problems, the document asked for, auditing."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from plans import actions, audit
from plans.access import signed_in_user
from plans.models import Client, PlanVersion, SafetyPlan
from plans.texts import ClientWording, client_wording, print_language_choices

from .. import fonts
from ..document import PlanDocument, plan_document

ViewFunc = Callable[..., HttpResponse]

# The previews are shown in a frame of the app's own print pages, and nowhere else.
FRAMEABLE_BY_THE_APP = {**getattr(settings, "SECURE_CSP", {}), "frame-ancestors": [CSP.SELF]}


def no_store(view: ViewFunc) -> ViewFunc:
    """Printed plans are health records: no browser or proxy may keep a copy."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404 as missing:  # the outsider's 404, too
            response = page_not_found(request, missing)
        response["Cache-Control"] = "no-store"
        return response

    return wrapped


@dataclass(frozen=True)
class PrintProblems:
    """Why a document cannot be printed right now (it is then not printed at all: never boxes)."""

    uncovered: tuple[str, ...] = ()  # characters no font on this server can draw
    no_crisis_lines: bool = False

    @property
    def blocking(self) -> bool:
        return bool(self.uncovered or self.no_crisis_lines)


def problems(doc: PlanDocument) -> PrintProblems:
    return PrintProblems(
        uncovered=tuple(fonts.describe(char) for char in fonts.uncovered_characters(doc.all_text())),
        no_crisis_lines=not doc.crisis_lines or not doc.emergency_numbers,
    )


def asked_version(request: HttpRequest, plan: SafetyPlan) -> PlanVersion | None:
    """A past version to print (?version=N), or None for the working plan. Unknown versions are 404."""
    raw = request.GET.get("version", "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise Http404
    version = PlanVersion.objects.filter(plan=plan, number=int(raw)).first()
    if version is None:
        raise Http404
    return version


def version_query(request: HttpRequest) -> dict[str, str]:
    raw = request.GET.get("version", "")
    return {"version": raw} if raw else {}


def print_wording(request: HttpRequest, client: Client) -> ClientWording:
    """The language to print in: the one asked for (?lang=, one of the choices offered), else the client's
    own when it can be used, else one we have (2 to 3 queries)."""
    asked = request.GET.get("lang") or request.POST.get("lang") or ""
    if asked and asked not in dict(print_language_choices(client.preferred_language)):
        asked = ""
    return client_wording(client.preferred_language, asked=asked)


def language_query(request: HttpRequest) -> dict[str, str]:
    raw = request.GET.get("lang") or request.POST.get("lang") or ""
    return {"lang": raw} if raw else {}


def document(
    request: HttpRequest, client: Client, plan: SafetyPlan, *, include_notes: bool, wording: ClientWording
) -> PlanDocument:
    return plan_document(
        client=client,
        plan=plan,
        clinician=signed_in_user(request),
        include_notes=include_notes,
        wording=wording,
        version=asked_version(request, plan),
    )


def no_plan(request: HttpRequest, client: Client) -> HttpResponse:
    messages.info(request, _("There is no plan to print yet. Start the plan first."))
    return redirect("plans:client_detail", pk=client.pk)


def audit_print(request: HttpRequest, client: Client, plan: SafetyPlan, action: str, what: str) -> None:
    """Print pages show the plan; downloads are printing. IDs and names of the print only."""
    actions.record_access(
        client=client,
        by=signed_in_user(request),
        action=action,
        target=f"plan:{plan.pk} {what}",
        ip=audit.client_ip(request),
    )


def pdf_response(body: bytes, name: str, *, inline: bool = False) -> HttpResponse:
    """The PDF as a download, or (?view=inline) shown by the browser itself: the exact print preview."""
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    return response


def with_query(url: str, query: dict[str, Any]) -> str:
    return f"{url}?{urlencode(query, doseq=True)}" if query else url
