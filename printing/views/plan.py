"""The plan: print options beside a preview, the preview itself, and the PDF."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET

from plans import actions
from plans.access import get_client_for
from plans.models import AuditEvent
from plans.texts import print_language_choices

from .. import fonts
from ..document import filename
from ..engine import MissingGlyphs
from ..forms import PAGE_SIZE_CHOICES, PrintOptionsForm
from ..plan import plan_html, render_plan
from .common import (
    FRAMEABLE_BY_THE_APP,
    audit_print,
    document,
    language_query,
    no_plan,
    no_store,
    pdf_response,
    print_wording,
    problems,
    version_query,
    with_query,
)

logger = logging.getLogger(__name__)


@no_store
@login_required
@require_GET
def print_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Print options (paper, clinician notes) beside a preview of the printed plan."""
    client = get_client_for(request, pk)
    plan = actions.client_plan(client)
    if plan is None:
        return no_plan(request, client)
    audit_print(request, client, plan, AuditEvent.Action.PLAN_VIEWED, "print-options")
    form = PrintOptionsForm(request.GET or None)
    wording = print_wording(request, client)
    with translation.override(wording.language):
        doc = document(request, client, plan, include_notes=form.include_notes, wording=wording)
    query = {
        "size": form.page_size,
        **({"notes": "1"} if form.include_notes else {}),
        **version_query(request),
        **language_query(request),
    }
    return render(
        request,
        "printing/print_plan.html",
        {
            "client": client,
            "plan": plan,
            "form": form,
            "page_size": form.page_size,
            "include_notes": form.include_notes,
            "page_sizes": PAGE_SIZE_CHOICES,
            "problems": problems(doc),
            "missing_scripts": fonts.missing_scripts(),
            "wording": wording,
            "languages": print_language_choices(client.preferred_language),
            "preview_url": with_query(reverse("printing:plan_preview", args=[client.pk]), query),
            "pdf_url": with_query(reverse("printing:plan_pdf", args=[client.pk]), query),
        },
    )


@no_store
@login_required
@xframe_options_sameorigin
@csp_override(FRAMEABLE_BY_THE_APP)
@require_GET
def plan_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The document WeasyPrint prints, with the same stylesheets, for the browser."""
    client = get_client_for(request, pk)
    plan = actions.client_plan(client)
    if plan is None:
        return no_plan(request, client)
    audit_print(request, client, plan, AuditEvent.Action.PLAN_VIEWED, "print-preview")
    form = PrintOptionsForm(request.GET or None)
    wording = print_wording(request, client)
    with translation.override(wording.language):
        doc = document(request, client, plan, include_notes=form.include_notes, wording=wording)
        if problems(doc).no_crisis_lines:
            return HttpResponse(_("No crisis line or emergency number is set up, so the plan cannot be printed."))
        return HttpResponse(plan_html(doc, page_size=form.page_size, preview=True))


@no_store
@login_required
@require_GET
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's plan as PDF: one click from the plan page. Clinician notes only with ?notes=1."""
    client = get_client_for(request, pk)
    plan = actions.client_plan(client)
    if plan is None:
        return no_plan(request, client)
    form = PrintOptionsForm(request.GET or None)
    wording = print_wording(request, client)
    with translation.override(wording.language):
        doc = document(request, client, plan, include_notes=form.include_notes, wording=wording)
        if problems(doc).blocking:
            messages.error(request, _("The plan was not printed. The reason is shown below."))
            return redirect(with_query(reverse("printing:print_plan", args=[client.pk]), request.GET.dict()))
        try:
            body = render_plan(doc, page_size=form.page_size)
        except MissingGlyphs:
            messages.error(request, _("The plan was not printed: some characters have no font on this server."))
            return redirect(with_query(reverse("printing:print_plan", args=[client.pk]), request.GET.dict()))
    audit_print(request, client, plan, AuditEvent.Action.PRINTED, "plan-pdf")
    logger.info("plan printed: client=%s plan=%s user=%s", client.pk, plan.pk, request.user.pk)
    return pdf_response(body, filename("plan", doc), inline=request.GET.get("view") == "inline")
