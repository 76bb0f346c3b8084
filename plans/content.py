"""A plan's content as plain data: read from the working plan or from a frozen version's snapshot.

Everything that shows, prints, compares or merges a plan works on `PlanContent`, so a past version
renders exactly like the current plan.
"""

import datetime
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from .data import ENTRY_FIELDS, EntryData, StepNoteData
from .models import SafetyPlan
from .steps import SECTIONS, empty_steps

SNAPSHOT_FORMAT = 1


def entry_hash(entry: EntryData) -> str:
    """A short fingerprint of an entry's words (not its identity or position)."""
    return hashlib.sha256(json.dumps(entry.content(), ensure_ascii=False).encode()).hexdigest()[:16]


def value_hash(value: object) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, default=str).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PlanContent:
    sections: dict[str, list[EntryData]] = field(default_factory=dict)
    most_important: str = ""
    where_kept: str = ""
    shared_with: str = ""
    likelihood_of_use: int | None = None
    next_review_date: datetime.date | None = None
    step_notes: dict[int, StepNoteData] = field(default_factory=dict)

    @classmethod
    def from_plan(cls, plan: SafetyPlan | None) -> "PlanContent":
        """From the working plan (two queries: entries and step notes)."""
        if plan is None:
            return cls(sections={section.key: [] for section in SECTIONS})
        sections: dict[str, list[EntryData]] = {section.key: [] for section in SECTIONS}
        for entry in plan.entries.all():
            sections.setdefault(entry.section, []).append(
                EntryData(uid=entry.uid, **{name: getattr(entry, name) for name in ENTRY_FIELDS})
            )
        notes = {note.step: StepNoteData(note.likelihood, note.barriers) for note in plan.step_notes.all()}
        return cls(
            sections=sections,
            most_important=plan.most_important,
            where_kept=plan.where_kept,
            shared_with=plan.shared_with,
            likelihood_of_use=plan.likelihood_of_use,
            next_review_date=plan.next_review_date,
            step_notes=notes,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": SNAPSHOT_FORMAT,
            "sections": {
                key: [
                    {"uid": str(entry.uid), **{name: getattr(entry, name) for name in ENTRY_FIELDS}}
                    for entry in entries
                ]
                for key, entries in self.sections.items()
            },
            "most_important": self.most_important,
            "where_kept": self.where_kept,
            "shared_with": self.shared_with,
            "likelihood_of_use": self.likelihood_of_use,
            "next_review_date": self.next_review_date.isoformat() if self.next_review_date else None,
            "step_notes": {
                str(step): {"likelihood": note.likelihood, "barriers": note.barriers}
                for step, note in self.step_notes.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PlanContent":
        sections: dict[str, list[EntryData]] = {section.key: [] for section in SECTIONS}
        for key, rows in data.get("sections", {}).items():
            sections[key] = [
                EntryData(
                    uid=uuid.UUID(row["uid"]) if row.get("uid") else None,
                    **{name: row.get(name, "") for name in ENTRY_FIELDS},
                )
                for row in rows
            ]
        review = data.get("next_review_date")
        return cls(
            sections=sections,
            most_important=data.get("most_important", ""),
            where_kept=data.get("where_kept", ""),
            shared_with=data.get("shared_with", ""),
            likelihood_of_use=data.get("likelihood_of_use"),
            next_review_date=datetime.date.fromisoformat(review) if review else None,
            step_notes={
                int(step): StepNoteData(note.get("likelihood"), note.get("barriers", ""))
                for step, note in data.get("step_notes", {}).items()
            },
        )

    def empty_steps(self) -> list[int]:
        return empty_steps({key for key, entries in self.sections.items() if entries}, self.most_important)

    def base_json(self, revision: int) -> str:
        """Fingerprints of what a form starts from, so a save from a stale copy can be merged."""
        return json.dumps(
            {
                "revision": revision,
                "entries": {
                    key: {str(entry.uid): entry_hash(entry) for entry in entries}
                    for key, entries in self.sections.items()
                },
                "fields": {
                    name: value_hash(getattr(self, name))
                    for name in ("most_important", "where_kept", "shared_with", "likelihood_of_use", "next_review_date")
                },
                "notes": {
                    str(step): value_hash([note.likelihood, note.barriers]) for step, note in self.step_notes.items()
                },
            },
            separators=(",", ":"),
        )
