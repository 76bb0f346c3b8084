"""A plan's content as plain data, and its one JSON codec.

Outside the ORM a plan is a `PlanContent`: entries as `EntryData`, per-step notes as `StepNoteData`,
and the plan's own fields. It is read from the working plan (`PlanContent.from_plan`) or from a frozen
version's snapshot (`PlanContent.from_json`), and everything that shows, prints, compares, merges or
exports a plan works on it, so a past version renders exactly like the current plan. A submitted form's
changes are a `PlanChanges` (only what it holds is replaced); pending conflicts keep one as JSON with
the same codec.

Entry fields are not named here: `EntryData` holds whatever `plans.steps.ENTRY_FIELD_DEFINITIONS`
defines. The plan's own fields are named once, as the fields of `PlanContent` (`PLAN_FIELDS`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import typing
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from .steps import ENTRY_FIELDS, STEPS, Section, Step, StepWording, empty_steps

if TYPE_CHECKING:
    from .models import SafetyPlan

SNAPSHOT_FORMAT = 1
_FIELD_INDEX = {name: index for index, name in enumerate(ENTRY_FIELDS)}


class EntryData:
    """One entry as plain data: its identity (`uid`) and the text of each entry field ("" when empty).

    Immutable. Fields are read as attributes (`entry.name`) or by key (`entry["name"]`, which is how
    templates read them); `entry.replace(uid=...)` makes a changed copy.
    """

    __slots__ = ("_values", "uid")
    uid: uuid.UUID | None
    _values: tuple[str, ...]

    def __init__(self, uid: uuid.UUID | None = None, **values: str) -> None:
        unknown = set(values) - set(ENTRY_FIELDS)
        if unknown:
            raise TypeError(f"unknown entry fields: {sorted(unknown)}")
        object.__setattr__(self, "uid", uid)
        object.__setattr__(self, "_values", tuple(values.get(name) or "" for name in ENTRY_FIELDS))

    @classmethod
    def of_row(cls, uid: uuid.UUID | None, values: tuple[str, ...]) -> EntryData:
        """From a database row's values, in `ENTRY_FIELDS` order (no keywords to check: plans are read often)."""
        if len(values) != len(ENTRY_FIELDS):
            raise TypeError(f"expected {len(ENTRY_FIELDS)} entry fields, got {len(values)}")
        entry = object.__new__(cls)
        object.__setattr__(entry, "uid", uid)
        object.__setattr__(entry, "_values", tuple(value or "" for value in values))
        return entry

    def __getattr__(self, name: str) -> str:
        index = _FIELD_INDEX.get(name)
        if index is None:
            raise AttributeError(name)
        return self._values[index]

    def __getitem__(self, name: str) -> str:
        index = _FIELD_INDEX.get(name)
        if index is None:
            raise KeyError(name)
        return self._values[index]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("EntryData is immutable; use replace()")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EntryData):
            return NotImplemented
        return (self.uid, self._values) == (other.uid, other._values)

    def __hash__(self) -> int:
        return hash((self.uid, self._values))

    def __repr__(self) -> str:
        filled = ", ".join(f"{name}=…" for name, value in zip(ENTRY_FIELDS, self._values, strict=True) if value)
        return f"EntryData(uid={self.uid}{', ' if filled else ''}{filled})"  # never the words: reprs reach logs

    def __reduce__(self) -> tuple[Any, ...]:  # copy and deepcopy
        return (_rebuild_entry, (self.uid, self.values()))

    def values(self) -> dict[str, str]:
        """Every entry field and its text ("" when empty)."""
        return dict(zip(ENTRY_FIELDS, self._values, strict=True))

    def content(self) -> tuple[str, ...]:
        """The words, in field order, without the identity."""
        return self._values

    def replace(self, *, uid: uuid.UUID | None = None, **values: str) -> EntryData:
        return EntryData(uid=uid if uid is not None else self.uid, **{**self.values(), **values})


