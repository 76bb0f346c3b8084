"""Contacts due (every clinician's worklist) and the team view for leads (figures, chart, CSV). Neither shows
anything of a plan's content; the team view shows no client's name either."""

import csv
import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import audit
from plans.access import signed_in_user

from .. import actions
from .. import report as reports
from ..forms import PeriodForm
from ..worklist import worklist_for

DEFAULT_PERIOD_DAYS = 28


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    found = worklist_for(user)
    actions.record_worklist_viewed(by=user, count=found.total, ip=audit.client_ip(request))
    return render(
        request,
        "followup/worklist.html",
        {"worklist": found, "is_lead": bool(reports.led_clients(user))},
    )


def _period(request: HttpRequest) -> tuple[PeriodForm, datetime.date, datetime.date]:
    today = timezone.localdate()
    default = {"start": today - datetime.timedelta(days=DEFAULT_PERIOD_DAYS - 1), "end": today}
    form = PeriodForm(request.GET if "start" in request.GET or "end" in request.GET else None, initial=default)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default["start"], default["end"]


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    completed: int
    overdue: int
    completed_width: float
    overdue_width: float


CHART_LABEL_WIDTH = 150
CHART_BAR_AREA = 240
CHART_ROW_HEIGHT = 44


def _chart(rows: list[reports.Row]) -> dict[str, Any]:
    """Bars per clinician: contacts completed in the period, and contacts overdue now (drawn as SVG)."""
    top = max([1, *(max(row.figures.contacts_completed, row.figures.overdue) for row in rows)])
    scale = CHART_BAR_AREA / top
    bars = [
        Bar(
            label=row.label,
            y=index * CHART_ROW_HEIGHT,
            completed=row.figures.contacts_completed,
            overdue=row.figures.overdue,
            completed_width=round(row.figures.contacts_completed * scale, 1),
            overdue_width=round(row.figures.overdue * scale, 1),
        )
        for index, row in enumerate(rows)
    ]
    return {
        "bars": bars,
        "height": max(1, len(bars)) * CHART_ROW_HEIGHT + 30,
        "width": CHART_LABEL_WIDTH + CHART_BAR_AREA + 60,
        "label_width": CHART_LABEL_WIDTH,
        "bar_x": CHART_LABEL_WIDTH + 8,
    }


def _lead_or_404(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not reports.led_clients(user):
        raise Http404  # only a lead has a team view, and nobody else learns what it holds
    return user


@login_required
def team_report(request: HttpRequest) -> HttpResponse:
    user = _lead_or_404(request)
    form, start, end = _period(request)
    found = reports.team_report(lead=user, start=start, end=end)
    actions.record_team_report_viewed(by=user, kind="page", start=start, end=end, ip=audit.client_ip(request))
    return render(
        request,
        "followup/team_report.html",
        {
            "form": form,
            "report": found,
            "chart": _chart(found.clinicians),
            "csv_query": f"start={start.isoformat()}&end={end.isoformat()}",
        },
    )


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def csv_header() -> list[str]:
    return [
        _("Rows"),
        _("Name"),
        _("Clients"),
        _("Clients with a plan"),
        _("Reviews due"),
        _("Reviews on time"),
        _("First contacts due"),
        _("First contacts within 72 hours"),
        _("Contacts completed"),
        _("Overdue now"),
    ]


def _csv_row(kind: str, label: str, figures: reports.Figures) -> list[str]:
    values = [
        figures.clients,
        figures.with_plan,
        figures.reviews_due,
        figures.reviews_on_time,
        figures.first_contacts_due,
        figures.first_contacts_in_72h,
        figures.contacts_completed,
        figures.overdue,
    ]
    return [_cell(kind), _cell(label), *(str(value) for value in values)]


@login_required
def team_report_csv(request: HttpRequest) -> HttpResponse:
    user = _lead_or_404(request)
    _form, start, end = _period(request)
    found = reports.team_report(lead=user, start=start, end=end)
    actions.record_team_report_viewed(by=user, kind="csv", start=start, end=end, ip=audit.client_ip(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="follow-up-{start.isoformat()}-{end.isoformat()}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(csv_header())
    for row in found.clinicians:
        writer.writerow(_csv_row(_("Clinician"), row.label, row.figures))
    for row in found.teams:
        writer.writerow(_csv_row(_("Care team"), row.label, row.figures))
    writer.writerow(_csv_row(_("All"), _("All your care teams"), found.total))
    return response
