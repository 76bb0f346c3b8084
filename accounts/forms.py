"""The second sign-in step's code forms: allauth's, with wrong codes limited and audited.

allauth's own limit for these forms uses its "login_failed" rate, which settings turn off (it would
let anyone lock a clinician's password sign-in from any IP), so the limit lives here instead:
`second_factor` explains it.
"""

from typing import Any

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django import forms
from django.contrib.auth.models import AbstractBaseUser, User
from django.utils.translation import gettext, ngettext

from . import second_factor


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


class SecondStepForm(LimitedCodeMixin, AuthenticateForm):  # type: ignore[misc]  # allauth ships no types
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.pop("placeholder", None)


class SecondStepReauthenticateForm(LimitedCodeMixin, ReauthenticateForm):  # type: ignore[misc]  # no types
    ends_pending_sign_in = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.pop("placeholder", None)


def ended_sign_in_message() -> str:
    return gettext("Too many wrong codes. This sign-in has ended; sign in again to try once more.")
