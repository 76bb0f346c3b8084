"""Clients and their care teams."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..languages import CLIENT_LANGUAGE_CHOICES


class ClientQuerySet(models.QuerySet["Client"]):
    def visible_to(self, user: "User | AnonymousUser") -> "ClientQuerySet":
        """The only way a client's data is read: clients whose care team includes `user`."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(care_team__user=user, archived_at__isnull=True)


class Client(models.Model):
    name = models.CharField(_("full name"), max_length=200)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    record_number = models.CharField(_("record number"), max_length=50, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=CLIENT_LANGUAGE_CHOICES, default="en"
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Set from a hidden one-time token in the "add client" form so a double submit adds one client.
    creation_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name", "pk"]
        permissions = [("export_client", _("Can export everything held about a client"))]
        constraints = [
            models.UniqueConstraint(
                fields=["record_number"],
                condition=~Q(record_number=""),
                name="client_record_number_unique",
            ),
            models.UniqueConstraint(fields=["creation_token"], name="client_creation_token_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="client_name_not_blank"),
        ]

    def __str__(self) -> str:
        # IDs only: this string can end up in logs and admin history.
        return f"Client #{self.pk}"

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.name


class CareTeamMember(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead clinician")
        MEMBER = "member", _("Care-team member")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_teams")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("care-team member")
        verbose_name_plural = _("care-team members")
        constraints = [
            models.UniqueConstraint(fields=["client", "user"], name="care_team_member_unique"),
            models.CheckConstraint(condition=Q(role__in=["lead", "member"]), name="care_team_role_valid"),
        ]

    def __str__(self) -> str:
        return f"Care team member #{self.pk} (client #{self.client_id}, user #{self.user_id})"
