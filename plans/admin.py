import json
from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import CharField, ForeignKey, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import actions, audit, phones
from .access import signed_in_user
from .languages import language_name
from .models import (
    SECURITY_ACTIONS,
    AuditEvent,
    CareTeamMember,
    Client,
    CrisisResource,
    StepText,
    Suggestion,
    VaguePhrase,
)
from .models.library import TRANSLATED_RESOURCE_FIELDS

# The words of a crisis line in each of our other languages, kept in CrisisResource.translations.
TRANSLATION_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
TRANSLATION_FIELDS = {
    f"{field}_{language}": (language, field)
    for language in TRANSLATION_LANGUAGES
    for field in TRANSLATED_RESOURCE_FIELDS
}


class _CrisisResourceForm(forms.ModelForm[CrisisResource]):
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
            "card_label",
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (language, field) in TRANSLATION_FIELDS.items():
            if name in self.fields:
                self.fields[name].initial = (self.instance.translations.get(language) or {}).get(field, "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        translations: dict[str, dict[str, str]] = {}
        for name, (language, field) in TRANSLATION_FIELDS.items():
            value = (cleaned.get(name) or "").strip()
            if value:
                translations.setdefault(language, {})[field] = value
        self.instance.translations = translations
        return cleaned


def _translation_field(language: str, field: str) -> forms.CharField:
    column = CrisisResource._meta.get_field(field)
    assert isinstance(column, CharField)
    return forms.CharField(
        label=f"{capfirst(str(column.verbose_name))} ({language_name(language)})",
        required=False,
        max_length=column.max_length,
    )


CrisisResourceForm = type(
    "CrisisResourceForm",
    (_CrisisResourceForm,),
    {name: _translation_field(language, field) for name, (language, field) in TRANSLATION_FIELDS.items()},
)


def _crisis_resource_fieldsets() -> Any:
    """The line's own fields, then a group of its words for each of our other languages."""
    own = (
        "name",
        "kind",
        "method",
        "number",
        "text_keyword",
        "url",
        "hours",
        "details",
        "card_label",
        "country",
        "position",
        "is_active",
    )
    groups = [
        (
            _("In %(language)s, where the service is offered in it") % {"language": language_name(language)},
            {"fields": tuple(f"{field}_{language}" for field in TRANSLATED_RESOURCE_FIELDS)},
        )
        for language in TRANSLATION_LANGUAGES
    ]
    return ((None, {"fields": own}), *groups)


@admin.register(CrisisResource)
class CrisisResourceAdmin(admin.ModelAdmin[CrisisResource]):
    form = CrisisResourceForm
    fieldsets = _crisis_resource_fieldsets()
    list_display = ("name", "kind", "method", "number", "country", "position", "is_active")
    list_filter = ("country", "kind", "is_active")
    list_editable = ("position", "is_active")


@admin.register(VaguePhrase)
class VaguePhraseAdmin(admin.ModelAdmin[VaguePhrase]):
    """Words that get a gentle prompt in the editor ("call someone": "Who, exactly?"). Nothing is refused."""

    list_display = ("phrase", "language", "ask", "is_active")
    list_filter = ("language", "ask", "is_active")
    search_fields = ("phrase",)


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin[Suggestion]):
    list_display = ("text", "section", "language", "position", "is_active")
    list_filter = ("section", "language", "is_active")
    list_editable = ("position", "is_active")


@admin.register(StepText)
class StepTextAdmin(admin.ModelAdmin[StepText]):
    list_display = ("step", "language", "heading")
    list_filter = ("language",)


class CareTeamFormSet(forms.BaseInlineFormSet[CareTeamMember, Client, forms.ModelForm[CareTeamMember]]):
    def clean(self) -> None:
        super().clean()
        leads = 0
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            if form.cleaned_data.get("role") == CareTeamMember.Role.LEAD:
                leads += 1
        if self.instance.pk is not None and leads == 0:
            raise ValidationError(_("A client always needs at least one lead clinician."))


