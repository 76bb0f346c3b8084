"""The audit trail: append-only, hash-chained events (see plans/audit.py)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEventIsImmutableError(Exception):
    pass


class AuditAction(models.TextChoices):
    """What an audit event records (action names only)."""

    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_OUT = "sign_out", _("Signed out")
    MFA_CHANGED = "mfa_changed", _("Sign-in security changed")
    CLIENT_CREATED = "client_created", _("Client added")
    CLIENT_EDITED = "client_edited", _("Client details edited")
    CLIENT_VIEWED = "client_viewed", _("Client viewed")
    PLAN_VIEWED = "plan_viewed", _("Plan viewed")
    PLAN_EDITED = "plan_edited", _("Plan edited")
    CONFLICT_RESOLVED = "conflict_resolved", _("Conflict resolved")
    VERSION_SAVED = "version_saved", _("Version saved")
    VERSION_RESTORED = "version_restored", _("Version restored")
    PRINTED = "printed", _("Printed or downloaded")
    CARE_TEAM_CHANGED = "care_team_changed", _("Care team changed")
    EXPORTED = "exported", _("Exported")
    ARCHIVED = "archived", _("Archived")
    UNARCHIVED = "unarchived", _("Taken out of the archive")
    CLIENT_LIST_VIEWED = "client_list_viewed", _("Client list viewed")
    ACCESS_DENIED = "access_denied", _("Access denied")
    CSRF_FAILED = "csrf_failed", _("Form refused (CSRF)")
    LOCKED_OUT = "locked_out", _("Locked out")
    MFA_FAILED = "mfa_failed", _("Wrong second-factor code")
    MFA_LOCKED = "mfa_locked", _("Second step locked")


# What the admin's "Security events" filter selects.
SECURITY_ACTIONS = (
    AuditAction.SIGN_IN_FAILED,
    AuditAction.ACCESS_DENIED,
    AuditAction.CSRF_FAILED,
    AuditAction.LOCKED_OUT,
    AuditAction.MFA_FAILED,
    AuditAction.MFA_LOCKED,
)


class AuditEvent(models.Model):
    """Who did what to which client, when and from where. IDs and action names only, never content.

    Append-only: no code path updates or deletes one, and database triggers (migration 0005) refuse
    it too. Each event carries `hash` = sha256(prev_hash + canonical JSON of its fields), chained to
    the event before it; `manage.py verify_audit_chain` recomputes the chain. Written only by
    plans.audit.record, inside the transaction of the action it records.
    """

    Action = AuditAction

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("who")
    )
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    # A plain number, not a foreign key: the trail outlives whatever it points at.
    client_id = models.PositiveBigIntegerField(_("client ID"), null=True, blank=True, db_index=True)
    target = models.CharField(_("target"), max_length=100, blank=True, help_text=_("IDs only, like version:3."))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        constraints = [
            # One successor per event: the chain can't fork, even if the lock were bypassed.
            models.UniqueConstraint(fields=["prev_hash"], name="audit_event_prev_hash_unique"),
            models.UniqueConstraint(fields=["hash"], name="audit_event_hash_unique"),
            models.CheckConstraint(condition=Q(action__in=AuditAction.values), name="audit_event_action_valid"),
        ]

    def __str__(self) -> str:
        # IDs only.
        return f"Audit event #{self.pk}: {self.action} (client #{self.client_id}, user #{self.actor_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditEventIsImmutableError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditEventIsImmutableError("audit events are append-only")


class AuditChainHead(models.Model):
    """One row: the hash of the newest audit event. Locked (SELECT ... FOR UPDATE) to append, so
    concurrent appends queue up and each links to the one before it."""

    hash = models.CharField(max_length=64)
    event_id = models.PositiveBigIntegerField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="audit_chain_head_single_row")]

    def __str__(self) -> str:
        return f"Audit chain head (event #{self.event_id})"
