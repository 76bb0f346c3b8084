"""The care team's side: send the plan to the client's phone (a QR code and a short link on screen), see
which phones hold a copy, and take any copy back. Outsiders get 404 (`get_client_for`)."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from plans import actions as plan_actions
from plans import audit
from plans.access import get_client_for, signed_in_user
from plans.models import AuditEvent, Client

from .. import actions
from ..models import PhoneCopy
from ..qr import qr_svg

logger = logging.getLogger(__name__)


def _page(request: HttpRequest, client: Client, **extra: object) -> HttpResponse:
    copies = list(PhoneCopy.objects.filter(client=client).order_by("-created_at"))
    context = {
        "client": client,
        "latest_version": actions.latest_version(client),
        "held": [copy for copy in copies if copy.opened_at is not None],
        "pending": [copy for copy in copies if copy.link_pending],
        "link_minutes": settings.PHONE_LINK_MINUTES,
        **extra,
    }
    return render(request, "phonecopy/manage.html", context)


@login_required
@require_GET
def phone_copies(request: HttpRequest, pk: int) -> HttpResponse:
    """Which phones hold this client's plan, when each last checked in, which version each has."""
    client = get_client_for(request, pk)
    plan_actions.record_access(
        client=client,
        by=signed_in_user(request),
        action=AuditEvent.Action.CLIENT_VIEWED,
        target="phone-copies",
        ip=audit.client_ip(request),
    )
    return _page(request, client)


@login_required
@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """A new one-time link, shown once as a QR code and as a link to type. Never stored, never logged."""
    client = get_client_for(request, pk)
    try:
        sent = actions.send_to_phone(client=client, by=signed_in_user(request), ip=audit.client_ip(request))
    except actions.NoVersion:
        messages.warning(request, _("Save a version of the plan first: a phone is given the latest saved version."))
        return redirect("phonecopy:phone_copies", pk=client.pk)
    logger.info("phone link made: client=%s copy=%s user=%s", client.pk, sent.copy.pk, request.user.pk)
    # The token goes after "#": browsers never send it in a request, so no server or proxy can log it.
    link = request.build_absolute_uri(reverse("phonecopy:phone")) + "#" + sent.token
    return _page(request, client, sent=sent.copy, link=link, qr=qr_svg(link))


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a copy back (or cancel a link not opened yet). The phone removes the plan at its next check."""
    client = get_client_for(request, pk)
    raw = request.POST.get("copy", "")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        return HttpResponseBadRequest(_("This form was changed in a way the app can't read. Reload the page."))
    copy = PhoneCopy.objects.filter(client=client, pk=int(raw)).first()
    if copy is None:
        raise Http404
    actions.revoke_phone_copy(copy=copy, by=signed_in_user(request), ip=audit.client_ip(request))
    logger.info("phone copy taken back: client=%s copy=%s user=%s", client.pk, copy.pk, request.user.pk)
    if copy.opened_at is None:
        messages.success(request, _("The link was cancelled. It can no longer be opened."))
    else:
        messages.success(request, _("The copy was taken back. The phone removes the plan the next time it is online."))
    return redirect("phonecopy:phone_copies", pk=client.pk)
