"""The WeasyPrint engine: one font configuration and one parsed copy of each stylesheet per process.

`check_glyphs(texts)` refuses (MissingGlyphs) what would print as a box: a character no installed font
draws. `render(source, kind, page_size)` lays out a document; `write_pdf(document)` makes the tagged PDF.
`boxes_by(document, attribute)` finds the layout boxes of elements carrying an attribute: the wallet
card is measured and checked with it. WeasyPrint's font machinery (Pango, fontconfig) is shared by all
renders, so one render runs at a time in a process.
"""

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from . import fonts
from .fetcher import STATIC_ORIGIN, StaticOnlyFetcher

PAGE_SIZES: dict[str, tuple[float, float]] = {"letter": (215.9, 279.4), "a4": (210.0, 297.0)}  # mm, portrait
PDF_VARIANT = "pdf/ua-1"  # tagged, with title, language and structure (WeasyPrint's PDF/UA variant)
PX_PER_MM = 96 / 25.4
STYLESHEETS: dict[str, tuple[str, ...]] = {
    "plan": ("css/print-fonts.css", "css/print.css"),
    "card": ("css/print-fonts.css", "css/print-card.css"),
}


class MissingGlyphs(Exception):
    """A character had no glyph in any installed font: the PDF would show a box, so it is not made."""


@dataclass
class _Engine:
    fetcher: StaticOnlyFetcher
    font_config: Any
    stylesheets: dict[str, list[Any]] = field(default_factory=dict)


_engine: _Engine | None = None
render_lock = threading.RLock()


def _get_engine() -> _Engine:
    global _engine
    with render_lock:
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


def stylesheet_names(kind: str, page_size: str) -> tuple[str, ...]:
    return (*STYLESHEETS[kind], page_stylesheet(page_size))


def _stylesheets(kind: str, page_size: str, extra_css: str = "") -> list[Any]:
    """The parsed stylesheets for a kind of document and paper, parsed once per process.

    `page_size` "measure" with `extra_css` is the card's measuring sheet (no paper stylesheet).
    """
    engine = _get_engine()
    key = f"{kind}:{page_size}"
    with render_lock:
        if key not in engine.stylesheets:
            names = STYLESHEETS[kind] if page_size == "measure" else stylesheet_names(kind, page_size)
            sheets = [
                CSS(
                    string=_static_source(name),
                    base_url=f"{STATIC_ORIGIN}/{settings.STATIC_URL.strip('/')}/{name}",
                    url_fetcher=engine.fetcher,
                    font_config=engine.font_config,
                )
                for name in names
            ]
            if extra_css:
                sheets.append(CSS(string=extra_css, url_fetcher=engine.fetcher, font_config=engine.font_config))
            engine.stylesheets[key] = sheets
        return engine.stylesheets[key]


def render(source: str, kind: str, page_size: str, *, extra_css: str = "") -> Any:
    """Lay out an HTML document with the app's print stylesheets (a WeasyPrint Document)."""
    engine = _get_engine()
    with render_lock:
        html = HTML(string=source, base_url=STATIC_ORIGIN + "/", url_fetcher=engine.fetcher)
        return html.render(font_config=engine.font_config, stylesheets=_stylesheets(kind, page_size, extra_css))


def check_glyphs(texts: Iterable[str]) -> None:
    """Refuse to print what would show as boxes: characters of `texts` that no installed font draws.

    The same coverage as the font check before printing (printing.fonts), so what the clinician was
    told and what is printed always agree. The characters themselves are never logged.
    """
    missing = fonts.uncovered_characters(texts)
    if missing:
        raise MissingGlyphs(len(missing))


def write_pdf(document: Any) -> bytes:
    """The tagged PDF of a laid-out document."""
    with render_lock:
        pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf


# --- Layout boxes (the card is measured and checked with WeasyPrint's own layout) -------------------


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


def boxes_by(document: Any, attribute: str) -> dict[str, list[tuple[int, Any]]]:
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


def height_mm(parts: list[tuple[int, Any]]) -> float:
    """The height of an element laid out on one page; split across pages, taller than anything."""
    if len(parts) != 1:
        return float("inf")
    return float(parts[0][1].margin_height()) / PX_PER_MM
