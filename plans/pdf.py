"""Printing: the client's plan and the wallet card as tagged PDF, with WeasyPrint.

Pure functions: plan data in (`PlanDocument`, built from the database by plans/printing.py), bytes out.
Nothing here reads the database or logs plan content.

- `render_plan(doc, page_size=...)`: the client's copy, every entry of the seven steps, crisis lines always.
- `layout_card(doc, chosen=..., page_size=...)`: which of the chosen entries go on which panel of the
  fold-over wallet card, measured by WeasyPrint itself, and exactly which ones did not fit.
  `render_card(layout)` prints a card only when everything chosen fits: nothing is dropped silently.
- `plan_html` / `card_html`: the very documents WeasyPrint prints, for the browser preview.

Safety: templates autoescape (client text never becomes markup) and WeasyPrint fetches through
`StaticOnlyFetcher`, which serves the app's own static files and small data: URLs and refuses the rest.
Speed: one font configuration and one parsed copy of each stylesheet per process (`warm_up()` at start).
"""

import base64
import contextlib
import logging
import posixpath
import threading
import unicodedata
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

from . import fonts
from .steps import STEPS

PageSize = Literal["letter", "a4"]
PAGE_SIZES: dict[str, tuple[float, float]] = {"letter": (215.9, 279.4), "a4": (210.0, 297.0)}  # mm, portrait
PDF_VARIANT = "pdf/ua-1"  # tagged, with title, language and structure (WeasyPrint's PDF/UA variant)

# The wallet card: four credit-card panels (ISO/IEC 7810 ID-1) of one sheet, folded twice.
CARD_PANEL_MM = (85.6, 54.0)
CARD_PADDING_MM = 2.6
CARD_MIN_FONT_PT = 6.5  # nothing on the card is smaller than this (the stylesheet uses 7 pt and up)
MOST_IMPORTANT_UID = "most-important"  # the plan's "what matters most" text, chosen like an entry

# WeasyPrint sees the app's static files under this origin; `.invalid` can never resolve (RFC 2606).
STATIC_ORIGIN = "https://static.safetyplan.invalid"
STATIC_SUFFIXES = (".css", ".woff2", ".woff", ".ttf", ".otf", ".png", ".svg")
MAX_DATA_URL_BYTES = 8 * 1024
DATA_URL_TYPES = ("image/png", "image/svg+xml", "image/gif", "image/jpeg", "font/woff2", "text/css")
STYLESHEETS: dict[str, tuple[str, ...]] = {
    "plan": ("css/print-fonts.css", "css/print.css"),
    "card": ("css/print-fonts.css", "css/print-card.css"),
}
_PX_PER_MM = 96 / 25.4


# --- Plan data -------------------------------------------------------------------------------------


