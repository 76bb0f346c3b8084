"""What changed between two versions of a safety plan, as plain data (no database access).

`compare_plans(old, new)` takes two `PlanContent`s (the working plan or a version's snapshot)
and says, step by step, which entries were added, removed, edited or moved, with a word-level diff
of each edited field. Entries are matched by their `uid`, never by their words: the same words under
a new uid are a removal and an addition.

"Moved" means an entry's order relative to the other entries present in both versions changed. The
entries kept in order are the longest common subsequence of the two orders (preferring, among the
longest, the one that keeps the most entries at the same position); every other common entry moved.
An added or removed entry therefore never makes its neighbours count as moved.

Labels and headings are `str()`-ed in the active language when the comparison is built.
"""

import datetime
import uuid
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import phones
from .bidi import isolate
from .content import EntryData, PlanContent, StepNoteData
from .models import LIKELIHOOD_CHOICES
from .steps import COPY_CHOICES, ENTRY_FIELDS_BY_KEY, SECTIONS_BY_KEY, STEPS, Section, shown_value
from .worddiff import Segment, diff_words

ChangeKind = Literal["added", "removed", "edited", "moved"]

# Same wording as the form labels, so one translation serves both.
MOST_IMPORTANT_LABEL = _("The thing that matters most to me")
STEP_NOTE_LABELS: dict[str, Promise] = {
    "likelihood": _("How likely is the client to use this step in a crisis?"),
    "barriers": _("What might get in the way, and how to get around it"),
}
PLAN_FIELD_LABELS: dict[str, Promise] = {
    "where_kept": _("Where the plan will be kept"),
    "shared_with": _("Who it will be shared with"),
    "copy_given": _("The client has a copy"),
    "likelihood_of_use": _("How likely is the client to use the plan?"),
    "next_review_date": _("Next review"),
}
_LIKELIHOOD_LABELS: dict[int, Promise] = dict(LIKELIHOOD_CHOICES)


@dataclass(frozen=True)
class FieldDiff:
    """One field whose value differs. `segments` is empty for values that are not free text (ratings, dates)."""

    field: str
    label: str
    old: str
    new: str
    segments: tuple[Segment, ...]
    clinician_only: bool = False


@dataclass(frozen=True)
class FieldValue:
    """One field of an entry, for showing the entry itself; `diff` is set when an edit changed it."""

    field: str
    label: str
    value: str
    diff: FieldDiff | None = None


@dataclass(frozen=True)
class EntryChange:
    """One entry that is not the same in both versions.

    `kind` is "edited" for an entry whose words changed, even if it also moved (then `moved` is True);
    "moved" is for an entry that only moved. Positions are 1-based, in the whole list of that version.
    """

    kind: ChangeKind
    section_key: str
    section_title: str
    entry_label: str
    old: EntryData | None
    new: EntryData | None
    fields: tuple[FieldDiff, ...]
    old_position: int | None
    new_position: int | None
    moved: bool
    # The filled fields of the entry as it is now (as it was, for a removed entry), in the section's order;
    # for an edited entry, also the fields it emptied, each changed one carrying its diff.
    values: tuple[FieldValue, ...]

    @property
    def one_field(self) -> bool:
        """Whether the entry has one field only ("Warning sign"): the entry's name then says what it is."""
        return len(SECTIONS_BY_KEY[self.section_key].fields) == 1


@dataclass(frozen=True)
class StepComparison:
    number: int
    heading: str
    changes: tuple[EntryChange, ...]
    # The step's own fields: step 7's "most important", and the clinician's notes for the step.
    field_changes: tuple[FieldDiff, ...]
    # Entries present in both versions with the same words, in the same relative order.
    unchanged: int

    @property
    def has_changes(self) -> bool:
        return bool(self.changes or self.field_changes)


@dataclass(frozen=True)
class PlanComparison:
    steps: tuple[StepComparison, ...]
    plan_field_changes: tuple[FieldDiff, ...]

    @property
    def has_changes(self) -> bool:
        return bool(self.plan_field_changes) or any(step.has_changes for step in self.steps)

    @property
    def counts(self) -> dict[str, int]:
        """Entries added, removed, edited and moved. An entry edited and moved counts in both."""
        counts = {"added": 0, "removed": 0, "edited": 0, "moved": 0}
        for step in self.steps:
            for change in step.changes:
                if change.kind != "moved":
                    counts[change.kind] += 1
                if change.moved:
                    counts["moved"] += 1
        return counts


