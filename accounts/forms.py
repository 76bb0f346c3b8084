"""allauth's second-step forms with the app's labels and help: the same fields, names and checks,
and wrong codes limited and audited.

Named in settings (ACCOUNT_FORMS, MFA_FORMS); allauth builds them inside its own views. Labels are
what a screen reader reads and what the browser tests find a field by, so every field has one.
allauth's own limit for the code forms uses its "login_failed" rate, which settings turn off (it would
let anyone lock a clinician's password sign-in from any IP), so the limit lives here instead:
`second_factor` explains it.
"""

from functools import cached_property
from typing import Any

from allauth.account.forms import ReauthenticateForm as AllauthReauthenticateForm
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as AllauthMFAReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from allauth.mfa.webauthn.forms import AddWebAuthnForm as AllauthAddWebAuthnForm
from allauth.mfa.webauthn.forms import EditWebAuthnForm as AllauthEditWebAuthnForm
from django import forms
from django.contrib.auth.models import AbstractBaseUser, User
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from . import second_factor


def _code_field(field: forms.Field, *, label: StrOrPromise, help_text: StrOrPromise = "") -> None:
    field.label = label
    field.help_text = help_text
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.update({"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"})


def _record(action: str, user: AbstractBaseUser, target: str) -> None:
    from plans import audit  # imported late: the audit module imports models

    request = context.request
    audit.record(
        action=action,
        by=user if isinstance(user, User) else None,
        target=target,
        ip=audit.client_ip(request) if request is not None else None,
    )


def locked_message() -> str:
    minutes = second_factor.cool_off_minutes()
    return ngettext(
        "Too many wrong codes for this account. Codes are paused for %(minutes)d minute; a security key still works.",
        "Too many wrong codes for this account. Codes are paused for %(minutes)d minutes; a security key still works.",
        minutes,
    ) % {"minutes": minutes}


class LimitedCodeMixin:
    """Takes an attempt slot before the code is checked; audits every wrong or refused code."""

    user: AbstractBaseUser
    # Set when this attempt ended the pending sign-in (the view then sends the clinician back).
    ends_sign_in = False
    locked = False
    ends_pending_sign_in = True  # False for re-authentication: the clinician is already signed in

    def clean_code(self) -> str:
        request = context.request
        slot = second_factor.take_attempt(self.user)
        if slot is None:
            self.locked = True
            self.ends_sign_in = self.ends_pending_sign_in
            _record("mfa_failed", self.user, "refused:locked")
            raise forms.ValidationError(locked_message(), code="locked")
        try:
            code = str(super().clean_code())  # type: ignore[misc]  # allauth's check of the code
        except forms.ValidationError:
            _record("mfa_failed", self.user, "wrong_code")
            if second_factor.is_last_slot(slot):
                self.locked = True
                _record("mfa_locked", self.user, f"minutes:{second_factor.cool_off_minutes()}")
                self.ends_sign_in = self.ends_pending_sign_in
                raise forms.ValidationError(locked_message(), code="locked") from None
            if self.ends_pending_sign_in and request is not None:
                self.ends_sign_in = second_factor.count_wrong_code_in_sign_in(request)
            raise
        second_factor.clear(self.user)
        if request is not None:
            second_factor.forget_sign_in(request)
        return code


class AuthenticateForm(LimitedCodeMixin, AllauthAuthenticateForm):  # type: ignore[misc]  # allauth ships no types
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


class MFAReauthenticateForm(LimitedCodeMixin, AllauthMFAReauthenticateForm):  # type: ignore[misc]  # no types
    ends_pending_sign_in = False

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


def ended_sign_in_message() -> str:
    return gettext("Too many wrong codes. This sign-in has ended; sign in again to try once more.")
