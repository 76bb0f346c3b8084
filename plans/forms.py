"""Forms validate and normalise what was typed; actions save it."""

import contextlib
import datetime
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import phones
from .actions import ClientData
from .content import PlanContent
from .data import EntryData, PlanChanges, StepNoteData
from .languages import CLIENT_LANGUAGE_CHOICES
from .merge import Base
from .models import LIKELIHOOD_CHOICES, Client, SafetyPlan
from .steps import (
    ADDRESS,
    BY_WHEN,
    NAME,
    NOTE,
    PHONE,
    PHONE_AFTER_HOURS,
    SECTIONS_BY_KEY,
    TEXT,
    WHO,
    Section,
    Step,
)

MAX_ENTRIES_PER_SECTION = 50
MAX_LENGTHS = {TEXT: 500, NAME: 120, NOTE: 200, ADDRESS: 300, WHO: 200, BY_WHEN: 100, PHONE: 40, PHONE_AFTER_HOURS: 40}
LIKELIHOOD_FORM_CHOICES = [("", _("Not asked yet")), *[(str(v), label) for v, label in LIKELIHOOD_CHOICES]]


def clean_text(value: str) -> str:
    """Keep the person's words as typed, minus invisible control characters (tabs and newlines stay)."""
    value = unicodedata.normalize("NFC", value)
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cs"}).strip()


class PersonTextField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return clean_text(super().to_python(value) or "")


class PhoneField(forms.CharField):
    """An international phone number, stored as E.164."""

    def __init__(self, *, allow_short_codes: bool = False, **kwargs: Any) -> None:
        self.allow_short_codes = allow_short_codes
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        try:
            return phones.normalise(value, allow_short_codes=self.allow_short_codes)
        except phones.InvalidPhone:
            raise ValidationError(
                _(
                    "This doesn't look like a complete phone number. Check the digits, and start "
                    "numbers from another country with + and the country code."
                ),
                code="invalid_phone",
            ) from None

    def prepare_value(self, value: Any) -> Any:
        # Stored numbers are shown in the national format the clinician reads aloud.
        if isinstance(value, str) and value.startswith("+"):
            return phones.display(value)
        return value


def _text_widget(field: str) -> forms.Widget:
    attrs = {"dir": "auto", "autocomplete": "off"}
    if field == TEXT:
        return forms.Textarea(attrs={**attrs, "rows": 2})
    return forms.TextInput(attrs=attrs)


class BaseEntryForm(forms.Form):
    section: Section
    uid = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def content_fields(self) -> tuple[str, ...]:
        return self.section.fields

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        filled = [name for name in self.content_fields() if cleaned.get(name)]
        if not filled:
            if cleaned.get("uid"):
                raise ValidationError(
                    _("This %(entry)s is now empty. Type something, or remove it.")
                    % {"entry": self.section.entry_label},
                    code="emptied",
                )
            cleaned["is_blank"] = True
            return cleaned
        cleaned["is_blank"] = False
        for name in self.section.required:
            if not cleaned.get(name):
                self.add_error(
                    name,
                    ValidationError(
                        _("Add %(what)s here too, so this entry makes sense on the printed plan.")
                        % {"what": str(self.section.labels[name]).lower()},
                        code="required_with_other",
                    ),
                )
        return cleaned

    def entry_data(self) -> EntryData:
        values = {name: self.cleaned_data.get(name, "") or "" for name in self.content_fields()}
        return EntryData(uid=self.cleaned_data.get("uid"), **values)


def entry_form_class(section: Section) -> type[BaseEntryForm]:
    attrs: dict[str, Any] = {"section": section}
    for name in section.fields:
        label = section.labels[name]
        if name in (PHONE, PHONE_AFTER_HOURS):
            attrs[name] = PhoneField(label=label, required=False)
        else:
            attrs[name] = PersonTextField(
                label=str(label), required=False, max_length=MAX_LENGTHS[name], widget=_text_widget(name)
            )
    return type(f"{section.key.title().replace('_', '')}EntryForm", (BaseEntryForm,), attrs)


