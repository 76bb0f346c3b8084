"""The wallet card: panels, marks, type size, the clinician's choice, and nothing dropped silently."""

import dataclasses
import html
import random
import re
import uuid
from datetime import date

import pytest
from django.urls import reverse

from plans.content import EntryData, PlanContent
from plans.models import CardSelection, Entry, StepText
from plans.steps import SECTIONS, STEPS
from printing import card, document

from .factories import entry_text, make_plan
from .pdfs import MM, all_text, font_sizes_pt, operations, page_size_mm, reader

PANEL_W, PANEL_H = card.CARD_PANEL_MM


@pytest.fixture
def plan(client_record):
    return make_plan(client_record)


def url(name: str, client_record) -> str:
    return reverse(f"printing:{name}", args=[client_record.pk])


def card_pdf(http, client_record, query: str = "") -> bytes:
    response = http.get(url("card_pdf", client_record) + query)
    assert response.status_code == 200, response.get("Location")
    assert response["Content-Type"] == "application/pdf"
    return response.content


def choose(http, client_record, uids, go: str = "save", size: str = "letter"):
    return http.post(url("print_card", client_record), {"choose": "1", "go": go, "size": size, "entry": list(uids)})


def uids(plan, *sections: str) -> list[str]:
    return [str(e.uid) for e in plan.entries.filter(section__in=sections).order_by("section", "position")]


# --- Geometry, read back from the PDF -------------------------------------------------------------


