"""What is printed for a client: the plan read from the database into plans.pdf's data, and the card choice.

plans/pdf.py turns the data into PDF; this module is the only one that reads the database for printing.
"""

from collections.abc import Collection

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation

from . import audit, pdf, phones
from .languages import RTL_LANGUAGES
from .models import LIKELIHOOD_CHOICES, AuditEvent, CardSelection, Client, CrisisResource, SafetyPlan
from .steps import STEPS
from .texts import step_texts
from .views import crisis_resources

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


def plan_document(*, client: Client, plan: SafetyPlan, clinician: User, include_notes: bool) -> pdf.PlanDocument:
    """The client's copy of `plan`; clinician-only notes only when `include_notes` (3 or 4 queries)."""
    grouped: dict[str, list[pdf.PrintEntry]] = {}
    for entry in plan.entries.order_by("section", "position"):
        grouped.setdefault(entry.section, []).append(
            pdf.PrintEntry(
                uid=str(entry.uid),
                section=entry.section,
                text=entry.text,
                name=entry.name,
                phone=phones.display(entry.phone),
                phone_after_hours=phones.display(entry.phone_after_hours),
                note=entry.note,
                address=entry.address,
                who=entry.who,
                by_when=entry.by_when,
            )
        )
    notes: dict[int, pdf.StepNotes] = {}
    plan_notes = None
    if include_notes:
        for note in plan.step_notes.all():
            notes[note.step] = pdf.StepNotes(likelihood=_likelihood(note.likelihood), barriers=note.barriers)
        plan_notes = pdf.PlanNotes(
            where_kept=plan.where_kept,
            shared_with=plan.shared_with,
            likelihood=_likelihood(plan.likelihood_of_use),
            next_review=plan.next_review_date,
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
            most_important=plan.most_important if step.number == 7 else "",
            notes=(notes.get(step.number, pdf.StepNotes()) if include_notes else None),
        )
        for step in STEPS
    )
    resources = crisis_resources()
    return pdf.PlanDocument(
        plan_id=plan.pk,
        language=bcp47(client.preferred_language),
        direction="rtl" if client.preferred_language.split("-")[0] in RTL_LANGUAGES else "ltr",
        preferred_name=client.preferred_name,
        clinician_name=clinician.get_full_name() or clinician.get_username(),
        plan_date=timezone.localdate(plan.updated_at),
        revision=plan.revision,
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
