"""Follow-up: saving a version, history, a past version, restoring it, what changed, reviews due."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import actions, audit, checklist
from ..access import get_client_for, signed_in_user
from ..compare import compare_plans
from ..content import PlanContent
from ..forms.versions import VersionForm
from ..models import AuditEvent, Client, PlanVersion, SafetyPlan
from .common import audit_read, back_with, checklist_for, plan_or_404, plan_view_context, return_to


def _version(plan: SafetyPlan, number: int) -> PlanVersion:
    return get_object_or_404(PlanVersion.objects.select_related("created_by"), plan=plan, number=number)


def _latest_number(plan: SafetyPlan) -> int:
    return plan.versions.aggregate(latest=Max("number"))["latest"] or 0


@login_required
@require_http_methods(["GET", "POST"])
def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Finish a review: freeze the working plan as the next numbered version."""
    client = get_client_for(request, pk)
    plan = actions.client_plan(client)
    if plan is None:
        messages.info(request, _("Start the plan first; a version can be saved once there is something in it."))
        return redirect("plans:plan_edit", pk=client.pk)
    form = VersionForm(
        request.POST or None,
        initial={"review_date": timezone.localdate(), "next_review_date": plan.next_review_date},
    )
    if request.method == "POST" and form.is_valid():
        version = actions.save_version(
            client=client,
            by=signed_in_user(request),
            review_date=form.cleaned_data["review_date"],
            note=form.cleaned_data["note"],
            next_review_date=form.cleaned_data["next_review_date"],
            ip=audit.client_ip(request),
        )
        messages.success(request, _("Version %(number)s saved.") % {"number": version.number})
        back = return_to(request)  # a follow-up contact, for example, told which version was saved
        if back:
            return redirect(back_with(back, version=version.number))
        # Back to history, which offers the client their copy of what was just agreed (print, card, phone).
        return redirect(f"{reverse('plans:history', args=[client.pk])}?saved={version.number}")
    audit_read(request, client, AuditEvent.Action.PLAN_VIEWED, f"plan:{plan.pk} version-form")
    latest = plan.versions.order_by("-number").first()
    previous = PlanContent.from_json(latest.snapshot) if latest else PlanContent()
    current = PlanContent.from_plan(plan)
    comparison = compare_plans(previous, current)
    context = {"client": client, "plan": plan, "form": form, "latest": latest, "comparison": comparison}
    context["return_to"] = return_to(request)
    # Raised at every review: what is still generic, and agreed steps for safer surroundings not yet done.
    context["checklist"] = checklist_for(current)
    context["unconfirmed"] = [
        current.sections["means_safety"][position - 1] for position in checklist.unconfirmed_means(current)
    ]
    return render(request, "plans/version_form.html", context)


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request, pk)
    plan = actions.client_plan(client)
    audit_read(request, client, AuditEvent.Action.PLAN_VIEWED, f"plan:{plan.pk} history" if plan else "history")
    versions = list(plan.versions.select_related("created_by").defer("snapshot").order_by("-number")) if plan else []
    # Just after a review is saved (?saved=N, N the newest version), the client's copies are offered.
    just_saved = bool(versions) and request.GET.get("saved") == str(versions[0].number)
    context = {"client": client, "plan": plan, "versions": versions, "just_saved": just_saved}
    return render(request, "plans/history.html", context)


@login_required
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A past version exactly as it was."""
    client = get_client_for(request, pk)
    plan = plan_or_404(client)
    version = _version(plan, number)
    audit_read(request, client, AuditEvent.Action.PLAN_VIEWED, f"version:{version.pk}")
    latest = _latest_number(plan)
    content = PlanContent.from_json(version.snapshot)
    context = plan_view_context(client, content)
    context.update({"plan": plan, "version": version, "latest_number": latest})
    return render(request, "plans/version_detail.html", context)


@login_required
@require_POST
def version_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    client = get_client_for(request, pk)
    plan = plan_or_404(client)
    version = _version(plan, number)
    actions.restore_version(client=client, by=signed_in_user(request), version=version, ip=audit.client_ip(request))
    messages.success(
        request,
        _("Version %(number)s is now the working plan. Save a new version when this review is finished.")
        % {"number": version.number},
    )
    return redirect("plans:plan_edit", pk=client.pk)


def _side(plan: SafetyPlan, raw: str | None, default: int | None) -> tuple[PlanContent, str, PlanVersion | None]:
    if raw == "draft":
        return PlanContent.from_plan(plan), _("the working plan"), None
    try:
        number = int(raw) if raw else default
    except ValueError:
        raise Http404 from None
    if number is None:
        raise Http404
    version = _version(plan, number)
    return PlanContent.from_json(version.snapshot), _("version %(n)s") % {"n": version.number}, version


def _side_target(plan: SafetyPlan, version: PlanVersion | None, raw: str | None) -> str:
    """What one side of a comparison is, by ID: a version, the working plan, or nothing."""
    if version is not None:
        return f"version:{version.pk}"
    return f"plan:{plan.pk}" if raw == "draft" else "empty"


@login_required
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed between two versions (by default the last two), step by step."""
    client = get_client_for(request, pk)
    plan = plan_or_404(client)
    numbers = list(plan.versions.order_by("-number").values_list("number", flat=True)[:2])
    if not numbers and request.GET.get("to") != "draft":
        messages.info(request, _("There is nothing to compare yet: no version has been saved."))
        return redirect("plans:history", pk=client.pk)
    default_to = numbers[0] if numbers else None
    default_from = numbers[1] if len(numbers) > 1 else None
    new, new_label, new_version = _side(plan, request.GET.get("to"), default_to)
    if request.GET.get("from") is None and default_from is None:
        old, old_label, old_version = PlanContent(), _("an empty plan"), None
    else:
        old, old_label, old_version = _side(plan, request.GET.get("from"), default_from)
    audit_read(
        request,
        client,
        AuditEvent.Action.PLAN_VIEWED,
        "compare {} {}".format(
            _side_target(plan, old_version, request.GET.get("from")),
            _side_target(plan, new_version, request.GET.get("to")),
        ),
    )
    all_numbers = list(plan.versions.order_by("-number").values_list("number", flat=True))
    return render(
        request,
        "plans/compare.html",
        {
            "client": client,
            "plan": plan,
            "comparison": compare_plans(old, new),
            "old_label": old_label,
            "new_label": new_label,
            "old_version": old_version,
            "new_version": new_version,
            "all_numbers": all_numbers,
            "printable": request.GET.get("print") == "1",
            # Built from the two sides only, so following the link again gives the same link.
            "printable_query": urlencode(
                {key: request.GET[key] for key in ("from", "to") if key in request.GET} | {"print": "1"}
            ),
        },
    )


@login_required
def reviews_due(request: HttpRequest) -> HttpResponse:
    """Clients whose plan review is overdue, due soon, or who have never had a review saved."""
    from django.conf import settings

    today = timezone.localdate()
    soon = today + datetime.timedelta(days=settings.REVIEW_DUE_SOON_DAYS)
    clients = (
        Client.objects.visible_to(request.user)
        .filter(plan__isnull=False)
        .select_related("plan")
        .annotate(version_count=Count("plan__versions"), last_review=Max("plan__versions__review_date"))
        .filter(Q(plan__next_review_date__lte=soon) | Q(version_count=0))
        .order_by("plan__next_review_date", "name")
    )
    return render(request, "plans/reviews_due.html", {"clients": list(clients), "today": today, "soon": soon})
