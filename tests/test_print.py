"""Printing the plan: PDFs read back with pypdf, previews, access, and hostile text that stays text."""

import html
import select
import socket
from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from plans.models import CardSelection, CrisisResource, Entry
from plans.steps import SECTIONS, STEPS
from printing import engine, fonts
from printing import fetcher as fetching

from .factories import entry_text, make_plan
from .pdfs import all_text, font_sizes_pt, page_size_mm, page_texts, reader

PRINT_URLS = ["print_plan", "plan_preview", "plan_pdf", "print_card", "card_preview", "card_pdf"]


@pytest.fixture
def plan(client_record):
    return make_plan(client_record)


def url(name: str, client_record, **query: str) -> str:
    base = reverse(f"printing:{name}", args=[client_record.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def shown_text(response) -> str:
    """What a print view shows: the text of its PDF, or its page with the HTML entities read."""
    if response["Content-Type"] == "application/pdf":
        return all_text(response.content)
    return html.unescape(response.content.decode())


FIRST_SIGN = entry_text("warning_signs", 0)  # in every plan made by make_plan(), and on a new card


def assert_shows_the_plan(response, name: str, client_record) -> None:
    """A print view showed the plan: its first warning sign, or on the print options page, its preview."""
    expected = url("plan_preview", client_record) if name == "print_plan" else FIRST_SIGN
    assert expected in shown_text(response), name


def get_pdf(http, client_record, **query: str) -> bytes:
    response = http.get(url("plan_pdf", client_record, **query))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return response.content


# --- Access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PRINT_URLS)
def test_it_hides_it_from_outsiders(charlie_client, plan, client_record, name):
    response = charlie_client.get(url(name, client_record))
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"


def test_it_hides_the_card_choice_from_outsiders(charlie_client, plan, client_record):
    response = charlie_client.post(url("print_card", client_record), {"choose": "1", "go": "save"})
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert not CardSelection.objects.exists()


@pytest.mark.parametrize("name", PRINT_URLS)
def test_it_sends_visitors_to_sign_in(client, plan, client_record, name):
    response = client.get(url(name, client_record))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name", PRINT_URLS)
def test_the_care_team_can_print(bob_client, plan, client_record, name):
    response = bob_client.get(url(name, client_record))
    assert response.status_code == 200
    assert_shows_the_plan(response, name, client_record)


@pytest.mark.parametrize("name", PRINT_URLS)
def test_no_print_response_is_cached(alice_client, plan, client_record, name):
    response = alice_client.get(url(name, client_record))
    assert response.status_code == 200  # the page or PDF itself, not a refusal
    assert response["Cache-Control"] == "no-store"


def test_no_plan_yet_means_nothing_to_print(alice_client, client_record):
    response = alice_client.get(url("plan_pdf", client_record))
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:client_detail", args=[client_record.pk])
    assert response["Cache-Control"] == "no-store"


def test_the_plan_page_prints_in_one_click(alice_client, plan, client_record):
    page = alice_client.get(reverse("plans:client_detail", args=[client_record.pk])).content.decode()
    assert f'href="{url("plan_pdf", client_record)}"' in page
    assert f'href="{url("print_plan", client_record)}"' in page
    assert f'href="{url("print_card", client_record)}"' in page


# --- The PDF --------------------------------------------------------------------------------------


def test_it_prints_letter_by_default_and_a4_when_asked(alice_client, plan, client_record):
    letter = page_size_mm(get_pdf(alice_client, client_record))
    assert letter[0] == pytest.approx((215.9, 279.4), abs=0.1)
    a4 = page_size_mm(get_pdf(alice_client, client_record, size="a4"))
    assert a4[0] == pytest.approx((210.0, 297.0), abs=0.1)
    assert all(size == a4[0] for size in a4)


@override_settings(PRINT_PAGE_SIZE="a4")
def test_the_organisation_can_make_a4_the_default(alice_client, plan, client_record):
    assert page_size_mm(get_pdf(alice_client, client_record))[0] == pytest.approx((210.0, 297.0), abs=0.1)
    assert page_size_mm(get_pdf(alice_client, client_record, size="letter"))[0] == pytest.approx(
        (215.9, 279.4), abs=0.1
    )


def test_an_unknown_paper_size_falls_back_to_the_organisations(alice_client, plan, client_record):
    assert page_size_mm(get_pdf(alice_client, client_record, size="tabloid"))[0] == pytest.approx(
        (215.9, 279.4), abs=0.1
    )


def test_a_typical_plan_fits_on_one_or_two_pages(alice_client, plan, client_record):
    assert 1 <= len(reader(get_pdf(alice_client, client_record)).pages) <= 2
    assert 1 <= len(reader(get_pdf(alice_client, client_record, size="a4")).pages) <= 2


def test_it_prints_every_entry_in_step_order(alice_client, plan, client_record):
    text = all_text(get_pdf(alice_client, client_record))
    expected = [
        entry.text or entry.name
        for section in SECTIONS
        for entry in plan.entries.filter(section=section.key).order_by("position")
    ]
    assert len(expected) == 35
    positions = [text.find(item) for item in expected]
    assert -1 not in positions, [item for item, at in zip(expected, positions, strict=True) if at == -1]
    assert positions == sorted(positions)
    headings = [text.find(str(step.heading)) for step in STEPS]
    assert -1 not in headings and headings == sorted(headings)


def test_it_prints_the_name_the_client_prefers_the_date_and_the_clinician_but_no_revision_counter(
    alice_client, plan, client_record
):
    text = all_text(get_pdf(alice_client, client_record))
    assert "Jo" in text
    assert "Jordan" not in text and "Rivera" not in text
    assert "revision" not in text.lower()  # a count of autosaves means nothing to the client
    assert "made with Alice" in text
    plan.refresh_from_db()
    assert str(plan.updated_at.year) in text


def test_phone_numbers_print_in_full(alice_client, plan, client_record):
    text = all_text(get_pdf(alice_client, client_record))
    assert "(202) 555-0000" in text and "(202) 555-0002" in text


def test_crisis_lines_and_the_emergency_number_come_from_the_database(alice_client, plan, client_record):
    CrisisResource.objects.filter(country="US", kind="crisis").update(is_active=False)
    CrisisResource.objects.create(country="US", kind="crisis", method="call", name="Night line", number="+18005550199")
    text = all_text(get_pdf(alice_client, client_record))
    assert "Night line" in text and "(800) 555-0199" in text
    assert "988" not in text
    assert "call 911" in text


def test_crisis_lines_print_even_when_the_plan_is_empty(alice_client, client_record):
    make_plan(client_record, texts={}, most_important="")
    text = all_text(get_pdf(alice_client, client_record))
    assert "988 Suicide & Crisis Lifeline" in text and "call 911" in text
    assert text.count("Nothing written here yet") == 6  # every step but 5, which carries the crisis lines


def test_without_crisis_lines_nothing_is_printed(alice_client, plan, client_record):
    CrisisResource.objects.filter(country="US", kind="emergency").delete()
    response = alice_client.get(url("plan_pdf", client_record))
    assert response.status_code == 302
    page = alice_client.get(response["Location"]).content.decode()
    assert "No crisis line or no emergency number is set up" in page


def test_clinician_notes_are_left_out_unless_ticked(alice_client, plan, client_record):
    plain = all_text(get_pdf(alice_client, client_record))
    assert "Barrier note" not in plain and "Clinician notes" not in plain
    assert "Kitchen drawer" not in plain and "2 – unlikely" not in plain and "4 – likely" not in plain
    notes = all_text(get_pdf(alice_client, client_record, notes="1"))
    for step in STEPS:
        assert f"Barrier note for step {step.number}" in notes
    assert "2 – unlikely" in notes and "Kitchen drawer" in notes and "Partner, Sam" in notes and "4 – likely" in notes


def test_a_long_plan_flows_without_splitting_entries_or_stranding_headings(alice_client, client_record):
    long = {
        section.key: [f"{entry_text(section.key, i)}, " + "and more words " * (i % 7) for i in range(14)]
        for section in SECTIONS
    }
    make_plan(client_record, texts=long)
    pages = page_texts(get_pdf(alice_client, client_record))
    assert len(pages) >= 4
    for section in SECTIONS:
        for item in long[section.key]:
            holding = [n for n, page in enumerate(pages) if " ".join(item.split()) in page]
            assert len(holding) == 1, (item, holding)  # whole, on exactly one page
    for step in STEPS:
        heading = str(step.heading)
        first = " ".join(long[step.sections[0].key][0].split())
        on = [n for n, page in enumerate(pages) if heading in page]
        assert len(on) == 1
        assert first in pages[on[0]], f"step {step.number} heading left alone at a page foot"


def test_the_pdf_is_tagged_with_title_language_and_no_client_name(alice_client, plan, client_record):
    content = get_pdf(alice_client, client_record)
    pdf_file = reader(content)
    root = pdf_file.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert pdf_file.metadata.title == "Safety plan"
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid" in xmp
    info = " ".join(str(value) for value in pdf_file.metadata.values())
    for secret in ("Jordan", "Rivera", "MRN-001"):
        assert secret not in info and secret not in xmp


def test_the_pdf_language_is_the_clients(alice_client, plan, client_record):
    client_record.preferred_language = "zh-hans"
    client_record.save()
    assert reader(get_pdf(alice_client, client_record)).trailer["/Root"]["/Lang"] == "zh-Hans"


def test_the_download_name_has_no_client_name(alice_client, plan, client_record):
    response = alice_client.get(url("plan_pdf", client_record))
    plan.refresh_from_db()
    expected = f"safety-plan-{plan.pk}-{timezone.localdate(plan.updated_at).isoformat()}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'


def test_body_text_is_at_least_11_points(alice_client, plan, client_record):
    sizes = font_sizes_pt(get_pdf(alice_client, client_record, notes="1"))
    assert min(sizes) >= 11 - 0.01


# --- Preview --------------------------------------------------------------------------------------


def test_the_preview_is_the_printed_document_with_the_same_stylesheets(alice_client, plan, client_record):
    preview = alice_client.get(url("plan_preview", client_record, size="a4")).content.decode()
    assert "/static/css/print.css" in preview and "/static/css/print-fonts.css" in preview
    assert "size-a4" in preview and "/static/css/print-page-a4.css" in preview
    assert "<style" not in preview and " style=" not in preview  # the app's CSP allows no inline style
    for entry in Entry.objects.filter(plan=plan):
        assert (entry.text or entry.name).replace("'", "&#x27;") in preview
    assert "Barrier note" not in preview
    assert "Barrier note" in alice_client.get(url("plan_preview", client_record, notes="1")).content.decode()


@pytest.mark.parametrize("name", ["plan_preview", "card_preview"])
def test_the_previews_may_be_framed_by_the_app_only(alice_client, plan, client_record, name):
    preview = alice_client.get(url(name, client_record))
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    page = alice_client.get(url("print_plan", client_record))
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_the_print_page_offers_paper_notes_and_download(alice_client, plan, client_record):
    page = alice_client.get(url("print_plan", client_record, size="a4", notes="1")).content.decode()
    assert 'value="a4" checked' in page and 'name="notes" value="1" id="id_notes" checked' in page
    assert url("plan_preview", client_record) + "?size=a4&amp;notes=1" in page


# --- Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "query", "queries"),
    [
        # session, user, client+plan, latest version, entries (+ step notes with notes=1), + 2 for the
        # audit event (the last event of the client's chain, insert the event); step wording and crisis
        # lines come from the cached library, not counted (see conftest)
        ("plan_pdf", {}, 5 + 2),
        ("plan_pdf", {"notes": "1"}, 6 + 2),
        ("plan_preview", {}, 5 + 2),
        ("print_plan", {}, 5 + 2),
        # ... + the saved card choice
        ("card_pdf", {}, 6 + 2),
        ("card_preview", {}, 6 + 2),
        ("print_card", {}, 6 + 2),
    ],
)
def test_print_views_make_a_fixed_number_of_queries(
    alice_client, plan, client_record, django_assert_num_queries, name, query, queries
):
    alice_client.get(url("print_plan", client_record))  # fonts checked and stylesheets parsed once per process
    with django_assert_num_queries(queries):
        response = alice_client.get(url(name, client_record, **query))
    assert response.status_code == 200
    assert_shows_the_plan(response, name, client_record)


# --- Hostile text ---------------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local TCP listener; the test checks that printing never connects to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def _connections(server: socket.socket) -> int:
    count = 0
    while select.select([server], [], [], 0.2)[0]:
        connection, _address = server.accept()
        connection.close()
        count += 1
    return count


def hostile_texts(port: int) -> list[str]:
    return [
        '<img src="file:///etc/passwd">',
        f'<link rel=stylesheet href="http://127.0.0.1:{port}/x.css">',
        f"<script>fetch('http://127.0.0.1:{port}/s')</script>",
        f"body {{ background: url(http://127.0.0.1:{port}/bg.png) }}",
        f'<img src="http://127.0.0.1:{port}/pixel.png"> & </p></body><style>@import "http://127.0.0.1:{port}/i.css";</style>',
    ]


def test_hostile_entries_print_as_text_and_fetch_nothing(alice_client, client_record, listener):
    port = listener.getsockname()[1]
    texts = hostile_texts(port)
    make_plan(client_record, texts={"warning_signs": texts, "help_people": texts[:2]}, most_important=texts[3])
    client_record.preferred_name = f'<img src="http://127.0.0.1:{port}/n.png">'
    client_record.save()
    content = get_pdf(alice_client, client_record, notes="1")
    squeezed = "".join(all_text(content).split())  # long markup-like words wrap anywhere
    for item in texts:
        assert "".join(item.split()) in squeezed
    preview = alice_client.get(url("plan_preview", client_record)).content.decode()
    assert (
        "<script>" not in preview
        and "<img" not in preview
        and "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in preview
    )
    chosen = {"choose": "1", "go": "save", "entry": [str(uid) for uid in Entry.objects.values_list("uid", flat=True)]}
    alice_client.post(url("print_card", client_record), chosen)
    card = alice_client.get(url("card_pdf", client_record))
    assert card.status_code == 200
    assert texts[0] in all_text(card.content)
    assert _connections(listener) == 0


def test_the_fetcher_serves_static_files_and_refuses_everything_else(listener):
    port = listener.getsockname()[1]
    fetcher = fetching.StaticOnlyFetcher()
    css = fetcher(f"{fetching.STATIC_ORIGIN}/static/css/print.css")
    assert b"@page" in css.read()
    tiny_png = (
        "data:image/png;base64,"
        + "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    assert fetcher(tiny_png).read().startswith(b"\x89PNG")
    refused = [
        "file:///etc/passwd",
        f"http://127.0.0.1:{port}/x.css",
        f"https://127.0.0.1:{port}/x.css",
        "ftp://example.org/x",
        f"{fetching.STATIC_ORIGIN}/static/../safetyplan/settings.py",
        f"{fetching.STATIC_ORIGIN}/static/%2e%2e/safetyplan/settings.py",
        f"{fetching.STATIC_ORIGIN}/static/css/../../manage.py",
        f"{fetching.STATIC_ORIGIN}/other/css/print.css",
        "data:text/html,<script>alert(1)</script>",
        "data:image/png;base64," + "A" * 40_000,
    ]
    for address in refused:
        with pytest.raises(fetching.FetchRefused):
            fetcher(address)
    assert fetcher.refused == len(refused)
    assert _connections(listener) == 0


def test_the_fetcher_reads_installed_font_files_and_no_other_file():
    fetcher = fetching.StaticOnlyFetcher()
    emoji = "file:///usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
    assert fetcher(emoji).read()[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true")
    for refused in [
        "file:///etc/passwd",
        "file:///usr/share/fonts/../../../etc/passwd",
        "file:///usr/share/fonts/truetype/noto/../../../../etc/hostname",
        "file:///usr/share/doc/fonts-noto-core/copyright",
        "file:///work/main/db.sqlite3",
    ]:
        with pytest.raises(fetching.FetchRefused):
            fetcher(refused)
    assert fetcher.refused == 5


def test_markup_that_did_reach_weasyprint_still_fetches_nothing(listener, settings):
    """Even if a template ever let markup through, the fetcher is what WeasyPrint uses."""
    port = listener.getsockname()[1]
    source = f"""<html><head><title>t</title><link rel=stylesheet href="http://127.0.0.1:{port}/a.css">
        <style>@import url(http://127.0.0.1:{port}/b.css); body {{ background: url(file:///etc/passwd) }}</style></head>
        <body><img src="http://127.0.0.1:{port}/c.png"><img src="file:///etc/hostname"><p>hello</p></body></html>"""
    printer = engine._get_engine()
    before = printer.fetcher.refused
    document = engine.render(source, "plan", "letter")
    assert document.write_pdf().startswith(b"%PDF")
    assert printer.fetcher.refused - before >= 4
    assert _connections(listener) == 0


# --- Fonts ----------------------------------------------------------------------------------------


def test_a_character_no_font_can_draw_stops_printing_and_is_named(alice_client, client_record):
    unassigned = "\u0378"  # no font has a glyph for an unassigned code point
    make_plan(client_record, texts={"warning_signs": [f"Feeling {unassigned} low"]})
    response = alice_client.get(url("plan_pdf", client_record))
    assert response.status_code == 302
    page = alice_client.get(response["Location"]).content.decode()
    assert "U+0378" in page and "would print as empty boxes" in page
    assert alice_client.get(url("card_pdf", client_record)).status_code == 302


def test_missing_fonts_are_shown_on_the_print_pages(alice_client, plan, client_record, monkeypatch):
    monkeypatch.setattr(fonts, "missing_scripts", lambda: [fonts.SCRIPTS_BY_KEY["arabic"]])
    for name in ("print_plan", "print_card"):
        page = alice_client.get(url(name, client_record)).content.decode()
        assert "Fonts are missing on this server" in page and "Arabic" in page


def test_the_card_download_name_has_no_client_name(alice_client, plan, client_record):
    response = alice_client.get(url("card_pdf", client_record))
    plan.refresh_from_db()
    expected = f"safety-card-{plan.pk}-{timezone.localdate(plan.updated_at).isoformat()}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'


def test_the_exact_pdf_can_be_opened_in_the_browser(alice_client, plan, client_record):
    inline = alice_client.get(url("plan_pdf", client_record, view="inline"))
    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith('inline; filename="safety-plan-')
    assert inline["Cache-Control"] == "no-store"
    download = alice_client.get(url("plan_pdf", client_record))
    assert download["Content-Disposition"].startswith("attachment;")
    page = alice_client.get(url("print_plan", client_record)).content.decode()
    assert "Open the exact PDF in a new tab" in page
