"""The plan editor through the test client: saving, row operations without JavaScript, bad input."""

import datetime
import re

import pytest
from django.urls import reverse

from plans.forms.editor import MAX_ENTRIES_PER_SECTION
from plans.models import Entry, SafetyPlan, StepNote

from .factories import save, texts
from .helpers import edit_url, editor_data, form_data_from_page


def test_it_saves_every_step(alice_client, client_record):
    data = editor_data(
        warning_signs=[{"text": "No puedo dormir"}, {"text": "أشعر بالوحدة"}],
        coping=[{"text": "听音乐"}],
        social_people=[{"name": "Dana", "phone": "212 555 0175", "note": "cousin"}],
        social_places=[{"name": "Library", "address": "Main St"}],
        help_people=[{"name": "Mum", "phone": "+44 20 7946 0958", "note": "mother"}],
        professionals=[{"name": "Dr Lee", "note": "psychiatrist", "phone": "617-555-0142", "phone_after_hours": ""}],
        emergency_departments=[{"name": "City Hospital ED", "address": "1 Care Way", "phone": ""}],
        means_safety=[{"text": "Medicines locked up", "who": "Partner", "by_when": "Tonight"}],
        reasons=[{"text": "My daughter"}],
    )
    data.update({"most_important": "Seeing my daughter grow up", "step1-likelihood": "4", "step1-barriers": "Forgets"})
    data.update({"where_kept": "Phone case", "likelihood_of_use": "5", "next_review_date": "2027-01-15"})
    response = alice_client.post(edit_url(client_record.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = SafetyPlan.objects.get(client=client_record)
    assert texts(plan, "warning_signs") == ["No puedo dormir", "أشعر بالوحدة"]
    person = plan.entries.get(section="social_people")
    assert (person.name, person.phone, person.note) == ("Dana", "+12125550175", "cousin")
    assert plan.entries.get(section="help_people").phone == "+442079460958"
    assert plan.most_important == "Seeing my daughter grow up"
    assert plan.next_review_date == datetime.date(2027, 1, 15)
    assert plan.likelihood_of_use == 5
    assert StepNote.objects.get(plan=plan, step=1).barriers == "Forgets"
    assert plan.empty_steps == []
    assert plan.revision == 1


def test_an_incomplete_plan_saves_and_is_flagged(alice_client, client_record):
    response = alice_client.post(edit_url(client_record.pk), editor_data(coping=[{"text": "Walk"}]), follow=True)
    plan = SafetyPlan.objects.get()
    assert plan.empty_steps == [1, 3, 4, 5, 6, 7]
    assert "Plan saved" in response.content.decode()


def test_a_round_trip_of_the_page_changes_nothing(alice_client, alice, client_record):
    save(
        client_record,
        alice,
        warning_signs=[{"text": "One"}, {"text": "Two"}],
        help_people=[{"name": "Ann", "phone": "+12125550175"}],
    )
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["go"] = "stay"
    assert alice_client.post(edit_url(client_record.pk), data).status_code == 302
    plan = SafetyPlan.objects.get()
    assert texts(plan, "warning_signs") == ["One", "Two"]
    assert plan.entries.get(section="help_people").phone == "+12125550175"


def test_it_keeps_entry_identity_across_saves(alice_client, alice, client_record):
    plan = save(client_record, alice, warning_signs=[{"text": "One"}, {"text": "Two"}])
    uids = list(plan.entries.order_by("position").values_list("uid", flat=True))
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["op"] = "up:warning_signs:1"
    alice_client.post(edit_url(client_record.pk), data)
    assert list(plan.entries.order_by("position").values_list("uid", flat=True)) == uids[::-1]


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ("up:warning_signs:1", ["Two", "One", "Three"]),
        ("down:warning_signs:0", ["Two", "One", "Three"]),
        ("up:warning_signs:0", ["One", "Two", "Three"]),
        ("down:warning_signs:2", ["One", "Two", "Three"]),
        ("remove:warning_signs:1", ["One", "Three"]),
    ],
)
def test_row_operations_work_without_javascript(alice_client, alice, client_record, op, expected):
    plan = save(client_record, alice, warning_signs=[{"text": "One"}, {"text": "Two"}, {"text": "Three"}])
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["op"] = op
    response = alice_client.post(edit_url(client_record.pk), data)
    assert response.status_code == 302
    assert response["Location"].endswith("#section-warning_signs")
    assert texts(plan, "warning_signs") == expected


def test_add_without_javascript_keeps_typing_and_shows_a_new_row(alice_client, alice, client_record):
    save(client_record, alice, warning_signs=[{"text": "One"}])
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["warning_signs-0-text"] = "One, edited"
    data["op"] = "add:warning_signs"
    response = alice_client.post(edit_url(client_record.pk), data)
    assert response.status_code == 302
    page = alice_client.get(response["Location"]).content.decode()
    assert "One, edited" in page
    assert 'name="warning_signs-1-text"' in page
    assert texts(SafetyPlan.objects.get(), "warning_signs") == ["One, edited"]


