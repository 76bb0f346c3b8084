"""What a phone is given: the plan of one saved version as an HTML fragment, in the client's print language,
and the same version as the printed PDF (printing/, not a copy of it). Reads only through the copy."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from plans.content import PlanContent
from plans.languages import bcp47
from plans.library import library
from plans.models import CrisisResource, PlanVersion
from plans.texts import ClientWording, client_wording
from printing.document import PlanDocument, plan_document
from printing.plan import render_plan

from .models import PhoneCopy


def wording_for(copy: PhoneCopy) -> ClientWording:
    """The language the client's printed plan is in (1 query): the phone shows the same."""
    return client_wording(copy.client.preferred_language)


def plan_fragment(copy: PhoneCopy, version: PlanVersion, wording: ClientWording) -> dict[str, Any]:
    """The plan as the phone shows it, and what the phone keeps beside it (2 queries: crisis lines, and the
    wording already read). Crisis lines and the emergency number first, then what matters most, then the steps."""
    content = PlanContent.from_json(version.snapshot)
    with translation.override(wording.language):
        resources = [resource.in_language(wording.language) for resource in library().crisis_resources_on_plans()]
        # What matters most is shown near the top; a step is shown when it has entries (none is dropped).
        steps = [step for step in content.by_step(wording.steps) if any(part.entries for part in step.sections)]
        html = render_to_string(
            "phonecopy/_plan.html",
            {
                "version": version,
                "steps": steps,
                "most_important": content.most_important,
                "crisis_lines": [r for r in resources if r.kind == CrisisResource.Kind.CRISIS_LINE],
                "emergency_numbers": [r for r in resources if r.kind == CrisisResource.Kind.EMERGENCY],
            },
        )
    return {"version": version.number, "lang": bcp47(wording.language), "dir": wording.direction, "html": html}


def plan_pdf(copy: PhoneCopy, version: PlanVersion) -> tuple[bytes, str]:
    """The version exactly as printed for the client (no clinician notes), and a neutral file name.

    Raises printing's NoCrisisLines or MissingGlyphs when it cannot be printed."""
    wording = wording_for(copy)
    with translation.override(wording.language):
        doc: PlanDocument = plan_document(
            client=copy.client,
            plan=version.plan,
            clinician=version.created_by,
            include_notes=False,
            wording=wording,
            version=version,
        )
        body = render_plan(doc, page_size=settings.PRINT_PAGE_SIZE)
    # A neutral name in the phone's downloads: nothing in it says what the plan is about, or whose it is.
    return body, f"plan-{version.review_date.isoformat()}.pdf"