class BaseEntryFormSet(BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        if (self.management_form.cleaned_data.get("TOTAL_FORMS") or 0) < 0:
            raise ValidationError(_("This list was changed in a way the app can't read. Reload the page."))

    def entries(self) -> list[EntryData]:
        # An untouched extra row skips validation and has no cleaned_data: it is blank too.
        return [form.entry_data() for form in self.forms if form.cleaned_data and not form.cleaned_data.get("is_blank")]


def entry_formset_class(section: Section) -> type[BaseEntryFormSet]:
    return formset_factory(  # type: ignore[return-value]
        entry_form_class(section),
        formset=BaseEntryFormSet,
        extra=0,
        max_num=MAX_ENTRIES_PER_SECTION,
        absolute_max=MAX_ENTRIES_PER_SECTION,
        validate_max=True,
    )


class StepNoteForm(forms.Form):
    likelihood = forms.TypedChoiceField(
        label=_("How likely is the client to use this step in a crisis?"),
        choices=LIKELIHOOD_FORM_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    barriers = PersonTextField(
        label=_("What might get in the way, and how to get around it"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def note_data(self) -> StepNoteData:
        return StepNoteData(likelihood=self.cleaned_data["likelihood"], barriers=self.cleaned_data["barriers"])


class MostImportantForm(forms.Form):
    most_important = PersonTextField(
        label=_("The thing that matters most to me"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )


class PlanDetailsForm(forms.Form):
    where_kept = PersonTextField(label=_("Where the plan will be kept"), required=False, max_length=300)
    shared_with = PersonTextField(label=_("Who it will be shared with"), required=False, max_length=300)
    likelihood_of_use = forms.TypedChoiceField(
        label=_("How likely is the client to use the plan?"),
        choices=LIKELIHOOD_FORM_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    next_review_date = forms.DateField(
        label=_("Next review"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_next_review_date(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data["next_review_date"]
        if value is None:
            return None
        today = timezone.localdate()
        if value > today + datetime.timedelta(days=2 * 366):
            raise ValidationError(_("Choose a review date within the next two years."), code="too_far")
        if value.year < 2000:
            raise ValidationError(_("Check the year of the review date."), code="too_old")
        return value


class RevisionForm(forms.Form):
    # max_value: the database column's range (a tampered revision must not reach it, e.g. in a draft).
    revision = forms.IntegerField(min_value=0, max_value=2_147_483_647, widget=forms.HiddenInput)
    # Fingerprints of what the page started from, so a save from a stale copy can be merged.
    base = forms.CharField(required=False, max_length=500_000, widget=forms.HiddenInput, strip=False)

    def parsed_base(self) -> Base | None:
        return Base.parse(self.cleaned_data.get("base") or "")


def editor_scope(steps: tuple[Step, ...]) -> str:
    """What one editor page covers: "all" (the clinician's editor) or "step-N" (a together-mode step)."""
    return "all" if len(steps) > 1 else f"step-{steps[0].number}"


class PlanEditorForm:
    """All the forms of one editor page (the whole plan, or one step in together mode)."""

    def __init__(
        self,
        *,
        steps: tuple[Step, ...],
        plan: SafetyPlan | None,
        data: QueryDict | Mapping[str, Any] | None = None,
        clinician: bool = True,
        extra_rows: Iterable[str] = (),
    ) -> None:
        self.steps = steps
        self.sections = tuple(section for step in steps for section in step.sections)
        self.clinician = clinician
        self.includes_most_important = any(step.number == 7 for step in steps)
        self.assigned_uids: dict[str, uuid.UUID] = {}
        self._changes: PlanChanges | None = None
        content = PlanContent.from_plan(plan) if data is None else None
        revision = plan.revision if plan is not None else 0
        self.revision_form = RevisionForm(
            data, initial={"revision": revision, "base": content.base_json(revision) if content else ""}
        )
        extra = set(extra_rows)
        self.formsets: dict[str, BaseEntryFormSet] = {}
        for section in self.sections:
            formset_class = entry_formset_class(section)
            if content is not None:
                rows = [
                    {"uid": entry.uid, **{name: getattr(entry, name) for name in section.fields}}
                    for entry in content.sections.get(section.key, [])
                ]
                # An empty list, or one the clinician asked to grow, gets a blank row to type in.
                formset_class.extra = 1 if (not rows or section.key in extra) else 0
                self.formsets[section.key] = formset_class(initial=rows, prefix=section.key)
            else:
                self.formsets[section.key] = formset_class(data, prefix=section.key)
        self.step_note_forms: dict[int, StepNoteForm] = {}
        if clinician:
            for step in steps:
                note = content.step_notes.get(step.number) if content else None
                self.step_note_forms[step.number] = StepNoteForm(
                    data,
                    prefix=f"step{step.number}",
                    initial={"likelihood": note.likelihood, "barriers": note.barriers} if note else None,
                )
        self.most_important_form = (
            MostImportantForm(data, initial={"most_important": content.most_important if content else ""})
            if self.includes_most_important
            else None
        )
        self.details_form = None
        if clinician and len(steps) > 1:
            self.details_form = PlanDetailsForm(
                data,
                initial={
                    "where_kept": content.where_kept,
                    "shared_with": content.shared_with,
                    "likelihood_of_use": content.likelihood_of_use,
                    "next_review_date": content.next_review_date,
                }
                if content
                else None,
            )

    @property
    def scope(self) -> str:
        return editor_scope(self.steps)

    def all_forms(self) -> list[Any]:
        forms_: list[Any] = [self.revision_form, *self.formsets.values(), *self.step_note_forms.values()]
        if self.most_important_form is not None:
            forms_.append(self.most_important_form)
        if self.details_form is not None:
            forms_.append(self.details_form)
        return forms_

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.all_forms()])

    def error_count(self) -> int:
        count = 0
        for form in self.all_forms():
            if isinstance(form, BaseFormSet):
                count += form.total_error_count()
            else:
                count += len(form.errors)
        return count

    @property
    def revision(self) -> int:
        return int(self.revision_form.cleaned_data["revision"])

    def changes(self) -> PlanChanges:
        """What the page says, with a fresh uid for each new row (recorded in `assigned_uids`)."""
        if self._changes is None:
            self._changes = self._collect_changes()
        return self._changes

    def _collect_changes(self) -> PlanChanges:
        changes = PlanChanges()
        for key, formset in self.formsets.items():
            entries = []
            for index, form in enumerate(formset.forms):
                if not form.cleaned_data or form.cleaned_data.get("is_blank"):
                    continue
                entry = form.entry_data()
                if entry.uid is None:
                    entry = replace(entry, uid=uuid.uuid4())
                    self.assigned_uids[f"{key}-{index}-uid"] = entry.uid
                entries.append(entry)
            changes.sections[key] = entries
        for number, form in self.step_note_forms.items():
            changes.step_notes[number] = form.note_data()
        if self.most_important_form is not None:
            changes.plan_fields["most_important"] = self.most_important_form.cleaned_data["most_important"]
        if self.details_form is not None:
            changes.plan_fields.update(self.details_form.cleaned_data)
        return changes


# --- Row operations without JavaScript ----------------------------------------------------------
# Buttons post `op` = "add:<section>", "remove:<section>:<i>", "up:<section>:<i>", "down:<section>:<i>"
# or "suggest:<section>:<text>"; the same data is then re-bound with the operation applied.


class BadOperation(ValueError):
    pass


def _total(data: QueryDict, prefix: str) -> int:
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", ""))
    except ValueError:
        raise BadOperation("management data") from None
    if total < 0:
        raise BadOperation("management data")
    return min(total, MAX_ENTRIES_PER_SECTION)


def _rows(data: QueryDict, section: Section) -> list[dict[str, str]]:
    names = ("uid", *section.fields)
    return [
        {name: data.get(f"{section.key}-{i}-{name}", "") for name in names} for i in range(_total(data, section.key))
    ]


def _write_rows(data: QueryDict, section: Section, rows: list[dict[str, str]]) -> None:
    old_total = _total(data, section.key)
    for i in range(max(old_total, len(rows))):
        for name in ("uid", *section.fields):
            data.pop(f"{section.key}-{i}-{name}", None)
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"{section.key}-{i}-{name}"] = value
    data[f"{section.key}-TOTAL_FORMS"] = str(len(rows))


def apply_operation(data: QueryDict, op: str, *, allowed_sections: Iterable[str]) -> tuple[QueryDict, str]:
    """Apply a row operation to a copy of posted data. Returns the new data and the section key."""
    kind, _sep, rest = op.partition(":")
    key, _sep, arg = rest.partition(":")
    if key not in set(allowed_sections) or key not in SECTIONS_BY_KEY:
        raise BadOperation(op)
    section = SECTIONS_BY_KEY[key]
    data = data.copy()
    rows = _rows(data, section)
    blank = {name: "" for name in ("uid", *section.fields)}
    if kind == "add":
        if len(rows) >= MAX_ENTRIES_PER_SECTION:
            raise BadOperation(op)
        rows.append(blank)
    elif kind == "suggest":
        if len(rows) >= MAX_ENTRIES_PER_SECTION or not arg:
            raise BadOperation(op)
        # Fill the first blank row if there is one, so the suggestion lands where the eye is.
        target = next((row for row in rows if not any(row[f] for f in section.fields)), None)
        if target is None or target["uid"]:
            target = dict(blank)
            rows.append(target)
        target[section.fields[0]] = arg[:200]
    elif kind in {"remove", "up", "down"}:
        try:
            index = int(arg)
        except ValueError:
            raise BadOperation(op) from None
        if not 0 <= index < len(rows):
            raise BadOperation(op)
        if kind == "remove":
            rows.pop(index)
        else:
            other = index - 1 if kind == "up" else index + 1
            if 0 <= other < len(rows):
                rows[index], rows[other] = rows[other], rows[index]
    else:
        raise BadOperation(op)
    _write_rows(data, section, rows)
    return data, key


# --- Clients -------------------------------------------------------------------------------------


class ClientForm(forms.Form):
    name = PersonTextField(label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    preferred_name = PersonTextField(
        label=_("Preferred name"),
        max_length=100,
        required=False,
        help_text=_("What the client likes to be called. Used on the printed plan."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    record_number = PersonTextField(label=_("Record number"), max_length=50, required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=CLIENT_LANGUAGE_CHOICES)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, instance: Client | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "preferred_name": instance.preferred_name,
                "record_number": instance.record_number,
                "preferred_language": instance.preferred_language,
                "date_of_birth": instance.date_of_birth,
            }
        super().__init__(*args, **kwargs)
        if instance is None and not self.is_bound:
            self.initial["token"] = uuid.uuid4()

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        if not name:
            raise ValidationError(_("Enter the client's name."), code="required")
        return name

    def clean_record_number(self) -> str:
        number: str = self.cleaned_data["record_number"]
        if number:
            clash = Client.objects.filter(record_number=number)
            if self.instance is not None:
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

    def client_data(self) -> ClientData:
        data = self.cleaned_data
        return ClientData(
            name=data["name"],
            preferred_name=data["preferred_name"],
            record_number=data["record_number"],
            preferred_language=data["preferred_language"],
            date_of_birth=data["date_of_birth"],
        )


class ClientSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or record number"), required=False, max_length=100)
