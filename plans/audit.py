"""The audit trail: who did what to which client, when, and from where. IDs and action names only.

`record` appends one `AuditEvent`. It is atomic and meant to be called inside the transaction of
the action it records (plans/actions.py), so the event commits or rolls back with that action.
Appends are serialised by locking the one `AuditChainHead` row, so each event's hash is chained
to the event committed just before it, however many requests run at once. Call `record` as the
last write of an action: it holds that lock until the action's transaction ends.

`verify_chain` recomputes every hash; `manage.py verify_audit_chain` runs it.
"""

import datetime
import hashlib
import ipaddress
import json

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import AuditChainHead, AuditEvent, Client

GENESIS = "0" * 64  # the prev_hash of the first event
HEAD_PK = 1
TARGET_MAX_LENGTH = 100


def _normalise_ip(value: str | None) -> str | None:
    """One spelling per address (so a hash computed before saving matches the row read back)."""
    if not value:
        return None
    text = value.strip().split("%", 1)[0]  # no IPv6 zone: the database column has no room for one
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from.

    REMOTE_ADDR, unless the app runs behind a proxy (settings.SECURE_PROXY_SSL_HEADER is set): then
    the last X-Forwarded-For entry, the one our proxy added. Earlier entries come from the client
    and can be forged.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        from_proxy = _normalise_ip(forwarded.rsplit(",", 1)[-1])
        if from_proxy is not None:
            return from_proxy
    remote = request.META.get("REMOTE_ADDR")
    return _normalise_ip(remote if isinstance(remote, str) else None)


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    prev_hash: str,
    created_at: datetime.datetime,
    actor_id: int | None,
    action: str,
    client_id: int | None,
    target: str,
    ip: str | None,
) -> str:
    """sha256 hex of prev_hash followed by a canonical JSON of the event's fields."""
    canonical = json.dumps(
        {
            "action": action,
            "actor": actor_id,
            "client": client_id,
            "created_at": _timestamp(created_at),
            "ip": _normalise_ip(ip),
            "target": target,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256((prev_hash + canonical).encode("ascii")).hexdigest()


def _locked_head() -> AuditChainHead:
    """The chain head, locked until the end of the transaction (created if it went missing)."""
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is not None:
        return head
    last = AuditEvent.objects.order_by("-pk").values_list("pk", "hash").first()
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        pk=HEAD_PK,
        defaults={"hash": last[1] if last else GENESIS, "event_id": last[0] if last else None},
    )
    return head


# No savepoint of its own: inside an action's transaction, a failure here fails the whole action.
@transaction.atomic(savepoint=False)
def record(
    *,
    action: str,
    by: User | None,
    client: Client | None = None,
    client_id: int | None = None,
    target: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """Append one event. `by` is None when nobody is signed in (a failed sign-in, for example).

    `target` names what was acted on by ID only, like "version:3"; never plan content or names.
    """
    if action not in AuditEvent.Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    if client is not None:
        if client_id is not None and client_id != client.pk:
            raise ValueError("client and client_id disagree")
        client_id = client.pk
    if len(target) > TARGET_MAX_LENGTH:
        raise ValueError("audit target too long")
    head = _locked_head()
    event = AuditEvent(
        created_at=timezone.now(),  # read after the lock: times rise along the chain
        actor=by,
        action=action,
        client_id=client_id,
        target=target,
        ip=_normalise_ip(ip),
        prev_hash=head.hash,
    )
    event.hash = event_hash(
        prev_hash=event.prev_hash,
        created_at=event.created_at,
        actor_id=by.pk if by is not None else None,
        action=action,
        client_id=client_id,
        target=target,
        ip=event.ip,
    )
    event.save(force_insert=True)
    head.hash = event.hash
    head.event_id = event.pk
    head.save(update_fields=["hash", "event_id", "updated_at"])
    return event


def verify_chain() -> tuple[bool, int, int | None]:
    """Recompute the chain: (ok, events checked, id of the first event that does not match).

    Checks the events up to the one the chain head points at (events appended while this runs are
    left for next time). ok is False with no id when the chain itself is intact but does not end
    where the head says it does: events were removed from its end, or the head was changed.
    """
    head = AuditChainHead.objects.filter(pk=HEAD_PK).values_list("hash", "event_id").first()
    events = AuditEvent.objects.order_by("pk")
    if head is not None and head[1] is not None:
        events = events.filter(pk__lte=head[1])
    rows = events.values_list(
        "pk", "prev_hash", "hash", "created_at", "actor_id", "action", "client_id", "target", "ip"
    )
    previous = GENESIS
    checked = 0
    for pk, prev_hash, stored_hash, created_at, actor_id, action, client_id, target, ip in rows.iterator(
        chunk_size=2000
    ):
        checked += 1
        expected = event_hash(
            prev_hash=prev_hash,
            created_at=created_at,
            actor_id=actor_id,
            action=action,
            client_id=client_id,
            target=target,
            ip=ip,
        )
        if prev_hash != previous or stored_hash != expected:
            return False, checked, pk
        previous = stored_hash
    head_hash = head[0] if head is not None else GENESIS
    if head_hash != previous:
        return False, checked, None
    return True, checked, None