def test_a_suggestion_adds_an_entry_to_edit(alice_client, client_record):
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["op"] = "suggest:coping:Go for a walk"
    alice_client.post(edit_url(client_record.pk), data)
    assert texts(SafetyPlan.objects.get(), "coping") == ["Go for a walk"]


def test_suggestions_never_include_harmful_replacements_or_promises(alice_client, client_record):
    page = alice_client.get(edit_url(client_record.pk)).content.decode().lower()
    assert "ideas to offer" in page
    for banned in ["rubber band", "contract", "promise", "committed suicide", "attention-seeking"]:
        assert banned not in page


def test_an_invalid_phone_gets_a_message_and_keeps_everything(alice_client, client_record):
    data = editor_data(
        warning_signs=[{"text": "Pacing at night"}],
        help_people=[{"name": "Sam", "phone": "12345", "note": "friend"}],
    )
    data["most_important"] = "My cat Miso"
    response = alice_client.post(edit_url(client_record.pk), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "doesn&#x27;t look like a complete phone number" in page
    assert "Pacing at night" in page and "My cat Miso" in page and 'value="12345"' in page
    assert not SafetyPlan.objects.exists()
    assert not Entry.objects.exists()


def test_a_phone_without_a_name_asks_for_the_name(alice_client, client_record):
    response = alice_client.post(
        edit_url(client_record.pk), editor_data(help_people=[{"name": "", "phone": "2125550175", "note": ""}])
    )
    assert "Add name here too" in response.content.decode()
    assert not Entry.objects.exists()


def test_blank_new_rows_are_ignored(alice_client, client_record):
    response = alice_client.post(
        edit_url(client_record.pk), editor_data(warning_signs=[{"text": "  "}, {"text": "Real"}, {"text": ""}])
    )
    assert response.status_code == 302
    assert texts(SafetyPlan.objects.get(), "warning_signs") == ["Real"]


def test_emptying_a_saved_entry_asks_before_losing_it(alice_client, alice, client_record):
    plan = save(client_record, alice, warning_signs=[{"text": "Keep me"}])
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["warning_signs-0-text"] = ""
    response = alice_client.post(edit_url(client_record.pk), data)
    assert "is now empty" in response.content.decode()
    assert texts(plan, "warning_signs") == ["Keep me"]


def test_over_long_text_gets_a_message_and_nothing_is_saved(alice_client, client_record):
    data = editor_data(warning_signs=[{"text": "x" * 501}], coping=[{"text": "Walk"}])
    response = alice_client.post(edit_url(client_record.pk), data)
    assert response.status_code == 200
    assert "at most 500 characters" in response.content.decode()
    assert not Entry.objects.exists()


def test_control_characters_are_removed_but_words_kept(alice_client, client_record):
    alice_client.post(edit_url(client_record.pk), editor_data(coping=[{"text": "Walk\x07 the\u200b dog\nat dusk"}]))
    assert texts(SafetyPlan.objects.get(), "coping") == ["Walk the\u200b dog\nat dusk"]


def test_a_null_character_is_dropped_and_never_reaches_the_database(alice_client, client_record):
    response = alice_client.post(edit_url(client_record.pk), editor_data(coping=[{"text": "Walk\x00 on"}]))
    assert response.status_code == 302
    assert texts(SafetyPlan.objects.get(), "coping") == ["Walk on"]


def test_a_double_submit_saves_once(alice_client, client_record):
    data = editor_data(coping=[{"text": "Walk"}])
    alice_client.post(edit_url(client_record.pk), data)
    response = alice_client.post(edit_url(client_record.pk), data, follow=True)
    assert "already saved" in response.content.decode()
    plan = SafetyPlan.objects.get()
    assert plan.revision == 1
    assert texts(plan, "coping") == ["Walk"]


def test_a_stale_copy_does_not_silently_overwrite(alice_client, bob, client_record):
    stale = editor_data(coping=[{"text": "Alice's words"}])
    save(client_record, bob, coping=[{"text": "Bob's words"}])
    response = alice_client.post(edit_url(client_record.pk), stale)
    page = response.content.decode()
    assert response.status_code == 200
    assert "changed on another screen" in page
    assert "Alice&#x27;s words" in page
    assert texts(SafetyPlan.objects.get(), "coping") == ["Bob's words"]
    # The page now carries the current revision: saving again, deliberately, keeps Alice's words.
    assert 'name="revision" value="1"' in page
    stale["revision"] = "1"
    assert alice_client.post(edit_url(client_record.pk), stale).status_code == 302
    assert texts(SafetyPlan.objects.get(), "coping") == ["Alice's words"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d.pop("coping-TOTAL_FORMS"),
        lambda d: d.update({"coping-TOTAL_FORMS": "abc"}),
        lambda d: d.update({"coping-TOTAL_FORMS": "-3"}),
        lambda d: d.update({"revision": "x"}),
        lambda d: d.pop("revision"),
        lambda d: d.update({"op": "remove:coping:99"}),
        lambda d: d.update({"op": "explode:coping:0"}),
        lambda d: d.update({"op": "add:not_a_section"}),
        lambda d: d.update({"step1-likelihood": "9"}),
        lambda d: d.update({"next_review_date": "2999-01-01"}),
        lambda d: d.update({"coping-0-uid": "not-a-uuid"}),
    ],
)
def test_tampered_forms_get_a_4xx_or_the_form_again_and_save_nothing(alice_client, client_record, tamper):
    data = editor_data(coping=[{"text": "Walk"}])
    tamper(data)
    response = alice_client.post(edit_url(client_record.pk), data)
    assert response.status_code in {200, 400}
    assert not Entry.objects.exists()


