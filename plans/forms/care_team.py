"""Adding someone to a client's care team, by username."""

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import CareTeamMember, Client


class AddMemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=CareTeamMember.Role.choices, initial=CareTeamMember.Role.MEMBER)

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["username"].widget.attrs.update({"autocomplete": "off", "autocapitalize": "none"})

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise ValidationError(_("No active clinician has this username."), code="unknown")
        if self.client.care_team.filter(user=user).exists():
            raise ValidationError(_("This person is already on the care team."), code="member")
        return user
