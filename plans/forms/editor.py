"""The plan editor's forms: entries of each section, step notes, the plan's own fields, the revision."""

import datetime
import functools
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Self, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from ..content import EntryData, PlanChanges, PlanContent, StepNoteData
from ..merge import Base
from ..models import LIKELIHOOD_CHOICES, SafetyPlan
from ..steps import COPY_CHOICES, ENTRY_FIELDS_BY_KEY, SECTIONS_BY_KEY, EntryField, Section, Step
from .fields import PersonTextField, PhoneField

MAX_ENTRIES_PER_SECTION = 50
LIKELIHOOD_FORM_CHOICES = [("", _("Not asked yet")), *[(str(v), label) for v, label in LIKELIHOOD_CHOICES]]


class JoinedChoicesField(forms.MultipleChoiceField):
    """Any of the choices, kept as their keys joined by commas, in the choices' own order."""

    def prepare_value(self, value: Any) -> Any:
        return [key for key in value.split(",") if key] if isinstance(value, str) else value

    def __init__(self, *, choices: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(choices=choices, **kwargs)
        self.keys = [key for key, _label in choices]

    def clean(self, value: Any) -> str:
        chosen = set(super().clean(value))
        return ",".join(key for key in self.keys if key in chosen)


class _Shared:
    """A field shared by every form of its class instead of copied into each (Django deep-copies a form's
    fields for every instance, so that one may change them). An editor page makes a form per entry;
    their fields are never changed, so sharing them saves the copying. Change nothing on these per form."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        return self


class _EntryTextField(_Shared, PersonTextField):
    pass


class _EntryPhoneField(_Shared, PhoneField):
    pass


class _EntryUidField(_Shared, forms.UUIDField):
    pass


class _EntryChoiceField(_Shared, forms.ChoiceField):
    pass


class _EntryChoicesField(_Shared, JoinedChoicesField):
    pass


class _EntryDateField(_Shared, forms.DateField):
    """A date kept as YYYY-MM-DD."""

    def clean(self, value: Any) -> str:
        date = super().clean(value)
        return date.isoformat() if date else ""


def _entry_field(field: EntryField, label: StrOrPromise) -> forms.Field:
    """The form field for one entry field, from its definition in plans/steps.py."""
    if field.input == "phone":
        return _EntryPhoneField(label=label, required=False, max_length=field.max_length)
    if field.input == "choice":
        return _EntryChoiceField(label=label, required=False, choices=[("", _("Not said")), *field.choices])
    if field.input == "choices":
        return _EntryChoicesField(
            label=label, required=False, choices=list(field.choices), widget=forms.CheckboxSelectMultiple
        )
    if field.input == "date":
        return _EntryDateField(
            label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )
    attrs = {"dir": "auto", "autocomplete": "off"}
    widget = forms.Textarea(attrs={**attrs, "rows": 2}) if field.input == "text" else forms.TextInput(attrs=attrs)
    return _EntryTextField(label=label, required=False, max_length=field.max_length, widget=widget)


class BaseEntryForm(forms.Form):
    section: Section
    uid = _EntryUidField(required=False, widget=forms.HiddenInput)

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
        # The lazy label: the class is made once and serves every language.
        attrs[name] = _entry_field(ENTRY_FIELDS_BY_KEY[name], cast(StrOrPromise, section.labels[name]))
    return type(f"{section.key.title().replace('_', '')}EntryForm", (BaseEntryForm,), attrs)


class BaseEntryFormSet(BaseFormSet[BaseEntryForm]):
    def clean(self) -> None:
        super().clean()
        if (self.management_form.cleaned_data.get("TOTAL_FORMS") or 0) < 0:
            raise ValidationError(_("This list was changed in a way the app can't read. Reload the page."))

    def entries(self) -> list[EntryData]:
        # An untouched extra row skips validation and has no cleaned_data: it is blank too.
        return [form.entry_data() for form in self.forms if form.cleaned_data and not form.cleaned_data.get("is_blank")]


def entry_formset_class(section: Section) -> type[BaseEntryFormSet]:
    """Made once per section (making form classes is slow); never changed after (see `_formsets`)."""
    return _formset_classes(section.key)


@functools.cache
def _formset_classes(section_key: str) -> type[BaseEntryFormSet]:
    section = SECTIONS_BY_KEY[section_key]
    formset_class = formset_factory(
        entry_form_class(section),
        formset=BaseEntryFormSet,
        extra=0,
        max_num=MAX_ENTRIES_PER_SECTION,
        absolute_max=MAX_ENTRIES_PER_SECTION,
        validate_max=True,
    )
    # formset_factory makes a subclass of `formset`; django-stubs types the result as BaseFormSet only.
    return cast(type[BaseEntryFormSet], formset_class)


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
    copy_given = JoinedChoicesField(
        label=_("The client has a copy"),
        required=False,
        choices=list(COPY_CHOICES),
        widget=forms.CheckboxSelectMultiple,
    )
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


def part_names(steps: tuple[Step, ...]) -> frozenset[str]:
    """The parts of an editor page that can be posted on their own: each section (its key), each step's
    clinician notes ("step3"), what matters most, and the plan's details (the page marks them `data-part`)."""
    return frozenset(
        {section.key for step in steps for section in step.sections}
        | {f"step{step.number}" for step in steps}
        | {"most_important", "details"}
    )


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
        parts: frozenset[str] | None = None,
    ) -> None:
        """`parts`: only these parts of the page were posted (autosave sends what changed; see `part_names`):
        only they are validated and saved, and the rest of the plan is left as it is."""
        self.steps = steps
        self.parts = parts
        self.sections = tuple(section for step in steps for section in step.sections if self._has(section.key))
        self.clinician = clinician
        self.includes_most_important = any(step.number == 7 for step in steps) and self._has("most_important")
        self.assigned_uids: dict[str, uuid.UUID] = {}
        self._changes: PlanChanges | None = None
        content = PlanContent.from_plan(plan) if data is None else None
        # The plan as saved, when the form shows it (None for a posted form), and what was posted.
        self.content = content
        self.data = data
        revision = plan.revision if plan is not None else 0
        self.revision_form = RevisionForm(
            data, initial={"revision": revision, "base": content.base_json(revision) if content else ""}
        )
        self.formsets = self._formsets(data, content, set(extra_rows))
        self.step_note_forms = self._step_note_forms(data, content) if clinician else {}
        self.most_important_form = (
            MostImportantForm(data, initial={"most_important": content.most_important if content else ""})
            if self.includes_most_important
            else None
        )
        self.details_form = self._details_form(data, content) if clinician and len(steps) > 1 else None

    def _details_form(
        self, data: QueryDict | Mapping[str, Any] | None, content: PlanContent | None
    ) -> "PlanDetailsForm | None":
        if not self._has("details"):
            return None
        initial = {name: getattr(content, name) for name in PlanDetailsForm.base_fields} if content else None
        return PlanDetailsForm(data, initial=initial)

    def _has(self, part: str) -> bool:
        """Whether this form holds `part` of the page (every part, unless only some were posted)."""
        return self.parts is None or part in self.parts

    def _step_note_forms(
        self, data: QueryDict | Mapping[str, Any] | None, content: PlanContent | None
    ) -> dict[int, StepNoteForm]:
        forms_: dict[int, StepNoteForm] = {}
        for step in self.steps:
            if not self._has(f"step{step.number}"):
                continue
            initial = None
            if content is not None:
                note = content.step_notes.get(step.number, StepNoteData())
                initial = {"likelihood": note.likelihood, "barriers": note.barriers}
            forms_[step.number] = StepNoteForm(data, prefix=f"step{step.number}", initial=initial)
        return forms_

    def _formsets(
        self, data: QueryDict | Mapping[str, Any] | None, content: PlanContent | None, extra: set[str]
    ) -> dict[str, BaseEntryFormSet]:
        """One formset per section: bound to `data`, or showing `content` (the plan as saved)."""
        formsets: dict[str, BaseEntryFormSet] = {}
        for section in self.sections:
            formset_class = entry_formset_class(section)
            if content is None:
                formsets[section.key] = formset_class(data, prefix=section.key)
                continue
            rows = [
                {"uid": entry.uid, **{name: entry[name] for name in section.fields}}
                for entry in content.sections.get(section.key, [])
            ]
            formset = formset_class(initial=rows, prefix=section.key)
            # An empty list, or one the clinician asked to grow, gets a blank row to type in (set on this
            # formset only: the class is shared by every request).
            formset.extra = 1 if (not rows or section.key in extra) else 0
            formsets[section.key] = formset
        return formsets

    @property
    def scope(self) -> str:
        return editor_scope(self.steps)

    def all_forms(self) -> list[forms.Form | BaseEntryFormSet]:
        forms_: list[forms.Form | BaseEntryFormSet] = [
            self.revision_form,
            *self.formsets.values(),
            *self.step_note_forms.values(),
        ]
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
                    uid = uuid.uuid4()
                    entry = entry.replace(uid=uid)
                    self.assigned_uids[f"{key}-{index}-uid"] = uid
                entries.append(entry)
            changes.sections[key] = entries
        for number, note_form in self.step_note_forms.items():
            changes.step_notes[number] = note_form.note_data()
        if self.most_important_form is not None:
            changes.plan_fields["most_important"] = self.most_important_form.cleaned_data["most_important"]
        if self.details_form is not None:
            changes.plan_fields.update(self.details_form.cleaned_data)
        return changes
