"""The three-way merge on its own: plain data in, merged changes and conflicts out, no database.

tests/test_merge.py drives the same code through the editor; these reach every branch of `merge`,
`resolve` and `Base.parse` directly. Every base is made the way a form makes it
(`PlanContent.base_json` read back by `Base.parse`), so the fingerprints are real ones.
"""

import datetime
import json
import uuid

import pytest

from plans.content import EntryData, PlanChanges, PlanContent, StepNoteData, entry_hash, value_hash
from plans.merge import BOTH, MINE, THEIRS, Base, Conflict, merge, resolve

WALK = uuid.UUID("00000000-0000-4000-8000-000000000001")
MUSIC = uuid.UUID("00000000-0000-4000-8000-000000000002")
SHOWER = uuid.UUID("00000000-0000-4000-8000-000000000003")
BATH = uuid.UUID("00000000-0000-4000-8000-000000000004")
DRAW = uuid.UUID("00000000-0000-4000-8000-000000000005")


def base_of(content: PlanContent, revision: int = 7) -> Base:
    """The fingerprints a form built from `content` carries."""
    base = Base.parse(content.base_json(revision))
    assert base is not None
    return base


def coping(*entries: EntryData, **plan: object) -> PlanContent:
    return PlanContent(sections={"coping": list(entries)}, **plan)


def entry(uid: uuid.UUID | None, text: str, **fields: str) -> EntryData:
    return EntryData(uid=uid, text=text, **fields)


def merge_coping(
    *, base: list[EntryData], theirs: list[EntryData], mine: list[EntryData]
) -> tuple[list[EntryData], list[Conflict]]:
    merged, conflicts = merge(
        current=coping(*theirs), base=base_of(coping(*base)), mine=PlanChanges(sections={"coping": mine})
    )
    return merged.sections["coping"], conflicts


def texts(entries: list[EntryData]) -> list[str]:
    return [e.text for e in entries]


# Base.parse ---------------------------------------------------------------------------------------


def test_it_reads_back_the_fingerprints_a_form_carries():
    walk = entry(WALK, "Walk")
    content = coping(walk, most_important="My garden", step_notes={2: StepNoteData(3, "Cost")})
    base = Base.parse(content.base_json(41))
    assert base == Base(
        revision=41,
        entries={"coping": {str(WALK): entry_hash(walk)}},
        fields={
            "most_important": value_hash("My garden"),
            "where_kept": value_hash(""),
            "shared_with": value_hash(""),
            "copy_given": value_hash(""),
            "likelihood_of_use": value_hash(None),
            "next_review_date": value_hash(None),
        },
        notes={"2": value_hash([3, "Cost"])},
    )


def test_it_reads_the_smallest_well_formed_base():
    assert Base.parse('{"revision":3,"entries":{},"fields":{},"notes":{}}') == Base(revision=3)


def _base_with(**replaced: object) -> str:
    data: dict[str, object] = {"revision": 1, "entries": {}, "fields": {}, "notes": {}}
    data.update(replaced)
    return json.dumps(data)


def _without(key: str) -> str:
    data = {"revision": 1, "entries": {}, "fields": {}, "notes": {}}
    del data[key]
    return json.dumps(data)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("{not json", id="bad-json"),
        pytest.param('{"revision":1e400,"entries":{},"fields":{},"notes":{}}', id="revision-1e400"),
        pytest.param('{"revision":NaN,"entries":{},"fields":{},"notes":{}}', id="revision-nan"),
        pytest.param('{"revision":' + "9" * 5000 + ',"entries":{},"fields":{},"notes":{}}', id="revision-5000-digits"),
        pytest.param(_base_with(revision="seven"), id="revision-a-word"),
        pytest.param(_base_with(revision=None), id="revision-null"),
        pytest.param(_base_with(revision=[1]), id="revision-a-list"),
        pytest.param("[" * 100_000 + "]" * 100_000, id="deeply-nested-array"),
        pytest.param('{"revision":1,"entries":' + '{"a":' * 100_000 + "{}" + "}" * 100_000 + "}", id="deeply-nested"),
        pytest.param(_without("revision"), id="no-revision"),
        pytest.param(_without("entries"), id="no-entries"),
        pytest.param(_without("fields"), id="no-fields"),
        pytest.param(_without("notes"), id="no-notes"),
        pytest.param("[1, 2]", id="a-list"),
        pytest.param('"a string"', id="a-string"),
        pytest.param("null", id="null"),
        pytest.param("42", id="a-number"),
        pytest.param(_base_with(entries=["coping"]), id="entries-a-list"),
        pytest.param(_base_with(entries={"coping": ["uid"]}), id="section-a-list"),
        pytest.param(_base_with(entries={"coping": "uid"}), id="section-a-string"),
        pytest.param(_base_with(fields="most_important"), id="fields-a-string"),
        pytest.param(_base_with(notes=2), id="notes-a-number"),
    ],
)
def test_it_treats_a_tampered_base_as_no_base(raw):
    assert Base.parse(raw) is None


