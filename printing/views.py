"""Printing: the plan and the wallet card as PDF, their browser previews, and the card chooser.

Thin views: fetch the client through `get_client_for` (outsiders get 404), build the document
(printing/document.py), render it (printing/plan.py, printing/card.py). Every response is `Cache-Control: no-store`. Logs carry IDs only.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods
from django.views.defaults import page_not_found

from plans import actions, audit
from plans.access import get_client_for, signed_in_user
from plans.models import AuditEvent, CardSelection, Client, PlanVersion, SafetyPlan

from . import fonts
from .card import CardLayout, card_candidates, card_html, default_card_choice, layout_card, render_card
from .document import PlanDocument, filename, plan_document, print_language
from .engine import MissingGlyphs
from .forms import PAGE_SIZE_CHOICES, CardChoiceForm, PrintOptionsForm
from .plan import plan_html, render_plan

logger = logging.getLogger(__name__)

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


def _problems(doc: PlanDocument) -> PrintProblems:
    return PrintProblems(
        uncovered=tuple(fonts.describe(char) for char in fonts.uncovered_characters(doc.all_text())),
        no_crisis_lines=not doc.crisis_lines or not doc.emergency_numbers,
    )


def _asked_version(request: HttpRequest, plan: SafetyPlan) -> PlanVersion | None:
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


def _version_query(request: HttpRequest) -> dict[str, str]:
    raw = request.GET.get("version", "")
    return {"version": raw} if raw else {}


def _document(request: HttpRequest, client: Client, plan: SafetyPlan, *, include_notes: bool) -> PlanDocument:
    return plan_document(
        client=client,
        plan=plan,
        clinician=signed_in_user(request),
        include_notes=include_notes,
        version=_asked_version(request, plan),
    )


def _no_plan(request: HttpRequest, client: Client) -> HttpResponse:
    messages.info(request, _("There is no plan to print yet. Start the plan first."))
    return redirect("plans:client_detail", pk=client.pk)


def _audit(request: HttpRequest, client: Client, plan: SafetyPlan, action: str, what: str) -> None:
    """Print pages show the plan; downloads are printing. IDs and names of the print only."""
    actions.record_access(
        client=client,
        by=signed_in_user(request),
        action=action,
        target=f"plan:{plan.pk} {what}",
        ip=audit.client_ip(request),
    )


def _pdf_response(body: bytes, name: str, *, inline: bool = False) -> HttpResponse:
    """The PDF as a download, or (?view=inline) shown by the browser itself: the exact print preview."""
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    return response


def _with_query(url: str, query: dict[str, Any]) -> str:
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


# --- The plan --------------------------------------------------------------------------------------


@no_store
@login_required
@require_GET
def print_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Print options (paper, clinician notes) beside a preview of the printed plan."""
    client = get_client_for(request, pk)
    plan = actions.client_plan(client)
    if plan is None:
        return _no_plan(request, client)
    _audit(request, client, plan, AuditEvent.Action.PLAN_VIEWED, "print-options")
    form = PrintOptionsForm(request.GET or None)
    with translation.override(print_language(client)):
        doc = _document(request, client, plan, include_notes=form.include_notes)
    query = {"size": form.page_size, **({"notes": "1"} if form.include_notes else {}), **_version_query(request)}
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
            "problems": _problems(doc),
            "missing_scripts": fonts.missing_scripts(),
            "preview_url": _with_query(reverse("printing:plan_preview", args=[client.pk]), query),
            "pdf_url": _with_query(reverse("printing:plan_pdf", args=[client.pk]), query),
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
        return _no_plan(request, client)
    _audit(request, client, plan, AuditEvent.Action.PLAN_VIEWED, "print-preview")
    form = PrintOptionsForm(request.GET or None)
    with translation.override(print_language(client)):
        doc = _document(request, client, plan, include_notes=form.include_notes)
        if _problems(doc).no_crisis_lines:
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
        return _no_plan(request, client)
    form = PrintOptionsForm(request.GET or None)
    with translation.override(print_language(client)):
        doc = _document(request, client, plan, include_notes=form.include_notes)
        if _problems(doc).blocking:
            messages.error(request, _("The plan was not printed. The reason is shown below."))
            return redirect(_with_query(reverse("printing:print_plan", args=[client.pk]), request.GET.dict()))
        try:
            body = render_plan(doc, page_size=form.page_size)
        except MissingGlyphs:
            messages.error(request, _("The plan was not printed: some characters have no font on this server."))
            return redirect(_with_query(reverse("printing:print_plan", args=[client.pk]), request.GET.dict()))
    _audit(request, client, plan, AuditEvent.Action.PRINTED, "plan-pdf")
    logger.info("plan printed: client=%s plan=%s user=%s", client.pk, plan.pk, request.user.pk)
    return _pdf_response(body, filename("plan", doc), inline=request.GET.get("view") == "inline")


