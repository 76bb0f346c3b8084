"""Three-way merge of a save made from a stale copy of the plan.

A form carries fingerprints of what it started from (`base`). When someone else saved in between,
changes to different entries and fields merge; the same entry or field changed on both screens is a
`Conflict` for the clinician to decide. Nothing is dropped: a conflicted item keeps the other screen's
text in the merged result until a choice is made.
"""

import datetime
import json
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from .content import PlanContent, entry_hash, value_hash
from .data import ENTRY_FIELDS, PLAN_FIELDS, EntryData, PlanChanges, StepNoteData

MINE = "mine"
THEIRS = "theirs"
BOTH = "both"


@dataclass(frozen=True)
class Base:
    revision: int
    entries: dict[str, dict[str, str]] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: str) -> "Base | None":
        try:
            data = json.loads(raw)
            base = cls(
                revision=int(data["revision"]),
                entries={
                    str(key): {str(uid): str(h) for uid, h in rows.items()} for key, rows in data["entries"].items()
                },
                fields={str(k): str(v) for k, v in data["fields"].items()},
                notes={str(k): str(v) for k, v in data["notes"].items()},
            )
        # A tampered base (1e400 overflows int(); deep nesting exhausts json's recursion) is just no base.
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, RecursionError):
            return None
        return base


@dataclass(frozen=True)
class Conflict:
    key: str
    kind: str  # "entry", "field" or "note"
    section: str = ""
    name: str = ""  # field name, or step number for notes
    mine: Any = None  # EntryData | None for entries; a value otherwise
    theirs: Any = None

    @property
    def removed_here(self) -> bool:
        return self.kind == "entry" and self.mine is None

    @property
    def removed_there(self) -> bool:
        return self.kind == "entry" and self.theirs is None


def base_to_json(base: Base) -> str:
    return json.dumps(
        {"revision": base.revision, "entries": base.entries, "fields": base.fields, "notes": base.notes},
        separators=(",", ":"),
    )


def _merge_value(base_hash: str | None, mine: Any, theirs: Any) -> tuple[Any, bool]:
    """(merged value, conflicted)."""
    if value_hash(mine) == value_hash(theirs):
        return mine, False
    if base_hash is None or value_hash(theirs) == base_hash:
        return mine, False  # only this screen changed it
    if value_hash(mine) == base_hash:
        return theirs, False  # only the other screen changed it
    return theirs, True


def _merge_section(
    key: str, mine: list[EntryData], theirs: list[EntryData], base: dict[str, str]
) -> tuple[list[EntryData], list[Conflict]]:
    theirs_by_uid = {str(e.uid): e for e in theirs}
    my_uids = {str(e.uid) for e in mine if e.uid is not None}
    merged: list[EntryData] = []
    conflicts: list[Conflict] = []
    for entry in mine:
        uid = str(entry.uid) if entry.uid is not None else None
        if uid is None or uid not in base:
            merged.append(entry)  # new on this screen
            continue
        other = theirs_by_uid.get(uid)
        changed_here = entry_hash(entry) != base[uid]
        if other is None:
            if changed_here:
                conflicts.append(Conflict(f"entry:{key}:{uid}", "entry", section=key, mine=entry, theirs=None))
                merged.append(entry)  # kept until the clinician decides
            continue
        changed_there = entry_hash(other) != base[uid]
        if changed_here and changed_there and entry_hash(entry) != entry_hash(other):
            conflicts.append(Conflict(f"entry:{key}:{uid}", "entry", section=key, mine=entry, theirs=other))
            merged.append(other)
        elif changed_there:
            merged.append(other)
        else:
            merged.append(entry)
    # Removed on this screen: gone, unless the other screen changed it meanwhile.
    for uid, base_hash in base.items():
        other = theirs_by_uid.get(uid)
        if uid not in my_uids and other is not None and entry_hash(other) != base_hash:
            conflicts.append(Conflict(f"entry:{key}:{uid}", "entry", section=key, mine=None, theirs=other))
            merged.append(other)
    # Added on the other screen: kept, near where the other screen put it.
    for index, other in enumerate(theirs):
        uid = str(other.uid)
        if uid not in base and uid not in my_uids:
            merged.insert(min(index, len(merged)), other)
    return merged, conflicts


