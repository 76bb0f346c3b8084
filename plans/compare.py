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
import difflib
import re
import unicodedata
import uuid
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .content import PlanContent
from .data import EntryData, StepNoteData
from .models import LIKELIHOOD_CHOICES
from .steps import STEPS, Section

Op = Literal["equal", "insert", "delete"]
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
    "likelihood_of_use": _("How likely is the client to use the plan?"),
    "next_review_date": _("Next review"),
}
_LIKELIHOOD_LABELS: dict[int, Promise] = dict(LIKELIHOOD_CHOICES)


@dataclass(frozen=True)
class Segment:
    """A run of text that is the same in both versions, only in the new one, or only in the old one."""

    op: Op
    text: str


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
    longest increasing subsequence of the new indices, and among those the one keeping the most entries
    at the same position. O(n log n), with a Fenwick tree over new indices holding the best chain
    ending at each index as (length, same-position count, position in `common`).
    """
    if not common:
        return set()
    size = max(new for _old, new in common) + 1
    tree: list[tuple[int, int, int]] = [(0, 0, -1)] * (size + 1)
    previous: list[int] = [-1] * len(common)

    for k, (old, new) in enumerate(common):
        # Best chain over new indices < new.
        best = (0, 0, -1)
        position = new
        while position > 0:
            if tree[position][:2] > best[:2]:
                best = tree[position]
            position -= position & -position
        previous[k] = best[2]
        here = (best[0] + 1, best[1] + (1 if old == new else 0), k)
        position = new + 1
        while position <= size:
            if here[:2] > tree[position][:2]:
                tree[position] = here
            position += position & -position

    best = max(tree[1:], key=lambda node: node[:2])
    kept: set[int] = set()
    k = best[2]
    while k != -1:
        kept.add(common[k][0])
        k = previous[k]
    return kept


def _values(
    section: Section, labels: dict[str, str], entry: EntryData, diffs: Sequence[FieldDiff] = ()
) -> tuple[FieldValue, ...]:
    by_field = {diff.field: diff for diff in diffs}
    return tuple(
        FieldValue(field=name, label=labels[name], value=getattr(entry, name), diff=by_field.get(name))
        for name in section.fields
        if getattr(entry, name) or name in by_field
    )


def _entry_field_diffs(section: Section, labels: dict[str, str], old: EntryData, new: EntryData) -> list[FieldDiff]:
    diffs: list[FieldDiff] = []
    for name in section.fields:
        _add_text_diff(diffs, name, labels[name], getattr(old, name), getattr(new, name))
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


def _value_diff(name: str, label: Promise, old: str, new: str) -> FieldDiff:
    return FieldDiff(field=name, label=str(label), old=old, new=new, segments=(), clinician_only=True)


def _likelihood_text(value: int | None) -> str:
    if value is None:
        return ""
    return str(_LIKELIHOOD_LABELS.get(value, value))


def _date_text(value: datetime.date | None) -> str:
    return "" if value is None else formats.date_format(value, "DATE_FORMAT")


# Word diff -----------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
# Scripts written without spaces between words: each character is compared on its own.
_NO_SPACES = re.compile(
    "["
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\U00020000-\U0003ffff"
    "]"
)
# A "word" longer than this is most likely a run of text without spaces; it is compared by character.
_LONG_TOKEN = 30
_JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner (Persian, Indic scripts, emoji)


def _is_mark(char: str) -> bool:
    return char in _JOINERS or unicodedata.category(char).startswith("M")


def tokenize(text: str) -> list[str]:
    """Split text into words, runs of whitespace and single punctuation marks, keeping every character.

    Combining marks (Arabic vowel marks, Indic vowel signs, Thai tone marks) stay with their letters,
    so a diff never separates them. Words in scripts without spaces, and very long runs, are split
    into characters (each with its marks).
    """
    tokens: list[str] = _TOKEN.findall(text)
    if not text.isascii():
        tokens = _attach_marks(tokens)
        if _NO_SPACES.search(text) is None and all(len(token) <= _LONG_TOKEN for token in tokens):
            return tokens
    elif all(len(token) <= _LONG_TOKEN for token in tokens):
        return tokens
    split: list[str] = []
    for token in tokens:
        if len(token) > 1 and _is_word(token) and (len(token) > _LONG_TOKEN or _NO_SPACES.search(token)):
            split.extend(_characters(token))
        else:
            split.append(token)
    return split


def _attach_marks(raw: list[str]) -> list[str]:
    """Join each combining mark to the token before it, and a word broken by a mark back together."""
    tokens: list[str] = []
    glue = False  # the last token is a word that ended at a combining mark: a following word continues it
    for token in raw:
        if tokens and len(token) == 1 and _is_mark(token) and not tokens[-1].isspace():
            tokens[-1] += token
            glue = _is_word(tokens[-1])
            continue
        if glue and _is_word(token):
            tokens[-1] += token
        else:
            tokens.append(token)
        glue = False
    return tokens


def _is_word(token: str) -> bool:
    return token[0].isalnum() or token[0] == "_"


def _characters(token: str) -> list[str]:
    """Characters, each with the combining marks that follow it."""
    characters: list[str] = []
    for char in token:
        if characters and _is_mark(char):
            characters[-1] += char
        else:
            characters.append(char)
    return characters


def diff_words(old: str, new: str) -> tuple[Segment, ...]:
    """Segments that rebuild `old` (equal + delete) and `new` (equal + insert), in reading order.

    Within a run of changes the deleted text comes first, then the inserted text; whitespace alone
    between two changes is folded into them, so "a b" -> "c d" reads as one deletion and one insertion.
    """
    a = tokenize(old)
    b = tokenize(new)
    # The common start and end are set aside first: most edits touch a few words in the middle or at the end.
    start = 0
    limit = min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    end = 0
    while end < limit - start and a[-1 - end] == b[-1 - end]:
        end += 1

    raw: list[tuple[Op, str]] = []
    if start:
        raw.append(("equal", "".join(a[:start])))
    middle_a = a[start : len(a) - end]
    middle_b = b[start : len(b) - end]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False).get_opcodes():
        if tag == "equal":
            raw.append(("equal", "".join(middle_a[i1:i2])))
        else:
            if i2 > i1:
                raw.append(("delete", "".join(middle_a[i1:i2])))
            if j2 > j1:
                raw.append(("insert", "".join(middle_b[j1:j2])))
    if end:
        raw.append(("equal", "".join(a[len(a) - end :])))

    segments: list[Segment] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            segments.append(Segment("delete", "".join(deleted)))
        if inserted:
            segments.append(Segment("insert", "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for index, (op, text) in enumerate(raw):
        if op == "equal":
            between_changes = 0 < index < len(raw) - 1 and text.isspace()
            if between_changes:
                deleted.append(text)
                inserted.append(text)
                continue
            flush()
            segments.append(Segment("equal", text))
        elif op == "delete":
            deleted.append(text)
        else:
            inserted.append(text)
    flush()
    return tuple(segments)