# --- The wallet card -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardChoice:
    """What goes on the card (entry uids, and "most-important"), and its title ("" for ours)."""

    uids: frozenset[str]
    title: str = ""


def _saved_card_choice(plan: SafetyPlan) -> CardChoice | None:
    """What the clinician last chose for the card, or None if nobody has chosen yet (1 query)."""
    selection = CardSelection.objects.filter(plan=plan).only("entry_uids", "title").first()
    if selection is None:
        return None
    return CardChoice(frozenset(str(uid) for uid in selection.entry_uids), selection.title)


def _card_choice(form: CardChoiceForm | None, plan: SafetyPlan, doc: PlanDocument) -> CardChoice:
    """What the request chose, else what was saved, else the first few of each kind."""
    if form is not None and form.chosen is not None:
        return CardChoice(form.chosen, form.card_title)
    saved = _saved_card_choice(plan)
    return saved if saved is not None else CardChoice(default_card_choice(doc))


def _layout(doc: PlanDocument, choice: CardChoice, page_size: str) -> CardLayout:
    return layout_card(doc, chosen=choice.uids, page_size=page_size, card_title=choice.title)


def _candidate_uids(doc: PlanDocument) -> set[str]:
    return {item.key for group in card_candidates(doc) for item in group.items}


def _save_card_choice(
    request: HttpRequest,
    client: Client,
    plan: SafetyPlan,
    doc: PlanDocument,
    choice: CardChoice,
    page_size: str,
    *,
    download: bool,
) -> HttpResponse:
    actions.save_card_choice(
        plan=plan, by=signed_in_user(request), uids=choice.uids, title=choice.title, ip=audit.client_ip(request)
    )
    logger.info("card choice saved: client=%s plan=%s user=%s", client.pk, plan.pk, request.user.pk)
    layout = _layout(doc, choice, page_size)
    if download and layout.fits and not _problems(doc).blocking:
        return redirect(_with_query(reverse("printing:card_pdf", args=[client.pk]), {"size": page_size}))
    if download:
        messages.warning(
            request, _("Your choices were saved, but the card was not printed. The reason is shown below.")
        )
    elif layout.fits:
        messages.success(request, _("Card choices saved."))
    else:
        messages.warning(request, _("Card choices saved. Some of them do not fit on the card yet: see the list below."))
    return redirect(_with_query(reverse("printing:print_card", args=[client.pk]), {"size": page_size}))