def coping_rows(count: int) -> list[dict[str, str]]:
    return [{"text": f"Walk {i}"} for i in range(count)]


def rows_on_the_page(page: str, section: str) -> int:
    return len(set(re.findall(rf'name="{section}-(\d+)-text"', page)))


def test_a_huge_form_count_is_capped(alice_client, client_record):
    data = editor_data(coping=coping_rows(MAX_ENTRIES_PER_SECTION + 5))
    data["coping-TOTAL_FORMS"] = "100000000"
    response = alice_client.post(edit_url(client_record.pk), data)
    assert response.status_code in {200, 400}
    assert not Entry.objects.exists()
    # The form comes back built from no more rows than the cap, and says why nothing was saved.
    page = response.content.decode()
    assert rows_on_the_page(page, "coping") == MAX_ENTRIES_PER_SECTION
    assert f"Please submit at most {MAX_ENTRIES_PER_SECTION} forms." in page


def test_a_section_saves_up_to_the_cap_and_never_more(alice_client, client_record):
    full = [f"Walk {i}" for i in range(MAX_ENTRIES_PER_SECTION)]
    response = alice_client.post(edit_url(client_record.pk), editor_data(coping=coping_rows(MAX_ENTRIES_PER_SECTION)))
    assert response.status_code == 302
    assert texts(SafetyPlan.objects.get(), "coping") == full
    # One more row is refused with a message, and the section keeps what it had.
    response = alice_client.post(
        edit_url(client_record.pk), editor_data(1, coping=coping_rows(MAX_ENTRIES_PER_SECTION + 1))
    )
    assert response.status_code == 200
    assert f"Please submit at most {MAX_ENTRIES_PER_SECTION} forms." in response.content.decode()
    assert texts(SafetyPlan.objects.get(), "coping") == full
    # So is adding a row without JavaScript.
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["op"] = "add:coping"
    assert alice_client.post(edit_url(client_record.pk), data).status_code == 400
    assert texts(SafetyPlan.objects.get(), "coping") == full


def test_a_saved_phone_is_shown_in_national_format(alice_client, alice, client_record):
    save(client_record, alice, help_people=[{"name": "Ann", "phone": "+12125550175"}])
    page = alice_client.get(edit_url(client_record.pk)).content.decode()
    assert 'value="(212) 555-0175"' in page


def test_switching_to_together_mode_saves_first(alice_client, client_record):
    data = editor_data(coping=[{"text": "Unsaved words"}])
    data["go"] = "together"
    response = alice_client.post(edit_url(client_record.pk), data)
    assert response["Location"] == reverse("plans:plan_together", args=[client_record.pk, 1])
    assert texts(SafetyPlan.objects.get(), "coping") == ["Unsaved words"]


def test_crisis_lines_come_from_configuration(alice_client, client_record):
    from plans.models import CrisisResource

    CrisisResource.objects.create(name="Test Warmline", number="5551234", country="US", position=99)
    page = alice_client.get(edit_url(client_record.pk)).content.decode()
    assert "988 Suicide &amp; Crisis Lifeline" in page
    assert "Test Warmline" in page


def test_a_sections_head_writes_what_djangos_management_form_would(alice, client_record):
    """formset_head writes the management form of a saved plan's formset itself (making the form and
    formatting its numbers cost more than the rest of the row markup); it must say what the form would."""
    from plans.forms.editor import PlanEditorForm
    from plans.steps import STEPS
    from plans.templatetags.editor_tags import formset_head, hidden_fields

    save(client_record, alice, coping=[{"text": "Walk"}, {"text": "Music"}])
    form = PlanEditorForm(steps=STEPS, plan=client_record.plan, extra_rows=["reasons"])
    assert form.formsets
    for formset in form.formsets.values():
        assert str(formset_head(formset)) == str(hidden_fields(formset.management_form))
