"""Issue 15: a checklist that shows what is still generic, steps for safer surroundings that say what, who,
by when and when done, and gentle prompts for vague words that never block a save."""

import re
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from plans import actions
from plans.checklist import check, items_from_keys, unconfirmed_means, unmet_keys
from plans.content import EntryData, PlanContent, StepNoteData
from plans.models import Entry, PlanVersion, SafetyPlan

from .factories import save
from .helpers import edit_url, form_data_from_page
from .pdfs import all_text as pdf_text

SPECIFIC = dict(
    sections={
        "warning_signs": [EntryData(text="Lying awake going over the argument")],
        "coping": [EntryData(text="Walk the dog round the park")],
        "social_people": [EntryData(name="Aunt Rosa")],
        "social_places": [EntryData(name="The library on Elm Street")],
        "help_people": [EntryData(name="Sam", phone="+12125550175")],
        "professionals": [EntryData(name="Dr. Lee", phone="+16175550100")],
        "means_safety": [EntryData(means="medicines", text="Mum keeps the pills", who="Mum", by_when="Tonight")],
    },
    where_kept="On the fridge",
    copy_given="paper,phone",
    likelihood_of_use=4,
    step_notes={2: StepNoteData(4, "Rain")},
)


def content(**changes):
    values = {**SPECIFIC, **changes}
    if "sections" in changes:
        values["sections"] = {**SPECIFIC["sections"], **changes["sections"]}
    return PlanContent(**values)


def unmet(plan_content, suggested=()):
    return unmet_keys(check(plan_content, suggested))


def test_a_specific_plan_meets_every_item_and_no_score_is_given():
    items = check(content())
    assert [item.key for item in items if not item.met] == []
    assert len(items) == 8 and all(not hasattr(item, "score") for item in items)


@pytest.mark.parametrize(
    ("key", "changes"),
    [
        ("own_words", {"sections": {"warning_signs": []}}),
        ("alone", {"sections": {"coping": []}}),
        ("distraction", {"sections": {"social_places": []}}),
        ("distraction", {"sections": {"social_people": []}}),
        ("help_person", {"sections": {"help_people": [EntryData(name="Sam")]}}),
        ("professional", {"sections": {"professionals": [EntryData(name="Dr. Lee")]}}),
        ("means", {"sections": {"means_safety": []}}),
        ("means", {"sections": {"means_safety": [EntryData(text="Mum keeps the pills", who="Mum")]}}),
        ("likelihood", {"likelihood_of_use": None}),
        ("likelihood", {"step_notes": {}}),
        ("kept", {"where_kept": ""}),
        ("kept", {"copy_given": ""}),
    ],
)
def test_each_item_is_unmet_when_its_part_is_missing(key, changes):
    assert unmet(content(**changes)) == [key]


def test_a_suggestion_taken_as_offered_is_not_the_clients_own_words():
    offered = "Pulling away from people"
    taken = content(sections={"warning_signs": [EntryData(text="  pulling away from PEOPLE ")]})
    assert unmet(taken, [offered]) == ["own_words"]
    edited = content(sections={"warning_signs": [EntryData(text="Pulling away from my sister")]})
    assert unmet(edited, [offered]) == []