@no_store
@login_required
@require_http_methods(["GET", "POST"])
def print_card(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose what goes on the wallet card, with a live preview and the list of what does not fit."""
    client = get_client_for(request, pk)
    plan = actions.client_plan(client)
    if plan is None:
        return _no_plan(request, client)
    if request.method == "GET":
        _audit(request, client, plan, AuditEvent.Action.PLAN_VIEWED, "card-chooser")
    with translation.override(print_language(client)):
        doc = _document(request, client, plan, include_notes=False)
        data = request.POST if request.method == "POST" else (request.GET or None)
        form = CardChoiceForm(data, candidates=_candidate_uids(doc))
        if request.method == "POST":
            if form.chosen is None:
                return HttpResponseBadRequest(_("This form was changed in a way the app can't read. Reload the page."))
            go = request.POST.get("go", "save")
            # "Update preview" without JavaScript shows the posted choice, unsaved; so does a title to correct.
            if go != "preview" and form.is_valid():
                choice = _card_choice(form, plan, doc)
                return _save_card_choice(request, client, plan, doc, choice, form.page_size, download=go == "download")
        choice = _card_choice(form, plan, doc)
        layout = _layout(doc, choice, form.page_size)
    chosen = choice.uids
    query = {
        "size": form.page_size,
        "view": "panels",
        "choose": "1",
        "entry": sorted(chosen),
        **({"discreet": "1", "title": choice.title} if choice.title else {}),
        **_version_query(request),
    }
    not_fitting = {item.key for item in layout.not_fitting}
    groups = [
        {
            "section": group,
            "items": [
                {"item": item, "checked": item.key in chosen, "did_not_fit": item.key in not_fitting}
                for item in group.items
            ],
        }
        for group in card_candidates(doc)
    ]
    titles = {item.key: group.title for group in card_candidates(doc) for item in group.items}
    return render(
        request,
        "printing/print_card.html",
        {
            "client": client,
            "plan": plan,
            "form": form,
            "card_title": choice.title,
            "groups": groups,
            "layout": layout,
            "not_fitting": [(titles.get(item.key, ""), item) for item in layout.not_fitting],
            "page_size": form.page_size,
            "page_sizes": PAGE_SIZE_CHOICES,
            "problems": _problems(doc),
            "missing_scripts": fonts.missing_scripts(),
            "preview_url": _with_query(reverse("printing:card_preview", args=[client.pk]), query),
        },
    )


@no_store
@login_required
@xframe_options_sameorigin
@csp_override(FRAMEABLE_BY_THE_APP)
@require_GET
def card_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The card sheet WeasyPrint prints, with the same stylesheets and the same placement, for the browser."""
    client = get_client_for(request, pk)
    plan = actions.client_plan(client)
    if plan is None:
        return _no_plan(request, client)
    _audit(request, client, plan, AuditEvent.Action.PLAN_VIEWED, "card-preview")
    with translation.override(print_language(client)):
        doc = _document(request, client, plan, include_notes=False)
        if _problems(doc).no_crisis_lines:
            return HttpResponse(_("No crisis line or emergency number is set up, so the card cannot be printed."))
        form = CardChoiceForm(request.GET or None, candidates=_candidate_uids(doc))
        layout = _layout(doc, _card_choice(form, plan, doc), form.page_size)
        return HttpResponse(card_html(layout, preview=True, panels_view=request.GET.get("view") == "panels"))


@no_store
@login_required
@require_GET
def card_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The wallet card as PDF, from the saved choice; only when everything chosen fits."""
    client = get_client_for(request, pk)
    plan = actions.client_plan(client)
    if plan is None:
        return _no_plan(request, client)
    form = PrintOptionsForm(request.GET or None)
    with translation.override(print_language(client)):
        doc = _document(request, client, plan, include_notes=False)
        back = _with_query(reverse("printing:print_card", args=[client.pk]), {"size": form.page_size})
        if _problems(doc).blocking:
            messages.error(request, _("The card was not printed. The reason is shown below."))
            return redirect(back)
        layout = _layout(doc, _card_choice(None, plan, doc), form.page_size)
        if not layout.fits:
            messages.error(request, _("The card was not printed: the entries listed below did not fit."))
            return redirect(back)
        try:
            body = render_card(layout)
        except MissingGlyphs:
            messages.error(request, _("The card was not printed: some characters have no font on this server."))
            return redirect(back)
    _audit(request, client, plan, AuditEvent.Action.PRINTED, "card-pdf")
    logger.info("card printed: client=%s plan=%s user=%s", client.pk, plan.pk, request.user.pk)
    return _pdf_response(
        body, filename("card", doc, discreet=layout.discreet), inline=request.GET.get("view") == "inline"
    )
