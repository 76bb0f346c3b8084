"""The wallet card: the chooser with its preview and what did not fit, the preview, and the PDF."""

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods

from plans import actions, audit
from plans.access import get_client_for, signed_in_user
from plans.models import AuditEvent, CardSelection, Client, SafetyPlan
from plans.texts import print_language_choices

from .. import fonts
from ..card import CardLayout, card_candidates, card_html, default_card_choice, layout_card, render_card
from ..document import PlanDocument, filename
from ..engine import MissingGlyphs
from ..forms import PAGE_SIZE_CHOICES, CardChoiceForm, PrintOptionsForm
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
    if download and layout.fits and not problems(doc).blocking:
        return redirect(
            with_query(reverse("printing:card_pdf", args=[client.pk]), {"size": page_size, **language_query(request)})
        )
    if download:
        messages.warning(
            request, _("Your choices were saved, but the card was not printed. The reason is shown below.")
        )
    elif layout.fits:
        messages.success(request, _("Card choices saved."))
    else:
        messages.warning(request, _("Card choices saved. Some of them do not fit on the card yet: see the list below."))
    return redirect(
        with_query(reverse("printing:print_card", args=[client.pk]), {"size": page_size, **language_query(request)})
    )


@no_store
@login_required
@require_http_methods(["GET", "POST"])
def print_card(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose what goes on the wallet card, with a live preview and the list of what does not fit."""
    client = get_client_for(request, pk)
    plan = actions.client_plan(client)
    if plan is None:
        return no_plan(request, client)
    if request.method == "GET":
        audit_print(request, client, plan, AuditEvent.Action.PLAN_VIEWED, "card-chooser")
    wording = print_wording(request, client)
    with translation.override(wording.language):
        doc = document(request, client, plan, include_notes=False, wording=wording)
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
    page = _chooser_context(request, client, form, doc, choice, layout)
    page["wording"] = wording
    return render(request, "printing/print_card.html", page)


def _chooser_context(
    request: HttpRequest,
    client: Client,
    form: CardChoiceForm,
    doc: PlanDocument,
    choice: CardChoice,
    layout: CardLayout,
) -> dict[str, Any]:
    """The chooser page: every candidate, ticked or not and whether it fit, and the preview's address."""
    query = {
        "size": form.page_size,
        "view": "panels",
        "choose": "1",
        "entry": sorted(choice.uids),
        **({"discreet": "1", "title": choice.title} if choice.title else {}),
        **version_query(request),
        **language_query(request),
    }
    not_fitting = {item.key for item in layout.not_fitting}
    candidates = card_candidates(doc)
    groups = [
        {
            "section": group,
            "items": [
                {"item": item, "checked": item.key in choice.uids, "did_not_fit": item.key in not_fitting}
                for item in group.items
            ],
        }
        for group in candidates
    ]
    titles = {item.key: group.title for group in candidates for item in group.items}
    return {
        "client": client,
        "plan": actions.client_plan(client),
        "form": form,
        "card_title": choice.title,
        "groups": groups,
        "layout": layout,
        "not_fitting": [(titles.get(item.key, ""), item) for item in layout.not_fitting],
        "page_size": form.page_size,
        "page_sizes": PAGE_SIZE_CHOICES,
        "problems": problems(doc),
        "missing_scripts": fonts.missing_scripts(),
        "languages": print_language_choices(client.preferred_language),
        "preview_url": with_query(reverse("printing:card_preview", args=[client.pk]), query),
    }


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
        return no_plan(request, client)
    audit_print(request, client, plan, AuditEvent.Action.PLAN_VIEWED, "card-preview")
    wording = print_wording(request, client)
    with translation.override(wording.language):
        doc = document(request, client, plan, include_notes=False, wording=wording)
        if problems(doc).no_crisis_lines:
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
        return no_plan(request, client)
    form = PrintOptionsForm(request.GET or None)
    wording = print_wording(request, client)
    with translation.override(wording.language):
        doc = document(request, client, plan, include_notes=False, wording=wording)
        back = with_query(
            reverse("printing:print_card", args=[client.pk]), {"size": form.page_size, **language_query(request)}
        )
        if problems(doc).blocking:
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
    audit_print(request, client, plan, AuditEvent.Action.PRINTED, "card-pdf")
    logger.info("card printed: client=%s plan=%s user=%s", client.pk, plan.pk, request.user.pk)
    return pdf_response(
        body, filename("card", doc, discreet=layout.discreet), inline=request.GET.get("view") == "inline"
    )
