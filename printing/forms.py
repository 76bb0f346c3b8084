"""Print options: paper size and clinician notes for the plan; the entries chosen for the wallet card."""

from collections.abc import Collection
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

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


class CardChoiceForm(forms.Form):
    """Which entries go on the card. Unknown uids (an entry removed since the page was opened) are ignored."""

    size = forms.ChoiceField(label=_("Paper"), choices=PAGE_SIZE_CHOICES, required=False, widget=forms.RadioSelect)
    entry = _Uids(label=_("On the card"), required=False)
    choose = forms.BooleanField(required=False, widget=forms.HiddenInput)

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
    def chosen(self) -> frozenset[str] | None:
        """The entries asked for, or None when the request did not choose (use the saved choice)."""
        if self.is_bound and self.is_valid() and self.cleaned_data["choose"]:
            return frozenset(self.cleaned_data["entry"])
        return None
