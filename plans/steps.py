"""The seven steps of a safety plan and the kinds of entry each one holds.

Wording is our own (the product is *based on* the Safety Planning Intervention; the published form's
sentences are copyrighted and never used here). An organisation holding a licence can override the
heading and prompts per language in the admin (`StepText`).

The order is clinical: from what the person can do alone, to other people, to professionals.
"""

import datetime
from dataclasses import dataclass
from typing import Literal

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# --- Entry fields -----------------------------------------------------------------------------------
# Every field an entry can have is defined once, here. To add one: define it below (and add it to the
# `fields` and `labels` of the sections that use it), add the column to `plans.models.Entry`, and make a
# migration. Forms, saving, versions, merging, comparing, exporting, the plan page and printing all
# follow this list; `tests/test_content.py` checks that the model and this list agree.

ShownAs = Literal["lead", "words", "aside", "place", "phone", "labelled"]


@dataclass(frozen=True)
class EntryField:
    """One field of an entry: how it is typed and how it reads in an entry on the plan.

    `shown_as` places it in the line that shows an entry: "lead" (our word for what the entry is about,
    before everything, "Medicines:"), "words" (as typed, first), "aside" (in brackets), "place" (after a
    dash), "phone" (a number to dial) and "labelled" (after our own short label, `label_in_entry`, such as
    "who:"). A "phone" field may carry a label too ("after hours:").

    `input` is how it is typed: several lines, one line, a phone number, one of `choices`, any of
    `choices` (stored as their keys joined by commas), or a date (stored as YYYY-MM-DD). Choices and dates
    are our words and read in the reader's language (`shown_value`); everything else is the client's.
    """

    key: str
    input: Literal["text", "line", "phone", "choice", "choices", "date"]
    max_length: int
    shown_as: ShownAs
    label_in_entry: Promise | None = None
    choices: tuple[tuple[str, Promise], ...] = ()


TEXT = "text"
NAME = "name"
PHONE = "phone"
PHONE_AFTER_HOURS = "phone_after_hours"
NOTE = "note"
ADDRESS = "address"
WHO = "who"
BY_WHEN = "by_when"
MEANS = "means"
AIDS = "aids"
CONFIRMED_ON = "confirmed_on"

MEANS_CHOICES: tuple[tuple[str, Promise], ...] = (
    ("firearm", _("Firearm")),
    ("medicines", _("Medicines")),
    ("other", _("Something else")),
)
# The copies of the plan the client has (SafetyPlan.copy_given: keys joined by commas).
COPY_CHOICES: tuple[tuple[str, Promise], ...] = (
    ("paper", _("the printed plan")),
    ("card", _("the wallet card")),
    ("phone", _("on their phone")),
)
AID_CHOICES: tuple[tuple[str, Promise], ...] = (
    ("lock_box", _("a lock box")),
    ("disposal", _("safe disposal")),
    ("storage_elsewhere", _("storage somewhere else")),
)

# In this order in fingerprints and snapshots; entries read in the order of `SHOWN_AS_ORDER`.
ENTRY_FIELD_DEFINITIONS: tuple[EntryField, ...] = (
    EntryField(TEXT, "text", 500, "words"),
    EntryField(NAME, "line", 120, "words"),
    EntryField(PHONE, "phone", 40, "phone"),
    EntryField(PHONE_AFTER_HOURS, "phone", 40, "phone", _("after hours:")),
    EntryField(NOTE, "line", 200, "aside"),
    EntryField(ADDRESS, "line", 300, "place"),
    EntryField(WHO, "line", 200, "labelled", _("who:")),
    EntryField(BY_WHEN, "line", 100, "labelled", _("by:")),
    EntryField(MEANS, "choice", 20, "lead", choices=MEANS_CHOICES),
    EntryField(AIDS, "choices", 100, "labelled", _("help offered:"), choices=AID_CHOICES),
    EntryField(CONFIRMED_ON, "date", 10, "labelled", _("done:")),
)
ENTRY_FIELDS: tuple[str, ...] = tuple(field.key for field in ENTRY_FIELD_DEFINITIONS)
ENTRY_FIELDS_BY_KEY: dict[str, EntryField] = {field.key: field for field in ENTRY_FIELD_DEFINITIONS}
SHOWN_AS_ORDER: tuple[ShownAs, ...] = ("lead", "words", "aside", "place", "phone", "labelled")
ENTRY_FIELDS_AS_SHOWN: tuple[EntryField, ...] = tuple(
    sorted(ENTRY_FIELD_DEFINITIONS, key=lambda field: SHOWN_AS_ORDER.index(field.shown_as))
)


