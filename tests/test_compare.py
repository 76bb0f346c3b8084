"""Comparing two versions of a plan: plain data in, plain data out (no database)."""

import datetime
import uuid

from django.template.loader import render_to_string
from django.utils import translation

from plans.compare import EntryChange, PlanComparison, compare_plans
from plans.content import EntryData, PlanContent, StepNoteData

from .helpers import changed, rebuilt


def uid(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


def plan(**sections: list[EntryData]) -> PlanContent:
    return PlanContent(sections=dict(sections))


def signs(*texts: str, start: int = 1) -> list[EntryData]:
    return [EntryData(uid=uid(start + i), text=text) for i, text in enumerate(texts)]


def step(comparison: PlanComparison, number: int):
    return comparison.steps[number - 1]


# Adds, removes, edits -------------------------------------------------------------------------------


def test_it_reports_an_added_entry():
    old = plan(warning_signs=signs("Not sleeping"))
    new = plan(warning_signs=[*signs("Not sleeping"), EntryData(uid=uid(9), text="Staying in my room")])

    result = compare_plans(old, new)

    [change] = step(result, 1).changes
    assert change.kind == "added"
    assert change.new is not None and change.new.text == "Staying in my room"
    assert change.old is None
    assert change.new_position == 2
    assert [(v.label, v.value) for v in change.values] == [("Warning sign", "Staying in my room")]
    assert step(result, 1).unchanged == 1
    assert result.counts == {"added": 1, "removed": 0, "edited": 0, "moved": 0}


def test_it_reports_a_removed_entry():
    old = plan(coping=signs("Walk the dog", "Listen to music", "Take a shower"))
    new = plan(coping=[old.sections["coping"][0], old.sections["coping"][2]])

    [change] = step(compare_plans(old, new), 2).changes

    assert change.kind == "removed"
    assert change.old is not None and change.old.text == "Listen to music"
    assert change.old_position == 2
    assert change.new_position is None
    assert not change.moved


def test_removing_or_adding_an_entry_does_not_make_the_others_moved():
    old = plan(coping=signs("a", "b", "c", "d"))
    new = plan(coping=[EntryData(uid=uid(99), text="new first"), *old.sections["coping"][1:]])

    result = compare_plans(old, new)

    assert sorted(c.kind for c in step(result, 2).changes) == ["added", "removed"]
    assert step(result, 2).unchanged == 3


def test_it_marks_the_changed_words_in_an_english_edit():
    old = plan(coping=signs("Call my sister after dinner"))
    new = plan(coping=[EntryData(uid=uid(1), text="Text my sister after dinner tonight")])

    [change] = step(compare_plans(old, new), 2).changes

    assert change.kind == "edited"
    assert not change.moved
    [field] = change.fields
    assert field.field == "text"
    assert field.label == "Something I can do"
    assert (field.old, field.new) == ("Call my sister after dinner", "Text my sister after dinner tonight")
    assert changed(field.segments) == [("delete", "Call"), ("insert", "Text"), ("insert", " tonight")]
    assert rebuilt(field.segments) == (field.old, field.new)


def test_it_reports_only_the_fields_that_differ_with_their_labels():
    old = plan(help_people=[EntryData(uid=uid(1), name="Maria", phone="+15551234567", note="Aunt")])
    new = plan(help_people=[EntryData(uid=uid(1), name="Maria", phone="+15557654321", note="Aunt")])

    [change] = step(compare_plans(old, new), 4).changes

    assert [(f.field, f.label) for f in change.fields] == [("phone", "Phone")]
    # The whole entry is still there to show which person it is, with the changed field marked.
    # A number is shown as people read it, as one left-to-right run, and changes as a whole.
    assert [(v.field, v.value, v.diff) for v in change.values] == [
        ("name", "Maria", None),
        ("phone", "\u2066+1 555-765-4321\u2069", change.fields[0]),
        ("note", "Aunt", None),
    ]
    assert (change.fields[0].old, change.fields[0].new) == (
        "\u2066+1 555-123-4567\u2069",
        "\u2066+1 555-765-4321\u2069",
    )


def test_a_field_emptied_by_an_edit_is_still_shown():
    old = plan(help_people=[EntryData(uid=uid(1), name="Maria", note="Aunt")])
    new = plan(help_people=[EntryData(uid=uid(1), name="Maria")])

    [change] = step(compare_plans(old, new), 4).changes

    assert [(v.field, v.value) for v in change.values] == [("name", "Maria"), ("note", "")]
    assert changed(change.values[1].diff.segments) == [("delete", "Aunt")]


def test_it_matches_entries_by_uid_not_by_their_words():
    old = plan(reasons=[EntryData(uid=uid(1), text="My children")])
    new = plan(reasons=[EntryData(uid=uid(2), text="My children")])

    result = compare_plans(old, new)

    assert sorted(c.kind for c in step(result, 7).changes) == ["added", "removed"]
    assert step(result, 7).unchanged == 0


def test_entries_without_a_uid_never_match():
    old = plan(reasons=[EntryData(text="My children")])
    new = plan(reasons=[EntryData(text="My children")])

    assert sorted(c.kind for c in step(compare_plans(old, new), 7).changes) == ["added", "removed"]


# Moves ---------------------------------------------------------------------------------------------


def test_one_entry_moved_to_the_top_is_the_only_one_reported_as_moved():
    a, b, c, d = signs("a", "b", "c", "d")
    old = plan(warning_signs=[a, b, c, d])
    new = plan(warning_signs=[d, a, b, c])

    result = compare_plans(old, new)

    [change] = step(result, 1).changes
    assert change.kind == "moved"
    assert change.moved
    assert change.new is d
    assert (change.old_position, change.new_position) == (4, 1)
    assert change.fields == ()
    assert step(result, 1).unchanged == 3
    assert result.counts == {"added": 0, "removed": 0, "edited": 0, "moved": 1}


def test_one_entry_moved_to_the_bottom_is_the_only_one_reported_as_moved():
    a, b, c, d = signs("a", "b", "c", "d")

    [change] = step(compare_plans(plan(coping=[a, b, c, d]), plan(coping=[b, c, d, a])), 2).changes

    assert change.new is a
    assert (change.old_position, change.new_position) == (1, 4)


def test_a_reversal_keeps_the_middle_entry_in_place():
    a, b, c = signs("a", "b", "c")

    changes = step(compare_plans(plan(coping=[a, b, c]), plan(coping=[c, b, a])), 2).changes

    assert [(ch.new, ch.old_position, ch.new_position) for ch in changes] == [(c, 3, 1), (a, 1, 3)]


def test_an_entry_can_be_edited_and_moved():
    a, b, c = signs("Listen to music", "Go for a run", "Call Sam")
    edited_c = EntryData(uid=c.uid, text="Call Sam or Alex")
    old = plan(coping=[a, b, c])
    new = plan(coping=[edited_c, a, b])

    result = compare_plans(old, new)

    [change] = step(result, 2).changes
    assert change.kind == "edited"
    assert change.moved
    assert (change.old_position, change.new_position) == (3, 1)
    assert changed(change.fields[0].segments) == [("insert", " or Alex")]
    assert result.counts == {"added": 0, "removed": 0, "edited": 1, "moved": 1}


def test_changes_read_in_the_new_order_with_removed_entries_where_they_were():
    a, b, c = signs("a", "b", "c")
    added = EntryData(uid=uid(50), text="new")
    old = plan(coping=[a, b, c])
    new = plan(coping=[added, a, EntryData(uid=c.uid, text="c!")])

    kinds = [ch.kind for ch in step(compare_plans(old, new), 2).changes]

    assert kinds == ["added", "removed", "edited"]


# Step and plan fields ------------------------------------------------------------------------------


def test_it_reports_a_change_to_what_matters_most_in_step_seven():
    old = PlanContent(most_important="My daughter")
    new = PlanContent(most_important="My daughter and my dog")

    result = compare_plans(old, new)

    [field] = step(result, 7).field_changes
    assert field.field == "most_important"
    assert changed(field.segments) == [("insert", " and my dog")]
    assert not field.clinician_only
    assert result.has_changes
    assert all(not s.field_changes for s in result.steps[:6])


def test_it_reports_changes_to_a_steps_clinician_notes():
    old = PlanContent(step_notes={3: StepNoteData(likelihood=2, barriers="Friends live far away")})
    new = PlanContent(step_notes={3: StepNoteData(likelihood=4, barriers="Friends live nearby now")})

    fields = step(compare_plans(old, new), 3).field_changes

    assert [f.field for f in fields] == ["likelihood", "barriers"]
    likelihood, barriers = fields
    assert (likelihood.old, likelihood.new) == ("2 – unlikely", "4 – likely")
    assert likelihood.segments == ()
    assert changed(barriers.segments) == [("delete", "far away"), ("insert", "nearby now")]
    assert all(f.clinician_only for f in fields)


def test_a_note_added_to_a_step_is_a_change_from_nothing():
    fields = step(compare_plans(PlanContent(), PlanContent(step_notes={5: StepNoteData(likelihood=5)})), 5)

    [likelihood] = fields.field_changes
    assert (likelihood.old, likelihood.new) == ("", "5 – very likely")


def test_it_reports_changes_to_the_plan_fields():
    old = PlanContent(where_kept="Phone", shared_with="", likelihood_of_use=3)
    new = PlanContent(
        where_kept="Phone and wallet",
        shared_with="Mum",
        likelihood_of_use=None,
        next_review_date=datetime.date(2031, 5, 4),
    )

    with translation.override("en"):
        fields = compare_plans(old, new).plan_field_changes

    assert [f.field for f in fields] == ["where_kept", "shared_with", "likelihood_of_use", "next_review_date"]
    where, shared, likelihood, review = fields
    assert changed(where.segments) == [("insert", " and wallet")]
    assert changed(shared.segments) == [("insert", "Mum")]
    assert (likelihood.old, likelihood.new) == ("3 – not sure", "")
    assert (review.old, review.new) == ("", "May 4, 2031")


def test_identical_plans_have_no_changes():
    entries = {
        "warning_signs": signs("Not sleeping", "Skipping meals"),
        "help_people": [EntryData(uid=uid(10), name="Maria", phone="+15551234567")],
    }
    old = PlanContent(
        sections=entries, most_important="My son", step_notes={1: StepNoteData(3, "None")}, likelihood_of_use=4
    )
    new = PlanContent(
        sections={key: list(rows) for key, rows in entries.items()},
        most_important="My son",
        step_notes={1: StepNoteData(3, "None")},
        likelihood_of_use=4,
    )

    result = compare_plans(old, new)

    assert not result.has_changes
    assert result.counts == {"added": 0, "removed": 0, "edited": 0, "moved": 0}
    assert [s.number for s in result.steps] == [1, 2, 3, 4, 5, 6, 7]
    assert step(result, 1).unchanged == 2
    assert step(result, 4).unchanged == 1


def test_headings_come_from_the_steps():
    result = compare_plans(PlanContent(), PlanContent())

    assert step(result, 1).heading == "Signs that a hard time may be starting"
    assert isinstance(step(result, 1).heading, str)


FULL_SECTIONS = ["warning_signs", "coping", "social_people", "help_people", "professionals", "means_safety", "reasons"]
WITH_TEXT = ["warning_signs", "coping", "means_safety", "reasons"]  # the sections whose entries have a text field


def full_plans() -> tuple[PlanContent, PlanContent]:
    """Seven sections of 50 entries; then every fifth entry's text gets a word more, and coping is reversed.
    (benchmarks/versions.py times the comparison of the same two plans.)"""
    old = PlanContent(
        sections={
            key: [EntryData(uid=uid(s * 100 + i), text=f"Entry {i} of {key}", name=f"Name {i}") for i in range(50)]
            for s, key in enumerate(FULL_SECTIONS)
        }
    )
    new = PlanContent(
        sections={
            key: [
                EntryData(uid=e.uid, text=e.text + " changed" if i % 5 == 0 else e.text, name=e.name)
                for i, e in enumerate(reversed(rows) if key == "coping" else rows)
            ]
            for key, rows in old.sections.items()
        }
    )
    return old, new


def all_changes(comparison: PlanComparison) -> list[EntryChange]:
    return [change for s in comparison.steps for change in s.changes]


def test_it_compares_two_full_plans_entry_by_entry():
    old, new = full_plans()

    result = compare_plans(old, new)

    # Only four of the seven sections have a free-text field; the reversed one keeps a single entry in order.
    assert result.counts == {"added": 0, "removed": 0, "edited": 40, "moved": 49}
    changes = all_changes(result)
    # Every entry is reported once: as a change, or counted as unchanged.
    assert len(changes) + sum(s.unchanged for s in result.steps) == 7 * 50
    assert len({change.new.uid for change in changes if change.new}) == len(changes)
    assert not [change for change in changes if change.kind in {"added", "removed"}]


def test_in_two_full_plans_exactly_the_lengthened_entries_are_edited_and_only_the_new_word_is_marked():
    old, new = full_plans()

    edited = [change for change in all_changes(compare_plans(old, new)) if change.kind == "edited"]

    lengthened = {e.uid for key in WITH_TEXT for e in new.sections[key] if e.text.endswith(" changed")}
    assert {change.new.uid for change in edited if change.new} == lengthened
    for change in edited:
        assert [(f.field, changed(f.segments)) for f in change.fields] == [("text", [("insert", " changed")])]


def test_in_two_full_plans_only_the_reversed_section_moves_each_entry_to_its_mirrored_place():
    old, new = full_plans()

    moved = [change for change in all_changes(compare_plans(old, new)) if change.moved]

    assert len(moved) == 49
    assert {change.section_key for change in moved} == {"coping"}
    assert all(change.old_position + change.new_position == 51 for change in moved)


# Template ------------------------------------------------------------------------------------------


def render(comparison: PlanComparison) -> str:
    with translation.override("en"):
        return render_to_string("plans/_comparison.html", {"comparison": comparison})


def test_the_partial_shows_each_change_with_a_text_marker():
    a, b, c = signs("Pacing", "Not answering the phone", "Drinking more")
    old = plan(warning_signs=[a, b, c], coping=signs("Walk", start=10))
    new = plan(
        warning_signs=[c, a, EntryData(uid=b.uid, text="Not answering texts")],
        reasons=signs("My cat", start=20),
    )

    html = render(compare_plans(old, new))

    assert "Step 1: Signs that a hard time may be starting" in html
    assert "Added:" in html
    assert "Removed:" in html
    assert "Edited:" in html
    assert "Moved from position 3 to 1:" in html
    assert '<span class="visually-hidden"> deleted: </span><del>the phone</del>' in html
    assert '<span class="visually-hidden"> added: </span><ins>texts</ins>' in html
    assert "No changes in this step." in html  # steps 3 to 6
    assert "Entries added: 1. Removed: 1. Edited: 1. Moved: 1." in html


def test_the_partial_shows_which_entry_an_edit_is_in():
    old = plan(help_people=[EntryData(uid=uid(1), name="Maria", phone="+15551234567")])
    new = plan(help_people=[EntryData(uid=uid(1), name="Maria", phone="+15557654321")])

    html = render(compare_plans(old, new))

    assert '<span class="comparison-text" dir="auto">Maria</span>' in html
    # A changed number is shown whole, old and new, each as one left-to-right run (never a digit diff).
    assert "Was: \u2066+1 555-123-4567\u2069. Now: \u2066+1 555-765-4321\u2069." in html


def test_the_partial_says_when_nothing_changed():
    html = render(compare_plans(PlanContent(), PlanContent()))

    assert html.count("No changes in this step.") == 7
    assert "The two versions have the same content." in html


def test_the_partial_shows_step_and_plan_field_changes():
    old = PlanContent(most_important="My son", step_notes={2: StepNoteData(likelihood=2)})
    new = PlanContent(most_important="My son and daughter", step_notes={2: StepNoteData(likelihood=4)})

    html = render(compare_plans(old, new))

    assert "The thing that matters most to me" in html
    assert "<ins> and daughter</ins>" in html
    assert "Was: 2 – unlikely. Now: 4 – likely." in html
    assert "(clinician only)" in html


def test_the_partial_escapes_client_text():
    attack = '<script>alert("x")</script>'
    old = plan(coping=signs("Walk", attack))
    new = plan(
        coping=[EntryData(uid=uid(1), text=f"Walk {attack}"), EntryData(uid=uid(3), text=attack)],
    )
    new = PlanContent(sections=new.sections, most_important=attack, where_kept=attack)

    html = render(compare_plans(old, new))

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