def text_direction(text: str) -> Literal["ltr", "rtl"]:
    """Direction of a piece of client text from its first strong character (like HTML's dir=auto)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


@dataclass(frozen=True)
class PrintEntry:
    """One entry as printed: phone numbers already in the format people read."""

    uid: str
    section: str
    text: str = ""
    name: str = ""
    phone: str = ""
    phone_after_hours: str = ""
    note: str = ""
    address: str = ""
    who: str = ""
    by_when: str = ""

    @property
    def direction(self) -> str:
        return text_direction(self.text or self.name)

    @property
    def label(self) -> str:
        """A short description for the clinician (for example in the list of entries that did not fit)."""
        words = " ".join((self.name or self.text).split())
        return words if len(words) <= 80 else words[:79] + "…"

    def all_text(self) -> tuple[str, ...]:
        return (
            self.text,
            self.name,
            self.phone,
            self.phone_after_hours,
            self.note,
            self.address,
            self.who,
            self.by_when,
        )


@dataclass(frozen=True)
class PrintSection:
    key: str
    title: str
    entries: tuple[PrintEntry, ...]


@dataclass(frozen=True)
class StepNotes:
    """Clinician-only notes for a step; printed only when the clinician asks for them."""

    likelihood: str = ""
    barriers: str = ""


@dataclass(frozen=True)
class PrintStep:
    number: int
    heading: str
    sections: tuple[PrintSection, ...]
    most_important: str = ""
    notes: StepNotes | None = None

    @property
    def show_section_titles(self) -> bool:
        return len(self.sections) > 1

    @property
    def is_empty(self) -> bool:
        return not self.most_important.strip() and not any(section.entries for section in self.sections)

    @property
    def most_important_direction(self) -> str:
        return text_direction(self.most_important)

    @property
    def heading_direction(self) -> str:
        return text_direction(self.heading)


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

    @property
    def direction(self) -> str:
        return text_direction(self.name)


@dataclass(frozen=True)
class PlanNotes:
    """Clinician-only notes for the whole plan."""

    where_kept: str = ""
    shared_with: str = ""
    likelihood: str = ""
    next_review: date | None = None


@dataclass(frozen=True)
class PlanDocument:
    """Everything printed for one client. Built by plans/printing.py; holds no full name of the client."""

    plan_id: int
    language: str  # BCP 47, e.g. "en", "zh-Hans"
    direction: str  # "ltr" or "rtl": the direction of the client's language
    preferred_name: str
    clinician_name: str
    plan_date: date
    revision: int
    steps: tuple[PrintStep, ...]
    crisis_lines: tuple[CrisisLine, ...]
    emergency_numbers: tuple[CrisisLine, ...]
    plan_notes: PlanNotes | None = None
    # Set when what is printed is a saved version (the working plan unchanged since it, or a past one).
    version_number: int | None = None
    superseded_by: int | None = None

    @property
    def includes_clinician_notes(self) -> bool:
        return self.plan_notes is not None or any(step.notes is not None for step in self.steps)

    @property
    def preferred_name_direction(self) -> str:
        return text_direction(self.preferred_name)

    def entries(self) -> Iterator[PrintEntry]:
        for step in self.steps:
            for section in step.sections:
                yield from section.entries

    def all_text(self) -> Iterator[str]:
        """Every piece of text the client's copy can carry (for the font check before printing)."""
        yield self.preferred_name
        yield self.clinician_name
        for step in self.steps:
            yield step.heading
            yield step.most_important
            for section in step.sections:
                yield section.title
            if step.notes is not None:
                yield step.notes.barriers
        for entry in self.entries():
            yield from entry.all_text()
        for line in (*self.crisis_lines, *self.emergency_numbers):
            yield from (line.name, line.number, line.text_keyword, line.hours, line.details)
        if self.plan_notes is not None:
            yield from (self.plan_notes.where_kept, self.plan_notes.shared_with)


class NoCrisisLines(Exception):
    """No crisis line or no emergency number is configured: the client's copy must always carry both."""


def _require_crisis_lines(doc: PlanDocument) -> None:
    if not doc.crisis_lines or not doc.emergency_numbers:
        raise NoCrisisLines


def filename(kind: Literal["plan", "card"], doc: PlanDocument) -> str:
    """Download name without the client's name: safety-plan-<plan id>-<plan date>.pdf."""
    stem = "safety-plan" if kind == "plan" else "safety-card"
    return f"{stem}-{doc.plan_id}-{doc.plan_date.isoformat()}.pdf"


# --- WeasyPrint: fetcher, fonts, stylesheets ---------------------------------------------------------


class FetchRefused(ValueError):
    """WeasyPrint asked for something other than the app's own static files."""


