"""A plan's content outside the ORM: one shape (EntryData, PlanContent), one JSON codec, fields defined once."""

import copy
import datetime
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from plans.content import PLAN_FIELDS, EntryData, PlanChanges, PlanContent, StepNoteData
from plans.models import Entry, PendingConflict, SafetyPlan
from plans.steps import ENTRY_FIELD_DEFINITIONS, ENTRY_FIELDS, ENTRY_FIELDS_AS_SHOWN, SECTIONS

UID = uuid.UUID("00000000-0000-4000-8000-000000000001")


def test_every_entry_field_has_a_column_and_every_content_column_a_field():
    columns = {field.name for field in Entry._meta.get_fields()} - {"id", "plan", "section", "position", "uid"}
    assert columns == set(ENTRY_FIELDS)
    for definition in ENTRY_FIELD_DEFINITIONS:
        column = Entry._meta.get_field(definition.key)
        # A phone number is typed in any format and stored as E.164 (at most 16 characters).
        stored = 16 if definition.input == "phone" else definition.max_length
        assert column.max_length is None or column.max_length >= stored, definition.key


def test_every_section_uses_only_defined_fields_and_labels_each_of_them():
    for section in SECTIONS:
        assert set(section.fields) <= set(ENTRY_FIELDS), section.key
        assert set(section.labels) == set(section.fields), section.key


def test_every_plan_field_is_a_column_of_the_working_plan():
    for name in PLAN_FIELDS:
        SafetyPlan._meta.get_field(name)
    assert PLAN_FIELDS == (
        "most_important",
        "where_kept",
        "shared_with",
        "copy_given",
        "likelihood_of_use",
        "next_review_date",
    )


def test_entries_read_what_they_are_about_then_words_first_and_labelled_fields_last():
    # "Medicines: Mum keeps them (my sleeping pills) — who: Mum — by: tonight — done: 3 Dec 2026"
    assert [field.key for field in ENTRY_FIELDS_AS_SHOWN][:3] == ["means", "text", "name"]
    assert [field.shown_as for field in ENTRY_FIELDS_AS_SHOWN][-4:] == ["labelled"] * 4


def test_an_entry_is_immutable_compares_by_value_and_replaces_into_a_copy():
    entry = EntryData(uid=UID, name="Dana", phone="+12125550175")
    assert entry.name == "Dana" and entry["phone"] == "+12125550175" and entry.text == ""
    assert entry == EntryData(uid=UID, name="Dana", phone="+12125550175")
    assert entry != EntryData(uid=UID, name="Dana")
    assert len({entry, EntryData(uid=UID, name="Dana", phone="+12125550175")}) == 1
    other = entry.replace(uid=uuid.uuid4(), note="cousin")
    assert (other.name, other.note, entry.note) == ("Dana", "cousin", "")
    with pytest.raises(AttributeError):
        entry.name = "Sam"  # type: ignore[misc]
    with pytest.raises(TypeError):
        EntryData(colour="blue")
    with pytest.raises(AttributeError):
        _ = entry.colour
    assert copy.deepcopy(entry) == entry and copy.copy(entry) == entry


def test_an_entry_read_from_a_row_equals_one_made_with_keywords():
    from plans.steps import ENTRY_FIELDS

    row = tuple("Dana" if name == "name" else "+12125550175" if name == "phone" else "" for name in ENTRY_FIELDS)
    assert EntryData.of_row(UID, row) == EntryData(uid=UID, name="Dana", phone="+12125550175")
    with pytest.raises(TypeError):
        EntryData.of_row(UID, row[:-1])


def test_an_entry_never_shows_its_words_in_its_repr():
    assert "Dana" not in repr(EntryData(uid=UID, name="Dana")) and str(UID) in repr(EntryData(uid=UID, name="Dana"))


def test_content_survives_the_json_codec_unchanged():
    content = PlanContent(
        sections={
            "warning_signs": [EntryData(uid=UID, text="No puedo dormir\nde noche")],
            "help_people": [EntryData(uid=uuid.uuid4(), name="أمي", phone="+12125550175", note="mother")],
        },
        most_important="My daughter",
        where_kept="Phone",
        shared_with="Sam",
        likelihood_of_use=4,
        next_review_date=datetime.date(2030, 1, 15),
        step_notes={1: StepNoteData(3, "Evenings are hard")},
    )
    again = PlanContent.from_json(content.to_json())
    assert again.sections["warning_signs"] == content.sections["warning_signs"]
    assert again.sections["help_people"] == content.sections["help_people"]
    assert (again.next_review_date, again.step_notes, again.likelihood_of_use) == (
        datetime.date(2030, 1, 15),
        {1: StepNoteData(3, "Evenings are hard")},
        4,
    )
    assert again.base_json(7) == PlanContent.from_json(again.to_json()).base_json(7)
    assert {key: entries for key, entries in again.sections.items() if entries} == content.sections


def test_a_snapshot_from_before_a_field_existed_reads_with_that_field_empty():
    old = {"format": 1, "sections": {"coping": [{"uid": str(UID), "text": "Walk"}]}, "most_important": "Dog"}
    content = PlanContent.from_json(old)
    assert content.sections["coping"] == [EntryData(uid=UID, text="Walk")]
    assert content.most_important == "Dog" and content.next_review_date is None


def test_changes_use_the_same_codec_for_entries_notes_and_dates():
    changes = PlanChanges(
        sections={"coping": [EntryData(uid=None, text="Music")]},
        plan_fields={"next_review_date": datetime.date(2031, 2, 3), "not_a_field": "x"},
        step_notes={2: StepNoteData(None, "Noise")},
    )
    data = changes.to_json()
    assert data["step_notes"] == {"2": {"likelihood": None, "barriers": "Noise"}}
    assert data["sections"]["coping"][0]["uid"] is None
    again = PlanChanges.from_json(data)
    assert again.sections == changes.sections and again.step_notes == changes.step_notes
    assert again.plan_fields == {"next_review_date": datetime.date(2031, 2, 3)}


def test_the_migration_gives_pending_conflicts_the_one_note_shape(transactional_db, alice, client_record):
    executor = MigrationExecutor(connection)
    executor.migrate([("plans", "0005_audit")])
    old_apps = executor.loader.project_state([("plans", "0005_audit")]).apps
    OldPlan = old_apps.get_model("plans", "SafetyPlan")
    OldConflict = old_apps.get_model("plans", "PendingConflict")
    plan = OldPlan.objects.create(client_id=client_record.pk)
    changes = {"sections": {}, "plan_fields": {}, "step_notes": {"3": [2, "Money"]}}
    OldConflict.objects.create(plan=plan, created_by_id=alice.pk, changes=changes, base="{}")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    pending = PendingConflict.objects.get()
    assert pending.changes["step_notes"] == {"3": {"likelihood": 2, "barriers": "Money"}}
    assert PlanChanges.from_json(pending.changes).step_notes == {3: StepNoteData(2, "Money")}
