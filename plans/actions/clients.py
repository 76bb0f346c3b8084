"""Adding, editing, archiving and taking a client out of the archive."""

import uuid
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import audit
from ..models import (
    AuditEvent,
    CareTeamMember,
    Client,
)
from .common import NotAllowedError

Action = AuditEvent.Action


@dataclass(frozen=True)
class ClientData:
    name: str
    preferred_name: str = ""
    record_number: str = ""
    preferred_language: str = "en"
    date_of_birth: date | None = None

    @classmethod
    def of(cls, client: Client) -> "ClientData":
        """The details held by a (possibly unsaved) client, such as a ClientForm's instance."""
        return cls(
            name=client.name,
            preferred_name=client.preferred_name,
            record_number=client.record_number,
            preferred_language=client.preferred_language,
            date_of_birth=client.date_of_birth,
        )


class DuplicateSubmitError(Exception):
    def __init__(self, client: Client) -> None:
        super().__init__(client.pk)
        self.client = client


@transaction.atomic
def create_client(*, by: User, data: ClientData, token: uuid.UUID | None = None, ip: str | None = None) -> Client:
    """Add a client with `by` as lead clinician. A repeated submit of the same form adds nothing."""
    if token is not None:
        existing = Client.objects.visible_to(by).filter(creation_token=token).first()
        if existing is not None:
            raise DuplicateSubmitError(existing)
    try:
        with transaction.atomic():
            client = Client.objects.create(
                name=data.name,
                preferred_name=data.preferred_name,
                record_number=data.record_number,
                preferred_language=data.preferred_language,
                date_of_birth=data.date_of_birth,
                created_by=by,
                creation_token=token,
            )
    except IntegrityError:
        existing = Client.objects.visible_to(by).filter(creation_token=token).first() if token else None
        if existing is not None:
            raise DuplicateSubmitError(existing) from None
        raise
    CareTeamMember.objects.create(client=client, user=by, role=CareTeamMember.Role.LEAD)
    audit.record(action=Action.CLIENT_CREATED, by=by, client=client, ip=ip)
    return client


@transaction.atomic
def update_client(*, client: Client, by: User, data: ClientData, ip: str | None = None) -> Client:
    client.name = data.name
    client.preferred_name = data.preferred_name
    client.record_number = data.record_number
    client.preferred_language = data.preferred_language
    client.date_of_birth = data.date_of_birth
    client.save()
    audit.record(action=Action.CLIENT_EDITED, by=by, client=client, ip=ip)
    return client


def _check_may_change_clients(by: User) -> None:
    if not (by.is_active and by.has_perm("plans.change_client")):
        raise NotAllowedError


@transaction.atomic
def archive_client(*, client: Client, by: User, ip: str | None = None) -> bool:
    """Hide a client from every list and page (history is kept). False if it already was."""
    _check_may_change_clients(by)
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if locked.archived_at is not None:
        return False
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at"])
    client.archived_at = locked.archived_at
    audit.record(action=Action.ARCHIVED, by=by, client=client, ip=ip)
    return True


@transaction.atomic
def unarchive_client(*, client: Client, by: User, ip: str | None = None) -> bool:
    """Bring an archived client back to its care team's lists. False if it was not archived."""
    _check_may_change_clients(by)
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if locked.archived_at is None:
        return False
    locked.archived_at = None
    locked.save(update_fields=["archived_at"])
    client.archived_at = None
    audit.record(action=Action.UNARCHIVED, by=by, client=client, ip=ip)
    return True