# Plan fields --------------------------------------------------------------------------------------


def merge_fields(*, base: PlanContent, theirs: PlanContent, mine: dict[str, object]):
    return merge(current=theirs, base=base_of(base), mine=PlanChanges(plan_fields=mine))


def test_it_keeps_mine_when_only_this_screen_changed_a_field():
    merged, conflicts = merge_fields(
        base=PlanContent(most_important="My garden"),
        theirs=PlanContent(most_important="My garden"),
        mine={"most_important": "My garden and my dog"},
    )
    assert merged.plan_fields == {"most_important": "My garden and my dog"}
    assert conflicts == []


def test_it_keeps_theirs_when_only_the_other_screen_changed_a_field():
    merged, conflicts = merge_fields(
        base=PlanContent(most_important="My garden"),
        theirs=PlanContent(most_important="My garden with Sam"),
        mine={"most_important": "My garden"},
    )
    assert merged.plan_fields == {"most_important": "My garden with Sam"}
    assert conflicts == []


def test_it_keeps_theirs_when_only_the_other_screen_changed_a_review_date():
    merged, conflicts = merge_fields(
        base=PlanContent(next_review_date=datetime.date(2030, 1, 1)),
        theirs=PlanContent(next_review_date=datetime.date(2030, 6, 1)),
        mine={"next_review_date": datetime.date(2030, 1, 1)},
    )
    assert merged.plan_fields == {"next_review_date": datetime.date(2030, 6, 1)}
    assert conflicts == []


def test_a_field_changed_to_the_same_value_on_both_screens_is_no_conflict():
    merged, conflicts = merge_fields(
        base=PlanContent(where_kept="Wallet"),
        theirs=PlanContent(where_kept="Phone"),
        mine={"where_kept": "Phone"},
    )
    assert merged.plan_fields == {"where_kept": "Phone"}
    assert conflicts == []


def test_a_field_changed_differently_on_both_screens_is_a_conflict_keeping_theirs_meanwhile():
    merged, conflicts = merge_fields(
        base=PlanContent(where_kept="Wallet"),
        theirs=PlanContent(where_kept="Fridge door"),
        mine={"where_kept": "Phone"},
    )
    assert merged.plan_fields == {"where_kept": "Fridge door"}
    assert conflicts == [Conflict("field:where_kept", "field", name="where_kept", mine="Phone", theirs="Fridge door")]


def test_a_likelihood_changed_differently_on_both_screens_is_a_conflict():
    merged, conflicts = merge_fields(
        base=PlanContent(likelihood_of_use=3),
        theirs=PlanContent(likelihood_of_use=4),
        mine={"likelihood_of_use": 2},
    )
    assert merged.plan_fields == {"likelihood_of_use": 4}
    assert conflicts == [Conflict("field:likelihood_of_use", "field", name="likelihood_of_use", mine=2, theirs=4)]


def test_without_a_fingerprint_for_a_field_this_screen_wins():
    """A base that has no hash for the field cannot tell who changed it; the submitted value stands."""
    merged, conflicts = merge(
        current=PlanContent(shared_with="Mum"),
        base=Base(revision=7),
        mine=PlanChanges(plan_fields={"shared_with": "My sister"}),
    )
    assert merged.plan_fields == {"shared_with": "My sister"}
    assert conflicts == []


