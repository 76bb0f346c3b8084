"""The phone's side, under /p/: the page, its service worker and manifest, opening a link, checking for a
newer version, and the PDF. Nobody is signed in here: `middleware.PhonePagesWithoutCookies` removes every
cookie from these requests (the clinician's session is neither needed nor accepted) and sets none. A phone
proves itself with its device secret, posted in the body (never in a URL), which reads its own client's
latest version and nothing else. Refusals are 410 and say nothing about why or whose."""

import hashlib
import json
import logging
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from plans import audit
from printing.document import NoCrisisLines
from printing.engine import MissingGlyphs

from .. import actions
from ..render import plan_fragment, plan_pdf, wording_for

logger = logging.getLogger(__name__)

# The neutral pictures a client may choose for the home screen, and their files (static/img/phone/).
ICONS = ("leaf", "sun", "wave", "circle")
ICON_SIZES = (192, 512)
NAME_MAX = 30
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def icon_url(icon: str, size: int) -> str:
    return static(f"img/phone/{icon}-{size}.png")


def _static_assets() -> list[str]:
    return [
        static("css/phone.css"),
        static("js/phone.js"),
        *(icon_url(icon, size) for icon in ICONS for size in ICON_SIZES),
    ]


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def phone(request: HttpRequest) -> HttpResponse:
    """The page the link opens, the same for every client: the plan itself is kept on the phone by the
    script and fetched with the device secret. Cached by the service worker for use with no signal."""
    context = {
        "icons": [(icon, icon_url(icon, 192)) for icon in ICONS],
        "default_icon": icon_url(ICONS[0], 192),
        "link_minutes": settings.PHONE_LINK_MINUTES,
    }
    response = render(request, "phonecopy/phone.html", context)
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /p/ so that its scope covers the page (a file under /static/ could
    only control /static/). It caches the page and its assets; the plan is kept by the page itself."""
    assets = _static_assets()
    shell = reverse("phonecopy:phone")
    cache = "phone-" + hashlib.sha256("\n".join([shell, *assets]).encode()).hexdigest()[:12]
    body = render_to_string(
        "phonecopy/sw.js", {"cache_name": json.dumps(cache), "shell": json.dumps(shell), "assets": json.dumps(assets)}
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


def home_screen_name(raw: str) -> str:
    """The name the client chose for the home screen, cleaned; ours ("My plan") when none."""
    name = " ".join(_CONTROL.sub("", raw).split())[:NAME_MAX]
    return name or _("My plan")


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest, with the name and picture the client chose on the phone (?name=&icon=)."""
    name = home_screen_name(request.GET.get("name", ""))
    icon = request.GET.get("icon", "")
    icon = icon if icon in ICONS else ICONS[0]
    shell = reverse("phonecopy:phone")
    data = {
        "name": name,
        "short_name": name,
        "start_url": shell,
        "scope": shell,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#ffffff",
        "icons": [
            {"src": icon_url(icon, size), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
            for size in ICON_SIZES
        ],
    }
    return HttpResponse(json.dumps(data), content_type="application/manifest+json")


def _plan_answer(answer: actions.PhoneAnswer, **extra: Any) -> HttpResponse:
    assert answer.copy is not None and answer.version is not None
    data = {
        "status": answer.outcome.value,
        "plan": plan_fragment(answer.copy, answer.version, wording_for(answer.copy)),
    }
    return _no_store(JsonResponse({**data, **extra}))


def _refused() -> HttpResponse:
    return _no_store(JsonResponse({"status": "refused"}, status=410))


@csrf_exempt  # no cookie is accepted here, so there is no session for a forged request to ride on
@sensitive_post_parameters("token")
@require_POST
def open_link(request: HttpRequest) -> HttpResponse:
    """The first open of a link: the latest version and the device secret. Any other open: 410."""
    answer = actions.open_link(token=request.POST.get("token", ""), ip=audit.client_ip(request))
    if answer.outcome is not actions.Outcome.OPENED:
        return _refused()
    assert answer.copy is not None
    logger.info("phone copy opened: client=%s copy=%s", answer.copy.client_id, answer.copy.pk)
    return _plan_answer(answer, secret=answer.secret)


def _held(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


@csrf_exempt  # see open_link
@sensitive_post_parameters("secret")
@require_POST
def check(request: HttpRequest) -> HttpResponse:
    """A phone online asks for the latest version: "current", a newer version, or 410 (remove the copy)."""
    answer = actions.check_phone(
        secret=request.POST.get("secret", ""), held=_held(request.POST.get("held", "")), ip=audit.client_ip(request)
    )
    if answer.outcome is actions.Outcome.REFUSED:
        return _refused()
    if answer.outcome is actions.Outcome.CURRENT:
        return _no_store(JsonResponse({"status": "current"}))
    return _plan_answer(answer)


@csrf_exempt  # see open_link
@sensitive_post_parameters("secret")
@require_POST
def pdf(request: HttpRequest) -> HttpResponse:
    """The version the phone holds, exactly as printed: printing/ renders it, nothing is duplicated here."""
    answer = actions.check_phone(secret=request.POST.get("secret", ""), held=None, ip=audit.client_ip(request))
    if answer.outcome is actions.Outcome.REFUSED or answer.copy is None or answer.version is None:
        return _no_store(render(request, "phonecopy/message.html", {"refused": True}, status=410))
    try:
        body, name = plan_pdf(answer.copy, answer.version)
    except (NoCrisisLines, MissingGlyphs):
        logger.warning("phone copy PDF not printable: client=%s copy=%s", answer.copy.client_id, answer.copy.pk)
        return _no_store(render(request, "phonecopy/message.html", {"refused": False}, status=503))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _no_store(response)
