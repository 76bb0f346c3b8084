from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import phones
from .models import CareTeamMember, Client, CrisisResource, StepText, Suggestion


class CrisisResourceForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CrisisResource
        fields = (
            "name",
            "kind",
            "method",
            "number",
            "text_keyword",
            "url",
            "hours",
            "details",
            "country",
            "position",
            "is_active",
        )

    def clean_number(self) -> str:
        number: str = self.cleaned_data["number"]
        if not number:
            return ""
        try:
            return phones.normalise(number, allow_short_codes=True)
        except phones.InvalidPhone:
            raise ValidationError(
                _("Enter a short code (3 to 8 digits, like 988 or 116 123) or a full phone number."),
                code="invalid_phone",
            ) from None

    def clean_country(self) -> str:
        country: str = self.cleaned_data["country"].upper()
        if len(country) != 2 or not country.isalpha():
            raise ValidationError(_("Use a two-letter country code, like US or GB."))
        return country


@admin.register(CrisisResource)
class CrisisResourceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = CrisisResourceForm
    list_display = ("name", "kind", "method", "number", "country", "position", "is_active")
    list_filter = ("country", "kind", "is_active")
    list_editable = ("position", "is_active")


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("text", "section", "language", "position", "is_active")
    list_filter = ("section", "language", "is_active")
    list_editable = ("position", "is_active")


@admin.register(StepText)
class StepTextAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("step", "language", "heading")
    list_filter = ("language",)


class CareTeamInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CareTeamMember
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Care teams are managed here. Plan content is never shown in the admin."""

    list_display = ("id", "record_number", "created_at", "archived_at")
    search_fields = ("record_number",)
    fields = ("name", "preferred_name", "record_number", "preferred_language", "date_of_birth", "archived_at")
    inlines = (CareTeamInline,)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
