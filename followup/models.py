"""Follow-up after the visit: a follow-up (started, ended once), its scheduled contacts, and the records of
each attempt at a contact.

Contacts and contact records are append-only (database triggers, migration 0001, refuse UPDATE and
DELETE): a record is never edited in place, a correction is a new record that points to the one it
corrects. A follow-up is written twice at most: when it starts, and once when it ends (a trigger refuses
any other change, and every delete).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Client, PlanVersion
from plans.steps import STEP_NUMBERS

# The study's schedule: the first contact within 72 hours of the start, then about weekly, at least two.
FIRST_CONTACT_HOURS = 72
DAYS_BETWEEN_CONTACTS = 7
MIN_CONTACTS_BEFORE_ENGAGED = 2


class RecordIsImmutableError(Exception):
    pass


class FollowUp(models.Model):
    class Setting(models.TextChoices):
        DISCHARGE = "discharge", _("Discharge from the emergency department or hospital")
        FIRST_VISIT = "first_visit", _("First visit")

    class EndReason(models.TextChoices):
        ENGAGED = "engaged", _("Engaged in care")
        CLIENT_CHOSE = "client_chose", _("The client chose to stop follow-up")
        TRANSFERRED = "transferred", _("Care moved to another service")
        NOT_REACHED = "not_reached", _("Could not be reached")
        OTHER = "other", _("Another reason")

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="follow_ups")
    setting = models.CharField(_("where the plan was made"), max_length=20, choices=Setting.choices)
    started_at = models.DateTimeField(_("started"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    end_reason = models.CharField(_("why it ended"), max_length=20, choices=EndReason.choices, blank=True)
    # A short note about the ending (never the plan's content).
    end_note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(ended_at__isnull=True), name="followup_one_open_per_client"
            ),
            models.CheckConstraint(
                condition=Q(setting__in=["discharge", "first_visit"]), name="followup_setting_valid"
            ),
            models.CheckConstraint(
                condition=(Q(ended_at__isnull=True) & Q(ended_by__isnull=True) & Q(end_reason="") & Q(end_note=""))
                | (
                    Q(ended_at__isnull=False)
                    & Q(ended_by__isnull=False)
                    & Q(end_reason__in=["engaged", "client_chose", "transferred", "not_reached", "other"])
                ),
                name="followup_end_complete",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")), name="followup_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up #{self.pk} (client #{self.client_id})"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RecordIsImmutableError("follow-ups are never deleted")


class ContactQuerySet(models.QuerySet["Contact"]):
    def open(self) -> "ContactQuerySet":
        """The contact each running follow-up is waiting for: its newest (the next one is scheduled as soon
        as one is completed or runs out of attempts, so the newest is the one still open)."""
        later = Contact.objects.filter(follow_up=OuterRef("follow_up"), number__gt=OuterRef("number"))
        return self.filter(follow_up__ended_at__isnull=True).exclude(Exists(later))

    def with_attempts(self) -> "ContactQuerySet":
        """Annotated with `attempt_count`: attempts recorded (corrections are not attempts)."""
        return self.annotate(attempt_count=Count("records", filter=Q(records__corrects__isnull=True)))


class Contact(models.Model):
    """One scheduled contact: due by `due_at`; completed when a record says the client was reached, or
    closed when its attempts run out. Append-only: its state is read from its records."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="contacts")
    number = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField(_("due by"))
    attempts_allowed = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up contact")
        verbose_name_plural = _("follow-up contacts")
        ordering = ["follow_up", "number"]
        constraints = [
            models.UniqueConstraint(fields=["follow_up", "number"], name="contact_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="contact_number_positive"),
            models.CheckConstraint(condition=Q(attempts_allowed__gte=1), name="contact_attempts_allowed_positive"),
        ]

    def __str__(self) -> str:
        return f"Contact #{self.pk} ({self.number} of follow-up #{self.follow_up_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RecordIsImmutableError("follow-up contacts are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RecordIsImmutableError("follow-up contacts are append-only")


class ContactRecord(models.Model):
    """What happened at one attempt at a contact. Append-only: a correction is a new record (`corrects`
    the one it replaces, with a note saying what was corrected); the newest of a chain is the one that
    counts. The client's details (how they are doing, what got in the way) are clinician-only: never on a
    worklist, report or reminder."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video")
        IN_PERSON = "in_person", _("In person")
        TEXT = "text", _("Text message")

    class UsedPlan(models.TextChoices):
        USED = "used", _("Used the plan")
        NOT_USED = "not_used", _("Had a hard time and did not use the plan")
        NOT_NEEDED = "not_needed", _("Did not need it since the last contact")
        NOT_DISCUSSED = "not_discussed", _("Not talked about")

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="records")
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )
    correction_note = models.CharField(_("what was corrected"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reached = models.BooleanField(_("reached the client"))
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    left_message = models.BooleanField(_("left a message"), default=False)
    how_doing = models.TextField(_("how they are doing"), blank=True)
    used_plan = models.CharField(
        _("the plan since the last contact"), max_length=20, choices=UsedPlan.choices, blank=True
    )
    # Step numbers that helped, joined by commas ("2,4").
    steps_helped = models.CharField(_("steps that helped"), max_length=20, blank=True)
    got_in_way = models.TextField(_("what got in the way"), blank=True)
    means_checked = models.BooleanField(_("steps for safer surroundings checked"), default=False)
    # The agreed steps for safer surroundings as they stood when this was recorded: [{"uid", "confirmed_on"}].
    means_status = models.JSONField(default=list, blank=True)
    next_appointment = models.DateField(_("next appointment"), null=True, blank=True)
    appointment_note = models.CharField(_("about the next appointment"), max_length=300, blank=True)
    version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("plan version")
    )

    class Meta:
        verbose_name = _("follow-up contact record")
        verbose_name_plural = _("follow-up contact records")
        ordering = ["contact", "attempt", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "attempt"], condition=Q(corrects__isnull=True), name="contact_record_attempt_unique"
            ),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="contact_record_attempt_positive"),
            models.CheckConstraint(
                condition=Q(method__in=["phone", "video", "in_person", "text"]), name="contact_record_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(used_plan__in=["", "used", "not_used", "not_needed", "not_discussed"]),
                name="contact_record_used_plan_valid",
            ),
            # Only a contact that reached the client says anything about the client.
            models.CheckConstraint(
                condition=Q(reached=True, left_message=False)
                | Q(
                    reached=False,
                    how_doing="",
                    used_plan="",
                    steps_helped="",
                    got_in_way="",
                    means_checked=False,
                    next_appointment__isnull=True,
                    appointment_note="",
                    version__isnull=True,
                ),
                name="contact_record_details_only_when_reached",
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True, correction_note="")
                | (Q(corrects__isnull=False) & ~Q(correction_note="")),
                name="contact_record_correction_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"Contact record #{self.pk} (contact #{self.contact_id}, attempt {self.attempt})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RecordIsImmutableError("follow-up contact records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RecordIsImmutableError("follow-up contact records are append-only")

    @property
    def steps_helped_list(self) -> list[int]:
        return [int(n) for n in self.steps_helped.split(",") if n.isdigit() and int(n) in STEP_NUMBERS]

    @property
    def means_confirmed(self) -> int:
        return sum(1 for step in self.means_status if step.get("confirmed_on"))
