"""A checklist that shows which parts of a plan are still generic, item by item. No score.

Reviews of safety plans found them often incomplete or generic, and specific, personal plans went with
better outcomes (no person to ask for help: about twice the odds of an attempt in the following year).
This lists what a specific plan has; it is a checklist, not a validated measure, and never a number.

`check` is a pure function of a plan's content, so the same items are found live in the editor, on the
plan page, and for each saved version (`PlanVersion.checklist` keeps the keys of the unmet items).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .content import PlanContent


@dataclass(frozen=True)
class Item:
    key: str
    label: Promise
    step: int | None  # the step the item is about (a link to it), or None for "About this plan"
    met: bool

    @property
    def anchor(self) -> str:
        return f"step-{self.step}" if self.step else "plan-details"


LABELS: dict[str, tuple[Promise, int | None]] = {
    "own_words": (_("Warning signs in the client's own words"), 1),
    "alone": (_("At least one thing to do alone"), 2),
    "distraction": (_("A person and a place that take the mind off things"), 3),
    "help_person": (_("A person to ask for help, with a phone number"), 4),
    "professional": (_("A professional's number as well as the crisis line"), 5),
    "means": (_("For each step for safer surroundings: what, who and by when"), 6),
    "likelihood": (_("How likely the plan is to be used, and what might get in the way, talked through"), None),
    "kept": (_("Where the plan is kept, and a copy with the client"), None),
}


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _has(content: PlanContent, section: str, *fields: str) -> bool:
    """Whether a section has an entry with every one of `fields` filled."""
    return any(all(entry[name] for name in fields) for entry in content.sections.get(section, []))


def _met(content: PlanContent, suggested: set[str]) -> dict[str, bool]:
    means = content.sections.get("means_safety", [])
    notes = content.step_notes.values()
    return {
        # A suggestion taken as it was offered is our wording, not theirs.
        "own_words": any(
            entry.text and _folded(entry.text) not in suggested for entry in content.sections.get("warning_signs", [])
        ),
        "alone": _has(content, "coping", "text"),
        "distraction": _has(content, "social_people", "name") and _has(content, "social_places", "name"),
        "help_person": _has(content, "help_people", "name", "phone"),
        "professional": _has(content, "professionals", "phone") or _has(content, "professionals", "phone_after_hours"),
        "means": bool(means) and all(entry.text and entry.who and entry.by_when for entry in means),
        "likelihood": content.likelihood_of_use is not None
        and any(note.likelihood is not None or note.barriers for note in notes),
        "kept": bool(content.where_kept and content.copy_given),
    }


def check(content: PlanContent, suggested: Iterable[str] = ()) -> list[Item]:
    """Every item, met or not, in the order of the plan. `suggested`: the texts of the ideas offered to the
    clinician (an entry that is one of them, unchanged, is not in the client's own words)."""
    met = _met(content, {_folded(text) for text in suggested})
    return [Item(key, label, step, met[key]) for key, (label, step) in LABELS.items()]


def unmet_keys(items: Iterable[Item]) -> list[str]:
    return [item.key for item in items if not item.met]


def items_from_keys(unmet: Iterable[str]) -> list[Item]:
    """The items as a version recorded them (the keys of the unmet ones)."""
    missing = set(unmet)
    return [Item(key, label, step, key not in missing) for key, (label, step) in LABELS.items()]


def unconfirmed_means(content: PlanContent) -> list[int]:
    """Positions (from 1) of the agreed steps for safer surroundings not yet confirmed done."""
    return [
        position
        for position, entry in enumerate(content.sections.get("means_safety", []), start=1)
        if not entry.confirmed_on
    ]