class StaticOnlyFetcher:
    """WeasyPrint's URL fetcher for printing: the app's static files and small data: URLs, nothing else.

    `file://`, `http(s)://` (other than the unresolvable static origin, which is read from disk, never
    the network), large or unexpected `data:` URLs and every other scheme are refused. There is no
    network code here at all, so there are no redirects to follow.
    """

    _fail_on_errors = False  # read by WeasyPrint when a fetch fails: log a warning and go on

    def __init__(self) -> None:
        self.refused = 0

    def __call__(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return self._data(url)
        prefix = STATIC_ORIGIN + "/" + settings.STATIC_URL.strip("/") + "/"
        if url.startswith(prefix):
            return self._static(url, url[len(prefix) :])
        self.refused += 1
        raise FetchRefused(f"refused to fetch a {urlsplit(url).scheme or 'relative'} URL while printing")

    fetch = __call__

    def _data(self, url: str) -> URLFetcherResponse:
        header, comma, payload = url[5:].partition(",")
        media_type = header.split(";")[0].strip().lower()
        if not comma or len(url) > MAX_DATA_URL_BYTES * 2 or media_type not in DATA_URL_TYPES:
            self.refused += 1
            raise FetchRefused("refused a data: URL while printing")
        body = base64.b64decode(payload, validate=False) if header.endswith(";base64") else unquote_to_bytes(payload)
        if len(body) > MAX_DATA_URL_BYTES:
            self.refused += 1
            raise FetchRefused("refused a large data: URL while printing")
        return URLFetcherResponse(url, body=body, headers={"Content-Type": media_type})

    def _static(self, url: str, raw_path: str) -> URLFetcherResponse:
        path = unquote(raw_path.split("?")[0].split("#")[0])
        clean = posixpath.normpath(path)
        if (
            clean != path
            or clean.startswith(("/", "."))
            or "\\" in path
            or "\x00" in path
            or not clean.endswith(STATIC_SUFFIXES)
        ):
            self.refused += 1
            raise FetchRefused("refused a static path while printing")
        found = finders.find(clean)
        if not isinstance(found, str):
            self.refused += 1
            raise FetchRefused("no such static file")
        content_type = "text/css" if clean.endswith(".css") else "application/octet-stream"
        return URLFetcherResponse(url, body=Path(found).read_bytes(), headers={"Content-Type": content_type})


@dataclass
class _Engine:
    """One font configuration and one parsed copy of each stylesheet, shared by every render."""

    fetcher: StaticOnlyFetcher
    font_config: Any
    stylesheets: dict[str, list[Any]] = field(default_factory=dict)


_engine: _Engine | None = None
# WeasyPrint's font machinery (Pango, fontconfig) is shared by all renders: one render at a time.
_render_lock = threading.RLock()


def _get_engine() -> _Engine:
    global _engine
    with _render_lock:
        if _engine is None:
            _engine = _Engine(fetcher=StaticOnlyFetcher(), font_config=FontConfiguration())
        return _engine


def _static_source(name: str) -> str:
    found = finders.find(name)
    if not isinstance(found, str):
        raise FileNotFoundError(name)
    return Path(found).read_text(encoding="utf-8")


def page_stylesheet(page_size: str) -> str:
    """The static stylesheet that sets the paper (one per size, so both sizes share the others)."""
    if page_size not in PAGE_SIZES:
        raise ValueError(page_size)
    return f"css/print-page-{page_size}.css"


def _stylesheets(kind: str, page_size: str) -> list[Any]:
    """The parsed stylesheets for a kind of document and paper, parsed once per process."""
    with _render_lock:
        return _parsed_stylesheets(_get_engine(), kind, page_size)


def _parsed_stylesheets(engine: _Engine, kind: str, page_size: str) -> list[Any]:
    key = f"{kind}:{page_size}"
    if key not in engine.stylesheets:
        names: tuple[str, ...] = STYLESHEETS["card" if kind == "measure" else kind]
        if kind != "measure":
            names = (*names, page_stylesheet(page_size))
        sheets = [
            CSS(
                string=_static_source(name),
                base_url=f"{STATIC_ORIGIN}/{settings.STATIC_URL.strip('/')}/{name}",
                url_fetcher=engine.fetcher,
                font_config=engine.font_config,
            )
            for name in names
        ]
        if kind == "measure":
            sheets.append(CSS(string=_measure_css(), url_fetcher=engine.fetcher, font_config=engine.font_config))
        engine.stylesheets[key] = sheets
    return engine.stylesheets[key]


def _html(source: str) -> Any:
    engine = _get_engine()
    return HTML(string=source, base_url=STATIC_ORIGIN + "/", url_fetcher=engine.fetcher)


class MissingGlyphs(Exception):
    """A character had no glyph in any font: the PDF would show a box, so it is not made."""


class _GlyphWatch(logging.Filter):
    """Catches WeasyPrint's ".notdef" warning (which quotes the character) so it is neither logged nor ignored."""

    def __init__(self) -> None:
        super().__init__()
        self.missing = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(".notdef glyph"):
            self.missing += 1
            return False
        return True


@contextlib.contextmanager
def _no_boxes() -> Iterator[None]:
    watch = _GlyphWatch()
    logger = logging.getLogger("weasyprint")
    logger.addFilter(watch)
    try:
        yield
    finally:
        logger.removeFilter(watch)
    if watch.missing:
        raise MissingGlyphs(watch.missing)


def _write_pdf(document: Any) -> bytes:
    with _no_boxes():
        pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf


def _write(source: str, kind: str, page_size: str) -> bytes:
    engine = _get_engine()
    with _render_lock:
        document = _html(source).render(font_config=engine.font_config, stylesheets=_stylesheets(kind, page_size))
        return _write_pdf(document)


def _title(kind: Literal["plan", "card"]) -> str:
    # The document title and metadata never carry the client's name.
    return str(_("Safety plan") if kind == "plan" else _("Safety plan wallet card"))


def _chrome_direction(doc: PlanDocument) -> str:
    """The direction of our own wording (the interface language), when it differs from the client's.

    A plan for an Arabic-speaking client is laid out right to left; until the app has an Arabic
    translation its headings are in English, and those read left to right (punctuation included).
    """
    ui = "rtl" if translation.get_language_bidi() else "ltr"
    return ui if ui != doc.direction else ""


def _context(doc: PlanDocument, *, kind: Literal["plan", "card"], page_size: str, preview: bool) -> dict[str, Any]:
    return {
        "doc": doc,
        "chrome_dir": _chrome_direction(doc),
        "title": _title(kind),
        "page_size": page_size,
        "preview": preview,
        "stylesheets": (*STYLESHEETS[kind], page_stylesheet(page_size)),
    }


# --- The plan --------------------------------------------------------------------------------------


def plan_html(doc: PlanDocument, *, page_size: str, preview: bool = False) -> str:
    """The plan document: exactly what WeasyPrint prints; with `preview`, linked to the same stylesheets."""
    _require_crisis_lines(doc)
    return render_to_string("pdf/plan.html", _context(doc, kind="plan", page_size=page_size, preview=preview))


def render_plan(doc: PlanDocument, *, page_size: str) -> bytes:
    """The client's plan as a tagged PDF."""
    return _write(plan_html(doc, page_size=page_size), "plan", page_size)


# --- The wallet card -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardSection:
    """A group of entries on the card, in card order, with the card's own short heading."""

    key: str
    title: str
    entries: tuple[PrintEntry, ...]


CARD_SECTIONS: tuple[tuple[str, Promise, tuple[str, ...]], ...] = (
    ("what_matters", _("What matters most to me"), ("most_important", "reasons")),
    ("warning_signs", _("My warning signs"), ("warning_signs",)),
    ("coping", _("Things I can do on my own"), ("coping",)),
    ("people", _("People I can call"), ("help_people", "social_people")),
    ("professionals", _("Professionals and services"), ("professionals", "emergency_departments")),
)
# Chosen for a new card: the first few of each kind, which usually fit.
CARD_DEFAULT_COUNTS = {
    "most_important": 1,
    "reasons": 1,
    "warning_signs": 3,
    "coping": 3,
    "help_people": 3,
    "social_people": 1,
    "professionals": 2,
    "emergency_departments": 1,
}


def card_candidates(doc: PlanDocument) -> tuple[CardSection, ...]:
    """Everything that may go on the card, grouped and ordered as on the card."""
    by_section: dict[str, list[PrintEntry]] = {}
    for entry in doc.entries():
        by_section.setdefault(entry.section, []).append(entry)
    most_important = next((step.most_important for step in doc.steps if step.most_important.strip()), "")
    if most_important:
        by_section["most_important"] = [
            PrintEntry(uid=MOST_IMPORTANT_UID, section="most_important", text=most_important)
        ]
    groups = []
    for key, title, sections in CARD_SECTIONS:
        entries = tuple(entry for section in sections for entry in by_section.get(section, []))
        if entries:
            groups.append(CardSection(key=key, title=str(title), entries=entries))
    return tuple(groups)


def default_card_choice(doc: PlanDocument) -> frozenset[str]:
    chosen: list[str] = []
    for group in card_candidates(doc):
        counts: dict[str, int] = {}
        for entry in group.entries:
            counts[entry.section] = counts.get(entry.section, 0) + 1
            if counts[entry.section] <= CARD_DEFAULT_COUNTS.get(entry.section, 0):
                chosen.append(entry.uid)
    return frozenset(chosen)


@dataclass(frozen=True)
class CardBlock:
    """One block of a card panel: a section heading, or one entry."""

    index: int
    section: CardSection
    entry: PrintEntry | None = None

    @property
    def is_heading(self) -> bool:
        return self.entry is None


@dataclass(frozen=True)
class CardPanel:
    key: Literal["front", "inside_1", "inside_2", "back"]
    label: str
    blocks: tuple[CardBlock, ...]


@dataclass(frozen=True)
class CardLayout:
    doc: PlanDocument
    page_size: str
    panels: tuple[CardPanel, ...]  # in reading order: front, inside left, inside right, back
    not_fitting: tuple[PrintEntry, ...]  # chosen but not on the card (the clinician is told, by name)
    chosen: frozenset[str]

    @property
    def fits(self) -> bool:
        return not self.not_fitting

    def placed(self) -> Iterator[PrintEntry]:
        for panel in self.panels:
            for block in panel.blocks:
                if block.entry is not None:
                    yield block.entry


class CardDoesNotFit(Exception):
    def __init__(self, layout: CardLayout) -> None:
        super().__init__(len(layout.not_fitting))
        self.layout = layout


PANEL_LABELS: tuple[tuple[Literal["front", "inside_1", "inside_2", "back"], Promise], ...] = (
    ("front", _("Front of the card")),
    ("inside_1", _("Inside the card, first half")),
    ("inside_2", _("Inside the card, second half")),
    ("back", _("Back of the card")),
)


def _card_blocks(doc: PlanDocument, chosen: Collection[str]) -> list[CardBlock]:
    blocks: list[CardBlock] = []
    for group in card_candidates(doc):
        entries = [entry for entry in group.entries if entry.uid in chosen]
        if not entries:
            continue
        blocks.append(CardBlock(index=len(blocks), section=group))
        for entry in entries:
            blocks.append(CardBlock(index=len(blocks), section=group, entry=entry))
    return blocks


def _measure_css() -> str:
    width = CARD_PANEL_MM[0] - 2 * CARD_PADDING_MM
    return f"@page {{ size: {width}mm 3000mm; margin: 0; }} body {{ margin: 0; }}"


def _walk(box: Any, parent_element: Any = None) -> Iterator[Any]:
    """The outermost layout box of each element under `box`, including absolutely positioned ones."""
    inner = getattr(box, "_box", None)  # WeasyPrint's placeholder for positioned boxes
    if inner is not None:
        box = inner
    element = getattr(box, "element", None)
    if element is not parent_element:  # anonymous boxes share their parent's element
        yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child, element)


