"""What is printed for a client: the plan read from the database into plans.pdf's data, and the card choice.

plans/pdf.py turns the data into PDF; this module is the only one that reads the database for printing.
"""

from collections.abc import Collection
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation

from . import audit, pdf, phones
from .content import PlanContent
from .data import StepNoteData
from .languages import RTL_LANGUAGES
from .models import LIKELIHOOD_CHOICES, AuditEvent, CardSelection, Client, CrisisResource, PlanVersion, SafetyPlan
from .steps import STEPS
from .texts import step_texts

_LIKELIHOOD = dict(LIKELIHOOD_CHOICES)


def bcp47(code: str) -> str:
    """A language code as PDF and HTML want it: "zh-hans" -> "zh-Hans", "en-us" -> "en-US"."""
    parts = code.split("-")
    tagged = [parts[0].lower()]
    for part in parts[1:]:
        tagged.append(part.title() if len(part) == 4 else part.upper() if len(part) == 2 else part.lower())
    return "-".join(tagged)


def print_language(client: Client) -> str:
    """The interface language to print in: the client's own, when the app has a translation for it."""
    available = {code for code, _name in settings.LANGUAGES}
    if client.preferred_language in available:
        return client.preferred_language
    return translation.get_language() or settings.LANGUAGE_CODE


def _crisis_line(resource: CrisisResource) -> pdf.CrisisLine:
    return pdf.CrisisLine(
        name=resource.name,
        kind=resource.kind,
        method=resource.method,
        number=phones.display(resource.number),
        text_keyword=resource.text_keyword,
        url=resource.url,
        hours=resource.hours,
        details=resource.details,
    )


def _likelihood(value: int | None) -> str:
    return str(_LIKELIHOOD[value]) if value in _LIKELIHOOD else ""


def plan_document(
    *, client: Client, plan: SafetyPlan, clinician: User, include_notes: bool, version: PlanVersion | None = None
) -> pdf.PlanDocument:
    """The client's copy of `plan` (or of one of its past versions); clinician-only notes only when
    `include_notes` (4 or 5 queries)."""
    latest = plan.versions.order_by("-number").values("number", "revision", "review_date").first()
    # Entries are model rows (working plan) or EntryData (a version): both have the same attributes.
    sections: dict[str, list[Any]]
    meta: Any  # SafetyPlan or PlanContent: most_important, where_kept, ... alike
    printed_version: tuple[int, date, int] | None
    if version is not None:
        content = PlanContent.from_json(version.snapshot)
        sections = dict(content.sections)
        notes_source = content.step_notes if include_notes else {}
        meta = content
        printed_version = (version.number, version.review_date, version.revision)
    else:
        sections = {}
        for entry in plan.entries.order_by("section", "position"):
            sections.setdefault(entry.section, []).append(entry)
        notes_source = (
            {note.step: StepNoteData(note.likelihood, note.barriers) for note in plan.step_notes.all()}
            if include_notes
            else {}
        )
        meta = plan
        # The working plan is "version N" when nothing has changed since version N was saved.
        printed_version = (
            (latest["number"], latest["review_date"], latest["revision"])
            if latest is not None and latest["revision"] == plan.revision
            else None
        )
    grouped: dict[str, list[pdf.PrintEntry]] = {}
    for key, rows in sections.items():
        for row in rows:
            grouped.setdefault(key, []).append(
                pdf.PrintEntry(
                    uid=str(row.uid),
                    section=key,
                    text=row.text,
                    name=row.name,
                    phone=phones.display(row.phone),
                    phone_after_hours=phones.display(row.phone_after_hours),
                    note=row.note,
                    address=row.address,
                    who=row.who,
                    by_when=row.by_when,
                )
            )
    notes: dict[int, pdf.StepNotes] = {
        step: pdf.StepNotes(likelihood=_likelihood(note.likelihood), barriers=note.barriers)
        for step, note in notes_source.items()
    }
    plan_notes = None
    if include_notes:
        plan_notes = pdf.PlanNotes(
            where_kept=meta.where_kept,
            shared_with=meta.shared_with,
            likelihood=_likelihood(meta.likelihood_of_use),
            next_review=meta.next_review_date,
        )
    wording = step_texts(client.preferred_language)
    steps = tuple(
        pdf.PrintStep(
            number=step.number,
            heading=wording[step.number].heading,
            sections=tuple(
                pdf.PrintSection(
                    key=section.key,
                    title=str(section.title),
                    entries=tuple(grouped.get(section.key, ())),
                )
                for section in step.sections
            ),
            most_important=meta.most_important if step.number == 7 else "",
            notes=(notes.get(step.number, pdf.StepNotes()) if include_notes else None),
        )
        for step in STEPS
    )
    resources = list(CrisisResource.objects.on_plans())
    return pdf.PlanDocument(
        plan_id=plan.pk,
        language=bcp47(client.preferred_language),
        direction="rtl" if client.preferred_language.split("-")[0] in RTL_LANGUAGES else "ltr",
        preferred_name=client.preferred_name,
        clinician_name=clinician.get_full_name() or clinician.get_username(),
        plan_date=printed_version[1] if printed_version else timezone.localdate(plan.updated_at),
        revision=printed_version[2] if printed_version else plan.revision,
        version_number=printed_version[0] if printed_version else None,
        superseded_by=(
            latest["number"]
            if printed_version is not None and latest is not None and latest["number"] != printed_version[0]
            else None
        ),
        steps=steps,
        crisis_lines=tuple(_crisis_line(r) for r in resources if r.kind == CrisisResource.Kind.CRISIS_LINE),
        emergency_numbers=tuple(_crisis_line(r) for r in resources if r.kind == CrisisResource.Kind.EMERGENCY),
        plan_notes=plan_notes,
    )


def saved_card_choice(plan: SafetyPlan) -> frozenset[str] | None:
    """The entries the clinician last chose for the card, or None if nobody has chosen yet (1 query)."""
    selection = CardSelection.objects.filter(plan=plan).only("entry_uids").first()
    if selection is None:
        return None
    return frozenset(str(uid) for uid in selection.entry_uids)


@transaction.atomic
def save_card_choice(*, plan: SafetyPlan, by: User, uids: Collection[str], ip: str | None = None) -> CardSelection:
    """Keep which entries go on the wallet card; audited as an edit of the plan (IDs only)."""
    selection, _created = CardSelection.objects.update_or_create(
        plan=plan, defaults={"entry_uids": sorted(uids), "updated_by": by}
    )
    audit.record(
        action=AuditEvent.Action.PLAN_EDITED, by=by, client_id=plan.client_id, target=f"plan:{plan.pk} card", ip=ip
    )
    return selection
