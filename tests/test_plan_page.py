"""The plan page: the plan as the client reads it, with a completeness check."""

import pytest
from django.urls import reverse

from plans import actions

from .factories import save


def detail(http, pk):
    response = http.get(reverse("plans:client_detail", args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


def step_html(page: str, number: int) -> str:
    """The part of the plan page that shows one step, from its heading to the end of its section."""
    start = page.index(f'<section class="plan-step mb-4" aria-labelledby="view-step-{number}">')
    return page[start : page.index("</section>", start)]


ENTRY_SECTIONS = [
    "warning_signs",
    "coping",
    "social_people",
    "social_places",
    "help_people",
    "professionals",
    "emergency_departments",
    "means_safety",
    "reasons",
]


def entries(total: int) -> dict[str, list[dict[str, str]]]:
    """`total` entries, dealt to the sections in turn, each with words of its own."""
    sections: dict[str, list[dict[str, str]]] = {}
    for i in range(total):
        key = ENTRY_SECTIONS[i % len(ENTRY_SECTIONS)]
        words = f"Entry {i:02d} of {key}"
        sections.setdefault(key, []).append({"text": words, "name": words})
    return sections


def test_it_names_each_empty_step(alice_client, alice, client_record):
    save(client_record, alice, warning_signs=[{"text": "Can't sleep"}], reasons=[{"text": "My dog"}])
    page = detail(alice_client, client_record.pk)
    assert "These steps are still empty" in page
    for n, heading in [
        (2, "Things I can do by myself"),
        (4, "People I can ask for help"),
        (6, "Making my surroundings safer"),
    ]:
        assert f"Step {n}: {heading}" in page
    assert "Step 1: Signs" not in page
    # The steps that have entries show them, each in its own step.
    assert "Can&#x27;t sleep" in step_html(page, 1)
    assert "My dog" in step_html(page, 7)


def test_a_client_without_a_plan_is_invited_to_start(alice_client, client_record):
    page = detail(alice_client, client_record.pk)
    assert "No plan yet" in page and "Start the plan" in page


def test_phone_numbers_are_tap_to_call(alice_client, alice, client_record):
    save(
        client_record,
        alice,
        help_people=[{"name": "Ann", "phone": "+12125550175", "note": "sister"}],
        professionals=[{"name": "Dr Lee", "phone": "+16175550142", "phone_after_hours": "+442079460958"}],
    )
    page = detail(alice_client, client_record.pk)
    assert '<a href="tel:+12125550175" class="phone" dir="ltr">(212) 555-0175</a>' in page
    assert 'href="tel:+442079460958"' in page and "+44 20 7946 0958" in page


def test_crisis_lines_and_emergency_number_are_always_there(alice_client, client_record):
    page = detail(alice_client, client_record.pk)
    assert "988 Suicide &amp; Crisis Lifeline" in page
    assert 'href="tel:988"' in page
    assert 'href="tel:911"' in page
    assert "Text HOME to 741741" in page


def test_client_text_is_never_markup(alice_client, alice, client_record):
    save(client_record, alice, warning_signs=[{"text": "<script>alert(1)</script><b>bold</b>"}])
    page = detail(alice_client, client_record.pk)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page


def test_clinician_fields_are_not_on_the_clients_plan(alice_client, alice, client_record):
    plan = save(client_record, alice, coping=[{"text": "Walk"}])
    plan.step_notes.create(step=2, likelihood=2, barriers="Rain stops the walks")
    page = detail(alice_client, client_record.pk)
    assert "Rain stops the walks" not in page
    # The step the note belongs to is there, with the client's own words.
    assert 'entry-text">Walk</span>' in step_html(page, 2)


@pytest.mark.parametrize("total", [5, 50])
def test_the_plan_page_runs_the_same_queries_for_5_or_50_entries(
    alice_client, alice, client_record, django_assert_num_queries, total
):
    sections = entries(total)
    save(client_record, alice, **sections)
    detail(alice_client, client_record.pk)  # the session's first request also records sign-in time
    # session, user, client+plan, entries, step notes, latest version
    # + 2 for the audit event: the last event of the client's chain, insert the event
    # (step texts, crisis lines and the ideas offered, which the checklist tells the client's own words
    # from, come from the cached library, not counted: see conftest)
    with django_assert_num_queries(6 + 2):
        page = detail(alice_client, client_record.pk)
    shown = [row["text"] for rows in sections.values() for row in rows if row["text"] in page]
    assert len(shown) == total


def test_the_list_has_the_client_name_escaped(alice_client, alice):
    actions.create_client(by=alice, data=actions.ClientData(name="<img src=x onerror=alert(1)>"))
    page = alice_client.get(reverse("plans:client_list")).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
