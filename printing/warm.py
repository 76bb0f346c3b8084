"""Warming up printing once per process, at start (safetyplan/wsgi.py), so the first print is quick."""

from django.conf import settings

from . import engine, fonts
from .card import card_candidates, layout_card, render_card
from .document import sample_document
from .plan import plan_html, render_plan


def warm_up(page_size: str | None = None) -> None:
    """Read the print fonts' character maps, load the fonts for every script and style, parse the stylesheets.

    Lays out a sample plan in every script (Pango opens each font), prints a Latin one and its card on
    the organisation's paper (the PDF code and font subsetting), and parses the other paper's stylesheets.
    """
    size = page_size or str(settings.PRINT_PAGE_SIZE)
    fonts.missing_scripts()  # reads the character maps of the print stylesheet's families
    engine.render(plan_html(sample_document(), page_size=size), "plan", size)
    latin = sample_document(samples=[fonts.SCRIPTS_BY_KEY["latin"].sample])
    render_plan(latin, page_size=size)
    everything = {item.key for group in card_candidates(latin) for item in group.items}
    layout = layout_card(latin, chosen=everything, page_size=size)
    render_card(layout_card(latin, chosen={item.key for item in layout.placed()}, page_size=size))
    for other in engine.PAGE_SIZES:
        engine.render("<p></p>", "plan", other)
        engine.render("<p></p>", "card", other)