def test_it_merges_only_the_fields_this_screen_submitted():
    merged, _ = merge_fields(
        base=PlanContent(where_kept="Wallet"),
        theirs=PlanContent(where_kept="Wallet", shared_with="Mum"),
        mine={"where_kept": "Phone"},
    )
    assert merged.plan_fields == {"where_kept": "Phone"}
    assert merged.sections == {}
    assert merged.step_notes == {}


# Step notes ---------------------------------------------------------------------------------------


def merge_note(*, base: StepNoteData | None, theirs: StepNoteData | None, mine: StepNoteData):
    return merge(
        current=PlanContent(step_notes={} if theirs is None else {2: theirs}),
        base=base_of(PlanContent(step_notes={} if base is None else {2: base})),
        mine=PlanChanges(step_notes={2: mine}),
    )


def test_it_keeps_my_note_when_only_this_screen_changed_it():
    merged, conflicts = merge_note(
        base=StepNoteData(3, "Cost"), theirs=StepNoteData(3, "Cost"), mine=StepNoteData(3, "Cost, and the bus")
    )
    assert merged.step_notes == {2: StepNoteData(3, "Cost, and the bus")}
    assert conflicts == []


def test_it_keeps_their_note_when_only_the_other_screen_changed_it():
    merged, conflicts = merge_note(
        base=StepNoteData(3, "Cost"), theirs=StepNoteData(4, "Cost"), mine=StepNoteData(3, "Cost")
    )
    assert merged.step_notes == {2: StepNoteData(4, "Cost")}
    assert conflicts == []


def test_a_note_changed_the_same_way_on_both_screens_is_no_conflict():
    merged, conflicts = merge_note(
        base=StepNoteData(3, "Cost"), theirs=StepNoteData(5, "None"), mine=StepNoteData(5, "None")
    )
    assert merged.step_notes == {2: StepNoteData(5, "None")}
    assert conflicts == []


def test_a_note_changed_differently_on_both_screens_is_a_conflict_keeping_theirs_meanwhile():
    merged, conflicts = merge_note(
        base=StepNoteData(3, "Cost"), theirs=StepNoteData(3, "The bus"), mine=StepNoteData(2, "Cost")
    )
    assert merged.step_notes == {2: StepNoteData(3, "The bus")}
    assert conflicts == [
        Conflict("note:2", "note", name="2", mine=StepNoteData(2, "Cost"), theirs=StepNoteData(3, "The bus"))
    ]


def test_a_note_new_on_this_screen_is_kept_against_an_empty_default():
    merged, conflicts = merge_note(base=None, theirs=None, mine=StepNoteData(2, "Money"))
    assert merged.step_notes == {2: StepNoteData(2, "Money")}
    assert conflicts == []


def test_a_note_new_on_the_other_screen_survives_an_empty_note_from_this_screen():
    merged, conflicts = merge_note(base=None, theirs=StepNoteData(4, "Money"), mine=StepNoteData())
    assert merged.step_notes == {2: StepNoteData(4, "Money")}
    assert conflicts == []


def test_a_note_new_on_both_screens_with_different_words_is_a_conflict():
    merged, conflicts = merge_note(base=None, theirs=StepNoteData(4, "Money"), mine=StepNoteData(None, "Time"))
    assert merged.step_notes == {2: StepNoteData(4, "Money")}
    assert [c.key for c in conflicts] == ["note:2"]


# Sections -----------------------------------------------------------------------------------------


def test_an_entry_new_on_this_screen_is_kept():
    merged, conflicts = merge_coping(
        base=[entry(WALK, "Walk")],
        theirs=[entry(WALK, "Walk")],
        mine=[entry(WALK, "Walk"), entry(SHOWER, "Shower")],
    )
    assert merged == [entry(WALK, "Walk"), entry(SHOWER, "Shower")]
    assert conflicts == []


def test_an_entry_without_a_uid_is_kept_as_new():
    merged, conflicts = merge_coping(
        base=[entry(WALK, "Walk")],
        theirs=[entry(WALK, "Walk")],
        mine=[entry(None, "Shower"), entry(WALK, "Walk")],
    )
    assert merged == [entry(None, "Shower"), entry(WALK, "Walk")]
    assert conflicts == []