@dataclass(frozen=True)
class Section:
    """One ordered list of entries within a step (a step has one or two)."""

    key: str
    step: int
    title: Promise
    fields: tuple[str, ...]
    labels: dict[str, Promise]
    # Human name for one entry, used on buttons: "Add a warning sign".
    add_label: Promise
    entry_label: Promise
    # Fields that must be filled for an entry to make sense once anything in it is typed.
    required: tuple[str, ...]
    # Whether an entry's fields fit on one line under column headings on a wide screen (else each is labelled).
    one_line: bool = True


@dataclass(frozen=True)
class StepWording:
    """A step's heading and prompts in one language: ours, or an organisation's own (plans.texts)."""

    heading: str
    prompt: str
    together_prompt: str
    language: str = ""  # the language the heading is written in (BCP 47 as in settings), "" if unknown


@dataclass(frozen=True)
class Step:
    number: int
    slug: str
    heading: Promise
    prompt: Promise
    # The plain-language question shown to the client in together mode.
    together_prompt: Promise
    sections: tuple[Section, ...]


WARNING_SIGNS = Section(
    title=_("Warning signs"),
    key="warning_signs",
    step=1,
    fields=(TEXT,),
    labels={TEXT: _("Warning sign")},
    add_label=_("Add a warning sign"),
    entry_label=_("warning sign"),
    required=(TEXT,),
)
COPING = Section(
    title=_("Things I can do"),
    key="coping",
    step=2,
    fields=(TEXT,),
    labels={TEXT: _("Something I can do")},
    add_label=_("Add something to do"),
    entry_label=_("thing to do"),
    required=(TEXT,),
)
SOCIAL_PEOPLE = Section(
    title=_("People"),
    key="social_people",
    step=3,
    fields=(NAME, PHONE, NOTE),
    labels={NAME: _("Name"), PHONE: _("Phone"), NOTE: _("Relationship or note")},
    add_label=_("Add a person"),
    entry_label=_("person"),
    required=(NAME,),
)
SOCIAL_PLACES = Section(
    title=_("Places"),
    key="social_places",
    step=3,
    fields=(NAME, ADDRESS),
    labels={NAME: _("Place"), ADDRESS: _("Where it is")},
    add_label=_("Add a place"),
    entry_label=_("place"),
    required=(NAME,),
)
HELP_PEOPLE = Section(
    title=_("People"),
    key="help_people",
    step=4,
    fields=(NAME, PHONE, NOTE),
    labels={NAME: _("Name"), PHONE: _("Phone"), NOTE: _("Relationship")},
    add_label=_("Add a person"),
    entry_label=_("person"),
    required=(NAME,),
)
PROFESSIONALS = Section(
    title=_("Professionals and services"),
    key="professionals",
    step=5,
    fields=(NAME, NOTE, PHONE, PHONE_AFTER_HOURS),
    labels={
        NAME: _("Name or service"),
        NOTE: _("Role"),
        PHONE: _("Phone"),
        PHONE_AFTER_HOURS: _("After-hours phone"),
    },
    add_label=_("Add a professional or service"),
    entry_label=_("professional or service"),
    required=(NAME,),
)
EMERGENCY_DEPARTMENTS = Section(
    title=_("Emergency department"),
    key="emergency_departments",
    step=5,
    fields=(NAME, ADDRESS, PHONE),
    labels={NAME: _("Emergency department"), ADDRESS: _("Address"), PHONE: _("Phone")},
    add_label=_("Add an emergency department"),
    entry_label=_("emergency department"),
    required=(NAME,),
)
MEANS_SAFETY = Section(
    title=_("Agreed steps"),
    key="means_safety",
    step=6,
    fields=(MEANS, NOTE, TEXT, WHO, BY_WHEN, AIDS, CONFIRMED_ON),
    labels={
        MEANS: _("What it is about"),
        NOTE: _("In the client's words"),
        TEXT: _("What we agreed"),
        WHO: _("Who holds it or does it"),
        BY_WHEN: _("By when"),
        AIDS: _("Help offered"),
        CONFIRMED_ON: _("Confirmed done on"),
    },
    add_label=_("Add an agreed step"),
    entry_label=_("agreed step"),
    required=(TEXT,),
    one_line=False,
)
REASONS = Section(
    title=_("Other reasons for living"),
    key="reasons",
    step=7,
    fields=(TEXT,),
    labels={TEXT: _("Another reason")},
    add_label=_("Add a reason"),
    entry_label=_("reason"),
    required=(TEXT,),
)

