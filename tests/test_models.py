"""Invariants are database constraints."""

import pytest
from django.db import IntegrityError, transaction

from plans import actions, phones
from plans.models import CareTeamMember, Client, Entry, SafetyPlan, StepNote


@pytest.fixture
def plan(client_record, alice):
    return SafetyPlan.objects.create(client=client_record)


def broken(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_entry_positions_are_unique_per_section(plan):
    Entry.objects.create(plan=plan, section="coping", position=0, text="a")
    broken(lambda: Entry.objects.create(plan=plan, section="coping", position=0, text="b"))


def test_an_entry_needs_words(plan):
    broken(lambda: Entry.objects.create(plan=plan, section="coping", position=0))


def test_an_entry_section_must_be_known(plan):
    broken(lambda: Entry.objects.create(plan=plan, section="nonsense", position=0, text="a"))


def test_a_step_note_is_for_one_of_the_seven_steps(plan):
    broken(lambda: StepNote.objects.create(plan=plan, step=8))


def test_likelihood_is_between_1_and_5(plan):
    broken(lambda: StepNote.objects.create(plan=plan, step=1, likelihood=6))
    plan.likelihood_of_use = 0
    broken(plan.save)


def test_a_client_has_one_plan(plan, client_record):
    broken(lambda: SafetyPlan.objects.create(client=client_record))


def test_a_clinician_is_on_a_care_team_once(client_record, alice):
    broken(lambda: CareTeamMember.objects.create(client=client_record, user=alice))


def test_record_numbers_are_unique_but_may_be_blank(alice):
    Client.objects.create(name="A", record_number="")
    Client.objects.create(name="B", record_number="")
    Client.objects.create(name="C", record_number="R1")
    broken(lambda: Client.objects.create(name="D", record_number="R1"))


def test_a_client_has_a_name(db):
    broken(lambda: Client.objects.create(name=""))


def test_a_plan_cannot_be_deleted_from_under_its_client(plan, client_record):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        client_record.delete()


def test_saving_is_all_or_nothing(client_record, alice):
    changes = actions.PlanChanges(
        sections={"coping": [actions.EntryData(text="ok")], "warning_signs": [actions.EntryData(text="")]},
    )
    with pytest.raises(IntegrityError):
        actions.save_plan(client=client_record, by=alice, changes=changes, expected_revision=0)
    assert not Entry.objects.exists()
    assert not SafetyPlan.objects.exists()


def test_str_never_carries_a_name(client_record):
    assert "Jordan" not in str(client_record)
    assert str(client_record) == f"Client #{client_record.pk}"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("(212) 555-0175", "+12125550175"), ("+44 20 7946 0958", "+442079460958"), ("212.555.0175", "+12125550175")],
)
def test_phones_are_stored_as_e164(raw, stored, settings):
    settings.PHONE_DEFAULT_REGION = "US"
    assert phones.normalise(raw) == stored


@pytest.mark.parametrize("raw", ["12345", "555-1234", "phone", "+999 1234", "2125550175999999"])
def test_bad_phones_are_refused(raw):
    with pytest.raises(phones.InvalidPhone):
        phones.normalise(raw)


@pytest.mark.parametrize("code", ["988", "911", "741741", "116 123", "000"])
def test_short_codes_are_accepted_for_crisis_lines(code):
    assert phones.normalise(code, allow_short_codes=True) == code.replace(" ", "")


def test_the_default_region_is_a_setting(settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    assert phones.normalise("020 7946 0958") == "+442079460958"
    assert phones.display("+442079460958") == "020 7946 0958"
