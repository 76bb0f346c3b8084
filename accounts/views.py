from typing import Any

from allauth.mfa.base.views import AuthenticateView
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from plans.access import signed_in_user
from plans.languages import language_name

from . import actions, second_factor
from .forms import ended_sign_in_message, locked_message
from .middleware import LANGUAGE_SESSION_KEY


@login_required
@require_POST
def keep_alive(request: HttpRequest) -> JsonResponse:
    """The clinician pressed "Stay signed in" in the idle warning (never called on a timer)."""
    import time

    request.session["last_activity"] = time.time()
    return JsonResponse({"status": "ok", "idle_timeout": settings.SESSION_IDLE_TIMEOUT})


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of my screens"), required=False, widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ours = [(code, language_name(code)) for code, _name in settings.LANGUAGES]
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("The same as my browser")), *ours]


@login_required
@require_http_methods(["GET", "POST"])
def language_settings(request: HttpRequest) -> HttpResponse:
    """The language of the clinician's own screens. A client's copy follows the client's language."""
    user = signed_in_user(request)
    current = request.session.get(LANGUAGE_SESSION_KEY, "")
    form = LanguageForm(request.POST or None, initial={"language": current})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        actions.set_language(by=user, language=language)
        request.session[LANGUAGE_SESSION_KEY] = language
        with translation.override(language or translation.get_language_from_request(request)):
            messages.success(request, str(_("Your screens are now in this language.")))
        return redirect("clinician_language")
    return render(request, "accounts/language.html", {"form": form})


class SecondStepView(AuthenticateView):  # type: ignore[misc]  # allauth ships no types
    """allauth's second sign-in step, ending the pending sign-in after too many wrong codes."""

    def form_invalid(self, form: Any) -> HttpResponse:
        if getattr(form, "ends_sign_in", False):
            second_factor.forget_sign_in(self.request)
            messages.error(
                self.request, locked_message() if getattr(form, "locked", False) else ended_sign_in_message()
            )
            response: HttpResponse = self.stage.abort()
            return response
        return super().form_invalid(form)  # type: ignore[no-any-return]  # allauth ships no types


second_step = SecondStepView.as_view()


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form (no or wrong CSRF token, or posted from another site): audited, explained, 403.

    Nothing was saved. The reason Django gives is a fixed English phrase, kept short in the audit
    trail; it never carries anything the person typed.
    """
    from plans import audit

    signed_in = getattr(request, "user", None)
    user = signed_in if isinstance(signed_in, User) else None
    audit.record(action="csrf_failed", by=user, target=reason[:100], ip=audit.client_ip(request))
    return render(request, "403_csrf.html", status=403)