def _boxes_by(document: Any, attribute: str) -> dict[str, list[tuple[int, Any]]]:
    """Layout boxes of elements carrying `attribute`, by its value, with their page index."""
    found: dict[str, list[tuple[int, Any]]] = {}
    for page_index, page in enumerate(document.pages):
        for box in _walk(page._page_box):
            element = getattr(box, "element", None)
            if element is None or getattr(box, "element_tag", None) != element.tag:
                continue
            value = element.get(attribute)
            if value is not None:
                found.setdefault(value, []).append((page_index, box))
    return found


def _height_mm(parts: list[tuple[int, Any]]) -> float:
    if len(parts) != 1:
        return float("inf")  # split across measuring pages: far taller than any panel
    return float(parts[0][1].margin_height()) / _PX_PER_MM


def _pack(
    blocks: list[CardBlock], heights: dict[int, float], capacities: list[float]
) -> tuple[list[list[CardBlock]], list[PrintEntry]]:
    """Place blocks in order on panels of the given heights; a heading stays with its first entry."""
    panels: list[list[CardBlock]] = [[] for _ in capacities]
    not_fitting: list[PrintEntry] = []
    current, used = 0, 0.0
    pending_heading: CardBlock | None = None
    for block in blocks:
        if block.is_heading:
            pending_heading = block
            continue
        assert block.entry is not None
        heading = pending_heading
        need = heights[block.index] + (heights[heading.index] if heading is not None else 0.0)
        while current < len(capacities) and used + need > capacities[current] + 1e-6:
            if used == 0.0:
                break  # taller than an empty panel: it can never fit
            current, used = current + 1, 0.0
        if current >= len(capacities) or used + need > capacities[current] + 1e-6:
            not_fitting.append(block.entry)
            continue
        if heading is not None:
            panels[current].append(heading)
            pending_heading = None
        panels[current].append(block)
        used += need
    return panels, not_fitting


