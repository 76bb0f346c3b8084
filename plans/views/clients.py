"""Clients: the list (with search), adding and editing a client, and the client's plan page."""

import copy
import logging
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import actions, audit
from ..access import get_client_for, signed_in_user
from ..content import PlanContent
from ..extensions import client_columns, client_links
from ..forms.clients import ClientForm, ClientSearchForm
from ..models import AuditEvent, Client
from .common import audit_read, checklist_for, plan_view_context

logger = logging.getLogger(__name__)

CLIENTS_PER_PAGE = 25


# A search is posted, kept in the session under a random token, and shown at ?s=<token>: names and record
# numbers typed into it never appear in a URL, so never in browser history or any server's access log.
SEARCHES_SESSION_KEY = "client_searches"
SEARCHES_KEPT = 5


def _search_url(token: str = "", page: int | None = None) -> str:
    params = {key: value for key, value in (("s", token), ("page", page)) if value}
    return reverse("plans:client_list") + (f"?{urlencode(params)}" if params else "")


@login_required
@require_http_methods(["GET", "POST"])
def client_list(request: HttpRequest) -> HttpResponse:
    searches: dict[str, str] = request.session.get(SEARCHES_SESSION_KEY, {})
    if request.method == "POST":
        search = ClientSearchForm(request.POST)
        if search.is_valid():
            query = search.cleaned_data["q"].strip()
            if not query:
                return redirect("plans:client_list")
            token = secrets.token_urlsafe(8)
            kept = list(searches.items())[-(SEARCHES_KEPT - 1) :]
            request.session[SEARCHES_SESSION_KEY] = dict([*kept, (token, query)])
            return redirect(_search_url(token))
        query = ""
    else:
        token = request.GET.get("s", "")
        query = searches.get(token, "") if token else ""
        if token and not query:
            messages.info(request, _("That search has ended. Search again to see it."))
        search = ClientSearchForm(initial={"q": query})
        token = token if query else ""
    columns = client_columns()  # what other apps add (follow-up: the next contact), in the same query
    visible = Client.objects.visible_to(request.user)
    if query:
        visible = visible.filter(
            Q(name__icontains=query) | Q(preferred_name__icontains=query) | Q(record_number__iexact=query)
        )
    clients = (
        visible.select_related("plan")
        .annotate(last_review=Max("plan__versions__review_date"), version_count=Count("plan__versions"))
        .annotate(**{name: value for column in columns for name, value in column.annotations().items()})
    )
    paginator = Paginator(clients.order_by("name", "pk"), CLIENTS_PER_PAGE)
    paginator.count = visible.count()  # the same rows, counted without the per-row columns (a cached_property)
    page = paginator.get_page(request.GET.get("page"))
    actions.record_client_list(
        by=signed_in_user(request), results=page.paginator.count, searched=bool(query), ip=audit.client_ip(request)
    )
    return render(
        request,
        "plans/client_list.html",
        {
            "page": page,
            "search": search,
            "query": query,
            "previous_url": _search_url(token, page.previous_page_number()) if page.has_previous() else "",
            "next_url": _search_url(token, page.next_page_number()) if page.has_next() else "",
            "today": timezone.localdate(),
            "due_soon_days": settings.REVIEW_DUE_SOON_DAYS,
            "columns": columns,
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = actions.create_client(
                by=signed_in_user(request),
                data=actions.ClientData.of(form.instance),
                token=form.cleaned_data["token"],
                ip=audit.client_ip(request),
            )
        except actions.DuplicateSubmitError as duplicate:
            messages.info(request, _("This client was already added; nothing was added twice."))
            return redirect("plans:client_detail", pk=duplicate.client.pk)
        except IntegrityError:
            form.add_error("record_number", _("Another client already has this record number."))
        else:
            messages.success(request, _("Client added. You can start their safety plan now."))
            return redirect("plans:plan_edit", pk=client.pk)
    return render(request, "plans/client_form.html", {"form": form, "client": None})


@login_required
@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request, pk)
    # A copy: the page header keeps the saved name until the new details are saved.
    form = ClientForm(request.POST or None, instance=copy.copy(client))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_client(
                client=client,
                by=signed_in_user(request),
                data=actions.ClientData.of(form.instance),
                ip=audit.client_ip(request),
            )
        except IntegrityError:
            form.add_error("record_number", _("Another client already has this record number."))
        else:
            messages.success(request, _("Client details saved."))
            return redirect("plans:client_detail", pk=client.pk)
    return render(request, "plans/client_form.html", {"form": form, "client": client})


@login_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan as the client will read it, with a completeness check."""
    client = get_client_for(request, pk)
    plan = actions.client_plan(client)
    audit_read(request, client, AuditEvent.Action.CLIENT_VIEWED, f"plan:{plan.pk}" if plan else "")
    content = PlanContent.from_plan(plan)
    context = plan_view_context(client, content)
    context["plan"] = plan
    context["checklist"] = checklist_for(content) if plan else []
    context["latest_version"] = plan.versions.defer("snapshot").order_by("-number").first() if plan else None
    context["client_links"] = client_links()  # what other apps add (follow-up contacts)
    return render(request, "plans/client_detail.html", context)