def test_a_section_the_other_screen_never_had_takes_my_entries():
    merged, conflicts = merge(
        current=PlanContent(),
        base=Base(revision=7),
        mine=PlanChanges(sections={"reasons": [entry(WALK, "My cat")]}),
    )
    assert merged.sections == {"reasons": [entry(WALK, "My cat")]}
    assert conflicts == []


def test_an_entry_removed_here_and_unchanged_there_is_gone():
    merged, conflicts = merge_coping(
        base=[entry(WALK, "Walk"), entry(MUSIC, "Music")],
        theirs=[entry(WALK, "Walk"), entry(MUSIC, "Music")],
        mine=[entry(MUSIC, "Music")],
    )
    assert merged == [entry(MUSIC, "Music")]
    assert conflicts == []


def test_an_entry_removed_here_but_changed_there_is_a_conflict_keeping_theirs_meanwhile():
    merged, conflicts = merge_coping(
        base=[entry(WALK, "Walk"), entry(MUSIC, "Music")],
        theirs=[entry(WALK, "Walk by the river"), entry(MUSIC, "Music")],
        mine=[entry(MUSIC, "Music")],
    )
    assert merged == [entry(MUSIC, "Music"), entry(WALK, "Walk by the river")]
    assert conflicts == [
        Conflict(f"entry:coping:{WALK}", "entry", section="coping", mine=None, theirs=entry(WALK, "Walk by the river"))
    ]
    assert conflicts[0].removed_here and not conflicts[0].removed_there


def test_an_entry_removed_on_both_screens_is_gone():
    merged, conflicts = merge_coping(
        base=[entry(WALK, "Walk"), entry(MUSIC, "Music")],
        theirs=[entry(MUSIC, "Music")],
        mine=[entry(MUSIC, "Music")],
    )
    assert merged == [entry(MUSIC, "Music")]
    assert conflicts == []


def test_an_entry_removed_there_and_unchanged_here_is_gone():
    merged, conflicts = merge_coping(
        base=[entry(WALK, "Walk"), entry(MUSIC, "Music")],
        theirs=[entry(MUSIC, "Music")],
        mine=[entry(WALK, "Walk"), entry(MUSIC, "Music")],
    )
    assert merged == [entry(MUSIC, "Music")]
    assert conflicts == []


def test_an_entry_removed_there_but_changed_here_is_a_conflict_keeping_mine_meanwhile():
    merged, conflicts = merge_coping(
        base=[entry(WALK, "Walk"), entry(MUSIC, "Music")],
        theirs=[entry(MUSIC, "Music")],
        mine=[entry(WALK, "Walk with Sam"), entry(MUSIC, "Music")],
    )
    assert merged == [entry(WALK, "Walk with Sam"), entry(MUSIC, "Music")]
    assert conflicts == [
        Conflict(f"entry:coping:{WALK}", "entry", section="coping", mine=entry(WALK, "Walk with Sam"), theirs=None)
    ]
    assert conflicts[0].removed_there and not conflicts[0].removed_here


def test_it_keeps_mine_when_only_this_screen_changed_an_entry():
    merged, conflicts = merge_coping(
        base=[entry(WALK, "Walk")],
        theirs=[entry(WALK, "Walk")],
        mine=[entry(WALK, "Walk", note="After lunch")],
    )
    assert merged == [entry(WALK, "Walk", note="After lunch")]
    assert conflicts == []


def test_it_keeps_theirs_when_only_the_other_screen_changed_an_entry():
    merged, conflicts = merge_coping(
        base=[entry(WALK, "Walk"), entry(MUSIC, "Music")],
        theirs=[entry(WALK, "Walk"), entry(MUSIC, "Loud music")],
        mine=[entry(WALK, "Walk"), entry(MUSIC, "Music")],
    )
    assert merged == [entry(WALK, "Walk"), entry(MUSIC, "Loud music")]
    assert conflicts == []


def test_an_entry_changed_to_the_same_words_on_both_screens_is_no_conflict():
    merged, conflicts = merge_coping(
        base=[entry(WALK, "Walk")],
        theirs=[entry(WALK, "Walk to the park")],
        mine=[entry(WALK, "Walk to the park")],
    )
    assert merged == [entry(WALK, "Walk to the park")]
    assert conflicts == []


