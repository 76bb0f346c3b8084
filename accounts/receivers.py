"""Security events from django-axes: a username and IP pair locked out after failed sign-ins."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.models import User
from django.dispatch import receiver
from django.http import HttpRequest


@receiver(user_locked_out)
def record_lock_out(sender: object, request: HttpRequest, username: str | None = None, **kwargs: Any) -> None:
    """Audited against the account the name belongs to (axes passes `adapters.username_key`), never the name."""
    from allauth.account.utils import filter_users_by_username

    from plans import audit

    accounts = list(filter_users_by_username(username)[:2]) if username else []
    account = accounts[0] if len(accounts) == 1 and isinstance(accounts[0], User) else None
    audit.record(action="locked_out", by=account, ip=audit.client_ip(request))
