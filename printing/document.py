"""What is printed for a client: a `PlanDocument`, the plan's `PlanContent` with what goes around it.

`plan_document` is the only function of this app that reads the database: the working plan or one of
its versions, the step wording in the client's language, and the crisis lines. Everything after it
(HTML, layout, PDF) is a pure function of the document. A document holds no full name of the client.
"""

import datetime
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from django.contrib.auth.models import User
from django.utils import timezone

from plans import phones
from plans.bidi import text_direction
from plans.content import EntryData, PlanContent, StepContent, StepNoteData
from plans.languages import bcp47
from plans.library import library
from plans.models import Client, CrisisResource, PlanVersion, SafetyPlan
from plans.steps import ENTRY_FIELDS, STEPS, StepWording
from plans.texts import ClientWording

from . import fonts


@dataclass(frozen=True)
class CrisisLine:
    """A crisis line or emergency number, from the CrisisResource table (never template text)."""

    name: str
    kind: str  # "crisis" or "emergency"
    method: str  # "call", "text", "chat" or "call_text"
    number: str = ""  # as people read it
    text_keyword: str = ""
    url: str = ""
    hours: str = ""
    details: str = ""
    card_label: str = ""  # the short, discreet form for the wallet card ("988: call or text")

    @property
    def direction(self) -> str:
        return text_direction(self.name)

    @classmethod
    def of(cls, resource: CrisisResource) -> "CrisisLine":
        return cls(
            name=resource.name,
            kind=resource.kind,
            method=resource.method,
            number=phones.display(resource.number),
            text_keyword=resource.text_keyword,
            url=resource.url,
            hours=resource.hours,
            details=resource.details,
            card_label=resource.card_label,
        )


@dataclass(frozen=True)
class PlanDocument:
    """Everything printed for one client: the plan's content and what goes around it."""

    plan_id: int
    language: str  # BCP 47, e.g. "en", "zh-Hans"
    direction: str  # "ltr" or "rtl": the direction of the client's language
    preferred_name: str
    clinician_name: str
    plan_date: datetime.date
    revision: int
    content: PlanContent
    wording: Mapping[int, StepWording]
    crisis_lines: tuple[CrisisLine, ...]
    emergency_numbers: tuple[CrisisLine, ...]
    include_notes: bool = False  # the clinician's notes for each step and the whole plan
    # Set when what is printed is a saved version (the working plan unchanged since it, or a past one).
    version_number: int | None = None
    superseded_by: int | None = None

    @cached_property
    def steps(self) -> tuple[StepContent, ...]:
        return self.content.by_step(self.wording)

    def entries(self) -> Iterator[tuple[str, EntryData]]:
        """(section key, entry) for every entry, in plan order."""
        for step in self.steps:
            for part in step.sections:
                for entry in part.entries:
                    yield part.section.key, entry

    def all_text(self) -> Iterator[str]:
        """Every piece of text the printed copy can carry (for the font check before printing)."""
        yield self.preferred_name
        yield self.clinician_name
        yield self.content.most_important
        for step in self.steps:
            yield step.heading
            for part in step.sections:
                yield str(part.section.title)
        for _key, entry in self.entries():
            yield from entry.content()
        for line in (*self.crisis_lines, *self.emergency_numbers):
            yield from (line.name, line.number, line.text_keyword, line.hours, line.details)
        if self.include_notes:
            yield from (self.content.where_kept, self.content.shared_with)
            yield from (note.barriers for note in self.content.step_notes.values())


class NoCrisisLines(Exception):
    """No crisis line or no emergency number is configured: the client's copy must always carry both."""


def require_crisis_lines(doc: PlanDocument) -> None:
    if not doc.crisis_lines or not doc.emergency_numbers:
        raise NoCrisisLines


def filename(kind: Literal["plan", "card"], doc: PlanDocument, *, discreet: bool = False) -> str:
    """Download name without the client's name: safety-plan-<plan id>-<plan date>.pdf (a discreet card's
    name says only "card")."""
    stem = "safety-plan" if kind == "plan" else "card" if discreet else "safety-card"
    return f"{stem}-{doc.plan_id}-{doc.plan_date.isoformat()}.pdf"


@dataclass(frozen=True)
class _Printed:
    """Which saved version is printed, if any: its number, review date and frozen revision."""

    number: int
    review_date: datetime.date
    revision: int