def test_an_entry_changed_differently_on_both_screens_is_a_conflict_keeping_theirs_in_place():
    merged, conflicts = merge_coping(
        base=[entry(WALK, "Walk"), entry(MUSIC, "Music")],
        theirs=[entry(WALK, "Walk with my sister"), entry(MUSIC, "Music")],
        mine=[entry(WALK, "Walk to the park"), entry(MUSIC, "Music")],
    )
    assert merged == [entry(WALK, "Walk with my sister"), entry(MUSIC, "Music")]
    assert conflicts == [
        Conflict(
            f"entry:coping:{WALK}",
            "entry",
            section="coping",
            mine=entry(WALK, "Walk to the park"),
            theirs=entry(WALK, "Walk with my sister"),
        )
    ]


def test_an_entry_added_there_is_inserted_near_where_the_other_screen_put_it():
    merged, conflicts = merge_coping(
        base=[entry(WALK, "Walk"), entry(MUSIC, "Music")],
        theirs=[entry(WALK, "Walk"), entry(SHOWER, "Shower"), entry(MUSIC, "Music")],
        mine=[entry(WALK, "Walk"), entry(MUSIC, "Music")],
    )
    assert texts(merged) == ["Walk", "Shower", "Music"]
    assert conflicts == []


def test_an_entry_added_there_past_the_end_of_my_list_goes_last():
    merged, conflicts = merge_coping(
        base=[entry(WALK, "Walk"), entry(MUSIC, "Music")],
        theirs=[entry(WALK, "Walk"), entry(MUSIC, "Music"), entry(SHOWER, "Shower")],
        mine=[entry(WALK, "Walk")],
    )
    assert texts(merged) == ["Walk", "Shower"]
    assert conflicts == []


def test_an_entry_this_screen_already_has_is_not_added_twice_from_the_other_screen():
    """A row new to the base but present on both screens (an earlier autosave) appears once."""
    merged, conflicts = merge_coping(
        base=[entry(WALK, "Walk")],
        theirs=[entry(WALK, "Walk"), entry(SHOWER, "Shower")],
        mine=[entry(WALK, "Walk"), entry(SHOWER, "Shower")],
    )
    assert merged == [entry(WALK, "Walk"), entry(SHOWER, "Shower")]
    assert conflicts == []


def test_changes_to_different_entries_and_sections_all_merge():
    base = PlanContent(
        sections={"coping": [entry(WALK, "Walk"), entry(MUSIC, "Music")], "reasons": [entry(BATH, "My cat")]}
    )
    theirs = PlanContent(
        sections={
            "coping": [entry(WALK, "Walk"), entry(MUSIC, "Loud music"), entry(SHOWER, "Shower")],
            "reasons": [entry(BATH, "My cat Miso")],
        }
    )
    mine = PlanChanges(
        sections={"coping": [entry(WALK, "Walk by the river"), entry(MUSIC, "Music"), entry(DRAW, "Draw")]}
    )
    merged, conflicts = merge(current=theirs, base=base_of(base), mine=mine)
    assert {key: texts(rows) for key, rows in merged.sections.items()} == {
        "coping": ["Walk by the river", "Loud music", "Shower", "Draw"]
    }
    assert conflicts == []


# resolve(): entries -------------------------------------------------------------------------------


def changed_on_both() -> tuple[PlanChanges, list[Conflict]]:
    return merge(
        current=coping(entry(WALK, "Walk with my sister"), entry(MUSIC, "Music")),
        base=base_of(coping(entry(WALK, "Walk"), entry(MUSIC, "Music"))),
        mine=PlanChanges(sections={"coping": [entry(WALK, "Walk to the park"), entry(MUSIC, "Music")]}),
    )


def removed_here() -> tuple[PlanChanges, list[Conflict]]:
    return merge(
        current=coping(entry(WALK, "Walk by the river"), entry(MUSIC, "Music")),
        base=base_of(coping(entry(WALK, "Walk"), entry(MUSIC, "Music"))),
        mine=PlanChanges(sections={"coping": [entry(MUSIC, "Music")]}),
    )


def removed_there() -> tuple[PlanChanges, list[Conflict]]:
    return merge(
        current=coping(entry(MUSIC, "Music")),
        base=base_of(coping(entry(WALK, "Walk"), entry(MUSIC, "Music"))),
        mine=PlanChanges(sections={"coping": [entry(WALK, "Walk with Sam"), entry(MUSIC, "Music")]}),
    )


