"""Autosave: the editor and together mode saved in the background, always answered in JSON."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import actions, vague
from ..access import get_client_for, signed_in_user
from ..content import PlanContent
from ..forms.editor import PlanEditorForm, part_names
from ..languages import has_catalog
from ..merge import Base, base_to_json
from ..models import Client, SafetyPlan
from ..steps import STEPS, STEPS_BY_NUMBER, Step
from .common import checklist_for
from .editor import phrases, save


@require_POST
def plan_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """Save the editor in the background (on input, never on a timer). Always answers JSON.

    The answer tells the page which revision and base to carry next. After a merge the page keeps
    its old revision on purpose, so its next save merges again rather than overwrite what the other
    screen added (which this page does not show until it is reloaded).
    """
    if not request.user.is_authenticated:
        return JsonResponse({"status": "signed_out", "message": _("You have been signed out.")}, status=401)
    client = get_client_for(request, pk)
    plan = actions.client_plan(client)
    step = request.GET.get("step")
    if step is not None:
        if step not in {str(number) for number in STEPS_BY_NUMBER}:  # "²".isdigit(), but int("²") fails
            return JsonResponse({"status": "bad_request"}, status=400)
        steps: tuple[Step, ...] = (STEPS_BY_NUMBER[int(step)],)
        # Together mode: what the page says back is for the client, in their language where we have it.
        preferred = client.preferred_language
        with translation.override(preferred if has_catalog(preferred) else settings.LANGUAGE_CODE):
            return _autosave(request, client, plan, steps, clinician=False)
    # The editor's autosave posts only the parts that changed, named in `parts` (autosave.js).
    posted_parts = request.POST.get("parts")
    parts = None
    if posted_parts is not None:
        parts = frozenset(posted_parts.split(","))
        if not parts or not parts <= part_names(STEPS):
            return JsonResponse({"status": "bad_request"}, status=400)
    return _autosave(request, client, plan, STEPS, clinician=True, parts=parts)


def _autosave(
    request: HttpRequest,
    client: Client,
    plan: SafetyPlan | None,
    steps: tuple[Step, ...],
    *,
    clinician: bool,
    parts: frozenset[str] | None = None,
) -> JsonResponse:
    form = PlanEditorForm(steps=steps, plan=plan, data=request.POST, clinician=clinician, parts=parts)
    if not form.is_valid():
        if form.revision_form.errors:
            return JsonResponse({"status": "bad_request"}, status=400)
        if parts is not None:
            # A draft keeps the whole page as typed, so the page sends all of it (at once); nothing is saved.
            return JsonResponse({"status": "send_all"})
        return _keep_as_draft(request, client, form)
    try:
        result = save(request, client, form)
    except actions.StalePlanError:
        return JsonResponse(
            {"status": "stale", "message": _("This plan was changed on another screen. Save to review.")}, status=409
        )
    return JsonResponse(_autosaved(client, form, result))


def _keep_as_draft(request: HttpRequest, client: Client, form: PlanEditorForm) -> JsonResponse:
    """A form with a problem (a half-typed phone number) is kept as typed, to be shown again."""
    draft = actions.keep_draft(
        client=client,
        by=signed_in_user(request),
        scope=form.scope,
        # Without U+0000: PostgreSQL's JSON can't hold it (and cleaning drops it from saved text too).
        data={
            key: [value.replace("\x00", "") for value in request.POST.getlist(key)]
            for key in request.POST
            if key != "csrfmiddlewaretoken" and "\x00" not in key
        },
        base_revision=form.revision,
    )
    return JsonResponse(
        {
            "status": "draft",
            "errors": form.error_count(),
            "saved_at": date_format(timezone.localtime(draft.saved_at), "TIME_FORMAT"),
            "message": _("Kept as a draft. %(count)s field(s) need attention before the plan is saved.")
            % {"count": form.error_count()},
        }
    )


def _autosaved(client: Client, form: PlanEditorForm, result: actions.SaveResult) -> dict[str, Any]:
    """What the page carries on with after a background save: its new revision and base, or a message."""
    payload: dict[str, Any] = {
        "status": result.outcome.value,
        "uids": {name: str(uid) for name, uid in form.assigned_uids.items()},
        "saved_at": date_format(timezone.localtime(result.plan.updated_at), "TIME_FORMAT"),
    }
    if result.outcome is actions.SaveOutcome.CONFLICT:
        assert result.conflict is not None
        payload["url"] = reverse("plans:plan_conflict", kwargs={"pk": client.pk, "conflict": result.conflict.pk})
        payload["message"] = _("The same entry was changed on another screen. Choose which words to keep.")
        return payload
    saved = result.content if result.content is not None else PlanContent.from_plan(result.plan)
    if form.clinician:
        # The editor's checklist follows what was just saved.
        payload["checklist"] = {item.key: item.met for item in checklist_for(saved)}
        payload["hints"] = vague.hints(vague.saved_fields(saved), phrases())
    if result.outcome is actions.SaveOutcome.MERGED:
        payload["message"] = _("Saved. Changes from another screen were merged: reload to see them.")
        payload["base"] = _submitted_base(form)
    else:
        payload["revision"] = result.plan.revision
        payload["base"] = saved.base_json(result.plan.revision)
    return payload


def _submitted_base(form: PlanEditorForm) -> str:
    """Fingerprints of what this page shows now, at the revision it started from. After a save of some parts
    of the page, the parts it did not send keep the fingerprints the page started from."""
    changes = form.changes()
    shown = PlanContent.from_changes(changes).base_json(form.revision)
    started = form.revision_form.parsed_base()
    submitted = Base.parse(shown)
    if form.parts is None or started is None or submitted is None:
        return shown
    entries = {**started.entries, **{key: submitted.entries[key] for key in changes.sections}}
    fields = {**started.fields, **{name: submitted.fields[name] for name in changes.plan_fields}}
    notes = {**started.notes, **{str(step): submitted.notes[str(step)] for step in changes.step_notes}}
    return base_to_json(Base(revision=form.revision, entries=entries, fields=fields, notes=notes))