def compare_plans(old: PlanContent, new: PlanContent) -> PlanComparison:
    steps = []
    for step in STEPS:
        changes: list[EntryChange] = []
        unchanged = 0
        for section in step.sections:
            section_changes, section_unchanged = _compare_section(
                section, old.sections.get(section.key, []), new.sections.get(section.key, [])
            )
            changes.extend(section_changes)
            unchanged += section_unchanged
        field_changes: list[FieldDiff] = []
        if step.number == 7:
            _add_text_diff(
                field_changes, "most_important", MOST_IMPORTANT_LABEL, old.most_important, new.most_important
            )
        field_changes.extend(
            _compare_step_notes(old.step_notes.get(step.number), new.step_notes.get(step.number)),
        )
        steps.append(
            StepComparison(
                number=step.number,
                heading=str(step.heading),
                changes=tuple(changes),
                field_changes=tuple(field_changes),
                unchanged=unchanged,
            )
        )

    plan_fields: list[FieldDiff] = []
    for name in ("where_kept", "shared_with"):
        _add_text_diff(plan_fields, name, PLAN_FIELD_LABELS[name], getattr(old, name), getattr(new, name), True)
    if old.copy_given != new.copy_given:
        plan_fields.append(
            _value_diff(
                "copy_given",
                PLAN_FIELD_LABELS["copy_given"],
                _choices_text(COPY_CHOICES, old.copy_given),
                _choices_text(COPY_CHOICES, new.copy_given),
            )
        )
    if old.likelihood_of_use != new.likelihood_of_use:
        plan_fields.append(
            _value_diff(
                "likelihood_of_use",
                PLAN_FIELD_LABELS["likelihood_of_use"],
                _likelihood_text(old.likelihood_of_use),
                _likelihood_text(new.likelihood_of_use),
            )
        )
    if old.next_review_date != new.next_review_date:
        plan_fields.append(
            _value_diff(
                "next_review_date",
                PLAN_FIELD_LABELS["next_review_date"],
                _date_text(old.next_review_date),
                _date_text(new.next_review_date),
            )
        )
    return PlanComparison(steps=tuple(steps), plan_field_changes=tuple(plan_fields))


# Entries -------------------------------------------------------------------------------------------


def _keys(entries: Sequence[EntryData]) -> list[Hashable]:
    """The uid of each entry; an entry without one (or a repeated uid) gets a key nothing else can match."""
    seen: set[uuid.UUID] = set()
    keys: list[Hashable] = []
    for entry in entries:
        if entry.uid is None or entry.uid in seen:
            keys.append(object())
        else:
            seen.add(entry.uid)
            keys.append(entry.uid)
    return keys


def _compare_section(
    section: Section, old_entries: Sequence[EntryData], new_entries: Sequence[EntryData]
) -> tuple[list[EntryChange], int]:
    old_keys = _keys(old_entries)
    new_keys = _keys(new_entries)
    new_index = {key: index for index, key in enumerate(new_keys)}
    old_index = {key: index for index, key in enumerate(old_keys)}

    # Common entries in their old order, with their index in the new list.
    common = [(i, new_index[key]) for i, key in enumerate(old_keys) if key in new_index]
    kept = _kept_in_order(common)

    title = str(section.title)
    entry_label = str(section.entry_label)
    labels = {name: str(section.labels[name]) for name in section.fields}
    # Sorted so the list reads in the new order, removed entries just after the entry they followed.
    ordered: list[tuple[tuple[int, int, int], EntryChange]] = []
    unchanged = 0
    last_new = -1
    for i, key in enumerate(old_keys):
        if key in new_index:
            last_new = new_index[key]
            continue
        entry = old_entries[i]
        change = EntryChange(
            kind="removed",
            section_key=section.key,
            section_title=title,
            entry_label=entry_label,
            old=entry,
            new=None,
            fields=(),
            old_position=i + 1,
            new_position=None,
            moved=False,
            values=_values(section, labels, entry),
        )
        ordered.append(((last_new, 1, i), change))

    for j, key in enumerate(new_keys):
        entry = new_entries[j]
        was = old_index.get(key)
        if was is None:
            change = EntryChange(
                kind="added",
                section_key=section.key,
                section_title=title,
                entry_label=entry_label,
                old=None,
                new=entry,
                fields=(),
                old_position=None,
                new_position=j + 1,
                moved=False,
                values=_values(section, labels, entry),
            )
            ordered.append(((j, 0, 0), change))
            continue
        before = old_entries[was]
        moved = was not in kept
        fields = _entry_field_diffs(section, labels, before, entry) if before != entry else []
        if not fields and not moved:
            unchanged += 1
            continue
        change = EntryChange(
            kind="edited" if fields else "moved",
            section_key=section.key,
            section_title=title,
            entry_label=entry_label,
            old=before,
            new=entry,
            fields=tuple(fields),
            old_position=was + 1,
            new_position=j + 1,
            moved=moved,
            values=_values(section, labels, entry, fields),
        )
        ordered.append(((j, 0, 0), change))

    ordered.sort(key=lambda pair: pair[0])
    return [change for _key, change in ordered], unchanged


