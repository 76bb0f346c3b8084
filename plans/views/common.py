"""What several screens share: auditing a read, and the plan as the client reads it."""

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from .. import actions, audit, checklist
from ..access import signed_in_user
from ..content import PlanContent
from ..library import library
from ..models import Client, CrisisResource, SafetyPlan
from ..texts import client_wording


def audit_read(request: HttpRequest, client: Client, action: str, target: str = "") -> None:
    """Audit that the signed-in user is being shown this client's data (IDs only)."""
    actions.record_access(
        client=client, by=signed_in_user(request), action=action, target=target, ip=audit.client_ip(request)
    )


def plan_view_context(client: Client, content: PlanContent) -> dict[str, Any]:
    """What the plan page shows for `content` (the working plan or a past version): the plan as the client
    reads it, in the client's language (`client_language`), with what the clinician is told in theirs."""
    wording = client_wording(client.preferred_language, also=translation.get_language() or "")
    steps = content.by_step(wording.steps)
    resources = [resource.in_language(wording.language) for resource in library().crisis_resources_on_plans()]
    return {
        "client": client,
        "content": content,
        "steps": steps,
        "client_language": wording.language,
        "client_direction": wording.direction,
        "empty_steps": [step for step in content.by_step(wording.also or wording.steps) if step.is_empty],
        "crisis_lines": [r for r in resources if r.kind == CrisisResource.Kind.CRISIS_LINE],
        "emergency_numbers": [r for r in resources if r.kind == CrisisResource.Kind.EMERGENCY],
    }


def plan_or_404(client: Client) -> SafetyPlan:
    plan = actions.client_plan(client)
    if plan is None:
        raise Http404
    return plan


def checklist_for(content: PlanContent) -> list[checklist.Item]:
    """The checklist's items for `content` (the ideas offered, which are not the client's own words, come from
    the cached library)."""
    return checklist.check(content, library().warning_sign_suggestions())


def return_to(request: HttpRequest) -> str:
    """Where to send the clinician back to after the editor or a new version (`next`, posted or in the
    query): a path on this site only, else ""."""
    value = request.POST.get("next") or request.GET.get("next") or ""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value if value.startswith("/") and not value.startswith("//") else ""
    return ""


def with_return(url: str, back: str) -> str:
    """`url` carrying `next=back` (before any #fragment), when there is somewhere to go back to."""
    if not back:
        return url
    path, hash_mark, fragment = url.partition("#")
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}{urlencode({'next': back})}{hash_mark}{fragment}"


def back_with(back: str, **params: object) -> str:
    """The return address with `params` added to its query (what was done there, by ID)."""
    path, hash_mark, fragment = back.partition("#")
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}{urlencode(params)}{hash_mark}{fragment}"
