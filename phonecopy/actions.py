"""Every write of the phone copy, each one atomic, keyword-only and audited as its last write.

Sending and taking back are done by the care team (`by=user`); opening and checking are done by a phone,
which is nobody signed in (`by=None` in the audit trail). Audit targets are IDs only ("phone:12").
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from plans import audit
from plans.models import AuditEvent, Client, PlanVersion

from . import tokens
from .models import PhoneCopy

Action = AuditEvent.Action


class NoVersion(Exception):
    """The plan has no saved version yet: a phone only ever receives a saved version."""


def latest_version(client: Client) -> PlanVersion | None:
    """The client's newest saved version (1 query), or None."""
    return (
        PlanVersion.objects.filter(plan__client=client).select_related("plan", "created_by").order_by("-number").first()
    )


@dataclass(frozen=True)
class Sent:
    copy: PhoneCopy
    token: str  # shown once, on the clinician's screen, and never stored


@transaction.atomic
def send_to_phone(*, client: Client, by: User, ip: str | None = None) -> Sent:
    """A new one-time link to the client's latest version (valid for SAFETYPLAN_PHONE_LINK_MINUTES)."""
    if not PlanVersion.objects.filter(plan__client=client).exists():
        raise NoVersion
    token = tokens.new_link_token()
    now = timezone.now()
    copy = PhoneCopy.objects.create(
        client=client,
        created_by=by,
        created_at=now,
        link_hash=tokens.digest(token),
        link_expires_at=now + timedelta(minutes=settings.PHONE_LINK_MINUTES),
    )
    audit.record(action=Action.PHONE_SENT, by=by, client=client, target=f"phone:{copy.pk}", ip=ip)
    return Sent(copy, token)


@transaction.atomic
def revoke_phone_copy(*, copy: PhoneCopy, by: User, ip: str | None = None) -> PhoneCopy:
    """Take a copy back: its link stops working, and the phone removes the plan at its next check."""
    if copy.revoked_at is None:
        copy.revoked_at = timezone.now()
        copy.revoked_by = by
        copy.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(action=Action.PHONE_REVOKED, by=by, client_id=copy.client_id, target=f"phone:{copy.pk}", ip=ip)
    return copy


class Outcome(StrEnum):
    OPENED = "opened"
    CURRENT = "current"  # the phone already holds the latest version
    UPDATED = "updated"  # the phone is given a newer version
    REFUSED = "refused"  # used, expired, taken back, or not ours at all


@dataclass(frozen=True)
class PhoneAnswer:
    outcome: Outcome
    copy: PhoneCopy | None = None
    version: PlanVersion | None = None
    secret: str = ""  # only when a link is opened: the device secret, handed to the phone once


def _refuse(copy: PhoneCopy | None, why: str, ip: str | None) -> PhoneAnswer:
    target = f"phone:{copy.pk} {why}" if copy is not None else f"phone:unknown {why}"
    audit.record(action=Action.PHONE_REFUSED, by=None, client_id=copy.client_id if copy else None, target=target, ip=ip)
    return PhoneAnswer(Outcome.REFUSED, copy)


@transaction.atomic
def open_link(*, token: str, ip: str | None = None) -> PhoneAnswer:
    """A phone opens a link: the first open within its minutes gets the latest version and a device secret;
    every other open is refused (and audited)."""
    found = PhoneCopy.objects.select_related("client").filter(link_hash=tokens.digest(token))
    copy = found.first() if tokens.well_formed(token) else None
    if copy is None:
        return _refuse(None, "link", ip)
    now = timezone.now()
    version = latest_version(copy.client)
    if version is None or copy.client.archived_at is not None:
        return _refuse(copy, "link-unavailable", ip)
    secret = tokens.new_device_secret()
    # One conditional UPDATE: of two phones opening the same link at once, exactly one wins.
    won = PhoneCopy.objects.filter(
        pk=copy.pk, opened_at__isnull=True, revoked_at__isnull=True, link_expires_at__gt=now
    ).update(
        opened_at=now,
        secret_hash=tokens.digest(secret),
        version_number=version.number,
        last_checked_at=now,
        last_updated_at=now,
    )
    if not won:
        why = (
            "revoked"
            if copy.revoked_at
            else "expired"
            if copy.opened_at is None and copy.link_expires_at <= now
            else "used"
        )
        return _refuse(copy, f"link-{why}", ip)
    copy.opened_at = copy.last_checked_at = copy.last_updated_at = now
    copy.secret_hash, copy.version_number = tokens.digest(secret), version.number
    audit.record(action=Action.PHONE_OPENED, by=None, client_id=copy.client_id, target=f"phone:{copy.pk}", ip=ip)
    return PhoneAnswer(Outcome.OPENED, copy, version, secret)


@transaction.atomic
def check_phone(*, secret: str, held: int | None, ip: str | None = None) -> PhoneAnswer:
    """A phone asks, with its secret, whether it holds the latest version; a newer one is handed over.

    A secret that was taken back, or that is not ours, is refused: the phone then removes its copy.
    """
    copy = (
        PhoneCopy.objects.select_related("client").filter(secret_hash=tokens.digest(secret)).first()
        if tokens.well_formed(secret)
        else None
    )
    if copy is None:
        return _refuse(None, "secret", ip)
    if copy.revoked_at is not None:
        return _refuse(copy, "revoked", ip)
    if copy.client.archived_at is not None:
        return _refuse(copy, "archived", ip)
    version = latest_version(copy.client)
    if version is None:  # versions are append-only, so this cannot happen once opened; refuse rather than guess
        return _refuse(copy, "no-version", ip)
    now = timezone.now()
    copy.last_checked_at = now
    if held == version.number and copy.version_number == version.number:
        copy.save(update_fields=["last_checked_at"])
        return PhoneAnswer(Outcome.CURRENT, copy, version)
    if copy.version_number == version.number:  # the phone lost its copy or is behind: the same version again
        copy.save(update_fields=["last_checked_at"])
        return PhoneAnswer(Outcome.UPDATED, copy, version)
    copy.version_number = version.number
    copy.last_updated_at = now
    copy.save(update_fields=["last_checked_at", "version_number", "last_updated_at"])
    target = f"phone:{copy.pk} version:{version.number}"
    audit.record(action=Action.PHONE_UPDATED, by=None, client_id=copy.client_id, target=target, ip=ip)
    return PhoneAnswer(Outcome.UPDATED, copy, version)