def layout_card(doc: PlanDocument, *, chosen: Collection[str], page_size: str) -> CardLayout:
    """Decide what goes on each panel, from heights measured by WeasyPrint with the card's stylesheet."""
    _require_crisis_lines(doc)
    blocks = _card_blocks(doc, chosen)
    source = render_to_string(
        "pdf/card_measure.html",
        {"doc": doc, "blocks": blocks, "title": _title("card"), "chrome_dir": _chrome_direction(doc)},
    )
    engine = _get_engine()
    with _render_lock:
        document = _html(source).render(font_config=engine.font_config, stylesheets=_stylesheets("measure", "measure"))
        boxes = _boxes_by(document, "data-block")
    heights = {block.index: _height_mm(boxes[str(block.index)]) for block in blocks}
    inner = CARD_PANEL_MM[1] - 2 * CARD_PADDING_MM
    fixed = _height_mm(boxes["title"]) + _height_mm(boxes["crisis"])
    capacities = [inner - fixed, inner, inner, inner]
    placed, not_fitting = _pack(blocks, heights, capacities)
    panels = tuple(
        CardPanel(key=key, label=str(label), blocks=tuple(panel))
        for (key, label), panel in zip(PANEL_LABELS, placed, strict=True)
    )
    return CardLayout(
        doc=doc,
        page_size=page_size,
        panels=panels,
        not_fitting=tuple(not_fitting),
        chosen=frozenset(chosen),
    )


