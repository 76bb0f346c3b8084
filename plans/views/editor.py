"""The plan editor, and together mode (one step at a time, for the client). Autosave: views/autosave.py."""

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import actions, audit, vague
from ..access import get_client_for, signed_in_user
from ..content import PlanContent
from ..forms.editor import PlanEditorForm, editor_scope
from ..forms.rows import BadOperation, apply_operation
from ..library import library
from ..models import AuditEvent, Client, PlanDraft, SafetyPlan, Suggestion
from ..stash import take_stashed_post
from ..steps import STEPS, STEPS_BY_NUMBER, Step, StepWording
from ..texts import client_wording, step_texts
from .common import audit_read, checklist_for, return_to, with_return

logger = logging.getLogger(__name__)


def _suggestions(language: str) -> dict[str, list[Suggestion]]:
    """Ideas to offer, in the client's language (they become the client's words), else in ours."""
    grouped: dict[str, dict[str, list[Suggestion]]] = {}
    languages = {language, settings.LANGUAGE_CODE}
    for suggestion in library().suggestions:
        if not suggestion.is_active or suggestion.language not in languages:
            continue
        grouped.setdefault(suggestion.language, {}).setdefault(suggestion.section, []).append(suggestion)
    return grouped.get(language) or grouped.get(settings.LANGUAGE_CODE, {})


def _saved_message(plan: SafetyPlan) -> str:
    return _("Plan saved at %(time)s") % {"time": date_format(timezone.localtime(plan.updated_at), "TIME_FORMAT")}


def _last_saved(plan: SafetyPlan | None) -> str:
    """When the plan was last saved, said once, in the toolbar: the time today, the date and time before."""
    if plan is None:
        return ""
    saved = timezone.localtime(plan.updated_at)
    time = date_format(saved, "TIME_FORMAT")
    if saved.date() == timezone.localdate():
        return _("Last saved at %(time)s") % {"time": time}
    return _("Last saved on %(date)s at %(time)s") % {"date": date_format(saved, "DATE_FORMAT"), "time": time}


@dataclass
class _PostResult:
    form: PlanEditorForm
    saved: bool
    section_key: str | None
    result: actions.SaveResult | None = None


class _BadRequest(Exception):
    pass


def _bind(
    request: HttpRequest, plan: SafetyPlan | None, steps: tuple[Step, ...], *, clinician: bool
) -> tuple[PlanEditorForm, str | None]:
    """Bind the posted editor, with a row operation applied if one was pressed."""
    data: QueryDict = request.POST
    op = data.get("op", "")
    section_key = None
    if op:
        editor_sections = [section.key for step in steps for section in step.sections]
        try:
            data, section_key = apply_operation(data, op, allowed_sections=editor_sections)
        except BadOperation:
            raise _BadRequest from None
    return PlanEditorForm(steps=steps, plan=plan, data=data, clinician=clinician), section_key


def save(request: HttpRequest, client: Client, form: PlanEditorForm) -> actions.SaveResult:
    result = actions.save_plan(
        client=client,
        by=signed_in_user(request),
        changes=form.changes(),
        expected_revision=form.revision,
        base=form.revision_form.parsed_base(),
        scope=form.scope,
        ip=audit.client_ip(request),
    )
    logger.info(
        "plan save %s: client=%s plan=%s user=%s", result.outcome.value, client.pk, result.plan.pk, request.user.pk
    )
    return result


def _handle_plan_post(
    request: HttpRequest, client: Client, plan: SafetyPlan | None, steps: tuple[Step, ...], *, clinician: bool
) -> _PostResult:
    """Bind, apply a row operation if one was pressed, validate, and save all or nothing."""
    form, section_key = _bind(request, plan, steps, clinician=clinician)
    if not form.is_valid():
        if form.revision_form.errors:
            raise _BadRequest
        messages.error(
            request,
            _("Nothing was saved yet: please check the %(count)s highlighted field(s) below.")
            % {"count": form.error_count()},
        )
        return _PostResult(form, False, section_key)
    try:
        result = save(request, client, form)
    except actions.StalePlanError as stale:
        messages.warning(
            request,
            _(
                "This plan was changed on another screen after you opened it. Your changes are below "
                "and have not been saved yet. Check them, then save again to keep them."
            ),
        )
        fresh = request.POST.copy()
        fresh["revision"] = str(stale.current_revision)
        fresh["base"] = ""
        return _PostResult(PlanEditorForm(steps=steps, plan=plan, data=fresh, clinician=clinician), False, section_key)
    if result.outcome is actions.SaveOutcome.ALREADY_SAVED:
        messages.info(request, _("These changes were already saved; nothing was saved twice."))
    elif result.outcome is actions.SaveOutcome.MERGED:
        messages.success(request, _("Saved, together with changes made on another screen in the meantime."))
    elif result.outcome is actions.SaveOutcome.SAVED and not request.POST.get("op") and clinician:
        # Together mode moves from step to step on every save: its status line says "Saved" instead of a
        # banner on each step.
        messages.success(request, _saved_message(result.plan))
    return _PostResult(form, True, section_key, result)


