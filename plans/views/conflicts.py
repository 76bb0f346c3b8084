"""The same entry changed on two screens: both texts side by side, and the clinician's choice."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import actions, audit
from ..access import get_client_for, signed_in_user
from ..merge import BOTH, MINE, THEIRS
from ..models import AuditEvent, PendingConflict
from ..steps import SECTIONS_BY_KEY, STEPS_BY_NUMBER
from .common import audit_read, plan_or_404


def _conflict_rows(pending: PendingConflict) -> list[dict[str, Any]]:
    _merged, conflicts = actions.conflicts_of(pending)
    rows = []
    labels: dict[str, Any]
    fields: tuple[str, ...]
    for conflict in conflicts:
        if conflict.kind == "entry":
            section = SECTIONS_BY_KEY[conflict.section]
            step = STEPS_BY_NUMBER[section.step]
            where = _("Step %(number)s: %(heading)s · %(section)s") % {
                "number": step.number,
                "heading": step.heading,
                "section": section.title,
            }
            fields = section.fields
            labels = section.labels
        elif conflict.kind == "field":
            where = _("About this plan") if conflict.name != "most_important" else str(STEPS_BY_NUMBER[7].heading)
            fields, labels = (), {}
        else:
            step = STEPS_BY_NUMBER[int(conflict.name)]
            where = _("Step %(number)s: %(heading)s · clinician notes") % {
                "number": step.number,
                "heading": step.heading,
            }
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
    plan = plan_or_404(client)
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
