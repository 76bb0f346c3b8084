"""Finishing a review: the version's date, the note for the record, and the next review."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .fields import PersonTextField


class VersionForm(forms.Form):
    review_date = forms.DateField(
        label=gettext_lazy("Date of this review"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = PersonTextField(  # normalised like every other typed text: it goes into the permanent record
        label=gettext_lazy("What changed, and why"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=gettext_lazy("A short note for the record, for example: added a new coping step after a hard week."),
    )
    next_review_date = forms.DateField(
        label=gettext_lazy("Next review"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_review_date(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["review_date"]
        if value > timezone.localdate():
            raise ValidationError(_("The review date can't be in the future."))
        if value.year < 2000:
            raise ValidationError(_("Check the year of the review date."))
        return value

    def clean_next_review_date(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data["next_review_date"]
        if value is not None and value > timezone.localdate() + datetime.timedelta(days=2 * 366):
            raise ValidationError(_("Choose a review date within the next two years."))
        return value
