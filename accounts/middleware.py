"""Automatic logoff, the MFA requirement, and no caching of pages that show client data."""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from plans.stash import stash_post

from .models import ClinicianSettings

ACTIVITY_WRITE_EVERY = 30  # seconds: don't rewrite the session on every request


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


class UnreadableBodyMiddleware:
    """A POST whose body can't be read (a charset other than UTF-8 on a form, a broken multipart
    body, too many fields, too large) is answered 400 here, before anything else reads it.

    Left to Django, the error handlers read the body again for their CSRF check, fail the same way,
    and the clinician gets a 500. JSON callers (autosave) get JSON.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            try:
                request.POST  # noqa: B018  # parsed once here; every later reader gets the same result
            except (BadRequest, SuspiciousOperation, MultiPartParserError, UnicodeDecodeError):
                request._mark_post_parse_error()  # type: ignore[attr-defined]  # error pages must not re-read it
                message = _("This form could not be read. Nothing was saved. Reload the page and try again.")
                if _wants_json(request):
                    return JsonResponse({"status": "bad_request", "message": message}, status=400)
                return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """Sign out after SESSION_IDLE_TIMEOUT without requests, or SESSION_ABSOLUTE_TIMEOUT after sign-in.

    A form posted after the timeout is kept (in the new, signed-out session, with the user id it
    belonged to) so that after signing in again the same clinician sees it again, unsaved.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.get("auth_started") or now
            last = session.get("last_activity") or now
            if now - last > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                return self._sign_out(request, idle=now - last > settings.SESSION_IDLE_TIMEOUT)
            if not session.get("auth_started"):
                session["auth_started"] = now
            if now - last >= ACTIVITY_WRITE_EVERY or not session.get("last_activity"):
                session["last_activity"] = now
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest, *, idle: bool) -> HttpResponse:
        user_id = request.user.pk
        stash = None
        if (
            request.method == "POST"
            and CsrfViewMiddleware(self.get_response).process_view(request, lambda r: HttpResponse(), (), {}) is None
        ):
            stash = {key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"}
        logout(request)
        if stash is not None and user_id is not None:
            stash_post(request, user_id=user_id, data=stash)
        message = (
            _("You were signed out after %(minutes)s minutes without activity, to keep client information private.")
            % {"minutes": settings.SESSION_IDLE_TIMEOUT // 60}
            if idle
            else _("You were signed out because this session reached its time limit. Please sign in again.")
        )
        if _wants_json(request):
            return JsonResponse({"status": "signed_out", "message": message}, status=401)
        messages.info(request, message)
        back = request.get_full_path() if request.method == "GET" else request.path
        return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': back})}")


class RequireMFAMiddleware:
    """Under MFA_REQUIRED, a clinician without a second factor can only set one up (or sign out)."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/session/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.MFA_REQUIRED
            and request.user.is_authenticated
            and not request.session.get("mfa_ok")
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            from allauth.mfa.models import Authenticator

            has_factor = Authenticator.objects.filter(
                user=request.user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
            ).exists()
            if not has_factor:
                if _wants_json(request):
                    return JsonResponse({"status": "mfa_required"}, status=403)
                messages.info(request, _("Before you can see client information, set up a second step for signing in."))
                return redirect("mfa_activate_totp")
            request.session["mfa_ok"] = True
        return self.get_response(request)


PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=(), publickey-credentials-get=(self), publickey-credentials-create=(self)"
)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; `Cache-Control: no-store` on every page for signed-in
    clinicians (they show client data) and on the sign-in pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.user.is_authenticated or request.path.startswith("/accounts/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


LANGUAGE_SESSION_KEY = "clinician_language"


class ClinicianLanguageMiddleware:
    """A signed-in clinician's screens follow the language chosen in their settings (else the browser's,
    which LocaleMiddleware has already chosen). Read once per session, then kept in it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            language = request.session.get(LANGUAGE_SESSION_KEY)
            if language is None:
                language = (
                    ClinicianSettings.objects.filter(user_id=request.user.pk).values_list("language", flat=True).first()
                    or ""
                )
                request.session[LANGUAGE_SESSION_KEY] = language
            if language and language in dict(settings.LANGUAGES):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
