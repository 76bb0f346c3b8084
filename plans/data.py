"""Plain data passed between forms, actions, merging and rendering (no database access)."""

import uuid
from dataclasses import dataclass, field
from typing import Any

ENTRY_FIELDS = ("text", "name", "phone", "phone_after_hours", "note", "address", "who", "by_when")
PLAN_FIELDS = ("most_important", "where_kept", "shared_with", "likelihood_of_use", "next_review_date")


@dataclass(frozen=True)
class EntryData:
    uid: uuid.UUID | None = None
    text: str = ""
    name: str = ""
    phone: str = ""
    phone_after_hours: str = ""
    note: str = ""
    address: str = ""
    who: str = ""
    by_when: str = ""

    def content(self) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in ENTRY_FIELDS)


@dataclass(frozen=True)
class StepNoteData:
    likelihood: int | None = None
    barriers: str = ""


@dataclass
class PlanChanges:
    """What one submitted form changes. Only what is present is replaced; the rest is left alone."""

    sections: dict[str, list[EntryData]] = field(default_factory=dict)
    plan_fields: dict[str, Any] = field(default_factory=dict)
    step_notes: dict[int, StepNoteData] = field(default_factory=dict)
