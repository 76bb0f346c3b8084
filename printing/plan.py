"""The client's plan as a tagged PDF, and the very HTML it is printed from (for the browser preview)."""

from typing import Any, Literal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from plans.languages import RTL_LANGUAGES, bcp47, has_catalog

from . import engine
from .document import PlanDocument, require_crisis_lines


def title(kind: Literal["plan", "card"]) -> str:
    # The document title and metadata never carry the client's name.
    return str(_("Safety plan") if kind == "plan" else _("Safety plan wallet card"))


def _our_language() -> str:
    """The language our own wording is really in: the active one when we have a catalog for it."""
    active = translation.get_language() or settings.LANGUAGE_CODE
    return active if has_catalog(active) else settings.LANGUAGE_CODE


def ui_direction() -> str:
    """The direction of our own wording (in the language printing is done in, or our fallback)."""
    return "rtl" if _our_language().split("-")[0] in RTL_LANGUAGES else "ltr"


def chrome_direction(doc: PlanDocument) -> str:
    """The direction of our own wording (the interface language), when it differs from the client's.

    A plan for an Arabic-speaking client is laid out right to left; until the app has an Arabic
    translation its headings are in English, and those read left to right (punctuation included).
    """
    ui = ui_direction()
    return ui if ui != doc.direction else ""


def chrome_language(doc: PlanDocument) -> str:
    """The language of our own wording (BCP 47), when it differs from the client's: screen readers then
    read our headings in their own voice."""
    ui = bcp47(_our_language())
    return ui if ui != doc.language else ""


PAGE_MARK, PAGES_MARK = "\x00page\x00", "\x00pages\x00"


def page_label() -> tuple[str, str, str]:
    """ "Page N of M" in our wording, as the text before N, between N and M, and after M (for CSS counters)."""
    label = str(_("Page %(page)s of %(pages)s")) % {"page": PAGE_MARK, "pages": PAGES_MARK}
    before, _mark, rest = label.partition(PAGE_MARK)
    between, _mark, after = rest.partition(PAGES_MARK)
    return before, between, after


def context(doc: PlanDocument, *, kind: Literal["plan", "card"], page_size: str, preview: bool) -> dict[str, Any]:
    return {
        "doc": doc,
        "chrome_dir": chrome_direction(doc),
        "chrome_lang": chrome_language(doc),
        "ui_dir": ui_direction(),
        "page_label": page_label(),
        "title": title(kind),
        "page_size": page_size,
        "preview": preview,
        "stylesheets": engine.stylesheet_names(kind, page_size),
    }


def plan_html(doc: PlanDocument, *, page_size: str, preview: bool = False) -> str:
    """The plan document: exactly what WeasyPrint prints; with `preview`, linked to the same stylesheets."""
    require_crisis_lines(doc)
    return render_to_string("pdf/plan.html", context(doc, kind="plan", page_size=page_size, preview=preview))


def render_plan(doc: PlanDocument, *, page_size: str) -> bytes:
    """The client's plan as a tagged PDF."""
    source = plan_html(doc, page_size=page_size)  # no crisis line: refused first
    engine.check_glyphs(doc.all_text())
    document = engine.render(source, "plan", page_size)
    return engine.write_pdf(document)
