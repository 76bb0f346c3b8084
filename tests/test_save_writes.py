"""Saving the plan writes only the entries that changed, and ends exactly where rewriting everything would.

`plans.actions.plan._write_sections` updates a changed entry in place, deletes removed ones, inserts new
ones, and rewrites a section whose kept entries moved. Hypothesis tries sequences of edits, reorders,
removals, additions, uids moved between sections, repeated and missing uids, against a reference that
states what a save means: each section becomes the submitted list, in order, with an entry's uid kept
unless it is missing or already taken in the plan.
"""

import contextlib
import uuid
from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans import actions
from plans.content import EntryData, PlanChanges, PlanContent
from plans.models import SafetyPlan
from plans.steps import SECTIONS

pytestmark = pytest.mark.django_db

KEYS = [section.key for section in SECTIONS][:3]  # three sections are enough to move entries between
WORDS = st.sampled_from(["a walk", "music", "call Sam", "tea", "the park", ""])


def fresh_plan(client) -> SafetyPlan | None:
    return SafetyPlan.objects.filter(client=client).first()  # not client.plan, which Django keeps on the instance


def revision(client) -> int:
    plan = fresh_plan(client)
    return plan.revision if plan else 0


def reference(before: PlanContent, changes: PlanChanges) -> dict[str, list[tuple[str, ...]]]:
    """What each section holds after the save, by content (fresh uids are random, so compared apart)."""
    after = {key: [entry.content() for entry in entries] for key, entries in before.sections.items()}
    for key, entries in changes.sections.items():
        after[key] = [entry.content() for entry in entries]
    return after


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """One hypothesis example: whatever it saves is undone afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _edit(draw, entries, existing):
    if entries:
        i = draw(st.integers(0, len(entries) - 1))
        entries[i] = entries[i].replace(text=draw(WORDS) or "x")


def _remove(draw, entries, existing):
    if entries:
        del entries[draw(st.integers(0, len(entries) - 1))]


def _add(draw, entries, existing):
    entries.insert(draw(st.integers(0, len(entries))), EntryData(uuid.uuid4(), text=draw(WORDS) or "y"))


def _move(draw, entries, existing):
    if len(entries) > 1:
        entries.insert(draw(st.integers(0, len(entries) - 1)), entries.pop())


def _steal(draw, entries, existing):
    """An entry of another section, uid and all (a tampered form)."""
    if existing:
        entries.append(draw(st.sampled_from(existing)))


def _unidentified(draw, entries, existing):
    entries.append(EntryData(None, text="no uid"))


OPERATIONS = [_edit, _remove, _add, _move, _steal, _unidentified]


@st.composite
def a_change(draw, before: PlanContent) -> PlanChanges:
    existing = [entry for key in KEYS for entry in before.sections[key]]
    sections = {}
    for key in draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=3)):
        entries = list(before.sections[key])
        for _ in range(draw(st.integers(0, 4))):
            draw(st.sampled_from(OPERATIONS))(draw, entries, existing)
        sections[key] = entries
    return PlanChanges(sections=sections)


def assert_uids_kept_where_they_can_be(before: PlanContent, changes: PlanChanges, stored: PlanContent) -> None:
    """Every saved entry has its own uid; the first submitted use of a uid nobody else holds keeps it."""
    uids = [entry.uid for entries in stored.sections.values() for entry in entries]
    assert None not in uids and len(set(uids)) == len(uids)
    claimed = {e.uid for key, entries in before.sections.items() if key not in changes.sections for e in entries}
    for key, entries in changes.sections.items():
        for submitted, saved in zip(entries, stored.sections[key], strict=True):
            if submitted.uid is not None and submitted.uid not in claimed:
                assert saved.uid == submitted.uid
            claimed.add(saved.uid)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_save_ends_where_rewriting_every_entry_would(client_record, alice, data):
    with rolled_back():
        start = PlanChanges(
            sections={
                key: [EntryData(None, text=f"{key} {i}") for i in range(data.draw(st.integers(0, 3)))] for key in KEYS
            }
        )
        actions.save_plan(client=client_record, by=alice, changes=start, expected_revision=revision(client_record))
        for _ in range(data.draw(st.integers(1, 3))):
            plan = fresh_plan(client_record)
            before = PlanContent.from_plan(plan)
            changes = data.draw(a_change(before))
            result = actions.save_plan(client=client_record, by=alice, changes=changes, expected_revision=plan.revision)
            stored = PlanContent.from_plan(fresh_plan(client_record))
            assert result.content == stored  # what the save says it saved is what is stored
            assert {key: [e.content() for e in stored.sections[key]] for key in stored.sections} == reference(
                before, changes
            )
            assert_uids_kept_where_they_can_be(before, changes, stored)


def test_changing_one_word_updates_one_row_and_writes_nothing_else(client_record, alice):
    changes = PlanChanges(sections={key: [EntryData(None, text=f"{key} {i}") for i in range(5)] for key in KEYS})
    actions.save_plan(client=client_record, by=alice, changes=changes, expected_revision=revision(client_record))
    plan = fresh_plan(client_record)
    content = PlanContent.from_plan(plan)
    sections = {key: list(entries) for key, entries in content.sections.items()}
    sections[KEYS[1]][2] = sections[KEYS[1]][2].replace(text="a walk by the river")
    with CaptureQueriesContext(connection) as queries:
        actions.save_plan(
            client=client_record, by=alice, changes=PlanChanges(sections=sections), expected_revision=plan.revision
        )
    entry_writes = [
        q["sql"] for q in queries.captured_queries if '"plans_entry"' in q["sql"] and not q["sql"].startswith("SELECT")
    ]
    assert len(entry_writes) == 1 and entry_writes[0].startswith("UPDATE"), entry_writes
