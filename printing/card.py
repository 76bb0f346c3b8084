"""The wallet card: four credit-card panels (ISO/IEC 7810 ID-1) on one sheet, folded twice.

`layout_card(doc, chosen=..., page_size=...)` decides which of the chosen entries go on which panel,
from heights measured by WeasyPrint itself with the card's stylesheet, and names exactly what did not
fit. `render_card(layout)` prints a card only when everything chosen fits: nothing is dropped silently.
`card_html(layout)` is the very document WeasyPrint prints, for the browser preview.
"""

import threading
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from plans.bidi import text_direction
from plans.content import EntryData

from . import engine
from .document import PlanDocument, require_crisis_lines
from .packer import Group, arrange
from .plan import chrome_direction, chrome_language, context, title, ui_direction

CARD_PANEL_MM = (85.6, 54.0)
CARD_PADDING_MM = 2.6
CARD_MIN_FONT_PT = 6.5  # nothing on the card is smaller than this (the stylesheet uses 7 pt and up)
MOST_IMPORTANT_KEY = "most-important"  # the plan's "what matters most" text, chosen like an entry

PanelKey = Literal["front", "inside_1", "inside_2", "back"]


@dataclass(frozen=True)
class CardItem:
    """Something that can go on the card: an entry of the plan (or what matters most), by its key."""

    key: str  # the entry's uid, or MOST_IMPORTANT_KEY
    section: str
    entry: EntryData

    @property
    def label(self) -> str:
        """A short description for the clinician (for example in the list of entries that did not fit)."""
        words = " ".join((self.entry.name or self.entry.text).split())
        return words if len(words) <= 80 else words[:79] + "…"


@dataclass(frozen=True)
class CardSection:
    """A group of items on the card, in card order, with the card's own short heading."""

    key: str
    title: str
    items: tuple[CardItem, ...]


CARD_SECTIONS: tuple[tuple[str, Promise, tuple[str, ...]], ...] = (
    ("what_matters", _("What matters most to me"), ("most_important", "reasons")),
    ("warning_signs", _("My warning signs"), ("warning_signs",)),
    ("coping", _("Things I can do on my own"), ("coping",)),
    ("safer", _("Keeping my surroundings safer"), ("means_safety",)),
    ("people", _("People I can call"), ("help_people", "social_people")),
    ("professionals", _("Professionals and services"), ("professionals", "emergency_departments")),
)
# Chosen for a new card: the first few of each kind, which usually fit. Agreed steps for safer surroundings
# are never chosen for the client: a card can be lost or seen, so they go on it only when the client asks.
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
PANEL_LABELS: tuple[tuple[PanelKey, Promise], ...] = (
    ("front", _("Front of the card")),
    ("inside_1", _("Inside the card, first half")),
    ("inside_2", _("Inside the card, second half")),
    ("back", _("Back of the card")),
)


def _card_form(section: str, entry: EntryData) -> EntryData:
    """What of an entry goes on the card. An agreed step for safer surroundings shows only what was agreed and
    who holds it or does it: not what it is about (a firearm, medicines), the client's note, the help offered
    or the dates, which stay on the plan."""
    if section != "means_safety":
        return entry
    return EntryData(uid=entry.uid, text=entry.text, who=entry.who)


def card_candidates(doc: PlanDocument) -> tuple[CardSection, ...]:
    """Everything that may go on the card, grouped and ordered as on the card."""
    by_section: dict[str, list[CardItem]] = {}
    for key, entry in doc.entries():
        shown = _card_form(key, entry)
        by_section.setdefault(key, []).append(CardItem(key=str(entry.uid), section=key, entry=shown))
    if doc.content.most_important.strip():
        by_section["most_important"] = [
            CardItem(key=MOST_IMPORTANT_KEY, section="most_important", entry=EntryData(text=doc.content.most_important))
        ]
    groups = []
    for key, heading, sections in CARD_SECTIONS:
        items = tuple(item for section in sections for item in by_section.get(section, []))
        if items:
            groups.append(CardSection(key=key, title=str(heading), items=items))
    return tuple(groups)


def default_card_choice(doc: PlanDocument) -> frozenset[str]:
    chosen: list[str] = []
    for group in card_candidates(doc):
        counts: dict[str, int] = {}
        for item in group.items:
            counts[item.section] = counts.get(item.section, 0) + 1
            if counts[item.section] <= CARD_DEFAULT_COUNTS.get(item.section, 0):
                chosen.append(item.key)
    return frozenset(chosen)


@dataclass(frozen=True)
class CardBlock:
    """One block of a card panel: a section's heading (or its heading again, continued), or one item."""

    index: int  # its id while measuring
    section: CardSection
    item: CardItem | None = None
    continued: bool = False

    @property
    def is_heading(self) -> bool:
        return self.item is None

    @cached_property
    def direction(self) -> str:
        return text_direction(self.item.entry.text or self.item.entry.name) if self.item is not None else ""


