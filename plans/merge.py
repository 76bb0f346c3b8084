"""Three-way merge of a save made from a stale copy of the plan.

A form carries fingerprints of what it started from (`base`). When someone else saved in between,
changes to different entries and fields merge; the same entry or field changed on both screens is a
`Conflict` for the clinician to decide. Nothing is dropped: a conflicted item keeps the other screen's
text in the merged result until a choice is made.
"""

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from .content import EntryData, PlanChanges, PlanContent, StepNoteData, entry_hash, value_hash

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


def _merge_entry(
    key: str, entry: EntryData, other: EntryData | None, base_hash: str
) -> tuple[EntryData | None, Conflict | None]:
    """One entry of this screen that the base had: (what the merged list keeps, a conflict or None)."""
    uid = str(entry.uid)
    changed_here = entry_hash(entry) != base_hash
    if other is None:  # removed on the other screen
        if changed_here:  # ...but changed here: kept until the clinician decides
            return entry, Conflict(f"entry:{key}:{uid}", "entry", section=key, mine=entry, theirs=None)
        return None, None
    changed_there = entry_hash(other) != base_hash
    if changed_here and changed_there and entry_hash(entry) != entry_hash(other):
        return other, Conflict(f"entry:{key}:{uid}", "entry", section=key, mine=entry, theirs=other)
    return (other if changed_there else entry), None


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
        kept, conflict = _merge_entry(key, entry, theirs_by_uid.get(uid), base[uid])
        if kept is not None:
            merged.append(kept)
        if conflict is not None:
            conflicts.append(conflict)
    _removed_here(key, merged, conflicts, theirs_by_uid, my_uids, base)
    # Added on the other screen: kept, near where the other screen put it.
    for index, other in enumerate(theirs):
        uid = str(other.uid)
        if uid not in base and uid not in my_uids:
            merged.insert(min(index, len(merged)), other)
    return merged, conflicts


def _removed_here(
    key: str,
    merged: list[EntryData],
    conflicts: list[Conflict],
    theirs_by_uid: dict[str, EntryData],
    my_uids: set[str],
    base: dict[str, str],
) -> None:
    """Removed on this screen: gone, unless the other screen changed it meanwhile (then a conflict)."""
    for uid, base_hash in base.items():
        other = theirs_by_uid.get(uid)
        if uid not in my_uids and other is not None and entry_hash(other) != base_hash:
            conflicts.append(Conflict(f"entry:{key}:{uid}", "entry", section=key, mine=None, theirs=other))
            merged.append(other)


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


def _both_texts(theirs: str, mine: str) -> str:
    """Both screens' words, the other screen's first; the same words only once."""
    return theirs if theirs == mine else f"{theirs}\n{mine}".strip()


def _resolve_entry(rows: list[EntryData], conflict: Conflict, choice: str) -> None:
    uid = conflict.key.rsplit(":", 1)[1]
    index = next((i for i, e in enumerate(rows) if str(e.uid) == uid), None)
    chosen = conflict.mine if choice == MINE else conflict.theirs if choice == THEIRS else None
    if choice in (MINE, THEIRS):
        if chosen is None:  # the chosen screen had removed it
            if index is not None:
                rows.pop(index)
        elif index is not None:
            rows[index] = chosen
        elif choice == MINE:
            rows.append(chosen)
    # both: the other screen's text stays, this screen's is added beside it
    elif conflict.mine is not None and conflict.theirs is not None and index is not None:
        rows.insert(index + 1, conflict.mine.replace(uid=uuid.uuid4()))


def _resolve_field(conflict: Conflict, choice: str) -> Any:
    if choice == MINE:
        return conflict.mine
    if choice == BOTH and isinstance(conflict.mine, str) and isinstance(conflict.theirs, str):
        return _both_texts(conflict.theirs, conflict.mine)
    return conflict.theirs


def _resolve_note(conflict: Conflict, choice: str) -> StepNoteData:
    mine: StepNoteData = conflict.mine
    theirs: StepNoteData = conflict.theirs
    if choice == MINE:
        return mine
    if choice == BOTH:
        return StepNoteData(mine.likelihood or theirs.likelihood, _both_texts(theirs.barriers, mine.barriers))
    return theirs


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
            _resolve_entry(result.sections[conflict.section], conflict, choice)
        elif conflict.kind == "field":
            result.plan_fields[conflict.name] = _resolve_field(conflict, choice)
        elif conflict.kind == "note":
            result.step_notes[int(conflict.name)] = _resolve_note(conflict, choice)
    return result
