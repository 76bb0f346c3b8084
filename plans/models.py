import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .languages import CLIENT_LANGUAGE_CHOICES
from .steps import SECTION_CHOICES, STEP_NUMBERS

LIKELIHOOD_CHOICES = [
    (1, _("1 – very unlikely")),
    (2, _("2 – unlikely")),
    (3, _("3 – not sure")),
    (4, _("4 – likely")),
    (5, _("5 – very likely")),
]


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
        constraints = [
            models.UniqueConstraint(fields=["client", "user"], name="care_team_member_unique"),
            models.CheckConstraint(condition=Q(role__in=["lead", "member"]), name="care_team_role_valid"),
        ]

    def __str__(self) -> str:
        return f"Care team member #{self.pk} (client #{self.client_id}, user #{self.user_id})"


class SafetyPlan(models.Model):
    """The working plan of one client. Entries and per-step notes hang off it."""

    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="plan")
    most_important = models.TextField(_("the thing that matters most"), blank=True)
    # Clinician-only, for the whole plan.
    where_kept = models.CharField(_("where the plan will be kept"), max_length=300, blank=True)
    shared_with = models.CharField(_("who it will be shared with"), max_length=300, blank=True)
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

    class Meta:
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


class CrisisResourceQuerySet(models.QuerySet["CrisisResource"]):
    def on_plans(self) -> "CrisisResourceQuerySet":
        """The crisis lines and emergency numbers every plan carries: active ones of CRISIS_COUNTRY."""
        return self.filter(is_active=True, country=settings.CRISIS_COUNTRY)


class CrisisResource(models.Model):
    """A crisis line or emergency number. Data, edited in the admin; never template text."""

    class Method(models.TextChoices):
        CALL = "call", _("Call")
        TEXT = "text", _("Text")
        CHAT = "chat", _("Chat online")
        CALL_OR_TEXT = "call_text", _("Call or text")

    class Kind(models.TextChoices):
        CRISIS_LINE = "crisis", _("Crisis line")
        EMERGENCY = "emergency", _("Emergency number")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CRISIS_LINE)
    method = models.CharField(_("how to reach"), max_length=10, choices=Method.choices, default=Method.CALL)
    number = models.CharField(_("number or short code"), max_length=32, blank=True)
    text_keyword = models.CharField(_("word to text"), max_length=30, blank=True)
    url = models.URLField(_("web address (chat)"), blank=True)
    hours = models.CharField(_("hours"), max_length=100, blank=True, default="24/7")
    details = models.CharField(_("details"), max_length=200, blank=True)
    country = models.CharField(_("country code"), max_length=2)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CrisisResourceQuerySet.as_manager()

    class Meta:
        ordering = ["country", "kind", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(number="") | ~Q(url=""), name="crisis_resource_reachable"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


class Suggestion(models.Model):
    """An evidence-informed idea a clinician can click to add, then edit into the client's words."""

    section = models.CharField(_("section"), max_length=30, choices=SECTION_CHOICES)
    text = models.CharField(_("text"), max_length=200)
    language = models.CharField(_("language"), max_length=10, default="en")
    caution = models.CharField(
        _("caution for the clinician"),
        max_length=200,
        blank=True,
        help_text=_("Shown to the clinician only, e.g. medical cautions."),
    )
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["section", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class StepText(models.Model):
    """An organisation's own (for example licensed) heading and prompts for a step, per language."""

    step = models.PositiveSmallIntegerField(_("step"), choices=[(n, str(n)) for n in STEP_NUMBERS])
    language = models.CharField(_("language"), max_length=10)
    heading = models.CharField(_("heading"), max_length=200)
    prompt = models.CharField(_("prompt for the clinician"), max_length=400, blank=True)
    together_prompt = models.CharField(_("prompt for the client"), max_length=400, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "language"], name="step_text_unique"),
        ]

    def __str__(self) -> str:
        return f"Step {self.step} ({self.language})"


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

    class Meta:
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

    def __str__(self) -> str:
        return f"Conflict #{self.pk} on plan #{self.plan_id}"


class CardSelection(models.Model):
    """Which entries of a plan the clinician chose for the wallet card (entry uids; see plans/pdf.py)."""

    plan = models.OneToOneField(SafetyPlan, on_delete=models.CASCADE, related_name="card_selection")
    # Entry uids as strings, plus "most-important" for the plan's "what matters most" text.
    entry_uids = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)

    def __str__(self) -> str:
        return f"Card selection #{self.pk} (plan #{self.plan_id})"


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
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="audit_chain_head_single_row")]

    def __str__(self) -> str:
        return f"Audit chain head (event #{self.event_id})"