@dataclass(frozen=True)
class CardPanel:
    key: PanelKey
    label: str
    blocks: tuple[CardBlock, ...]


@dataclass(frozen=True)
class CardLayout:
    doc: PlanDocument
    page_size: str
    panels: tuple[CardPanel, ...]  # in reading order: front, inside left, inside right, back
    not_fitting: tuple[CardItem, ...]  # chosen but not on the card (the clinician is told, by name)
    chosen: frozenset[str]
    title: str = ""  # the client's discreet title; "" for ours

    @property
    def fits(self) -> bool:
        return not self.not_fitting

    @property
    def discreet(self) -> bool:
        return bool(self.title)

    def placed(self) -> Iterator[CardItem]:
        for panel in self.panels:
            for block in panel.blocks:
                if block.item is not None:
                    yield block.item


class CardDoesNotFit(Exception):
    def __init__(self, layout: CardLayout) -> None:
        super().__init__(len(layout.not_fitting))
        self.layout = layout


# Where each section of the card belongs (by panel: 0 front, 1 and 2 inside, 3 back) and may go.
FRONT, INSIDE, BACK, NOT_FRONT = frozenset({0}), frozenset({1, 2}), frozenset({3}), frozenset({1, 2, 3})
CARD_HOMES: dict[str, tuple[frozenset[int], frozenset[int]]] = {
    "what_matters": (FRONT, FRONT | NOT_FRONT),
    "warning_signs": (INSIDE, NOT_FRONT),
    "coping": (INSIDE, NOT_FRONT),
    "safer": (INSIDE, NOT_FRONT),
    "people": (BACK, NOT_FRONT),
    "professionals": (BACK, NOT_FRONT),
}


@dataclass(frozen=True)
class _Measured:
    """What is measured for a card: each section's heading, its continued heading, and each item."""

    sections: tuple[CardSection, ...]
    headings: tuple[CardBlock, ...]  # one per section
    continued: tuple[CardBlock, ...]  # one per section
    items: tuple[CardBlock, ...]  # in card order
    groups: tuple[int, ...]  # the section of each item


def _measured(doc: PlanDocument, chosen: Collection[str]) -> _Measured:
    sections: list[CardSection] = []
    headings: list[CardBlock] = []
    continued: list[CardBlock] = []
    items: list[CardBlock] = []
    groups: list[int] = []
    index = 0
    for group in card_candidates(doc):
        picked = [item for item in group.items if item.key in chosen]
        if not picked:
            continue
        number = len(sections)
        sections.append(group)
        headings.append(CardBlock(index=index, section=group))
        continued.append(CardBlock(index=index + 1, section=group, continued=True))
        index += 2
        for item in picked:
            items.append(CardBlock(index=index, section=group, item=item))
            groups.append(number)
            index += 1
    return _Measured(tuple(sections), tuple(headings), tuple(continued), tuple(items), tuple(groups))


def _measure_css() -> str:
    width = CARD_PANEL_MM[0] - 2 * CARD_PADDING_MM
    return f"@page {{ size: {width}mm 3000mm; margin: 0; }} body {{ margin: 0; }}"


def _panel_blocks(measured: _Measured, run: Sequence[int]) -> tuple[CardBlock, ...]:
    """The blocks of one panel: each section's heading (continued when it began on an earlier panel)."""
    blocks: list[CardBlock] = []
    previous: int | None = None
    for index in run:
        group = measured.groups[index]
        if group != previous:
            starts = index == 0 or measured.groups[index - 1] != group
            blocks.append(measured.headings[group] if starts else measured.continued[group])
            previous = group
        blocks.append(measured.items[index])
    return tuple(blocks)


# Measured heights (mm) of card blocks, by what determines them: the same entry, heading, title or crisis
# lines measure the same on every call, so the chooser's refreshes, the preview and the download measure
# only what is new. Process-local (the stylesheets do not change while a process runs), and bounded.
_HEIGHTS: dict[tuple[object, ...], float] = {}
_HEIGHTS_LOCK = threading.Lock()
_HEIGHTS_MAX = 8192