def _what_is_printed(
    plan: SafetyPlan, version: PlanVersion | None, *, include_notes: bool
) -> tuple[PlanContent, _Printed | None, int | None]:
    """The content to print, the saved version it is (if any), and the newer version superseding it."""
    latest = plan.versions.order_by("-number").values("number", "revision", "review_date").first()
    newest = _Printed(latest["number"], latest["review_date"], latest["revision"]) if latest else None
    if version is not None:
        printed: _Printed | None = _Printed(version.number, version.review_date, version.revision)
        content = PlanContent.from_json(version.snapshot)
    else:
        # The working plan is "version N" when nothing has changed since version N was saved.
        printed = newest if newest is not None and newest.revision == plan.revision else None
        content = PlanContent.from_plan(plan, with_notes=include_notes)
    superseded_by = newest.number if printed is not None and newest is not None and newest != printed else None
    return content, printed, superseded_by


def plan_document(
    *,
    client: Client,
    plan: SafetyPlan,
    clinician: User,
    include_notes: bool,
    wording: ClientWording,
    version: PlanVersion | None = None,
) -> PlanDocument:
    """The client's copy of `plan` (or of one of its past versions), in `wording`'s language, which the
    caller has activated (3 or 4 queries)."""
    content, printed, superseded_by = _what_is_printed(plan, version, include_notes=include_notes)
    resources = [
        CrisisLine.of(resource.in_language(wording.language)) for resource in library().crisis_resources_on_plans()
    ]
    return PlanDocument(
        plan_id=plan.pk,
        language=bcp47(client.preferred_language),
        direction=wording.direction,
        preferred_name=client.preferred_name,
        clinician_name=clinician.get_full_name() or clinician.get_username(),
        plan_date=printed.review_date if printed else timezone.localdate(plan.updated_at),
        revision=printed.revision if printed else plan.revision,
        content=content,
        wording=wording.steps,
        crisis_lines=tuple(line for line in resources if line.kind == CrisisResource.Kind.CRISIS_LINE),
        emergency_numbers=tuple(line for line in resources if line.kind == CrisisResource.Kind.EMERGENCY),
        include_notes=include_notes,
        version_number=printed.number if printed else None,
        superseded_by=superseded_by,
    )


def sample_document(*, samples: Sequence[str] = ()) -> PlanDocument:
    """A plan that uses every style and (by default) every script: for the warm-up, benchmarks and tests.

    Every step has entries but step 6, which is left empty; clinician notes are included.
    """
    texts = list(samples) or [script.sample for script in fonts.SCRIPTS]
    sections: dict[str, list[EntryData]] = {}
    for step in STEPS:
        for section in step.sections:
            entries = []
            for i in range(0 if step.number == 6 else 2):
                text = texts[(step.number + i) % len(texts)]
                values = {
                    "text": text,
                    "name": text[:40],
                    "phone": "+12025550100",
                    "phone_after_hours": "+12025550101",
                    "note": "note",
                    "address": "1 Main Street",
                }
                entries.append(
                    EntryData(
                        uid=uuid.uuid5(uuid.NAMESPACE_URL, f"sample:{section.key}:{i}"),
                        **{name: value for name, value in values.items() if name in section.fields},
                    )
                )
            sections[section.key] = entries
    assert set(ENTRY_FIELDS) >= {"text", "name", "phone", "phone_after_hours", "note", "address"}
    content = PlanContent(
        sections=sections,
        most_important=texts[0],
        where_kept="-",
        shared_with="-",
        likelihood_of_use=3,
        next_review_date=datetime.date(2000, 2, 1),
        step_notes={step.number: StepNoteData(likelihood=3, barriers=texts[-1]) for step in STEPS},
    )
    line = CrisisLine(name="Line", kind="crisis", method="call_text", number="000", hours="24/7", details="-")
    return PlanDocument(
        plan_id=0,
        language="en",
        direction="ltr",
        preferred_name="Sample",
        clinician_name="Sample",
        plan_date=datetime.date(2000, 1, 1),
        revision=0,
        content=content,
        wording={step.number: StepWording(str(step.heading), str(step.prompt), "") for step in STEPS},
        crisis_lines=(line,),
        emergency_numbers=(CrisisLine(name="Emergency", kind="emergency", method="call", number="000"),),
        include_notes=True,
    )
