"""The working plan: its entries, per-step notes, drafts, pending conflicts and the card choice; and versions."""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..steps import SECTION_CHOICES, STEP_NUMBERS
from .clients import Client

LIKELIHOOD_CHOICES = [
    (1, _("1 – very unlikely")),
    (2, _("2 – unlikely")),
    (3, _("3 – not sure")),
    (4, _("4 – likely")),
    (5, _("5 – very likely")),
]


class SafetyPlan(models.Model):
    """The working plan of one client. Entries and per-step notes hang off it."""

    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="plan")
    most_important = models.TextField(_("the thing that matters most"), blank=True)
    # Clinician-only, for the whole plan.
    where_kept = models.CharField(_("where the plan will be kept"), max_length=300, blank=True)
    shared_with = models.CharField(_("who it will be shared with"), max_length=300, blank=True)
    # The copies the client has (plans.steps.COPY_CHOICES keys, joined by commas).
    copy_given = models.CharField(_("copies the client has"), max_length=50, blank=True)
    likelihood_of_use = models.PositiveSmallIntegerField(
        _("how likely the plan is to be used"), null=True, blank=True, choices=LIKELIHOOD_CHOICES
    )
    next_review_date = models.DateField(_("next review"), null=True, blank=True)
    # Bumped by every save; a form posts the revision it was built from (stale and double submits).
    revision = models.PositiveIntegerField(default=0)
    # Step numbers with nothing in them, kept in step with the entries by actions.save_plan.
    empty_steps = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        verbose_name = _("safety plan")
        verbose_name_plural = _("safety plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood_of_use__isnull=True) | Q(likelihood_of_use__gte=1, likelihood_of_use__lte=5),
                name="plan_likelihood_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Safety plan #{self.pk}"

    @property
    def is_complete(self) -> bool:
        return not self.empty_steps


class Entry(models.Model):
    """One line of a step, in the client's own words. Which fields are used depends on `section`."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="entries")
    section = models.CharField(max_length=30, choices=SECTION_CHOICES)
    position = models.PositiveIntegerField()
    # Stable identity across saves (reordering, and comparing versions later).
    uid = models.UUIDField(default=uuid.uuid4)
    text = models.TextField(blank=True)
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=32, blank=True)  # E.164, or a short code
    phone_after_hours = models.CharField(max_length=32, blank=True)
    note = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    who = models.CharField(max_length=200, blank=True)
    by_when = models.CharField(max_length=100, blank=True)
    # Steps for safer surroundings (plans.steps: MEANS, AIDS, CONFIRMED_ON): a choice key, choice keys
    # joined by commas, and a date as YYYY-MM-DD.
    means = models.CharField(max_length=20, blank=True)
    aids = models.CharField(max_length=100, blank=True)
    confirmed_on = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["section", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "section", "position"], name="entry_position_unique"),
            models.UniqueConstraint(fields=["plan", "uid"], name="entry_uid_unique"),
            models.CheckConstraint(
                condition=Q(section__in=[key for key, _label in SECTION_CHOICES]), name="entry_section_valid"
            ),
            models.CheckConstraint(condition=~(Q(text="") & Q(name="")), name="entry_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Entry #{self.pk}"


class StepNote(models.Model):
    """Clinician-only notes for one step: likelihood of use, and what might get in the way."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="step_notes")
    step = models.PositiveSmallIntegerField()
    likelihood = models.PositiveSmallIntegerField(null=True, blank=True, choices=LIKELIHOOD_CHOICES)
    barriers = models.TextField(blank=True)

    class Meta:
        verbose_name = _("step note")
        verbose_name_plural = _("step notes")
        ordering = ["step"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "step"], name="step_note_unique"),
            models.CheckConstraint(condition=Q(step__in=STEP_NUMBERS), name="step_note_step_valid"),
            models.CheckConstraint(
                condition=Q(likelihood__isnull=True) | Q(likelihood__gte=1, likelihood__lte=5),
                name="step_note_likelihood_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Step note #{self.pk}"


class VersionIsImmutableError(Exception):
    pass


class PlanVersion(models.Model):
    """A frozen, numbered version of a plan, made when a review is finished. Append-only.

    No code path updates or deletes one; database triggers (migration 0003) refuse it too.
    """

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review_date = models.DateField(_("review date"))
    note = models.TextField(_("what changed and why"))
    next_review_date = models.DateField(_("next review"), null=True, blank=True)
    snapshot = models.JSONField()
    # The working plan's revision that was frozen.
    revision = models.PositiveIntegerField()
    # What the checklist (plans.checklist) found still generic when the version was saved: unmet item keys.
    checklist = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="plan_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Plan #{self.plan_id} version {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise VersionIsImmutableError("plan versions are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise VersionIsImmutableError("plan versions are append-only")


class PlanDraft(models.Model):
    """What was typed but could not be saved yet (for example a half-typed phone number).

    Autosave keeps the raw form here so no typed word is lost; it is shown again, with its
    messages, the next time the same page is opened. A valid save clears it.
    """

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="drafts")
    scope = models.CharField(max_length=20)  # "all", or "step-N" for together mode
    data = models.JSONField()
    base_revision = models.PositiveIntegerField()
    saved_at = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("plan draft")
        verbose_name_plural = _("plan drafts")
        constraints = [
            models.UniqueConstraint(fields=["plan", "scope", "saved_by"], name="plan_draft_unique"),
        ]

    def __str__(self) -> str:
        return f"Draft #{self.pk} of plan #{self.plan_id}"


class PendingConflict(models.Model):
    """A save from a stale copy that changed the same entries as someone else, awaiting a choice."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="conflicts")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    changes = models.JSONField()
    base = models.TextField()
    scope = models.CharField(max_length=20, default="all")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conflict to resolve")
        verbose_name_plural = _("conflicts to resolve")

    def __str__(self) -> str:
        return f"Conflict #{self.pk} on plan #{self.plan_id}"


class CardSelection(models.Model):
    """Which entries of a plan the clinician chose for the wallet card (entry uids; see printing/card.py),
    and the card's title: ours, or a discreet one the client picks."""

    plan = models.OneToOneField(SafetyPlan, on_delete=models.CASCADE, related_name="card_selection")
    # Entry uids as strings, plus "most-important" for the plan's "what matters most" text.
    entry_uids = models.JSONField(default=list, blank=True)
    # Empty: our title ("My safety plan"). Otherwise the client's own, discreet title, as typed.
    title = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)

    class Meta:
        verbose_name = _("wallet card choice")
        verbose_name_plural = _("wallet card choices")

    def __str__(self) -> str:
        return f"Card selection #{self.pk} (plan #{self.plan_id})"