def _keys(doc: PlanDocument, measured: _Measured, card_title: str) -> dict[str, tuple[object, ...]]:
    """The cache key of every block to measure, by its measuring id."""
    ui = (translation.get_language() or "", doc.direction, chrome_direction(doc), chrome_language(doc))
    keys: dict[str, tuple[object, ...]] = {
        "title": ("title", *ui, card_title),
        "crisis": ("crisis", *ui, doc.emergency_numbers, doc.crisis_lines),
    }
    for block in measured.headings:
        keys[str(block.index)] = ("heading", *ui, block.section.title, False)
    for block, count in zip(measured.continued, _counts(measured), strict=True):
        if count > 1:  # a section of one entry never runs on
            keys[str(block.index)] = ("heading", *ui, block.section.title, True)
    for block in measured.items:
        assert block.item is not None
        keys[str(block.index)] = ("item", *ui, block.item.entry.content())
    return keys


def _counts(measured: _Measured) -> list[int]:
    """How many chosen entries each section has."""
    return [measured.groups.count(number) for number in range(len(measured.sections))]


def _measure(doc: PlanDocument, measured: _Measured, card_title: str) -> dict[str, float]:
    """The height of every block (by measuring id), measured by WeasyPrint where not known yet."""
    keys = _keys(doc, measured, card_title)
    with _HEIGHTS_LOCK:
        heights = {ident: _HEIGHTS[key] for ident, key in keys.items() if key in _HEIGHTS}
    missing = set(keys) - set(heights)
    if not missing:
        return heights
    source = render_to_string(
        "pdf/card_measure.html",
        {
            "doc": doc,
            "blocks": [
                block
                for block in (*measured.headings, *measured.continued, *measured.items)
                if str(block.index) in missing
            ],
            "measure_title": "title" in missing,
            "measure_crisis": "crisis" in missing,
            "title": title("card"),
            "card_title": card_title,
            "chrome_dir": chrome_direction(doc),
            "chrome_lang": chrome_language(doc),
            "ui_dir": ui_direction(),
        },
    )
    with engine.render_lock:
        document = engine.render(source, "card", "measure", extra_css=_measure_css())
        boxes = engine.boxes_by(document, "data-block")
    new = {ident: engine.height_mm(boxes[ident]) for ident in missing}
    with _HEIGHTS_LOCK:
        if len(_HEIGHTS) + len(new) > _HEIGHTS_MAX:
            _HEIGHTS.clear()
        _HEIGHTS.update({keys[ident]: height for ident, height in new.items()})
    return {**heights, **new}


def layout_card(doc: PlanDocument, *, chosen: Collection[str], page_size: str, card_title: str = "") -> CardLayout:
    """Decide what goes on each panel, from heights measured by WeasyPrint with the card's stylesheet."""
    require_crisis_lines(doc)
    measured = _measured(doc, chosen)
    heights = _measure(doc, measured, card_title)

    def height(block: CardBlock) -> float:
        return heights[str(block.index)]

    inner = CARD_PANEL_MM[1] - 2 * CARD_PADDING_MM
    fixed = heights["title"] + heights["crisis"]
    arrangement = arrange(
        groups=measured.groups,
        heights=[height(block) for block in measured.items],
        group_of=[
            Group(height(heading), heights.get(str(again.index), height(heading)), *CARD_HOMES[section.key])
            for section, heading, again in zip(measured.sections, measured.headings, measured.continued, strict=True)
        ],
        capacities=[inner - fixed, inner, inner, inner],
    )
    panels = tuple(
        CardPanel(key=key, label=str(label), blocks=_panel_blocks(measured, run))
        for (key, label), run in zip(PANEL_LABELS, arrangement.panels, strict=True)
    )
    return CardLayout(
        doc=doc,
        page_size=page_size,
        panels=panels,
        not_fitting=tuple(
            item for index in arrangement.not_fitting if (item := measured.items[index].item) is not None
        ),
        chosen=frozenset(chosen),
        title=card_title,
    )


def card_html(layout: CardLayout, *, preview: bool = False, panels_view: bool = False) -> str:
    """The card sheet: exactly what WeasyPrint prints; with `preview`, linked to the same stylesheets, and
    with `panels_view` shown on screen as the four panels in reading order, upright and large."""
    require_crisis_lines(layout.doc)
    page = context(layout.doc, kind="card", page_size=layout.page_size, preview=preview)
    page.update({"layout": layout, "panels": layout.panels, "panels_view": panels_view})
    if layout.discreet:  # nothing on a discreet card's file says what it is
        page["title"] = str(_("Wallet card"))
    return render_to_string("pdf/card.html", page)


def _check_card(document: Any) -> None:
    """Every block lies inside its panel's padding box: the measured layout is the printed one."""
    panels = engine.boxes_by(document, "data-panel")
    blocks = engine.boxes_by(document, "data-in-panel")
    tolerance = 0.05 * engine.PX_PER_MM
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
    engine.check_glyphs(layout.doc.all_text())
    with engine.render_lock:
        document = engine.render(card_html(layout), "card", layout.page_size)
        _check_card(document)
        return engine.write_pdf(document)