def test_choosing_mine_for_an_entry_changed_on_both_screens_keeps_my_words_in_place():
    merged, conflicts = changed_on_both()
    result = resolve(merged, conflicts, {f"entry:coping:{WALK}": MINE})
    assert result.sections["coping"] == [entry(WALK, "Walk to the park"), entry(MUSIC, "Music")]


def test_choosing_theirs_for_an_entry_changed_on_both_screens_keeps_their_words():
    merged, conflicts = changed_on_both()
    result = resolve(merged, conflicts, {f"entry:coping:{WALK}": THEIRS})
    assert result.sections["coping"] == [entry(WALK, "Walk with my sister"), entry(MUSIC, "Music")]


def test_choosing_both_for_an_entry_changed_on_both_screens_puts_mine_after_theirs_as_a_new_entry():
    merged, conflicts = changed_on_both()
    rows = resolve(merged, conflicts, {f"entry:coping:{WALK}": BOTH}).sections["coping"]
    assert texts(rows) == ["Walk with my sister", "Walk to the park", "Music"]
    assert rows[0].uid == WALK
    assert rows[1].uid not in {None, WALK, MUSIC}


def test_without_a_choice_an_entry_changed_on_both_screens_keeps_both():
    merged, conflicts = changed_on_both()
    rows = resolve(merged, conflicts, {}).sections["coping"]
    assert texts(rows) == ["Walk with my sister", "Walk to the park", "Music"]


def test_choosing_mine_for_an_entry_i_removed_removes_it():
    merged, conflicts = removed_here()
    result = resolve(merged, conflicts, {f"entry:coping:{WALK}": MINE})
    assert result.sections["coping"] == [entry(MUSIC, "Music")]


def test_choosing_theirs_for_an_entry_i_removed_keeps_their_words():
    merged, conflicts = removed_here()
    result = resolve(merged, conflicts, {f"entry:coping:{WALK}": THEIRS})
    assert result.sections["coping"] == [entry(MUSIC, "Music"), entry(WALK, "Walk by the river")]


def test_choosing_both_for_an_entry_i_removed_keeps_their_words_once():
    merged, conflicts = removed_here()
    result = resolve(merged, conflicts, {f"entry:coping:{WALK}": BOTH})
    assert result.sections["coping"] == [entry(MUSIC, "Music"), entry(WALK, "Walk by the river")]


def test_choosing_mine_for_an_entry_they_removed_keeps_my_words():
    merged, conflicts = removed_there()
    result = resolve(merged, conflicts, {f"entry:coping:{WALK}": MINE})
    assert result.sections["coping"] == [entry(WALK, "Walk with Sam"), entry(MUSIC, "Music")]


def test_choosing_theirs_for_an_entry_they_removed_removes_it():
    merged, conflicts = removed_there()
    result = resolve(merged, conflicts, {f"entry:coping:{WALK}": THEIRS})
    assert result.sections["coping"] == [entry(MUSIC, "Music")]


def test_choosing_both_for_an_entry_they_removed_keeps_my_words_once():
    merged, conflicts = removed_there()
    result = resolve(merged, conflicts, {f"entry:coping:{WALK}": BOTH})
    assert result.sections["coping"] == [entry(WALK, "Walk with Sam"), entry(MUSIC, "Music")]


# resolve() on a merged list that no longer holds the conflicted row. merge() always leaves the row in
# its merged list, so these only pin what resolve() does when handed lists that do not match.


def without_walk(merged: PlanChanges) -> PlanChanges:
    return PlanChanges(sections={"coping": [e for e in merged.sections["coping"] if e.uid != WALK]})


def test_choosing_mine_for_a_row_missing_from_the_merged_list_adds_my_words_at_the_end():
    merged, conflicts = changed_on_both()
    result = resolve(without_walk(merged), conflicts, {f"entry:coping:{WALK}": MINE})
    assert result.sections["coping"] == [entry(MUSIC, "Music"), entry(WALK, "Walk to the park")]