def _multiply(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def rectangles_mm(content: bytes) -> list[tuple[float, float, float, float]]:
    """Every `re` of page 1 in page millimetres (x, y from the bottom-left corner, width, height)."""
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack = []
    found = []
    for operands, operator in operations(content):
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q":
            ctm = stack.pop()
        elif operator == b"cm":
            ctm = _multiply([float(v) for v in operands], ctm)  # type: ignore[arg-type]
        elif operator == b"re":
            x, y, w, h = (float(v) for v in operands)  # type: ignore[arg-type]
            corners = [(x, y), (x + w, y + h)]
            points = [(px * ctm[0] + py * ctm[2] + ctm[4], px * ctm[1] + py * ctm[3] + ctm[5]) for px, py in corners]
            xs, ys = [p[0] / MM for p in points], [p[1] / MM for p in points]
            found.append((min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    return found


def text_runs_mm(content: bytes) -> list[tuple[str, float, float, bool]]:
    """Text runs with their starting point in page millimetres, and whether they are upside down."""
    runs = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            upside_down = (tm[0] * cm[0] + tm[1] * cm[2]) < 0
            runs.append((text.strip(), x / MM, y / MM, upside_down))

    reader(content).pages[0].extract_text(visitor_text=visit)
    return runs


def cut_outline(content: bytes) -> tuple[float, float, float, float]:
    outlines = [
        r
        for r in rectangles_mm(content)
        if r[2] == pytest.approx(2 * PANEL_W, abs=0.05) and r[3] == pytest.approx(2 * PANEL_H, abs=0.05)
    ]
    assert outlines, "no 171.2 x 108 mm cut outline"
    return outlines[0]


def test_it_prints_on_one_letter_or_a4_sheet(alice_client, plan, client_record):
    assert page_size_mm(card_pdf(alice_client, client_record)) == [pytest.approx((215.9, 279.4), abs=0.1)]
    assert page_size_mm(card_pdf(alice_client, client_record, "?size=a4")) == [pytest.approx((210.0, 297.0), abs=0.1)]


Box = tuple[float, float, float, float]  # x, y from the bottom-left corner, width, height (mm)


def assert_inside_the_printable_area(sheet: tuple[float, float], outline: Box) -> None:
    """Comfortably inside what an office printer can print."""
    sheet_w, sheet_h = sheet
    x, y, w, h = outline
    assert x > 10 and y > 10 and sheet_w - (x + w) > 10 and sheet_h - (y + h) > 10


def assert_fold_lines(rects: list[Box], outline: Box) -> None:
    """Dashes across the middle (y + 54 mm) and down the middle (x + 85.6 mm), the whole way, with fold
    ticks outside the card in line with the folds."""
    x, y, w, h = outline
    across = [r for r in rects if r[3] < 0.3 and r[1] == pytest.approx(y + PANEL_H, abs=0.3)]
    down = [r for r in rects if r[2] < 0.3 and r[0] == pytest.approx(x + PANEL_W, abs=0.3)]
    assert len(across) > 20 and len(down) > 20
    assert min(r[0] for r in across) <= x + 1 and max(r[0] + r[2] for r in across) >= x + w - 1
    assert min(r[1] for r in down) <= y + 1 and max(r[1] + r[3] for r in down) >= y + h - 1
    assert any(r[0] + r[2] < x and r[3] < 0.3 for r in across)
    assert any(r[1] > y + h for r in down)


def is_cut_mark(r: Box) -> bool:
    """A 6 mm hairline, across or down."""
    return (r[2] == pytest.approx(6, abs=0.1) and 0.1 < r[3] < 0.3) or (
        r[3] == pytest.approx(6, abs=0.1) and 0.1 < r[2] < 0.3
    )


def is_on_a_fold(r: Box, outline: Box) -> bool:
    x, y, _w, _h = outline
    return r[1] == pytest.approx(y + PANEL_H, abs=0.3) or r[0] == pytest.approx(x + PANEL_W, abs=0.3)


def near(r: Box, corner: tuple[float, float]) -> bool:
    """Whether a mark starts or ends within 8.5 mm of a corner."""
    corner_x, corner_y = corner
    starts = abs(r[0] - corner_x) < 8.5 and abs(r[1] - corner_y) < 8.5
    ends = abs(r[0] + r[2] - corner_x) < 8.5 and abs(r[1] + r[3] - corner_y) < 8.5
    return starts or ends


def assert_cut_marks(rects: list[Box], outline: Box) -> None:
    """A 6 mm line on each side of each corner, outside the card."""
    x, y, w, h = outline
    solid = [r for r in rects if is_cut_mark(r) and not is_on_a_fold(r, outline)]
    assert len(solid) == 8
    for corner in [(x, y), (x + w, y), (x, y + h), (x + w, y + h)]:
        assert len([r for r in solid if near(r, corner)]) >= 2


@pytest.mark.parametrize("size", ["letter", "a4"])
def test_the_card_is_four_credit_card_panels_with_cut_and_fold_marks(alice_client, plan, client_record, size):
    content = card_pdf(alice_client, client_record, f"?size={size}")
    outline = cut_outline(content)
    assert_inside_the_printable_area(page_size_mm(content)[0], outline)
    rects = rectangles_mm(content)
    assert_fold_lines(rects, outline)
    assert_cut_marks(rects, outline)


def test_each_panel_holds_its_text_and_the_outside_panels_are_upside_down(alice_client, plan, client_record):
    content = card_pdf(alice_client, client_record)
    x, y, w, h = cut_outline(content)
    runs = text_runs_mm(content)
    card_runs = [r for r in runs if x <= r[1] <= x + w and y <= r[2] <= y + h]
    title = [r for r in card_runs if r[0] == "My safety plan"]
    assert len(title) == 1
    # LTR: the front is the bottom-left panel (the upper half of the page is the top row).
    _, tx, ty, upside_down = title[0]
    assert upside_down and x < tx <= x + PANEL_W and y < ty <= y + PANEL_H
    for text, rx, ry, flipped in card_runs:
        in_bottom_row = ry < y + PANEL_H
        assert flipped == in_bottom_row, text
        # Nothing crosses a fold: every run starts and stays inside one panel (checked on its start).
        assert abs(ry - (y + PANEL_H)) > 0.5 and abs(rx - (x + PANEL_W)) > 0.5, text


def test_right_to_left_cards_open_the_other_way(alice_client, client_record):
    client_record.preferred_language = "ar"
    client_record.save()
    # With the organisation's Arabic headings the card is printed in Arabic, right to left.
    for step in STEPS:
        StepText.objects.create(step=step.number, language="ar", heading=f"الخطوة {step.number}")
    make_plan(client_record, texts={"warning_signs": ["لا أنام جيداً"], "coping": ["أمشي في الحديقة"]})
    content = card_pdf(alice_client, client_record)
    x, y, w, h = cut_outline(content)
    _text, tx, ty, upside_down = next(r for r in text_runs_mm(content) if r[0] == "My safety plan")
    # The front is the bottom-right panel, so the card opens like a right-to-left book.
    assert upside_down and x + PANEL_W < tx <= x + w and y < ty < y + h - PANEL_H
    assert "جيداً" in all_text(content)


def test_with_our_english_headings_an_arabic_card_opens_left_to_right(alice_client, client_record):
    client_record.preferred_language = "ar"
    client_record.save()
    make_plan(client_record, texts={"warning_signs": ["لا أنام جيداً"], "coping": ["أمشي في الحديقة"]})
    content = card_pdf(alice_client, client_record)
    x, y, _w, h = cut_outline(content)
    _text, tx, ty, upside_down = next(r for r in text_runs_mm(content) if r[0] == "My safety plan")
    # The front is the bottom-left panel, as for any left-to-right card; the Arabic entries keep their direction.
    assert upside_down and x < tx <= x + PANEL_W and y < ty < y + h - PANEL_H
    assert "جيداً" in all_text(content)


def test_the_card_pdf_is_tagged_with_title_language_and_no_client_name(alice_client, plan, client_record):
    content = card_pdf(alice_client, client_record)
    pdf_file = reader(content)
    root = pdf_file.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root and root["/Lang"] == "en"
    assert pdf_file.metadata.title == "Safety plan wallet card"
    xmp = root["/Metadata"].get_object().get_data().decode()
    everything = xmp + " ".join(str(value) for value in pdf_file.metadata.values()) + all_text(content)
    assert "Jordan" not in everything and "Rivera" not in everything and "MRN-001" not in everything


def test_no_text_on_the_card_is_smaller_than_6_5_points(alice_client, plan, client_record):
    choose(alice_client, client_record, uids(plan, *[s.key for s in SECTIONS])[:6])
    assert min(font_sizes_pt(card_pdf(alice_client, client_record))) >= card.CARD_MIN_FONT_PT


# --- What goes on the card ------------------------------------------------------------------------


def test_a_new_card_has_the_first_few_of_each_kind(alice_client, plan, client_record):
    text = all_text(card_pdf(alice_client, client_record))
    for section, count in [("warning_signs", 3), ("coping", 3), ("help_people", 3), ("professionals", 2)]:
        entries = list(plan.entries.filter(section=section).order_by("position"))
        for entry in entries[:count]:
            assert (entry.text or entry.name) in text
        for entry in entries[count:]:
            assert (entry.text or entry.name) not in text
    assert "Seeing my daughter grow up" in text
    assert "(202) 555-0000" in text


def test_it_carries_exactly_the_chosen_entries_and_always_the_crisis_lines(alice_client, plan, client_record):
    chosen = uids(plan, "warning_signs")[1:2] + uids(plan, "help_people")[4:5]
    response = choose(alice_client, client_record, chosen)
    assert response.status_code == 302
    assert sorted(CardSelection.objects.get(plan=plan).entry_uids) == sorted(chosen)
    text = all_text(card_pdf(alice_client, client_record))
    for entry in Entry.objects.filter(plan=plan):
        assert ((entry.text or entry.name) in text) == (str(entry.uid) in chosen), entry.section
    assert "Seeing my daughter grow up" not in text
    # The card carries each line's short, discreet form (CrisisResource.card_label).
    assert "Emergency: 911" in text and "988: call or text" in text and "Text HOME to 741741" in text
    assert "Suicide" not in text
    page = alice_client.get(url("print_card", client_record)).content.decode()
    assert page.count(" checked>") == len(chosen) + 2  # + the paper size and the language to print in


def test_save_and_download_goes_straight_to_the_pdf(alice_client, plan, client_record):
    response = choose(alice_client, client_record, uids(plan, "coping")[:2], go="download", size="a4")
    assert response.status_code == 302
    assert response["Location"] == url("card_pdf", client_record) + "?size=a4"


def test_entries_removed_since_the_page_was_opened_are_ignored(alice_client, plan, client_record):
    response = choose(
        alice_client,
        client_record,
        [*uids(plan, "coping")[:1], "0b6f1f3e-0000-4000-8000-000000000000", "most-important"],
    )
    assert response.status_code == 302
    assert sorted(CardSelection.objects.get(plan=plan).entry_uids) == sorted(
        [*uids(plan, "coping")[:1], "most-important"]
    )


def test_too_much_is_named_and_never_printed(alice_client, client_record):
    long = {
        s.key: [f"{s.key} entry {i} " + "with many more words to make it long " * 2 for i in range(8)] for s in SECTIONS
    }
    plan = make_plan(client_record, texts=long)
    everything = [str(u) for u in Entry.objects.filter(plan=plan).values_list("uid", flat=True)] + ["most-important"]
    response = choose(alice_client, client_record, everything, go="download")
    assert response.status_code == 302
    assert response["Location"] == url("print_card", client_record) + "?size=letter"
    page = alice_client.get(response["Location"]).content.decode()
    assert "did not fit on the card" in page
    assert alice_client.get(url("card_pdf", client_record)).status_code == 302

    # Exactly the entries that are not in the preview are listed, by name: none is dropped silently.
    preview = alice_client.get(url("card_preview", client_record)).content.decode()
    placed = set(re.findall(r'data-uid="([^"]+)"', preview))
    report = page.split('id="card-report"')[1].split("</ul>")[0]
    listed = {uid for uid in everything if _label(plan, uid) in report}
    # Places are not for the card; agreed steps for safer surroundings are, when the client chooses them.
    candidates = {str(e.uid) for e in plan.entries.exclude(section="social_places")} | {"most-important"}
    assert placed and listed
    assert placed | listed == candidates
    assert not placed & listed
    assert page.count("did not fit</span>") == len(listed)


def _label(plan, uid: str) -> str:
    if uid == "most-important":
        return " ".join(plan.most_important.split())
    entry = plan.entries.get(uid=uid)
    item = card.CardItem(key=uid, section=entry.section, entry=EntryData(text=entry.text, name=entry.name))
    return item.label.replace("'", "&#x27;")


def test_an_entry_too_long_for_any_panel_is_named(alice_client, client_record):
    plan = make_plan(client_record, texts={"warning_signs": ["short one", "very long " * 300]})
    choose(alice_client, client_record, uids(plan, "warning_signs"))
    page = alice_client.get(url("print_card", client_record)).content.decode()
    assert "This entry did not fit on the card" in page and "very long very long" in page
    assert "short one" in alice_client.get(url("card_preview", client_record)).content.decode()


def test_the_page_previews_an_unsaved_choice_without_saving_it(alice_client, plan, client_record):
    chosen = uids(plan, "coping")[3:4]
    query = f"?choose=1&size=a4&entry={chosen[0]}"
    page = alice_client.get(url("print_card", client_record) + query).content.decode()
    assert "Everything chosen fits on the card." in page
    preview = alice_client.get(url("card_preview", client_record) + query).content.decode()
    assert set(re.findall(r'data-uid="([^"]+)"', preview)) == set(chosen)
    assert "size-a4" in preview and "/static/css/print-card.css" in preview
    assert not CardSelection.objects.exists()


def test_update_preview_without_javascript_shows_the_choice_and_saves_nothing(alice_client, plan, client_record):
    chosen = uids(plan, "coping")[4:5]
    response = choose(alice_client, client_record, chosen, go="preview")
    assert response.status_code == 200
    assert not CardSelection.objects.exists()
    page = response.content.decode()
    assert f'value="{chosen[0]}" id="entry-{chosen[0]}" checked' in page
    frame = page.split('id="card-preview"')[1].split(">")[0]
    assert f"entry={chosen[0]}" in frame and "csrf" not in frame


def test_a_choice_that_does_not_fit_is_saved_but_not_printed(alice_client, client_record):
    plan = make_plan(client_record, texts={"coping": ["walk " * 400]})
    response = choose(alice_client, client_record, uids(plan, "coping"), go="download")
    assert response["Location"] == url("print_card", client_record) + "?size=letter"
    assert CardSelection.objects.get(plan=plan).entry_uids == uids(plan, "coping")
    page = alice_client.get(response["Location"]).content.decode()
    assert "the card was not printed" in page and "did not fit</span>" in page


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        # session, user, client+plan, latest version, entries, saved choice,
        # + 2 audit (the last event of the client's chain, insert the event)
        # (crisis lines and step wording come from the cached library, not counted: see conftest)
        ("print_card", 6 + 2),
        ("card_preview", 6 + 2),
        ("card_pdf", 6 + 2),
    ],
)
def test_card_views_make_a_fixed_number_of_queries(
    alice_client, plan, client_record, django_assert_num_queries, name, queries
):
    choose(alice_client, client_record, uids(plan, "coping"))
    with django_assert_num_queries(queries):
        response = alice_client.get(url(name, client_record))
    assert response.status_code == 200
    shown = all_text(response.content) if name == "card_pdf" else html.unescape(response.content.decode())
    assert entry_text("coping", 0) in shown, name


def test_saving_a_choice_makes_a_fixed_number_of_queries(alice_client, plan, client_record, django_assert_num_queries):
    choose(alice_client, client_record, uids(plan, "coping"))
    warning_signs = uids(plan, "warning_signs")
    # session, user, client+plan, latest version, entries, then the save: two savepoints,
    # select, update, two releases (the message goes in a cookie); + 2 for the audit event: the last
    # event of the client's chain, insert the event. (Crisis lines and step wording: the cached library.)
    with django_assert_num_queries(11 + 2):
        assert choose(alice_client, client_record, warning_signs).status_code == 302


# --- Measuring matches printing --------------------------------------------------------------------


def _random_document(seed: int) -> document.PlanDocument:
    rng = random.Random(seed)
    words = [
        "call",
        "walk",
        "music",
        "sister",
        "breathe",
        "cold",
        "water",
        "dog",
        "garden",
        "tea",
        "shower",
        "friend",
        "night",
        "bus",
        "park",
    ]
    sections: dict[str, list[EntryData]] = {}
    for section in ("warning_signs", "coping", "help_people", "professionals", "reasons"):
        for i in range(rng.randint(1, 6)):
            text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
            uid = uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}:{section}:{i}")
            if section in ("help_people", "professionals"):
                entry = EntryData(uid=uid, name=text[:60], phone="+12025550101")
            else:
                entry = EntryData(uid=uid, text=text)
            sections.setdefault(section, []).append(entry)
    doc = document.sample_document()
    content = PlanContent(sections=sections, most_important="My kids")
    return dataclasses.replace(doc, content=content, plan_date=date(2030, 1, 1))


@pytest.mark.parametrize("seed", range(6))
def test_every_placed_entry_prints_inside_its_panel_and_every_other_is_named(seed):
    doc = _random_document(seed)
    candidates = {item.key for group in card.card_candidates(doc) for item in group.items}
    layout = card.layout_card(doc, chosen=candidates, page_size="letter")
    placed = {item.key for item in layout.placed()}
    assert placed | {item.key for item in layout.not_fitting} == candidates
    assert not placed & {item.key for item in layout.not_fitting}
    fitting = card.layout_card(doc, chosen=placed, page_size="letter")
    assert fitting.fits
    # render_card checks every block against its panel in WeasyPrint's own layout, and raises if one spills.
    assert card.render_card(fitting).startswith(b"%PDF")
    if not layout.fits:
        with pytest.raises(card.CardDoesNotFit):
            card.render_card(layout)