def _kept_in_order(common: Sequence[tuple[int, int]]) -> set[int]:
    """Old indices of the common entries that keep their relative order.

    `common` is (old index, new index) in old order; the new indices are distinct. The answer is a
    longest increasing subsequence of the new indices and, among those, the one keeping the most
    entries at the same position. A section holds at most 50 entries, so the plain quadratic
    dynamic programme is more than fast enough.
    """
    # best[k]: (length, entries at the same position) of the best chain ending at common[k].
    best: list[tuple[int, int]] = []
    previous: list[int] = []
    for k, (old, new) in enumerate(common):
        here, link = (1, int(old == new)), -1
        for j in range(k):
            if common[j][1] < new and (best[j][0] + 1, best[j][1] + int(old == new)) > here:
                here, link = (best[j][0] + 1, best[j][1] + int(old == new)), j
        best.append(here)
        previous.append(link)
    kept: set[int] = set()
    # Among equally good chains, the one that ends earliest in the new order.
    k = max(range(len(common)), key=lambda index: (best[index], -common[index][1]), default=-1)
    while k != -1:
        kept.add(common[k][0])
        k = previous[k]
    return kept


def _choices_text(choices: tuple[tuple[str, Promise], ...], value: str) -> str:
    labels = dict(choices)
    return ", ".join(str(labels.get(key, key)) for key in value.split(",") if key)


def _shown(name: str, value: str) -> str:
    """A field's value as people read it: a phone number in its usual format, as one left-to-right run; a
    choice or a date in the reader's words."""
    field = ENTRY_FIELDS_BY_KEY[name]
    if value and field.input == "phone":
        return isolate(phones.display(value))
    return shown_value(field, value)


def _values(
    section: Section, labels: dict[str, str], entry: EntryData, diffs: Sequence[FieldDiff] = ()
) -> tuple[FieldValue, ...]:
    by_field = {diff.field: diff for diff in diffs}
    return tuple(
        FieldValue(field=name, label=labels[name], value=_shown(name, entry[name]), diff=by_field.get(name))
        for name in section.fields
        if entry[name] or name in by_field
    )


def _entry_field_diffs(section: Section, labels: dict[str, str], old: EntryData, new: EntryData) -> list[FieldDiff]:
    diffs: list[FieldDiff] = []
    for name in section.fields:
        if ENTRY_FIELDS_BY_KEY[name].input in {"phone", "choice", "choices", "date"}:
            if old[name] != new[name]:  # a number, a choice or a date changes as a whole: as it was, as it is
                diffs.append(_value_diff(name, labels[name], _shown(name, old[name]), _shown(name, new[name]), False))
        else:
            _add_text_diff(diffs, name, labels[name], old[name], new[name])
    return diffs


# Step and plan fields ------------------------------------------------------------------------------


def _compare_step_notes(old: StepNoteData | None, new: StepNoteData | None) -> list[FieldDiff]:
    old = old or StepNoteData()
    new = new or StepNoteData()
    diffs: list[FieldDiff] = []
    if old.likelihood != new.likelihood:
        diffs.append(
            _value_diff(
                "likelihood",
                STEP_NOTE_LABELS["likelihood"],
                _likelihood_text(old.likelihood),
                _likelihood_text(new.likelihood),
            )
        )
    _add_text_diff(diffs, "barriers", STEP_NOTE_LABELS["barriers"], old.barriers, new.barriers, True)
    return diffs


def _add_text_diff(
    diffs: list[FieldDiff], name: str, label: str | Promise, old: str, new: str, clinician_only: bool = False
) -> None:
    if old != new:
        diffs.append(
            FieldDiff(
                field=name,
                label=str(label),
                old=old,
                new=new,
                segments=diff_words(old, new),
                clinician_only=clinician_only,
            )
        )


def _value_diff(name: str, label: str | Promise, old: str, new: str, clinician_only: bool = True) -> FieldDiff:
    return FieldDiff(field=name, label=str(label), old=old, new=new, segments=(), clinician_only=clinician_only)


def _likelihood_text(value: int | None) -> str:
    if value is None:
        return ""
    return str(_LIKELIHOOD_LABELS.get(value, value))


def _date_text(value: datetime.date | None) -> str:
    return "" if value is None else formats.date_format(value, "DATE_FORMAT")
