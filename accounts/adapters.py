"""Sign-in hooks: no self-service sign-up, and audit events for sign-in, failures and MFA changes.

allauth calls these adapter methods as part of its own sign-in flow (they are not signals).
Only IDs and action names are recorded; a failed sign-in records no username at all.
"""

import unicodedata
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AbstractBaseUser, User
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _record(**kwargs: Any) -> None:
    from plans import audit  # imported late: the audit module imports models

    audit.record(**kwargs)


def _ip(request: HttpRequest | None) -> str | None:
    from plans import audit

    return audit.client_ip(request) if request is not None else None


def typed_username(value: str) -> str:
    """A username as the sign-in form reads it: Unicode-normalised (NFKC) and without outer spaces."""
    return unicodedata.normalize("NFKC", value).strip()


def username_key(value: str) -> str:
    """One spelling for every way of typing a username: the key lock-outs are counted by.

    Sign-in matches usernames without regard to case (allauth compares case-insensitively), so the
    key must fold case at least as far: upper-casing first joins letters that fold to the same
    capital (dotless i U+0131 and i, long s U+017F and s, sharp s and SS), then casefold joins the rest. When the name belongs
    to an account, the account's own username is used, so no spelling the database matches escapes.
    """
    from allauth.account.utils import filter_users_by_username

    typed = typed_username(value)
    if not typed:
        return ""
    matches = list(filter_users_by_username(typed).values_list("username", flat=True)[:2])
    canonical = matches[0] if len(matches) == 1 else typed
    return canonical.upper().casefold()


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The username being tried, as `username_key` spells it (allauth passes `username`; its form `login`)."""
    raw: object = None
    if credentials and credentials.get("username"):
        raw = credentials["username"]
    elif request is not None and request.method == "POST":
        raw = request.POST.get("login") or request.POST.get("username")
    if not raw:
        return None
    # Axes asks several times per attempt; the lookup is made once per request and spelling.
    memo: dict[str, str] = getattr(request, "_username_keys", {}) if request is not None else {}
    if str(raw) not in memo:
        memo[str(raw)] = username_key(str(raw))
        if request is not None:
            request._username_keys = memo  # type: ignore[attr-defined]  # a per-request memo
    return memo[str(raw)] or None


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth ships no types
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Clinician accounts are made by administrators (createsuperuser, or the admin).
        return False

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        super().login(request, user)
        request.session["auth_started"] = None  # the session timeout middleware starts the clock
        _record(action="sign_in", by=user if isinstance(user, User) else None, ip=_ip(request))

    def logout(self, request: HttpRequest) -> None:
        user = request.user if isinstance(request.user, User) else None
        if user is not None:
            _record(action="sign_out", by=user, ip=_ip(request))
        super().logout(request)

    def send_notification_mail(
        self,
        template_prefix: str,
        user: AbstractBaseUser,
        context: dict[str, Any] | None = None,
        email: str | None = None,
    ) -> None:
        # allauth's MFA flows call this on every change (TOTP on or off, recovery codes, security keys).
        if template_prefix.startswith("mfa/"):
            request = getattr(self, "request", None)
            if request is not None and hasattr(request, "session"):
                request.session.pop("mfa_ok", None)  # the MFA requirement is checked again
            _record(
                action="mfa_changed",
                by=user if isinstance(user, User) else None,
                target=template_prefix.rsplit("/", 1)[-1][:60],
                ip=_ip(request),
            )
        super().send_notification_mail(template_prefix, user, context, email)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        super().authentication_failed(request, **credentials)
        _record(action="sign_in_failed", by=None, ip=_ip(request))


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]  # allauth ships no types
    """The second step's messages in the app's words, and plain names for new keys.

    MFA changes are audited by AccountAdapter.send_notification_mail, which allauth's MFA flows call.
    """

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        # allauth uses this one for a wrong code and for a key the browser could not confirm.
        "incorrect_code": _("That code or key was not accepted. Please try again."),
        "cannot_generate_recovery_codes": _(
            "Recovery codes come with an authenticator app or a security key: set one of those up first."
        ),
    }

    def generate_authenticator_name(self, user: AbstractBaseUser, type: str) -> str:
        """The name a new key starts with ("Key 1", "Key 2"), which the clinician may change."""
        count = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        return gettext("Key %(number)s") % {"number": count + 1}


def _login_form_base() -> type:
    from allauth.account.forms import LoginForm as AllauthLoginForm

    return AllauthLoginForm  # type: ignore[no-any-return]  # allauth ships no types


class LoginForm(_login_form_base()):  # type: ignore[misc]  # allauth ships no types; a base from a call
    """allauth's sign-in form without the e-mail reset link: accounts are managed by administrators."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""
        for name in ("login", "password"):
            self.fields[name].widget.attrs.pop("placeholder", None)

    def clean_login(self) -> str:
        # The same reading of the name as the lock-out's (`username_key` starts from it).
        return typed_username(str(self.cleaned_data["login"]))
