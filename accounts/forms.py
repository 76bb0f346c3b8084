"""allauth's second-step forms with the app's labels and help: the same fields, names and checks.

Named in settings (ACCOUNT_FORMS, MFA_FORMS); allauth builds them inside its own views. Labels are
what a screen reader reads and what the browser tests find a field by, so every field has one.
"""

from functools import cached_property
from typing import Any

from allauth.account.forms import ReauthenticateForm as AllauthReauthenticateForm
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as AllauthMFAReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from allauth.mfa.webauthn.forms import AddWebAuthnForm as AllauthAddWebAuthnForm
from allauth.mfa.webauthn.forms import EditWebAuthnForm as AllauthEditWebAuthnForm
from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


def _code_field(field: forms.Field, *, label: StrOrPromise, help_text: StrOrPromise = "") -> None:
    field.label = label
    field.help_text = help_text
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.update({"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"})


class AuthenticateForm(AllauthAuthenticateForm):  # type: ignore[misc]  # allauth ships no types
    """The second sign-in step. Knows which second steps the clinician has, so the page offers only those."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.has_app:
            _code_field(
                self.fields["code"],
                label=_("Code from your authenticator app, or a recovery code"),
                help_text=_("Each recovery code works once."),
            )
        else:
            _code_field(self.fields["code"], label=_("Recovery code"), help_text=_("Each recovery code works once."))

    @cached_property
    def kinds(self) -> frozenset[str]:
        return frozenset(Authenticator.objects.filter(user_id=self.user.pk).values_list("type", flat=True))

    @property
    def has_app(self) -> bool:
        return Authenticator.Type.TOTP in self.kinds

    @property
    def has_key(self) -> bool:
        return Authenticator.Type.WEBAUTHN in self.kinds


class MFAReauthenticateForm(AllauthMFAReauthenticateForm):  # type: ignore[misc]  # allauth ships no types
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_field(self.fields["code"], label=_("Code from your authenticator app, or a recovery code"))


class ReauthenticateForm(AllauthReauthenticateForm):  # type: ignore[misc]  # allauth ships no types
    """Confirming the password before a change: no reset link (administrators reset passwords)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs.pop("placeholder", None)


class ActivateTOTPForm(AllauthActivateTOTPForm):  # type: ignore[misc]  # allauth ships no types
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_field(self.fields["code"], label=_("Code shown in the app"))


class AddWebAuthnForm(AllauthAddWebAuthnForm):  # type: ignore[misc]  # allauth ships no types
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("A name for it")
        self.fields["name"].help_text = _(
            "So that you can tell your keys apart, for example “Blue key” or “Work laptop”."
        )


class EditWebAuthnForm(AllauthEditWebAuthnForm):  # type: ignore[misc]  # allauth ships no types
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name")
