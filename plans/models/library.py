"""What an organisation configures: crisis lines, suggestions to offer, and its own step wording."""

import copy

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..steps import SECTION_CHOICES, STEP_NUMBERS

TRANSLATED_RESOURCE_FIELDS = ("name", "hours", "details", "card_label")


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
    card_label = models.CharField(
        _("short form for the wallet card"),
        max_length=40,
        blank=True,
        help_text=_(
            'What the folded card says for this line, with its number, for example "988: call or text". '
            "Keep it discreet: the card should not need the words suicide or safety plan."
        ),
    )
    # The same line's words in other languages, where the service is offered in them:
    # {"es": {"name": ..., "hours": ..., "details": ..., "card_label": ...}} (edited in the admin).
    translations = models.JSONField(_("in other languages"), default=dict, blank=True)
    country = models.CharField(_("country code"), max_length=2)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CrisisResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("crisis resource")
        verbose_name_plural = _("crisis resources")
        ordering = ["country", "kind", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(number="") | ~Q(url=""), name="crisis_resource_reachable"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    def in_language(self, language: str) -> "CrisisResource":
        """This line with its words in `language` where they exist (a copy; nothing is saved)."""
        words = self.translations.get(language) or self.translations.get(language.split("-")[0]) or {}
        if not words:
            return self
        localized = copy.copy(self)
        for field in TRANSLATED_RESOURCE_FIELDS:
            if words.get(field):
                setattr(localized, field, str(words[field]))
        return localized


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
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
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
        verbose_name = _("step text")
        verbose_name_plural = _("step texts")
        constraints = [
            models.UniqueConstraint(fields=["step", "language"], name="step_text_unique"),
        ]

    def __str__(self) -> str:
        return f"Step {self.step} ({self.language})"


class VaguePhrase(models.Model):
    """Words that often make a plan generic ("call someone", "stay safe"). An entry that holds one gets a gentle
    prompt for the clinician to make it specific; nothing is ever refused. Edited in the admin, per language
    of the words; the prompt is ours, in the clinician's language (plans.vague.PROMPTS)."""

    class Ask(models.TextChoices):
        WHO = "who", _("Who, exactly?")
        WHAT = "what", _("What, exactly?")
        WHERE = "where", _("Where, exactly?")
        HOW = "how", _("How, exactly?")

    phrase = models.CharField(_("words"), max_length=100, help_text=_("Matched as whole words, in any case."))
    language = models.CharField(_("language of the words"), max_length=10, default="en")
    ask = models.CharField(_("what to ask"), max_length=10, choices=Ask.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("vague phrase")
        verbose_name_plural = _("vague phrases")
        ordering = ["language", "phrase"]

    def __str__(self) -> str:
        return self.phrase