def test_choosing_mine_for_a_removal_missing_from_the_merged_list_leaves_the_list_alone():
    merged, conflicts = removed_here()
    result = resolve(without_walk(merged), conflicts, {f"entry:coping:{WALK}": MINE})
    assert result.sections["coping"] == [entry(MUSIC, "Music")]


@pytest.mark.parametrize("choice", [THEIRS, BOTH])
def test_choosing_theirs_or_both_for_a_row_missing_from_the_merged_list_leaves_the_list_alone(choice):
    merged, conflicts = changed_on_both()
    result = resolve(without_walk(merged), conflicts, {f"entry:coping:{WALK}": choice})
    assert result.sections["coping"] == [entry(MUSIC, "Music")]


def test_choosing_theirs_for_their_removal_missing_from_the_merged_list_leaves_the_list_alone():
    merged, conflicts = removed_there()
    result = resolve(without_walk(merged), conflicts, {f"entry:coping:{WALK}": THEIRS})
    assert result.sections["coping"] == [entry(MUSIC, "Music")]


def test_resolving_leaves_the_merged_changes_untouched():
    merged, conflicts = changed_on_both()
    before = list(merged.sections["coping"])
    resolve(merged, conflicts, {f"entry:coping:{WALK}": MINE})
    assert merged.sections["coping"] == before


def test_resolving_without_conflicts_returns_the_merged_changes():
    merged = PlanChanges(
        sections={"coping": [entry(WALK, "Walk")]},
        plan_fields={"where_kept": "Phone"},
        step_notes={2: StepNoteData(3, "Cost")},
    )
    assert resolve(merged, [], {}) == merged


# resolve(): plan fields ---------------------------------------------------------------------------


def field_conflict(
    mine: object, theirs: object, *, name: str = "where_kept", base: object = "Wallet"
) -> tuple[PlanChanges, list[Conflict]]:
    return merge(
        current=PlanContent(**{name: theirs}),
        base=base_of(PlanContent(**{name: base})),
        mine=PlanChanges(plan_fields={name: mine}),
    )


def test_choosing_mine_for_a_field_keeps_my_value():
    merged, conflicts = field_conflict("Phone", "Fridge door")
    assert resolve(merged, conflicts, {"field:where_kept": MINE}).plan_fields == {"where_kept": "Phone"}


def test_choosing_theirs_for_a_field_keeps_their_value():
    merged, conflicts = field_conflict("Phone", "Fridge door")
    assert resolve(merged, conflicts, {"field:where_kept": THEIRS}).plan_fields == {"where_kept": "Fridge door"}


def test_choosing_both_for_a_text_field_keeps_their_words_then_mine():
    merged, conflicts = field_conflict("Phone", "Fridge door")
    assert resolve(merged, conflicts, {"field:where_kept": BOTH}).plan_fields == {"where_kept": "Fridge door\nPhone"}


def test_without_a_choice_a_text_field_keeps_both():
    merged, conflicts = field_conflict("Phone", "Fridge door")
    assert resolve(merged, conflicts, {}).plan_fields == {"where_kept": "Fridge door\nPhone"}


def test_choosing_both_for_a_text_field_i_emptied_keeps_their_words_alone():
    merged, conflicts = field_conflict("", "Fridge door", name="shared_with", base="Mum")
    assert [c.key for c in conflicts] == ["field:shared_with"]
    assert resolve(merged, conflicts, {"field:shared_with": BOTH}).plan_fields == {"shared_with": "Fridge door"}


@pytest.mark.parametrize(
    ("name", "base", "mine", "theirs"),
    [
        ("likelihood_of_use", 3, 2, 4),
        ("next_review_date", datetime.date(2029, 1, 1), datetime.date(2030, 1, 1), datetime.date(2030, 6, 1)),
        ("next_review_date", datetime.date(2029, 1, 1), None, datetime.date(2030, 6, 1)),
    ],
)
def test_choosing_both_for_a_value_that_is_not_text_keeps_theirs(name, base, mine, theirs):
    merged, conflicts = field_conflict(mine, theirs, name=name, base=base)
    assert [c.key for c in conflicts] == [f"field:{name}"]
    assert resolve(merged, conflicts, {f"field:{name}": BOTH}).plan_fields == {name: theirs}


# resolve(): step notes ----------------------------------------------------------------------------


