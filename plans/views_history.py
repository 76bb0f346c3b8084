"""Follow-up: versions, history, what changed, restoring, conflicts and reviews due."""

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import actions, audit
from .access import get_client_for, signed_in_user
from .compare import compare_plans
from .content import PlanContent
from .forms import PersonTextField
from .merge import BOTH, MINE, THEIRS
from .models import AuditEvent, Client, PendingConflict, PlanVersion, SafetyPlan
from .steps import SECTIONS_BY_KEY, STEPS_BY_NUMBER
from .views import audit_read, plan_view_context


class VersionForm(forms.Form):
    review_date = forms.DateField(
        label=gettext_lazy("Date of this review"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = PersonTextField(  # normalised like every other typed text: it goes into the permanent record
        label=gettext_lazy("What changed, and why"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=gettext_lazy("A short note for the record, for example: added a new coping step after a hard week."),
    )
    next_review_date = forms.DateField(
        label=gettext_lazy("Next review"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_review_date(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["review_date"]
        if value > timezone.localdate():
            raise ValidationError(_("The review date can't be in the future."))
        if value.year < 2000:
            raise ValidationError(_("Check the year of the review date."))
        return value

    def clean_next_review_date(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data["next_review_date"]
        if value is not None and value > timezone.localdate() + datetime.timedelta(days=2 * 366):
            raise ValidationError(_("Choose a review date within the next two years."))
        return value


def _plan_or_404(client: Client) -> SafetyPlan:
    plan = actions.client_plan(client)
    if plan is None:
        raise Http404
    return plan


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
        return redirect("plans:history", pk=client.pk)
    audit_read(request, client, AuditEvent.Action.PLAN_VIEWED, f"plan:{plan.pk} version-form")
    latest = plan.versions.order_by("-number").first()
    previous = PlanContent.from_json(latest.snapshot) if latest else PlanContent()
    comparison = compare_plans(previous, PlanContent.from_plan(plan))
    return render(
        request,
        "plans/version_form.html",
        {"client": client, "plan": plan, "form": form, "latest": latest, "comparison": comparison},
    )


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request, pk)
    plan = actions.client_plan(client)
    audit_read(request, client, AuditEvent.Action.PLAN_VIEWED, f"plan:{plan.pk} history" if plan else "history")
    versions = list(plan.versions.select_related("created_by").defer("snapshot").order_by("-number")) if plan else []
    return render(request, "plans/history.html", {"client": client, "plan": plan, "versions": versions})


@login_required
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A past version exactly as it was."""
    client = get_client_for(request, pk)
    plan = _plan_or_404(client)
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
    plan = _plan_or_404(client)
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
    plan = _plan_or_404(client)
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
        },
    )


def _conflict_rows(pending: PendingConflict) -> list[dict[str, Any]]:
    _merged, conflicts = actions.conflicts_of(pending)
    rows = []
    labels: dict[str, Any]
    fields: tuple[str, ...]
    for conflict in conflicts:
        if conflict.kind == "entry":
            section = SECTIONS_BY_KEY[conflict.section]
            step = STEPS_BY_NUMBER[section.step]
            where = f"{_('Step')} {step.number}: {step.heading} · {section.title}"
            fields = section.fields
            labels = section.labels
        elif conflict.kind == "field":
            where = _("About this plan") if conflict.name != "most_important" else str(STEPS_BY_NUMBER[7].heading)
            fields, labels = (), {}
        else:
            step = STEPS_BY_NUMBER[int(conflict.name)]
            where = f"{_('Step')} {step.number}: {step.heading} · {_('clinician notes')}"
            fields, labels = ("likelihood", "barriers"), {"likelihood": _("Likelihood"), "barriers": _("Barriers")}
        rows.append(
            {
                "conflict": conflict,
                "where": where,
                "mine": _describe(conflict.mine, fields, labels),
                "theirs": _describe(conflict.theirs, fields, labels),
            }
        )
    return rows


def _describe(value: Any, fields: tuple[str, ...], labels: dict[str, Any]) -> list[tuple[str, str]] | None:
    """(label, text) pairs for showing one side of a conflict; None when that side removed it."""
    if value is None:
        return None
    if not fields:
        return [("", "" if value is None else str(value))]
    return [(str(labels.get(name, name)), str(getattr(value, name) or "")) for name in fields if getattr(value, name)]


@login_required
@require_http_methods(["GET", "POST"])
def plan_conflict(request: HttpRequest, pk: int, conflict: int) -> HttpResponse:
    """Both texts side by side; the clinician chooses. Nothing is lost whichever they pick."""
    client = get_client_for(request, pk)
    plan = _plan_or_404(client)
    pending = get_object_or_404(PendingConflict.objects.select_related("plan"), pk=conflict, plan=plan)
    if pending.resolved_at is not None:
        messages.info(request, _("This was already resolved."))
        return redirect("plans:plan_edit", pk=client.pk)
    rows = _conflict_rows(pending)
    if request.method == "POST":
        choices = {}
        for row in rows:
            choice = request.POST.get(f"choice-{row['conflict'].key}", "")
            if choice in {MINE, THEIRS, BOTH}:
                choices[row["conflict"].key] = choice
        missing = [row for row in rows if row["conflict"].key not in choices]
        revision = request.POST.get("revision", "")
        if not missing and revision.isdecimal() and len(revision) <= 10:  # int() can read it, and fits
            try:
                actions.resolve_conflict(
                    client=client,
                    by=signed_in_user(request),
                    pending=pending,
                    choices=choices,
                    expected_revision=int(revision),
                    ip=audit.client_ip(request),
                )
            except actions.StalePlanError:
                messages.warning(
                    request, _("The plan changed again on another screen. Here is the comparison with the latest.")
                )
            else:
                messages.success(request, _("Saved with your choices. Your other changes were kept too."))
                return redirect("plans:plan_edit", pk=client.pk)
        else:
            messages.error(request, _("Choose which text to keep for each entry below."))
    else:
        audit_read(request, client, AuditEvent.Action.PLAN_VIEWED, f"conflict:{pending.pk}")
    return render(
        request,
        "plans/conflict.html",
        {"client": client, "plan": plan, "pending": pending, "rows": rows, "choices": request.POST},
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
