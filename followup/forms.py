"""Follow-up forms: starting, recording an attempt (or correcting a record), ending, a confirmation of an
agreed step for safer surroundings, and the team view's period. They validate and normalise; views call
the actions."""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.forms.fields import PersonTextField
from plans.steps import STEPS

from .models import ContactRecord, FollowUp

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# What only a contact that reached the client records.
REACHED_FIELDS = (
    "how_doing",
    "used_plan",
    "steps_helped",
    "got_in_way",
    "means_checked",
    "next_appointment",
    "appointment_note",
)


class StartForm(forms.Form):
    setting = forms.ChoiceField(
        label=gettext_lazy("Where the plan was made"),
        choices=FollowUp.Setting.choices,
        widget=forms.RadioSelect,
    )
    started_at = forms.DateTimeField(
        label=gettext_lazy("Discharge or visit ended at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("The first contact is due within 72 hours of this time."),
    )

    def clean_started_at(self) -> datetime.datetime:
        value: datetime.datetime = self.cleaned_data["started_at"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        now = timezone.now()
        if value > now + datetime.timedelta(minutes=5):
            raise ValidationError(_("This time can't be in the future."))
        if value < now - datetime.timedelta(days=30):
            raise ValidationError(_("Choose a time within the last 30 days."))
        return value


class ContactForm(forms.Form):
    reached = forms.TypedChoiceField(
        label=gettext_lazy("Did you reach the client?"),
        choices=[("yes", gettext_lazy("Yes, we talked")), ("no", gettext_lazy("No, not this time"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(
        label=gettext_lazy("How"), choices=ContactRecord.Method.choices, widget=forms.RadioSelect
    )
    left_message = forms.BooleanField(label=gettext_lazy("Left a message (not reached)"), required=False)
    how_doing = PersonTextField(
        label=gettext_lazy("How they are doing"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        help_text=gettext_lazy("A short note for the record, including how safe they feel now."),
    )
    used_plan = forms.ChoiceField(
        label=gettext_lazy("The plan since the last contact"),
        choices=[("", gettext_lazy("Not recorded")), *ContactRecord.UsedPlan.choices],
        required=False,
    )
    steps_helped = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Which steps helped"),
        choices=[(step.number, step.heading) for step in STEPS],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    got_in_way = PersonTextField(
        label=gettext_lazy("What got in the way"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )
    means_checked = forms.BooleanField(
        label=gettext_lazy("The agreed steps for safer surroundings were checked together (listed above)"),
        required=False,
    )
    next_appointment = forms.DateField(label=gettext_lazy("Next appointment"), required=False, widget=DATE_WIDGET)
    appointment_note = PersonTextField(
        label=gettext_lazy("About the next appointment"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        help_text=gettext_lazy("With whom, and what might get in the way of going (and what was agreed about it)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reached") is False:
            # Nothing typed is dropped silently: details of a talk can't go with "not reached".
            filled = [name for name in REACHED_FIELDS if data.get(name)]
            for name in filled:
                self.add_error(name, _("You said the client was not reached. Clear this, or choose “Yes, we talked”."))
            if data.get("version"):
                raise ValidationError(
                    _(
                        "A plan version was saved during this contact, so the client was reached: choose “Yes, we talked”."
                    )
                )
        if data.get("reached") and data.get("left_message"):
            self.add_error("left_message", _("A message is only left when the client was not reached."))
        return data


class CorrectionForm(ContactForm):
    correction_note = PersonTextField(
        label=gettext_lazy("What you are correcting, and why"),
        max_length=200,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )

    def __init__(self, *args: Any, reached: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Whether the client was reached is kept: the schedule has moved on from it.
        self.fields["reached"].disabled = True
        self.fields["reached"].initial = "yes" if reached else "no"
        self.fields["reached"].help_text = _("This can't be corrected: the next contact was scheduled from it.")


class EndForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why follow-up ends"), choices=FollowUp.EndReason.choices, widget=forms.RadioSelect
    )
    note = PersonTextField(
        label=gettext_lazy("Note (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        help_text=gettext_lazy("For example, the service the client now sees. Not the plan's content."),
    )


class ConfirmForm(forms.Form):
    uid = forms.UUIDField(widget=forms.HiddenInput)
    confirmed_on = forms.DateField(label=gettext_lazy("Confirmed done on"), widget=DATE_WIDGET)

    def clean_confirmed_on(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["confirmed_on"]
        if value > timezone.localdate():
            raise ValidationError(_("The date can't be in the future."))
        return value


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=DATE_WIDGET)
    end = forms.DateField(label=gettext_lazy("To"), widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError(_("The period must start before it ends."))
        if start and end and (end - start).days > 3 * 366:
            raise ValidationError(_("Choose a period of three years or less."))
        return data