def note_conflict(mine: StepNoteData, theirs: StepNoteData) -> tuple[PlanChanges, list[Conflict]]:
    return merge(
        current=PlanContent(step_notes={2: theirs}),
        base=base_of(PlanContent(step_notes={2: StepNoteData(3, "Cost")})),
        mine=PlanChanges(step_notes={2: mine}),
    )


def test_choosing_mine_for_a_note_keeps_my_note():
    merged, conflicts = note_conflict(StepNoteData(2, "Cost, and the bus"), StepNoteData(4, "Money"))
    assert resolve(merged, conflicts, {"note:2": MINE}).step_notes == {2: StepNoteData(2, "Cost, and the bus")}


def test_choosing_theirs_for_a_note_keeps_their_note():
    merged, conflicts = note_conflict(StepNoteData(2, "Cost, and the bus"), StepNoteData(4, "Money"))
    assert resolve(merged, conflicts, {"note:2": THEIRS}).step_notes == {2: StepNoteData(4, "Money")}


def test_choosing_both_for_a_note_keeps_my_likelihood_and_both_texts():
    merged, conflicts = note_conflict(StepNoteData(2, "Cost, and the bus"), StepNoteData(4, "Money"))
    assert resolve(merged, conflicts, {"note:2": BOTH}).step_notes == {2: StepNoteData(2, "Money\nCost, and the bus")}


def test_choosing_both_for_a_note_whose_likelihood_i_cleared_keeps_theirs():
    merged, conflicts = note_conflict(StepNoteData(None, "The bus"), StepNoteData(4, "Money"))
    assert resolve(merged, conflicts, {"note:2": BOTH}).step_notes == {2: StepNoteData(4, "Money\nThe bus")}


def test_without_a_choice_a_note_keeps_both():
    merged, conflicts = note_conflict(StepNoteData(2, "The bus"), StepNoteData(4, "Money"))
    assert resolve(merged, conflicts, {}).step_notes == {2: StepNoteData(2, "Money\nThe bus")}


def test_choosing_both_for_a_note_whose_words_agree_does_not_repeat_them():
    merged, conflicts = note_conflict(StepNoteData(2, "Cost"), StepNoteData(4, "Cost"))
    assert [c.key for c in conflicts] == ["note:2"]
    assert resolve(merged, conflicts, {"note:2": BOTH}).step_notes == {2: StepNoteData(2, "Cost")}


# All three kinds at once --------------------------------------------------------------------------


def test_each_conflict_takes_its_own_choice():
    base = PlanContent(
        sections={"coping": [entry(WALK, "Walk")]}, where_kept="Wallet", step_notes={2: StepNoteData(3, "Cost")}
    )
    theirs = PlanContent(
        sections={"coping": [entry(WALK, "Walk with my sister")]},
        where_kept="Fridge door",
        step_notes={2: StepNoteData(4, "Money")},
    )
    mine = PlanChanges(
        sections={"coping": [entry(WALK, "Walk to the park")]},
        plan_fields={"where_kept": "Phone", "shared_with": "Mum"},
        step_notes={2: StepNoteData(2, "The bus")},
    )
    merged, conflicts = merge(current=theirs, base=base_of(base), mine=mine)
    assert sorted(c.key for c in conflicts) == sorted([f"entry:coping:{WALK}", "field:where_kept", "note:2"])
    result = resolve(merged, conflicts, {f"entry:coping:{WALK}": THEIRS, "field:where_kept": MINE, "note:2": MINE})
    assert result == PlanChanges(
        sections={"coping": [entry(WALK, "Walk with my sister")]},
        plan_fields={"where_kept": "Phone", "shared_with": "Mum"},
        step_notes={2: StepNoteData(2, "The bus")},
    )


def test_a_conflict_of_a_kind_it_does_not_know_changes_nothing():
    """merge() only makes entry, field and note conflicts; anything else is left alone, not guessed at."""
    merged = PlanChanges(plan_fields={"where_kept": "Phone"}, step_notes={2: StepNoteData(3, "Cost")})
    unknown = Conflict("other:2", "other", name="2", mine="Mine", theirs="Theirs")
    assert resolve(merged, [unknown], {"other:2": MINE}) == merged