def _bad_request() -> HttpResponse:
    return HttpResponseBadRequest(
        _("This form was changed in a way the app can't read. Reload the page and try again.")
    )


def _rebound(
    stored: dict[str, list[str]], *, steps: tuple[Step, ...], plan: SafetyPlan | None, clinician: bool
) -> PlanEditorForm:
    """The editor bound again to form data kept earlier, validated so its messages show."""
    data = QueryDict(mutable=True)
    for key, values in stored.items():
        data.setlist(key, [str(value) for value in values])
    form = PlanEditorForm(steps=steps, plan=plan, data=data, clinician=clinician)
    form.is_valid()
    return form


def _unsaved_form(
    request: HttpRequest, plan: SafetyPlan | None, steps: tuple[Step, ...], *, clinician: bool
) -> PlanEditorForm | None:
    """What autosave kept but could not save (it had errors), shown again with its messages."""
    stashed = take_stashed_post(request)
    if stashed is not None:
        form = _rebound(stashed, steps=steps, plan=plan, clinician=clinician)
        messages.warning(
            request,
            _(
                "What you typed before you were signed out is back on the page. It has not been saved yet: "
                "check it, then save."
            ),
        )
        return form
    if plan is None:
        return None
    draft = PlanDraft.objects.filter(plan=plan, scope=editor_scope(steps), saved_by=signed_in_user(request)).first()
    if draft is None:
        return None
    form = _rebound(draft.data, steps=steps, plan=plan, clinician=clinician)
    messages.warning(
        request,
        _("What you typed at %(time)s is back on the page. It has not been saved yet: check the highlighted fields.")
        % {"time": date_format(timezone.localtime(draft.saved_at), "TIME_FORMAT")},
    )
    return form


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request, pk)
    plan = actions.client_plan(client)
    if request.method == "POST":
        try:
            posted = _handle_plan_post(request, client, plan, STEPS, clinician=True)
        except _BadRequest:
            return _bad_request()
        if posted.result is not None and posted.result.conflict is not None:
            return redirect("plans:plan_conflict", pk=client.pk, conflict=posted.result.conflict.pk)
        if posted.saved:
            return _after_save(request, client, posted.section_key)
        form = posted.form
    else:
        audit_read(request, client, AuditEvent.Action.PLAN_VIEWED, f"plan:{plan.pk} editor" if plan else "editor")
        form = _unsaved_form(request, plan, STEPS, clinician=True) or PlanEditorForm(
            steps=STEPS, plan=plan, clinician=True, extra_rows=[request.GET.get("add", "")]
        )
    context = _editor_context(client, plan, form, STEPS)
    context["return_to"] = return_to(request)  # a follow-up contact, for example: saving keeps it
    return render(request, "plans/plan_edit.html", context)


def _after_op_url(view: str, section_key: str | None, op: str, **kwargs: Any) -> str:
    url = reverse(view, kwargs=kwargs)
    if op.startswith("add:") and section_key:
        url += f"?add={section_key}"
    if section_key:
        url += f"#section-{section_key}"
    return url


def _after_save(request: HttpRequest, client: Client, section_key: str | None) -> HttpResponse:
    go = request.POST.get("go", "")
    if go == "together":
        return redirect("plans:plan_together", pk=client.pk, step=1)
    if go == "view":
        return redirect("plans:client_detail", pk=client.pk)
    back = return_to(request)
    if go == "version":
        return redirect(with_return(reverse("plans:version_create", kwargs={"pk": client.pk}), back))
    return redirect(
        with_return(_after_op_url("plans:plan_edit", section_key, request.POST.get("op", ""), pk=client.pk), back)
    )


