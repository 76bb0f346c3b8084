"""The audit trail: append-only, hash-chained events and signed checkpoints (see plans/audit/)."""

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
    CLIENT_LIST_VIEWED = "client_list_viewed", _("Client list or search viewed")
    # Security events: attempts that were refused.
    ACCESS_DENIED = "access_denied", _("Access refused")
    CSRF_FAILED = "csrf_failed", _("Form refused (CSRF)")
    LOCKED_OUT = "locked_out", _("Locked out after failed sign-ins")
    MFA_FAILED = "mfa_failed", _("Wrong second-step code")
    MFA_LOCKED = "mfa_locked", _("Second-step codes paused")
    # The client's phone copy.
    PHONE_SENT = "phone_sent", _("Plan sent to a phone")
    PHONE_OPENED = "phone_opened", _("Phone copy opened")
    PHONE_UPDATED = "phone_updated", _("Phone copy updated")
    PHONE_REVOKED = "phone_revoked", _("Phone copy taken back")
    PHONE_REFUSED = "phone_refused", _("Phone link or copy refused")
    # Follow-up contacts after the visit.
    FOLLOWUP_STARTED = "followup_started", _("Follow-up started")
    CONTACT_RECORDED = "contact_recorded", _("Follow-up contact recorded")
    FOLLOWUP_ENDED = "followup_ended", _("Follow-up ended")
    WORKLIST_VIEWED = "worklist_viewed", _("Contacts due viewed")
    TEAM_REPORT_VIEWED = "team_report_viewed", _("Team follow-up report viewed or exported")


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

    Append-only: no code path updates or deletes one, and database triggers (migrations 0005 and
    0013) refuse it too. Events form many chains, one per client ("client:42"), one per user for
    events about no client ("user:7"), and "system" for events with neither; the events of before
    chains existed form the closed chain "legacy". In its chain, an event has the next `seq` and
    `hash` = sha256(prev_hash + canonical JSON of its fields, chain and seq included), chained to the
    event before it. `manage.py verify_audit_chain` recomputes every chain against the signed
    checkpoints (`AuditCheckpoint`). Written only by plans.audit.record, inside the transaction of
    the action it records.
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
    chain = models.CharField(_("chain"), max_length=40)
    seq = models.PositiveBigIntegerField(_("number in its chain"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        constraints = [
            # One event per place in a chain, and one successor per event: a chain can't fork.
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq_unique"),
            models.UniqueConstraint(fields=["chain", "prev_hash"], name="audit_event_chain_prev_hash_unique"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="audit_event_seq_positive"),
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


class AuditCheckpoint(models.Model):
    """The heads (chain, seq, hash) of the audit chains at one moment, signed with HMAC-SHA256 by a key
    kept outside the database (settings.AUDIT_CHECKPOINT_KEY), so whoever can write to the database
    cannot make one up. Checkpoint N holds the head of every chain that moved since checkpoint N-1
    (the first, every chain), and the MAC of N-1: read in order, checkpoints 1..N give every chain's
    head at N's moment. Written by `manage.py audit_checkpoint`; append-only like the events."""

    number = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField()
    previous = models.CharField(max_length=64, blank=True)  # the MAC of checkpoint number - 1
    heads = models.JSONField()  # [[chain, seq, hash], ...] sorted by chain
    mac = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        constraints = [models.CheckConstraint(condition=Q(number__gte=1), name="audit_checkpoint_number_positive")]

    def __str__(self) -> str:
        return f"Audit checkpoint #{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditEventIsImmutableError("audit checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditEventIsImmutableError("audit checkpoints are append-only")
