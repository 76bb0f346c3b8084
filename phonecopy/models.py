"""A copy of a client's plan on a phone: the one-time link that puts it there, and the phone that holds it.

Only SHA-256 hashes of the link token and of the device secret are stored, never the values: a copy of
the database opens no link and reads no phone's plan.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Client


class PhoneCopyQuerySet(models.QuerySet["PhoneCopy"]):
    def held(self) -> "PhoneCopyQuerySet":
        """Copies on a phone now: opened and not taken back."""
        return self.filter(opened_at__isnull=False, revoked_at__isnull=True)


class PhoneCopy(models.Model):
    """One "Send to phone": a link that works once, within minutes, and the phone that opened it."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="phone_copies")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    link_hash = models.CharField(max_length=64, unique=True)  # sha256 hex of the link token
    link_expires_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    secret_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)  # sha256 of the device secret
    version_number = models.PositiveIntegerField(null=True, blank=True)  # the version the phone holds
    last_checked_at = models.DateTimeField(null=True, blank=True)  # the phone's last online check
    last_updated_at = models.DateTimeField(null=True, blank=True)  # when it last received a version
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = PhoneCopyQuerySet.as_manager()

    class Meta:
        verbose_name = _("copy on a phone")
        verbose_name_plural = _("copies on phones")
        ordering = ["client", "-created_at"]
        constraints = [
            # A phone holds a secret exactly when the link was opened.
            models.CheckConstraint(
                condition=Q(opened_at__isnull=True, secret_hash__isnull=True)
                | Q(opened_at__isnull=False, secret_hash__isnull=False),
                name="phone_copy_secret_when_opened",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False),
                name="phone_copy_revoked_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"Phone copy #{self.pk} of client #{self.client_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def link_pending(self) -> bool:
        """The link has not been opened, is still valid, and was not taken back."""
        return self.opened_at is None and self.revoked_at is None and self.link_expires_at > timezone.now()
