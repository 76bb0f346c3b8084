"""Print options: paper size and clinician notes for the plan; the entries chosen for the wallet card."""

import re
from collections.abc import Collection
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from plans.forms.fields import PersonTextField

PAGE_SIZE_CHOICES = [("letter", _("Letter (8.5 × 11 in)")), ("a4", _("A4 (210 × 297 mm)"))]


class PrintOptionsForm(forms.Form):
    size = forms.ChoiceField(label=_("Paper"), choices=PAGE_SIZE_CHOICES, required=False, widget=forms.RadioSelect)
    notes = forms.BooleanField(
        label=_("Include clinician notes"),
        required=False,
        help_text=_("How likely each step is to be used and what might get in the way. Left off the client's copy."),
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, initial={"size": settings.PRINT_PAGE_SIZE}, **kwargs)

    @property
    def page_size(self) -> str:
        """The chosen paper, or the organisation's when none (or something unknown) was asked for."""
        if self.is_valid() and self.cleaned_data["size"]:
            return str(self.cleaned_data["size"])
        return str(settings.PRINT_PAGE_SIZE)

    @property
    def include_notes(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data["notes"])


class _Uids(forms.MultipleChoiceField):
    """Any list of strings; CardChoiceForm keeps only those that are entries of the plan."""

    def validate(self, value: Any) -> None:
        pass


# Words a discreet card must not carry on its face (the client keeps it in a wallet or a phone case).
NOT_DISCREET = re.compile(r"suicid|safety\s*plan|self[-\s]*harm|crisis\s*plan|plan\s+de\s+seguridad", re.IGNORECASE)


class CardChoiceForm(forms.Form):
    """Which entries go on the card, and its title. Unknown uids (an entry removed since the page was
    opened) are ignored."""

    size = forms.ChoiceField(label=_("Paper"), choices=PAGE_SIZE_CHOICES, required=False, widget=forms.RadioSelect)
    entry = _Uids(label=_("On the card"), required=False)
    choose = forms.BooleanField(required=False, widget=forms.HiddenInput)
    discreet = forms.BooleanField(
        label=_("Use a discreet title"),
        required=False,
        help_text=_("The card then says nothing about suicide or a safety plan, for a wallet or a phone case."),
    )
    title = PersonTextField(
        label=_("Title on the front"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"dir": "auto", "placeholder": _("For example: My plan")}),
    )

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"]
        if title and NOT_DISCREET.search(title):
            raise ValidationError(
                _("A discreet title should not say what the card is about. Try something like “My plan”."),
                code="not_discreet",
            )
        return title

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("discreet") and not cleaned.get("title") and "title" not in self.errors:
            cleaned["title"] = str(_("My plan"))
        if not cleaned.get("discreet"):
            cleaned["title"] = ""
        return cleaned

    def __init__(self, data: Any = None, *, candidates: Collection[str], **kwargs: Any) -> None:
        super().__init__(data, initial={"size": settings.PRINT_PAGE_SIZE}, **kwargs)
        self.candidates = frozenset(candidates)

    def clean_entry(self) -> frozenset[str]:
        return frozenset(self.cleaned_data["entry"]) & self.candidates

    @property
    def page_size(self) -> str:
        if self.is_valid() and self.cleaned_data["size"]:
            return str(self.cleaned_data["size"])
        return str(settings.PRINT_PAGE_SIZE)

    @property
    def readable(self) -> bool:
        """Bound data the app can read: nothing is wrong but, perhaps, a title to correct."""
        return self.is_bound and not (set(self.errors) - {"title"})

    @property
    def chosen(self) -> frozenset[str] | None:
        """The entries asked for (even while the title needs correcting), or None when the request did not
        choose (use the saved choice)."""
        if self.readable and self.cleaned_data.get("choose"):
            return frozenset(self.cleaned_data.get("entry", ()))
        return None

    @property
    def card_title(self) -> str:
        """The title asked for: "" for ours (and while a discreet title needs correcting)."""
        return str(self.cleaned_data.get("title", "")) if self.readable and self.is_valid() else ""