def test_a_version_keeps_what_the_checklist_found_and_history_shows_it(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    version = actions.save_version(
        client=client_record, by=alice, review_date=timezone.localdate(), note="First", next_review_date=None
    )
    assert "alone" not in version.checklist and "help_person" in version.checklist
    page = alice_client.get(reverse("plans:history", args=[client_record.pk])).content.decode()
    assert "Checklist at this review, not yet in the plan:" in page
    assert "A person to ask for help, with a phone number" in page
    assert "score" not in page.lower().replace("no score", "")  # it says it gives none, and shows none


def test_the_checklist_is_on_the_editor_the_plan_page_and_links_each_item_to_its_step(
    alice_client, alice, client_record
):
    save(client_record, alice, coping=[{"text": "Walk"}])
    editor = alice_client.get(edit_url(client_record.pk)).content.decode()
    assert "not a validated measure" in editor
    assert re.search(r'data-check="help_person"><span[^>]*>Not yet: </span><a href="#step-4">', editor)
    assert re.search(r'data-check="alone"><span[^>]*>In the plan: </span>', editor)
    page = alice_client.get(reverse("plans:client_detail", args=[client_record.pk])).content.decode()
    assert f'href="{edit_url(client_record.pk)}#step-4"' in page


def test_autosave_answers_the_checklist_for_what_it_saved(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["help_people-TOTAL_FORMS"] = "1"
    data.update({"help_people-0-name": "Sam", "help_people-0-phone": "(212) 555-0175", "help_people-0-note": ""})
    body = alice_client.post(
        reverse("plans:plan_autosave", args=[client_record.pk]), data, headers={"accept": "application/json"}
    ).json()
    assert body["status"] == "saved"
    assert body["checklist"]["help_person"] is True and body["checklist"]["alone"] is True
    assert body["checklist"]["kept"] is False


# --- Steps for safer surroundings ------------------------------------------------------------------------


def means_form(alice_client, client_record, **row):
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["means_safety-TOTAL_FORMS"] = "1"
    for name in ("means", "note", "text", "who", "by_when", "aids", "confirmed_on"):
        data.pop(f"means_safety-0-{name}", None)
    data.update({f"means_safety-0-{name}": value for name, value in row.items()})
    return data


def test_an_agreed_step_records_what_who_when_help_and_when_done(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    data = means_form(
        alice_client,
        client_record,
        means="medicines",
        note="my sleeping pills",
        text="Mum keeps them and gives me one a night",
        who="Mum",
        by_when="Tonight",
        aids=["storage_elsewhere", "lock_box"],
        confirmed_on="2026-11-30",
    )
    assert alice_client.post(edit_url(client_record.pk), data).status_code == 302
    entry = Entry.objects.get(plan__client=client_record, section="means_safety")
    assert (entry.means, entry.note, entry.who, entry.by_when, entry.aids, entry.confirmed_on) == (
        "medicines",
        "my sleeping pills",
        "Mum",
        "Tonight",
        "lock_box,storage_elsewhere",  # in the order the choices are offered
        "2026-11-30",
    )
    page = alice_client.get(reverse("plans:client_detail", args=[client_record.pk])).content.decode()
    assert '<strong class="entry-lead">Medicines:</strong>' in page
    assert 'help offered:</span> <span class="entry-part">a lock box, storage somewhere else</span>' in page
    assert 'done:</span> <span class="entry-part">Nov. 30, 2026</span>' in page
    # The editor shows it back as chosen.
    editor = alice_client.get(edit_url(client_record.pk)).content.decode()
    assert '<option value="medicines" selected>' in editor
    assert re.search(r'value="lock_box" id="[^"]+" checked', editor)
    assert 'value="2026-11-30"' in editor


def test_the_plan_prints_an_agreed_step_plainly(alice_client, alice, client_record):
    save(
        client_record,
        alice,
        coping=[{"text": "Walk"}],
        means_safety=[
            {"means": "firearm", "text": "The rifle stays at Uncle Tom's", "who": "Dad", "by_when": "Friday"}
        ],
    )
    text = pdf_text(alice_client.get(reverse("printing:plan_pdf", args=[client_record.pk])).content)
    assert "Firearm: The rifle stays at Uncle Tom's" in " ".join(text.split())
    assert "who: Dad" in text and "by: Friday" in text


def test_the_card_carries_an_agreed_step_only_when_chosen_and_then_only_what_and_who(
    alice_client, alice, client_record
):
    save(
        client_record,
        alice,
        coping=[{"text": "Walk"}],
        means_safety=[
            {
                "means": "firearm",
                "note": "the hunting rifle",
                "text": "The rifle stays at Uncle Tom's",
                "who": "Dad",
                "by_when": "Friday",
                "aids": "lock_box",
            }
        ],
    )
    card_url = reverse("printing:card_pdf", args=[client_record.pk])
    unchosen = " ".join(pdf_text(alice_client.get(card_url).content).split())
    assert "Walk" in unchosen
    assert "Uncle Tom" not in unchosen and "Keeping my surroundings safer" not in unchosen

    chooser = alice_client.get(reverse("printing:print_card", args=[client_record.pk])).content.decode()
    assert "Keeping my surroundings safer" in chooser and "The rifle stays at Uncle Tom&#x27;s" in chooser
    step = Entry.objects.get(plan__client=client_record, section="means_safety")
    walk = Entry.objects.get(plan__client=client_record, section="coping")
    response = alice_client.post(
        reverse("printing:print_card", args=[client_record.pk]),
        {"choose": "1", "go": "save", "size": "letter", "entry": [str(step.uid), str(walk.uid)]},
    )
    assert response.status_code == 302
    chosen = " ".join(pdf_text(alice_client.get(card_url).content).split())
    assert "Keeping my surroundings safer" in chosen
    assert "The rifle stays at Uncle Tom's" in chosen and "Dad" in chosen
    for kept_off in ("Firearm", "hunting rifle", "Friday", "lock box"):
        assert kept_off not in chosen


def test_a_wrong_date_is_explained_beside_it_and_nothing_is_saved(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    before = SafetyPlan.objects.get(client=client_record).revision
    data = means_form(alice_client, client_record, text="Mum keeps the pills", confirmed_on="31/31/2026")
    response = alice_client.post(edit_url(client_record.pk), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'id="id_means_safety-0-confirmed_on_error">Enter a valid date', page)
    assert 'value="Mum keeps the pills"' in page or ">\nMum keeps the pills</textarea>" in page
    assert SafetyPlan.objects.get(client=client_record).revision == before


def test_a_change_of_what_it_is_about_shows_in_what_changed(alice, client_record):
    from plans.compare import compare_plans

    old = PlanContent(sections={"means_safety": [EntryData(uid=uuid.uuid4(), means="other", text="Keys with Dad")]})
    entry = old.sections["means_safety"][0]
    new = PlanContent(sections={"means_safety": [entry.replace(means="firearm")]})
    (change,) = compare_plans(old, new).steps[5].changes
    (diff,) = change.fields
    assert (diff.label, diff.old, diff.new) == ("What it is about", "Something else", "Firearm")


def test_agreed_steps_not_confirmed_done_are_raised_at_the_review(alice_client, alice, client_record):
    save(
        client_record,
        alice,
        coping=[{"text": "Walk"}],
        means_safety=[
            {"means": "medicines", "text": "Mum keeps the pills", "confirmed_on": "2026-11-01"},
            {"means": "firearm", "text": "The rifle goes to Uncle Tom's"},
        ],
    )
    plan = SafetyPlan.objects.get(client=client_record)
    assert unconfirmed_means(PlanContent.from_plan(plan)) == [2]
    page = alice_client.get(reverse("plans:version_create", args=[client_record.pk])).content.decode()
    raised = page.split("not yet confirmed done", 1)[1].split("</section>", 1)[0]
    assert "The rifle goes to Uncle Tom" in raised and "Mum keeps the pills" not in raised


# --- Vague words ---------------------------------------------------------------------------------------


def test_vague_words_get_a_gentle_prompt_and_the_save_goes_through(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["coping-0-text"] = "Call someone"
    response = alice_client.post(edit_url(client_record.pk), data)
    assert response.status_code == 302  # saved: a prompt never blocks
    assert Entry.objects.get(plan__client=client_record, section="coping").text == "Call someone"
    page = alice_client.get(edit_url(client_record.pk)).content.decode()
    assert re.search(r'aria-describedby="id_coping-0-text_hint"', page)
    assert 'id="id_coping-0-text_hint">Who, exactly?' in page
    # A specific entry has none.
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["coping-0-text"] = "Call my sister Ana"
    body = alice_client.post(
        reverse("plans:plan_autosave", args=[client_record.pk]), data, headers={"accept": "application/json"}
    ).json()
    assert body["status"] == "saved" and body["hints"] == {}


def test_vague_words_are_matched_as_whole_words_in_any_case_and_in_spanish(alice_client, alice, client_record):
    from plans import vague

    phrases = [("call someone", "who"), ("distraerme", "what")]
    assert set(vague.hints({"a": "I'll CALL  someone", "b": "recall someones", "c": "Distraerme"}, phrases)) == {
        "a",
        "c",
    }


def test_the_prompts_are_shown_to_the_clinician_not_in_together_mode(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Stay safe"}])
    assert "vague-hint" in alice_client.get(edit_url(client_record.pk)).content.decode()
    together = alice_client.get(reverse("plans:plan_together", args=[client_record.pk, 2])).content.decode()
    assert "vague-hint" not in together


# --- The migration keeps every word -------------------------------------------------------------------------

BEFORE_MEANS = [("plans", "0014_audit_phone_and_followup_actions")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_agreed_steps_keep_every_word_through_the_migration():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("plans")
    executor.migrate(BEFORE_MEANS)
    apps = executor.loader.project_state(BEFORE_MEANS).apps
    user = apps.get_model("auth", "User").objects.create(username="before-means")
    client = apps.get_model("plans", "Client").objects.create(name="Before", created_by=user)
    plan = apps.get_model("plans", "SafetyPlan").objects.create(client=client)
    words = [("Dad locks the rifle in the safe", "Dad", "Tonight"), ("Pills go to the pharmacy", "", "Friday")]
    for position, (text, who, by_when) in enumerate(words):
        apps.get_model("plans", "Entry").objects.create(
            plan=plan, section="means_safety", position=position, text=text, who=who, by_when=by_when
        )
    MigrationExecutor(connection).migrate(latest)
    kept = list(
        Entry.objects.filter(plan_id=plan.pk)
        .order_by("position")
        .values_list("text", "who", "by_when", "means", "confirmed_on")
    )
    assert kept == [(text, who, by_when, "", "") for text, who, by_when in words]


def test_versions_recorded_before_the_checklist_carry_what_it_finds_in_them(alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    version = actions.save_version(
        client=client_record, by=alice, review_date=timezone.localdate(), note="x", next_review_date=None
    )
    assert [item.key for item in items_from_keys(version.checklist) if not item.met] == version.checklist
    assert PlanVersion.objects.get(pk=version.pk).checklist == version.checklist


def _hints_one_phrase_at_a_time(fields, phrases):
    """What `vague.hints` answers, the plain way: each phrase's own pattern, in order, for every field."""
    from plans.vague import PROMPTS

    found = {}
    for name, value in fields.items():
        for words, ask in phrases:
            pattern = r"\s+".join(re.escape(word) for word in words.casefold().split())
            if words.strip() and ask in PROMPTS and re.search(rf"(?<!\w){pattern}(?!\w)", value.casefold()):
                found[name] = str(PROMPTS[ask])
                break
    return found


@settings(max_examples=200, deadline=None, database=None)
@given(
    texts=st.lists(st.text(alphabet="ab .-ÉéSs\u00df", max_size=12), max_size=5),
    phrases=st.lists(
        st.tuples(
            st.text(alphabet="ab .-Éés\u00df", max_size=6), st.sampled_from(["who", "what", "where", "how", "x"])
        ),
        max_size=5,
    ),
)
def test_vague_hints_match_one_phrase_at_a_time(texts, phrases):
    from plans import vague

    fields = {f"coping-{i}-text": text for i, text in enumerate(texts)}
    assert vague.hints(fields, phrases) == _hints_one_phrase_at_a_time(fields, phrases)


def test_vague_hints_ask_what_the_first_matching_phrase_asks():
    """Where several phrases match one field, the first in the list says what to ask (the admin's order)."""
    from plans import vague

    fields = {"coping-0-text": "Call someone, then stay safe"}
    asked = vague.hints(fields, [("stay safe", "how"), ("call someone", "who")])
    assert asked == {"coping-0-text": str(vague.PROMPTS["how"])}
    asked = vague.hints(fields, [("call someone", "who"), ("stay safe", "how")])
    assert asked == {"coping-0-text": str(vague.PROMPTS["who"])}
    assert vague.hints({"coping-0-text": "Callsomeone"}, [("call someone", "who")]) == {}