def card_html(layout: CardLayout, *, preview: bool = False) -> str:
    """The card sheet: exactly what WeasyPrint prints; with `preview`, linked to the same stylesheets."""
    _require_crisis_lines(layout.doc)
    context = _context(layout.doc, kind="card", page_size=layout.page_size, preview=preview)
    context.update({"layout": layout, "panels": layout.panels})
    return render_to_string("pdf/card.html", context)


def _check_card(document: Any) -> None:
    """Every block lies inside its panel's padding box: the measured layout is the printed one."""
    panels = _boxes_by(document, "data-panel")
    blocks = _boxes_by(document, "data-in-panel")
    tolerance = 0.05 * _PX_PER_MM
    for key, parts in blocks.items():
        panel = panels[key][0][1]
        bottom = panel.content_box_y() + panel.height
        for _page, box in parts:
            top = box.position_y
            if box.position_y + box.margin_height() > bottom + tolerance or top < panel.content_box_y() - tolerance:
                raise RuntimeError("a card block overflows its panel")


def render_card(layout: CardLayout) -> bytes:
    """The card sheet as a tagged PDF; refuses (CardDoesNotFit) when any chosen entry did not fit."""
    if not layout.fits:
        raise CardDoesNotFit(layout)
    engine = _get_engine()
    source = card_html(layout)
    with _render_lock:
        document = _html(source).render(
            font_config=engine.font_config, stylesheets=_stylesheets("card", layout.page_size)
        )
        _check_card(document)
        return _write_pdf(document)


