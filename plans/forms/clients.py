"""Adding and editing a client, and searching the client list."""

import contextlib
import datetime
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Client
from .fields import PersonTextField


class ClientForm(forms.ModelForm[Client]):
    """A client's details. Saving is the action's job: the view passes `form.instance` to it."""

    name = PersonTextField(label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    preferred_name = PersonTextField(
        label=_("Preferred name"),
        max_length=100,
        required=False,
        help_text=_("What the client likes to be called. Used on the printed plan."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    record_number = PersonTextField(label=_("Record number"), max_length=50, required=False)
    # A one-time token, so the same form submitted twice adds one client.
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Client
        fields = ("name", "preferred_name", "record_number", "preferred_language", "date_of_birth")
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.is_bound:
            self.initial["token"] = uuid.uuid4()

    def _get_validation_exclusions(self) -> set[str]:
        # clean_record_number checks uniqueness itself: a double submit of this very form is no clash.
        exclusions: set[str] = super()._get_validation_exclusions()  # type: ignore[misc]  # django-stubs omits this private method
        return exclusions | {"record_number"}

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        if not name:
            raise ValidationError(_("Enter the client's name."), code="required")
        return name

    def clean_record_number(self) -> str:
        number: str = self.cleaned_data["record_number"]
        if number:
            clash = Client.objects.filter(record_number=number)
            if self.instance.pk is not None:
                clash = clash.exclude(pk=self.instance.pk)
            else:
                # This very form submitted twice is no clash: the view answers "already added" instead.
                with contextlib.suppress(ValueError):
                    clash = clash.exclude(creation_token=uuid.UUID(str(self.data.get(self.add_prefix("token")))))
            if clash.exists():
                raise ValidationError(_("Another client already has this record number."), code="taken")
        return number

    def clean_date_of_birth(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data["date_of_birth"]
        if value is not None:
            if value > timezone.localdate():
                raise ValidationError(_("The date of birth can't be in the future."), code="future")
            if value.year < 1900:
                raise ValidationError(_("Check the year of birth."), code="too_old")
        return value


class ClientSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or record number"), required=False, max_length=100)
