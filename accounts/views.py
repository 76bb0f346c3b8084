from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from plans.access import signed_in_user
from plans.languages import language_name

from . import actions
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