def _editor_context(
    client: Client,
    plan: SafetyPlan | None,
    form: PlanEditorForm,
    steps: tuple[Step, ...],
    *,
    texts: dict[int, StepWording] | None = None,
) -> dict[str, Any]:
    """The editor in the active language: the clinician's, or in together mode the client's (`texts`)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    texts = texts if texts is not None else step_texts(language)
    suggestions = _suggestions(client.preferred_language) if form.clinician else {}
    return {
        "client": client,
        "plan": plan,
        "form": form,
        "autosave_url": reverse("plans:plan_autosave", kwargs={"pk": client.pk})
        + ("" if form.scope == "all" else f"?step={form.steps[0].number}"),
        "steps": [
            {
                "step": step,
                "text": texts[step.number],
                "sections": [
                    {
                        "section": section,
                        "formset": form.formsets[section.key],
                        "suggestions": suggestions.get(section.key, []),
                    }
                    for section in step.sections
                ],
                "note_form": form.step_note_forms.get(step.number),
                "two": len(step.sections) > 1,
            }
            for step in steps
        ],
        "crisis_lines": [resource.in_language(language) for resource in library().crisis_resources_on_plans()],
        "last_saved": _last_saved(plan),
        # For the clinician only: in together mode it sits closed at the bottom, in their words.
        "checklist": (
            checklist := checklist_for(form.content if form.content is not None else PlanContent.from_plan(plan))
        ),
        "checklist_open": any(not item.met for item in checklist),
        "hints": _vague_hints(form) if form.clinician else {},
        "editor_url": reverse("plans:plan_edit", kwargs={"pk": client.pk}),
    }


def phrases() -> list[tuple[str, str]]:
    return list(library().vague_phrases)


def _vague_hints(form: PlanEditorForm) -> dict[str, str]:
    """Gentle prompts beside generic words, from what the page shows (as saved, or as posted)."""
    fields = vague.saved_fields(form.content) if form.content is not None else vague.posted_fields(form.data or {})
    return vague.hints(fields, phrases())


def _after_together_save(request: HttpRequest, client: Client, step: int, section_key: str | None) -> HttpResponse:
    go = request.POST.get("go", "")
    op = request.POST.get("op", "")
    if op:
        return redirect(_after_op_url("plans:plan_together", section_key, op, pk=client.pk, step=step))
    if go == "next" and step < len(STEPS):
        return redirect("plans:plan_together", pk=client.pk, step=step + 1)
    if go == "back" and step > 1:
        return redirect("plans:plan_together", pk=client.pk, step=step - 1)
    if go == "view":
        return redirect("plans:client_detail", pk=client.pk)
    if go == "finish":
        return redirect("plans:plan_edit", pk=client.pk)
    return redirect("plans:plan_together", pk=client.pk, step=step)


@login_required
@require_http_methods(["GET", "POST"])
def plan_together(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    """The same plan, one step at a time, for the client to read and fill in, in the client's language.
    No clinician fields."""
    client = get_client_for(request, pk)
    if step not in STEPS_BY_NUMBER:
        raise Http404
    wording = client_wording(client.preferred_language)
    with translation.override(wording.language):
        return _together(request, client, step, wording.steps)


def _together(request: HttpRequest, client: Client, step: int, texts: dict[int, StepWording]) -> HttpResponse:
    plan = actions.client_plan(client)
    steps = (STEPS_BY_NUMBER[step],)
    if request.method == "POST":
        try:
            posted = _handle_plan_post(request, client, plan, steps, clinician=False)
        except _BadRequest:
            return _bad_request()
        if posted.result is not None and posted.result.conflict is not None:
            return redirect("plans:plan_conflict", pk=client.pk, conflict=posted.result.conflict.pk)
        if posted.saved:
            return _after_together_save(request, client, step, posted.section_key)
        form = posted.form
    else:
        where = f"together step:{step}"
        audit_read(request, client, AuditEvent.Action.PLAN_VIEWED, f"plan:{plan.pk} {where}" if plan else where)
        form = _unsaved_form(request, plan, steps, clinician=False) or PlanEditorForm(
            steps=steps, plan=plan, clinician=False, extra_rows=[request.GET.get("add", "")]
        )
    context = _editor_context(client, plan, form, steps, texts=texts)
    context.update({"current": step, "all_steps": STEPS, "is_last": step == len(STEPS), "is_first": step == 1})
    return render(request, "plans/plan_together.html", context)