# --- Start-up ------------------------------------------------------------------------------------


def sample_document(*, samples: Sequence[str] = ()) -> PlanDocument:
    """A plan that uses every style and (by default) every script: for the warm-up, benchmarks and tests.

    Every step has entries but step 6, which is left empty; clinician notes are included.
    """
    texts = list(samples) or [script.sample for script in fonts.SCRIPTS]
    steps = []
    for step in STEPS:
        sections = []
        for section in step.sections:
            entries = []
            for i in range(0 if step.number == 6 else 2):
                text = texts[(step.number + i) % len(texts)]
                entries.append(
                    PrintEntry(
                        uid=f"sample-{section.key}-{i}",
                        section=section.key,
                        text=text if "text" in section.fields else "",
                        name=text[:40] if "name" in section.fields else "",
                        phone="(202) 555-0100" if "phone" in section.fields else "",
                        phone_after_hours="(202) 555-0101" if "phone_after_hours" in section.fields else "",
                        note="note" if "note" in section.fields else "",
                        address="1 Main Street" if "address" in section.fields else "",
                    )
                )
            sections.append(PrintSection(section.key, str(section.title), tuple(entries)))
        steps.append(
            PrintStep(
                number=step.number,
                heading=str(step.heading),
                sections=tuple(sections),
                most_important=texts[0] if step.number == 7 else "",
                notes=StepNotes(likelihood="3", barriers=texts[-1]),
            )
        )
    line = CrisisLine(name="Line", kind="crisis", method="call_text", number="000", hours="24/7", details="-")
    return PlanDocument(
        plan_id=0,
        language="en",
        direction="ltr",
        preferred_name="Sample",
        clinician_name="Sample",
        plan_date=date(2000, 1, 1),
        revision=0,
        steps=tuple(steps),
        crisis_lines=(line,),
        emergency_numbers=(CrisisLine(name="Emergency", kind="emergency", method="call", number="000"),),
        plan_notes=PlanNotes(where_kept="-", shared_with="-", likelihood="3", next_review=date(2000, 2, 1)),
    )


def warm_up(page_size: str | None = None) -> None:
    """Load the fonts for every script and style and parse the stylesheets, once per process (at start).

    Lays out a sample plan in every script (Pango opens each font), prints a Latin one and its card on
    the organisation's paper (the PDF code and font subsetting), and parses the other paper's stylesheets.
    """
    size = page_size or str(settings.PRINT_PAGE_SIZE)
    engine = _get_engine()
    with _render_lock:
        _html(plan_html(sample_document(), page_size=size)).render(
            font_config=engine.font_config, stylesheets=_stylesheets("plan", size)
        )
    latin = sample_document(samples=[fonts.SCRIPTS_BY_KEY["latin"].sample])
    render_plan(latin, page_size=size)
    layout = layout_card(latin, chosen={entry.uid for entry in latin.entries()}, page_size=size)
    render_card(layout_card(latin, chosen={entry.uid for entry in layout.placed()}, page_size=size))
    for other in PAGE_SIZES:
        _stylesheets("plan", other)
        _stylesheets("card", other)