def _rebuild_entry(uid: uuid.UUID | None, values: dict[str, str]) -> EntryData:
    return EntryData(uid=uid, **values)


@dataclass(frozen=True)
class StepNoteData:
    """Clinician-only notes for one step: how likely it is to be used, and what might get in the way."""

    likelihood: int | None = None
    barriers: str = ""


@dataclass
class PlanChanges:
    """What one submitted form changes. Only what is present is replaced; the rest is left alone."""

    sections: dict[str, list[EntryData]] = field(default_factory=dict)
    plan_fields: dict[str, Any] = field(default_factory=dict)
    step_notes: dict[int, StepNoteData] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "sections": {key: [_entry_to_json(entry) for entry in entries] for key, entries in self.sections.items()},
            "plan_fields": {name: _field_to_json(name, value) for name, value in self.plan_fields.items()},
            "step_notes": {str(step): _note_to_json(note) for step, note in self.step_notes.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlanChanges:
        return cls(
            sections={key: [_entry_from_json(row) for row in rows] for key, rows in data.get("sections", {}).items()},
            plan_fields={
                name: _field_from_json(name, value)
                for name, value in data.get("plan_fields", {}).items()
                if name in PLAN_FIELDS
            },
            step_notes={int(step): _note_from_json(note) for step, note in data.get("step_notes", {}).items()},
        )


@dataclass(frozen=True)
class SectionContent:
    """The entries of one section of a step, in order."""

    section: Section
    entries: tuple[EntryData, ...]


@dataclass(frozen=True)
class StepContent:
    """One step of a plan as the client reads it: the step, its wording, its sections, its notes."""

    step: Step
    wording: StepWording
    sections: tuple[SectionContent, ...]
    most_important: str = ""  # step 7 only
    note: StepNoteData | None = None

    @property
    def number(self) -> int:
        return self.step.number

    @property
    def heading(self) -> str:
        return self.wording.heading

    @property
    def show_section_titles(self) -> bool:
        return len(self.sections) > 1

    @property
    def is_empty(self) -> bool:
        return not self.most_important.strip() and not any(section.entries for section in self.sections)


@dataclass(frozen=True)
class PlanContent:
    sections: dict[str, list[EntryData]] = field(default_factory=dict)
    most_important: str = ""
    where_kept: str = ""
    shared_with: str = ""
    copy_given: str = ""
    likelihood_of_use: int | None = None
    next_review_date: datetime.date | None = None
    step_notes: dict[int, StepNoteData] = field(default_factory=dict)

    @classmethod
    def from_plan(cls, plan: SafetyPlan | None, *, with_notes: bool = True) -> PlanContent:
        """From the working plan (two queries: entries and step notes; one without the notes)."""
        sections: dict[str, list[EntryData]] = {section.key: [] for step in STEPS for section in step.sections}
        if plan is None:
            return cls(sections=sections)
        # Plain rows, not model instances: this runs on every page that shows a plan.
        for section, uid, *values in plan.entries.values_list("section", "uid", *ENTRY_FIELDS):
            sections.setdefault(section, []).append(EntryData.of_row(uid, tuple(values)))
        notes = (
            {
                step: StepNoteData(likelihood, barriers)
                for step, likelihood, barriers in plan.step_notes.values_list("step", "likelihood", "barriers")
            }
            if with_notes
            else {}
        )
        return cls(sections=sections, step_notes=notes, **{name: getattr(plan, name) for name in PLAN_FIELDS})

    @classmethod
    def from_changes(cls, changes: PlanChanges) -> PlanContent:
        """What a form says, as content (fields the form does not hold are left empty)."""
        return cls(sections=dict(changes.sections), step_notes=dict(changes.step_notes), **changes.plan_fields)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": SNAPSHOT_FORMAT,
            "sections": {key: [_entry_to_json(entry) for entry in entries] for key, entries in self.sections.items()},
            **{name: _field_to_json(name, getattr(self, name)) for name in PLAN_FIELDS},
            "step_notes": {str(step): _note_to_json(note) for step, note in self.step_notes.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlanContent:
        sections: dict[str, list[EntryData]] = {section.key: [] for step in STEPS for section in step.sections}
        for key, rows in data.get("sections", {}).items():
            sections[key] = [_entry_from_json(row) for row in rows]
        return cls(
            sections=sections,
            step_notes={int(step): _note_from_json(note) for step, note in data.get("step_notes", {}).items()},
            **{name: _field_from_json(name, data[name]) for name in PLAN_FIELDS if name in data},
        )

    def empty_steps(self) -> list[int]:
        return empty_steps({key for key, entries in self.sections.items() if entries}, self.most_important)

    def by_step(self, wording: Mapping[int, StepWording]) -> tuple[StepContent, ...]:
        """The plan step by step, in the words of `wording` (see plans.texts.step_texts)."""
        return tuple(
            StepContent(
                step=step,
                wording=wording[step.number],
                sections=tuple(
                    SectionContent(section, tuple(self.sections.get(section.key, ()))) for section in step.sections
                ),
                most_important=self.most_important if step.number == 7 else "",
                note=self.step_notes.get(step.number),
            )
            for step in STEPS
        )

    def base_json(self, revision: int) -> str:
        """Fingerprints of what a form starts from, so a save from a stale copy can be merged."""
        return json.dumps(
            {
                "revision": revision,
                "entries": {
                    key: {str(entry.uid): entry_hash(entry) for entry in entries}
                    for key, entries in self.sections.items()
                },
                "fields": {name: value_hash(getattr(self, name)) for name in PLAN_FIELDS},
                "notes": {
                    str(step): value_hash([note.likelihood, note.barriers]) for step, note in self.step_notes.items()
                },
            },
            separators=(",", ":"),
        )


# The plan's own fields: every field of PlanContent but its entries and step notes.
PLAN_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(PlanContent) if f.name not in {"sections", "step_notes"})
_DATE_FIELDS = frozenset(
    name
    for name, hint in typing.get_type_hints(PlanContent).items()
    if name in PLAN_FIELDS and datetime.date in typing.get_args(hint)
)


# --- The codec: one JSON shape for each part, used by snapshots, pending conflicts and exports -------


def _entry_to_json(entry: EntryData) -> dict[str, Any]:
    return {"uid": str(entry.uid) if entry.uid is not None else None, **entry.values()}


def _entry_from_json(row: Mapping[str, Any]) -> EntryData:
    raw_uid = row.get("uid")
    # Fields added since the snapshot was taken are empty; fields no longer defined are left out.
    return EntryData(
        uid=uuid.UUID(raw_uid) if raw_uid else None,
        **{name: str(row.get(name) or "") for name in ENTRY_FIELDS},
    )


def _note_to_json(note: StepNoteData) -> dict[str, Any]:
    return {"likelihood": note.likelihood, "barriers": note.barriers}


def _note_from_json(data: Mapping[str, Any]) -> StepNoteData:
    return StepNoteData(data.get("likelihood"), data.get("barriers", ""))


def _field_to_json(name: str, value: Any) -> Any:
    return value.isoformat() if name in _DATE_FIELDS and value is not None else value


def _field_from_json(name: str, value: Any) -> Any:
    return datetime.date.fromisoformat(value) if name in _DATE_FIELDS and value else value


# --- Fingerprints ----------------------------------------------------------------------------------


def entry_hash(entry: EntryData) -> str:
    """A short fingerprint of an entry's words (not its identity or position)."""
    return hashlib.sha256(json.dumps(entry.content(), ensure_ascii=False).encode()).hexdigest()[:16]


def value_hash(value: object) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, default=str).encode()).hexdigest()[:16]