def merge(*, current: PlanContent, base: Base, mine: PlanChanges) -> tuple[PlanChanges, list[Conflict]]:
    merged = PlanChanges()
    conflicts: list[Conflict] = []
    for key, entries in mine.sections.items():
        merged.sections[key], found = _merge_section(
            key, entries, current.sections.get(key, []), base.entries.get(key, {})
        )
        conflicts.extend(found)
    for name, value in mine.plan_fields.items():
        merged.plan_fields[name], conflicted = _merge_value(base.fields.get(name), value, getattr(current, name))
        if conflicted:
            conflicts.append(Conflict(f"field:{name}", "field", name=name, mine=value, theirs=getattr(current, name)))
    for step, note in mine.step_notes.items():
        theirs_note = current.step_notes.get(step, StepNoteData())
        merged_value, conflicted = _merge_value(
            base.notes.get(str(step), value_hash([None, ""])),
            [note.likelihood, note.barriers],
            [theirs_note.likelihood, theirs_note.barriers],
        )
        merged.step_notes[step] = StepNoteData(merged_value[0], merged_value[1])
        if conflicted:
            conflicts.append(Conflict(f"note:{step}", "note", name=str(step), mine=note, theirs=theirs_note))
    return merged, conflicts


def resolve(merged: PlanChanges, conflicts: list[Conflict], choices: dict[str, str]) -> PlanChanges:
    """Apply the clinician's choice for each conflict (default: keep both texts where possible)."""
    result = PlanChanges(
        sections={key: list(entries) for key, entries in merged.sections.items()},
        plan_fields=dict(merged.plan_fields),
        step_notes=dict(merged.step_notes),
    )
    for conflict in conflicts:
        choice = choices.get(conflict.key, BOTH)
        if conflict.kind == "entry":
            rows = result.sections[conflict.section]
            uid = conflict.key.rsplit(":", 1)[1]
            index = next((i for i, e in enumerate(rows) if str(e.uid) == uid), len(rows))
            present = index < len(rows)
            if choice == MINE:
                if conflict.mine is None:
                    if present:
                        rows.pop(index)
                elif present:
                    rows[index] = conflict.mine
                else:
                    rows.append(conflict.mine)
            elif choice == THEIRS:
                if conflict.theirs is None:
                    if present:
                        rows.pop(index)
                elif present:
                    rows[index] = conflict.theirs
            else:  # both: the other screen's text stays, this screen's is added beside it
                if conflict.mine is not None and conflict.theirs is not None and present:
                    rows.insert(index + 1, replace(conflict.mine, uid=uuid.uuid4()))
        elif conflict.kind == "field":
            if choice == MINE:
                result.plan_fields[conflict.name] = conflict.mine
            elif choice == BOTH and isinstance(conflict.mine, str) and isinstance(conflict.theirs, str):
                result.plan_fields[conflict.name] = f"{conflict.theirs}\n{conflict.mine}".strip()
            else:
                result.plan_fields[conflict.name] = conflict.theirs
        elif conflict.kind == "note":
            step = int(conflict.name)
            if choice == MINE:
                result.step_notes[step] = conflict.mine
            elif choice == BOTH:
                result.step_notes[step] = StepNoteData(
                    conflict.mine.likelihood or conflict.theirs.likelihood,
                    f"{conflict.theirs.barriers}\n{conflict.mine.barriers}".strip(),
                )
            else:
                result.step_notes[step] = conflict.theirs
    return result


def changes_to_json(changes: PlanChanges) -> dict[str, Any]:
    return {
        "sections": {
            key: [{"uid": str(e.uid) if e.uid else None, **{n: getattr(e, n) for n in ENTRY_FIELDS}} for e in entries]
            for key, entries in changes.sections.items()
        },
        "plan_fields": {
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name, value in changes.plan_fields.items()
        },
        "step_notes": {str(step): [n.likelihood, n.barriers] for step, n in changes.step_notes.items()},
    }


def changes_from_json(data: dict[str, Any]) -> PlanChanges:
    fields = {}
    for name, value in data.get("plan_fields", {}).items():
        if name not in PLAN_FIELDS:
            continue
        fields[name] = datetime.date.fromisoformat(value) if name == "next_review_date" and value else value
    return PlanChanges(
        sections={
            key: [
                EntryData(
                    uid=uuid.UUID(row["uid"]) if row.get("uid") else None,
                    **{n: row.get(n, "") for n in ENTRY_FIELDS},
                )
                for row in rows
            ]
            for key, rows in data.get("sections", {}).items()
        },
        plan_fields=fields,
        step_notes={int(step): StepNoteData(v[0], v[1]) for step, v in data.get("step_notes", {}).items()},
    )