class _TamperProofAutocomplete(AutocompleteSelect):
    """Showing the form again, Django's autocomplete filters users by the posted id: a tampered one
    ("abc") would be a 500, so it is shown as no choice (the form already says the choice is invalid)."""

    def optgroups(
        self, name: str, value: Sequence[str], attr: dict[str, Any] | None = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        return super().optgroups(name, [v for v in value if _is_id(str(v))], attr)


class CareTeamInline(admin.TabularInline[CareTeamMember, Client]):
    model = CareTeamMember
    formset = CareTeamFormSet
    extra = 1
    autocomplete_fields = ("user",)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "user":
            kwargs["widget"] = _TamperProofAutocomplete(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin[Client]):
    """Care teams are managed here (or by the client's lead clinician in the app). Plan content is never
    shown in the admin. Every change, view, export and archive goes through plans/actions.py and is audited.

    Clients are added by clinicians in the app (they become the lead); the admin can't add one, and
    nothing here deletes one: a client is archived instead, which keeps their history.
    """

    list_display = ("id", "record_number", "created_at", "archived_at")
    list_filter = (("archived_at", admin.EmptyFieldListFilter),)
    search_fields = ("=id", "record_number")
    fields = (
        "name",
        "preferred_name",
        "record_number",
        "preferred_language",
        "date_of_birth",
        "archived_at",
        "audit_trail",
    )
    readonly_fields = ("archived_at", "audit_trail")
    inlines = (CareTeamInline,)
    actions = ("export_json", "archive", "unarchive")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Client | None = None) -> bool:
        return False

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("plans.export_client")

    @admin.display(description=_("Audit trail"))
    def audit_trail(self, obj: Client) -> str:
        url = reverse("admin:plans_auditevent_changelist")
        return format_html('<a href="{}?client_id={}">{}</a>', url, obj.pk, _("Audit events of this client"))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "GET" and _is_id(object_id):
            client = Client.objects.filter(pk=int(object_id)).first()
            if client is not None and self.has_view_or_change_permission(request, client):
                actions.record_access(
                    client=client,
                    by=signed_in_user(request),
                    action=AuditEvent.Action.CLIENT_VIEWED,
                    target="admin",
                    ip=audit.client_ip(request),
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Client, form: forms.ModelForm[Client], change: bool) -> None:
        # Lock the care team before appending to the client's audit chain, the order the app's care-team
        # actions use, so a care-team change made here at the same time as one in the app queues instead
        # of deadlocking.
        list(CareTeamMember.objects.select_for_update().filter(client=obj).values_list("pk", flat=True))
        data = actions.ClientData.of(obj)
        actions.update_client(client=obj, by=signed_in_user(request), data=data, ip=audit.client_ip(request))

    def save_formset(
        self,
        request: HttpRequest,
        form: forms.ModelForm[Client],
        formset: forms.BaseInlineFormSet[Any, Client, Any],
        change: bool,
    ) -> None:
        """Care-team changes through the actions (audited): additions first, removals last, so
        handing over to a new lead works in one save."""
        if formset.model is not CareTeamMember:
            super().save_formset(request, form, formset, change)
            return
        by = signed_in_user(request)
        ip = audit.client_ip(request)
        client = form.instance
        formset.save(commit=False)
        old_users = dict(
            CareTeamMember.objects.filter(pk__in=[m.pk for m, _fields in formset.changed_objects]).values_list(
                "pk", "user"
            )
        )
        removed = [member.user for member in formset.deleted_objects]
        for member in formset.new_objects:
            actions.add_to_care_team(client=client, user=member.user, by=by, role=member.role, ip=ip)
        for member, changed_fields in formset.changed_objects:
            if "user" in changed_fields:
                actions.add_to_care_team(client=client, user=member.user, by=by, role=member.role, ip=ip)
                removed.append(User.objects.get(pk=old_users[member.pk]))
            else:
                actions.set_care_team_role(client=client, user=member.user, role=member.role, by=by, ip=ip)
        for user in removed:
            actions.remove_from_care_team(client=client, user=user, by=by, ip=ip)

    @admin.action(description=_("Export everything held about this client (JSON)"), permissions=["export"])
    def export_json(self, request: HttpRequest, queryset: QuerySet[Client]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one client to export."), messages.ERROR)
            return None
        client = queryset.get()
        data = actions.export_client(client=client, by=signed_in_user(request), ip=audit.client_ip(request))
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        # The client's number, never their name.
        filename = f"client-{client.pk}-export-{timezone.localdate().isoformat()}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Archive (hide from every list, keep the history)"), permissions=["change"])
    def archive(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        by, ip = signed_in_user(request), audit.client_ip(request)
        count = sum(actions.archive_client(client=client, by=by, ip=ip) for client in queryset)
        message = ngettext("Archived: %(count)s client.", "Archived: %(count)s clients.", count) % {"count": count}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Take out of the archive"), permissions=["change"])
    def unarchive(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        by, ip = signed_in_user(request), audit.client_ip(request)
        count = sum(actions.unarchive_client(client=client, by=by, ip=ip) for client in queryset)
        self.message_user(
            request,
            ngettext(
                "Taken out of the archive: %(count)s client.", "Taken out of the archive: %(count)s clients.", count
            )
            % {"count": count},
        )


def _is_id(value: str) -> bool:
    """Whether int() reads `value` as a row id ("²".isdigit() is true, but int("²") fails; so do 5,000 digits)."""
    return value.isascii() and value.isdigit() and len(value) <= 18


class ClientIdFilter(admin.SimpleListFilter):
    """Audit events of one client (linked from the client's admin page, or ?client_id=N)."""

    title = _("client")
    parameter_name = "client_id"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[AuditEvent]) -> list[tuple[str, str]]:
        value = self.value()
        return [(value, f"#{value}")] if value and _is_id(value) else []

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        value = self.value()
        if value and _is_id(value):
            return queryset.filter(client_id=int(value))
        return queryset


class SecurityEventFilter(admin.SimpleListFilter):
    """Failed sign-ins, refused requests and lock-outs (yes), or everything else (no)."""

    title = _("Security events")
    parameter_name = "security"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[AuditEvent]) -> list[tuple[str, str]]:
        return [("yes", str(_("Yes"))), ("no", str(_("No")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if self.value() == "yes":
            return queryset.filter(action__in=SECURITY_ACTIONS)
        if self.value() == "no":
            return queryset.exclude(action__in=SECURITY_ACTIONS)
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: nobody adds, changes or deletes an audit event here (nor anywhere else)."""

    list_display = ("id", "created_at", "action", "client_id", "actor", "target", "ip")
    list_filter = (SecurityEventFilter, "action", "created_at", ClientIdFilter)
    search_fields = ("=client_id", "actor__username")
    search_help_text = _("A client ID, or a username.")
    list_select_related = ("actor",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ("created_at", "actor", "action", "client_id", "target", "ip", "chain", "seq", "prev_hash", "hash")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