STEPS: tuple[Step, ...] = (
    Step(
        number=1,
        slug="warning-signs",
        heading=_("Signs that a hard time may be starting"),
        prompt=_(
            "Thoughts, pictures in the mind, feelings, situations or things the person does that tell them a crisis could be building."
        ),
        together_prompt=_(
            "What do you notice in yourself when things start to get really hard? Put it in your own words."
        ),
        sections=(WARNING_SIGNS,),
    ),
    Step(
        number=2,
        slug="on-my-own",
        heading=_("Things I can do by myself"),
        prompt=_("Things the person can do alone to get through the moment or take their mind off things for a while."),
        together_prompt=_("When a hard moment starts, what could you do by yourself to help it pass, even a little?"),
        sections=(COPING,),
    ),
    Step(
        number=3,
        slug="people-and-places",
        heading=_("People and places that take my mind off things"),
        prompt=_(
            "People to spend time with and places to go for company or a change of scene. No need to talk about the crisis."
        ),
        together_prompt=_(
            "Who could you spend time with, and where could you go, to be around others or take your mind off things?"
        ),
        sections=(SOCIAL_PEOPLE, SOCIAL_PLACES),
    ),
    Step(
        number=4,
        slug="ask-for-help",
        heading=_("People I can ask for help"),
        prompt=_("People the person trusts enough to tell that they are struggling and ask for support."),
        together_prompt=_("Who could you tell that you are having a hard time, and ask to help?"),
        sections=(HELP_PEOPLE,),
    ),
    Step(
        number=5,
        slug="professionals",
        heading=_("Professionals and services I can contact"),
        prompt=_("The person's clinician or service, the nearest emergency department, and crisis lines."),
        together_prompt=_(
            "Which professionals or services can you contact? Crisis lines and the emergency number are always on your plan."
        ),
        sections=(PROFESSIONALS, EMERGENCY_DEPARTMENTS),
    ),
    Step(
        number=6,
        slug="safer-surroundings",
        heading=_("Making my surroundings safer"),
        prompt=_(
            "Agreed, temporary steps that put time and distance between the person and anything they could use to hurt themselves: who does what, by when."
        ),
        together_prompt=_(
            "What will you (and people close to you) do to keep things you could hurt yourself with out of reach for now?"
        ),
        sections=(MEANS_SAFETY,),
    ),
    Step(
        number=7,
        slug="what-matters",
        heading=_("What matters most to me"),
        prompt=_(
            "The thing that matters most to the person and is worth living for, and any other reasons for living."
        ),
        together_prompt=_("What matters most to you, and what makes life worth living for you?"),
        sections=(REASONS,),
    ),
)


def empty_steps(filled_sections: set[str], most_important: str) -> list[int]:
    """Step numbers with nothing in them: no entry in any of its sections (step 7 also counts the
    thing that matters most)."""
    empty = []
    for step in STEPS:
        filled = any(section.key in filled_sections for section in step.sections)
        if step.number == 7 and most_important.strip():
            filled = True
        if not filled:
            empty.append(step.number)
    return empty


SECTIONS: tuple[Section, ...] = tuple(section for step in STEPS for section in step.sections)
SECTIONS_BY_KEY: dict[str, Section] = {section.key: section for section in SECTIONS}
STEPS_BY_NUMBER: dict[int, Step] = {step.number: step for step in STEPS}
SECTION_CHOICES = [(section.key, section.key.replace("_", " ")) for section in SECTIONS]
STEP_NUMBERS = tuple(STEPS_BY_NUMBER)


def shown_value(field: EntryField, value: str) -> str:
    """A stored value as a reader sees it: our label for a choice (or choices, joined), a date in the reader's
    format; the client's own words as they are."""
    if not value:
        return ""
    if field.input == "choice":
        return str(dict(field.choices).get(value, value))
    if field.input == "choices":
        labels = dict(field.choices)
        return ", ".join(str(labels.get(key, key)) for key in value.split(",") if key)
    if field.input == "date":
        try:
            return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return value
