"""Follow-up contacts: the schedule (72 hours, then weekly, ending on engagement), attempts, append-only records
and corrections, the re-check of the steps for safer surroundings, returning from the editor, and access."""

import datetime
import re

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from followup import actions
from followup.models import Contact, ContactRecord, FollowUp, RecordIsImmutableError
from plans import actions as plan_actions
from plans.models import AuditEvent, PlanVersion

from .factories import save

MEANS_TEXT = "Brother keeps the pills at his flat"
HOW_DOING = "Sleeping better, went back to work"


@pytest.fixture
def planned(client_record, alice):
    save(
        client_record,
        alice,
        coping=[{"text": "Walk by the river"}],
        means_safety=[
            {"means": "medicines", "text": MEANS_TEXT, "who": "Carlos", "by_when": "Tonight"},
            {
                "means": "firearm",
                "text": "Rifle stored at the range",
                "who": "Jo",
                "by_when": "Friday",
                "confirmed_on": "2026-01-05",
            },
        ],
    )
    return client_record


@pytest.fixture
def started(planned, alice):
    return actions.start_follow_up(
        client=planned, by=alice, setting=FollowUp.Setting.DISCHARGE, started_at=timezone.now()
    )


def reached(**extra) -> actions.ContactData:
    return actions.ContactData(**{"reached": True, "method": "phone", "how_doing": HOW_DOING, **extra})


NOT_REACHED = actions.ContactData(reached=False, method="phone", left_message=True)


def open_contact(follow_up: FollowUp) -> Contact:
    return Contact.objects.open().with_attempts().get(follow_up=follow_up)


# --- The schedule ------------------------------------------------------------------------------------


def test_starting_follow_up_makes_the_first_contact_due_72_hours_later(planned, alice):
    at = timezone.now() - datetime.timedelta(hours=5)
    follow_up = actions.start_follow_up(client=planned, by=alice, setting="first_visit", started_at=at)
    first = follow_up.contacts.get()
    assert (first.number, first.due_at, first.attempts_allowed) == (1, at + datetime.timedelta(hours=72), 5)
    assert timezone.is_aware(first.due_at)
    assert AuditEvent.objects.filter(action="followup_started", target=f"followup:{follow_up.pk}").exists()


def test_it_refuses_a_naive_start_time_and_a_client_without_a_plan(client_record, planned, alice):
    with pytest.raises(ValueError):
        actions.start_follow_up(client=planned, by=alice, setting="discharge", started_at=datetime.datetime(2026, 1, 1))
    other = plan_actions.create_client(by=alice, data=plan_actions.ClientData(name="No Plan Yet"))
    with pytest.raises(actions.FollowUpError):
        actions.start_follow_up(client=other, by=alice, setting="discharge", started_at=timezone.now())


def test_reaching_the_client_schedules_the_next_contact_a_week_later(started, planned, bob):
    record = actions.record_contact(client=planned, by=bob, contact=open_contact(started), data=reached())
    following = open_contact(started)
    assert following.number == 2
    assert following.due_at == record.recorded_at + datetime.timedelta(days=7)
    assert AuditEvent.objects.filter(action="contact_recorded", target__endswith=f"record:{record.pk}").exists()


def test_attempts_are_counted_and_the_last_one_closes_the_contact(started, planned, alice, settings):
    first = open_contact(started)
    for expected in range(1, 5):
        record = actions.record_contact(client=planned, by=alice, contact=first, data=NOT_REACHED)
        assert record.attempt == expected
        assert open_contact(started).pk == first.pk and open_contact(started).attempt_count == expected
    last = actions.record_contact(client=planned, by=alice, contact=first, data=NOT_REACHED)
    assert last.attempt == 5
    following = open_contact(started)
    assert following.number == 2 and following.due_at == last.recorded_at + datetime.timedelta(days=7)
    with pytest.raises(actions.ContactClosedError):
        actions.record_contact(client=planned, by=alice, contact=first, data=NOT_REACHED)


def test_the_number_of_attempts_comes_from_settings(planned, alice, settings):
    settings.FOLLOWUP_ATTEMPTS_PER_CONTACT = 2
    follow_up = actions.start_follow_up(client=planned, by=alice, setting="discharge", started_at=timezone.now())
    first = open_contact(follow_up)
    assert first.attempts_allowed == 2
    actions.record_contact(client=planned, by=alice, contact=first, data=NOT_REACHED)
    actions.record_contact(client=planned, by=alice, contact=first, data=NOT_REACHED)
    assert open_contact(follow_up).number == 2


def test_a_completed_contact_takes_no_more_attempts(started, planned, alice):
    first = open_contact(started)
    actions.record_contact(client=planned, by=alice, contact=first, data=reached())
    with pytest.raises(actions.ContactClosedError):
        actions.record_contact(client=planned, by=alice, contact=first, data=reached())
    assert first.records.count() == 1


def test_follow_up_ends_on_engagement_only_after_two_contacts_reached_the_client(started, planned, alice):
    actions.record_contact(client=planned, by=alice, contact=open_contact(started), data=reached())
    with pytest.raises(actions.TooFewContactsError):
        actions.end_follow_up(client=planned, by=alice, follow_up=started, reason="engaged")
    actions.record_contact(client=planned, by=alice, contact=open_contact(started), data=reached())
    ended = actions.end_follow_up(client=planned, by=alice, follow_up=started, reason="engaged")
    assert ended.ended_at is not None and ended.end_reason == "engaged"
    assert not Contact.objects.open().filter(follow_up=started).exists(), "contact 3 is no longer due"
    assert started.contacts.count() == 3
    assert AuditEvent.objects.filter(action="followup_ended", target=f"followup:{started.pk}").exists()


def test_follow_up_can_end_for_another_reason_at_any_time_and_start_again(started, planned, alice):
    actions.end_follow_up(client=planned, by=alice, follow_up=started, reason="transferred", note="Now at Eastside")
    with pytest.raises(actions.FollowUpError):
        actions.end_follow_up(client=planned, by=alice, follow_up=started, reason="other")
    again = actions.start_follow_up(client=planned, by=alice, setting="first_visit", started_at=timezone.now())
    assert again.contacts.get().number == 1


def test_the_client_list_shows_the_open_contact_of_the_running_follow_up_only(started, planned, alice, alice_client):
    def shown() -> list[str]:
        page = alice_client.get(reverse("plans:client_list")).content.decode()
        return re.findall(r">(Contact \d+)</a>", page)

    assert shown() == ["Contact 1"]
    actions.record_contact(client=planned, by=alice, contact=open_contact(started), data=reached())
    assert shown() == ["Contact 2"]  # the newest, the one still open; not the completed first
    actions.end_follow_up(client=planned, by=alice, follow_up=started, reason="transferred")
    assert shown() == []
    again = actions.start_follow_up(client=planned, by=alice, setting="first_visit", started_at=timezone.now())
    assert shown() == ["Contact 1"] and open_contact(again).number == 1


def test_a_contact_of_an_ended_follow_up_takes_no_attempt(started, planned, alice):
    first = open_contact(started)
    actions.end_follow_up(client=planned, by=alice, follow_up=started, reason="client_chose")
    with pytest.raises(actions.ContactClosedError):
        actions.record_contact(client=planned, by=alice, contact=first, data=reached())


# --- The database keeps the records as they were ------------------------------------------------------


def test_one_running_follow_up_per_client(started, planned, alice):
    with pytest.raises(actions.AlreadyRunningError):
        actions.start_follow_up(client=planned, by=alice, setting="discharge", started_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(client=planned, setting="discharge", started_at=timezone.now(), started_by=alice)


def test_contact_records_are_never_changed_or_deleted(started, planned, alice):
    record = actions.record_contact(client=planned, by=alice, contact=open_contact(started), data=reached())
    with pytest.raises(RecordIsImmutableError):
        record.save()
    with pytest.raises(RecordIsImmutableError):
        record.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        ContactRecord.objects.filter(pk=record.pk).update(how_doing="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        ContactRecord.objects.filter(pk=record.pk)._raw_delete("default")
    with pytest.raises(DatabaseError), transaction.atomic():
        Contact.objects.filter(follow_up=started).update(due_at=timezone.now())
    assert ContactRecord.objects.get(pk=record.pk).how_doing == HOW_DOING


def test_a_follow_up_is_ended_once_and_never_deleted(started, planned, alice):
    actions.end_follow_up(client=planned, by=alice, follow_up=started, reason="other")
    with pytest.raises(DatabaseError), transaction.atomic():
        FollowUp.objects.filter(pk=started.pk).update(end_reason="engaged")
    with pytest.raises(DatabaseError), transaction.atomic():
        FollowUp.objects.filter(pk=started.pk)._raw_delete("default")


def test_a_running_follow_up_keeps_its_start(started):
    with pytest.raises(DatabaseError), transaction.atomic():
        FollowUp.objects.filter(pk=started.pk).update(started_at=timezone.now() - datetime.timedelta(days=3))


def test_a_record_of_a_client_not_reached_holds_nothing_about_them(started, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactRecord.objects.create(
            contact=open_contact(started), attempt=1, recorded_by=alice, reached=False, method="phone", how_doing="x"
        )


def test_an_attempt_is_recorded_once(started, planned, alice):
    record = actions.record_contact(client=planned, by=alice, contact=open_contact(started), data=NOT_REACHED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactRecord.objects.create(contact=record.contact, attempt=1, recorded_by=alice, reached=False, method="text")


def test_a_correction_is_a_new_record_pointing_to_the_old_one(started, planned, alice, bob):
    old = actions.record_contact(client=planned, by=alice, contact=open_contact(started), data=reached())
    correction = actions.correct_record(
        client=planned, by=bob, record=old, data=reached(how_doing="Sleeping badly"), note="Wrong client's words"
    )
    old.refresh_from_db()
    assert old.how_doing == HOW_DOING, "the old record is kept as it was"
    assert (correction.corrects_id, correction.attempt, correction.how_doing) == (old.pk, 1, "Sleeping badly")
    with pytest.raises(actions.FollowUpError):
        actions.correct_record(client=planned, by=bob, record=old, data=reached(), note="again")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactRecord.objects.create(
            contact=old.contact,
            attempt=1,
            corrects=old,
            correction_note="x",
            recorded_by=bob,
            reached=True,
            method="video",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactRecord.objects.create(
            contact=old.contact, attempt=2, corrects=correction, recorded_by=bob, reached=True, method="video"
        )
    assert AuditEvent.objects.filter(
        action="contact_recorded", target=f"record:{correction.pk} corrects:{old.pk}"
    ).exists()


def test_a_correction_keeps_whether_the_client_was_reached(started, planned, alice):
    old = actions.record_contact(client=planned, by=alice, contact=open_contact(started), data=NOT_REACHED)
    correction = actions.correct_record(client=planned, by=alice, record=old, data=reached(), note="Method was text")
    assert correction.reached is False and correction.how_doing == ""
    assert open_contact(started).attempt_count == 1, "a correction is not another attempt"


# --- Recording a contact through the pages --------------------------------------------------------------


def contact_url(client, number=1, **query):
    """Contact `number` of the client's running follow-up (or newest)."""
    contact = Contact.objects.filter(follow_up__client=client).order_by("-follow_up__started_at", "number")
    url = reverse("followup:contact", args=[client.pk, contact.filter(number=number).first().pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_contact_page_raises_unconfirmed_steps_for_safer_surroundings(started, planned, bob_client):
    page = bob_client.get(contact_url(planned)).content.decode()
    assert MEANS_TEXT in page and "Carlos" in page and "Tonight" in page
    assert page.count("Mark as confirmed done") == 1, "only the step not yet confirmed"
    assert "Confirmed done" in page


def test_confirming_a_step_saves_it_in_the_plan_and_a_version_shows_it(started, planned, bob_client, bob):
    plan = planned.plan
    plan.refresh_from_db()
    revision = plan.revision
    uid = plan.entries.get(section="means_safety", position=0).uid
    response = bob_client.post(
        contact_url(planned) + "confirm/",
        {"prefix": "m1", "m1-uid": str(uid), "m1-confirmed_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.revision == revision + 1
    assert plan.entries.get(uid=uid).confirmed_on == timezone.localdate().isoformat()
    assert AuditEvent.objects.filter(action="plan_edited", actor=bob, target__startswith=f"plan:{plan.pk}").exists()
    assert "Mark as confirmed done" not in bob_client.get(contact_url(planned)).content.decode()


def test_a_confirmation_in_the_future_is_refused(started, planned, bob_client):
    plan = planned.plan
    uid = plan.entries.get(section="means_safety", position=0).uid
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    bob_client.post(
        contact_url(planned) + "confirm/",
        {"prefix": "m1", "m1-uid": str(uid), "m1-confirmed_on": tomorrow.isoformat()},
    )
    assert plan.entries.get(uid=uid).confirmed_on == ""


REACHED_POST = {
    "reached": "yes",
    "method": "video",
    "how_doing": HOW_DOING,
    "used_plan": "used",
    "steps_helped": ["2", "4"],
    "got_in_way": "Phone was off",
    "means_checked": "on",
    "next_appointment": "2030-02-03",
    "appointment_note": "Dr Lee, bus fare sorted",
}


def test_a_reached_contact_is_recorded_from_the_page(started, planned, alice_client, alice):
    response = alice_client.post(contact_url(planned), REACHED_POST)
    assert response.status_code == 302
    record = ContactRecord.objects.get()
    assert (record.reached, record.method, record.steps_helped, record.used_plan) == (True, "video", "2,4", "used")
    assert record.next_appointment == datetime.date(2030, 2, 3)
    assert [step["confirmed_on"] for step in record.means_status] == ["", "2026-01-05"]
    assert record.version is None
    page = alice_client.get(contact_url(planned)).content.decode()
    assert HOW_DOING in page and "This contact is closed." in page


def test_not_reached_with_details_typed_is_refused_not_dropped(started, planned, alice_client):
    response = alice_client.post(contact_url(planned), {**REACHED_POST, "reached": "no"})
    assert response.status_code == 200
    assert "You said the client was not reached" in response.content.decode()
    assert not ContactRecord.objects.exists()


def test_the_version_saved_during_the_contact_is_noted_on_it(started, planned, alice_client, alice):
    plan = planned.plan
    save(planned, alice, coping=[{"text": "Walk by the river"}, {"text": "Call my sister"}])
    edit = alice_client.get(reverse("plans:plan_edit", args=[planned.pk]) + "?next=" + contact_url(planned))
    assert f'name="next" value="{contact_url(planned)}"' in edit.content.decode()
    response = alice_client.post(
        reverse("plans:version_create", args=[planned.pk]),
        {"review_date": timezone.localdate().isoformat(), "note": "Added a coping step", "next": contact_url(planned)},
    )
    version = PlanVersion.objects.get(plan=plan)
    assert response["Location"] == contact_url(planned, version=version.number)
    page = alice_client.get(response["Location"]).content.decode()
    assert "Call my sister" in page and "Added a coping step" in page, "what changed is shown"
    alice_client.post(contact_url(planned), {**REACHED_POST, "version": str(version.number)})
    assert ContactRecord.objects.get().version == version


def test_a_version_not_saved_during_the_contact_cannot_be_linked(planned, alice, alice_client):
    version = plan_actions.save_version(
        client=planned, by=alice, review_date=timezone.localdate(), note="Earlier", next_review_date=None
    )
    actions.start_follow_up(client=planned, by=alice, setting="discharge", started_at=timezone.now())
    response = alice_client.post(contact_url(planned), {**REACHED_POST, "version": str(version.number)})
    assert response.status_code == 200 and not ContactRecord.objects.exists()


def test_a_next_address_on_another_site_is_ignored(planned, alice_client):
    response = alice_client.post(
        reverse("plans:version_create", args=[planned.pk]),
        {"review_date": timezone.localdate().isoformat(), "note": "x", "next": "https://evil.example/steal"},
    )
    assert response["Location"] == reverse("plans:history", args=[planned.pk]) + "?saved=1"
    page = alice_client.get(reverse("plans:plan_edit", args=[planned.pk]) + "?next=//evil.example/").content.decode()
    assert "evil.example" not in page


def test_starting_and_ending_from_the_pages(planned, alice_client):
    response = alice_client.post(
        reverse("followup:start", args=[planned.pk]),
        {"setting": "discharge", "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    response = alice_client.post(reverse("followup:end", args=[planned.pk]), {"reason": "engaged"})
    assert response.status_code == 200 and "at least 2 contacts" in response.content.decode()
    alice_client.post(reverse("followup:end", args=[planned.pk]), {"reason": "other", "note": "Moved away"})
    follow_up.refresh_from_db()
    assert follow_up.end_reason == "other"


# --- Access ---------------------------------------------------------------------------------------------


def followup_urls(client, record):
    return [
        reverse("followup:client", args=[client.pk]),
        reverse("followup:start", args=[client.pk]),
        reverse("followup:end", args=[client.pk]),
        reverse("followup:contact", args=[client.pk, record.contact_id]),
        reverse("followup:confirm_means", args=[client.pk, record.contact_id]),
        reverse("followup:correct", args=[client.pk, record.pk]),
    ]


def test_it_hides_every_contact_url_from_outsiders(started, planned, alice, charlie_client):
    record = actions.record_contact(client=planned, by=alice, contact=open_contact(started), data=reached())
    for url in followup_urls(planned, record):
        assert charlie_client.get(url).status_code in {404, 405}, url
        assert charlie_client.post(url, REACHED_POST).status_code == 404, url
    assert ContactRecord.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(started, planned, alice, client):
    record = actions.record_contact(client=planned, by=alice, contact=open_contact(started), data=NOT_REACHED)
    for url in [*followup_urls(planned, record), reverse("followup:worklist"), reverse("followup:team_report")]:
        response = client.post(url, {})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_a_record_of_another_client_is_not_reachable_through_this_one(started, planned, alice, alice_client):
    other = plan_actions.create_client(by=alice, data=plan_actions.ClientData(name="Second Person"))
    save(other, alice, coping=[{"text": "x"}])
    follow_up = actions.start_follow_up(client=other, by=alice, setting="discharge", started_at=timezone.now())
    record = actions.record_contact(client=other, by=alice, contact=open_contact(follow_up), data=reached())
    assert alice_client.get(reverse("followup:correct", args=[planned.pk, record.pk])).status_code == 404


def test_the_contact_page_runs_a_fixed_number_of_queries(
    started, planned, alice, alice_client, django_assert_num_queries
):
    alice_client.get(contact_url(planned))  # the session's first request also records sign-in time
    # the same number of queries however many attempts were recorded (the records are read in one)
    with django_assert_num_queries(11):
        alice_client.get(contact_url(planned))
    for _ in range(3):
        actions.record_contact(client=planned, by=alice, contact=open_contact(started), data=NOT_REACHED)
    with django_assert_num_queries(11):
        page = alice_client.get(contact_url(planned)).content.decode()
    assert page.count("Not reached</span>") == 3


def test_the_contacts_of_an_earlier_follow_up_keep_their_own_page(started, planned, alice, alice_client):
    first = open_contact(started)
    actions.record_contact(client=planned, by=alice, contact=first, data=reached())
    actions.end_follow_up(client=planned, by=alice, follow_up=started, reason="other")
    again = actions.start_follow_up(client=planned, by=alice, setting="first_visit", started_at=timezone.now())
    assert open_contact(again).number == 1
    page = alice_client.get(reverse("followup:contact", args=[planned.pk, first.pk])).content.decode()
    assert HOW_DOING in page and "This contact is closed." in page
    overview = alice_client.get(reverse("followup:client", args=[planned.pk])).content.decode()
    assert reverse("followup:contact", args=[planned.pk, first.pk]) in overview
    assert reverse("followup:contact", args=[planned.pk, open_contact(again).pk]) in overview


def test_the_client_page_links_to_follow_up(planned, alice_client):
    page = alice_client.get(reverse("plans:client_detail", args=[planned.pk])).content.decode()
    assert reverse("followup:client", args=[planned.pk]) in page


def test_a_record_is_corrected_from_its_page_and_both_are_shown(started, planned, alice, bob_client):
    old = actions.record_contact(client=planned, by=alice, contact=open_contact(started), data=reached())
    url = reverse("followup:correct", args=[planned.pk, old.pk])
    form = bob_client.get(url).content.decode()
    assert HOW_DOING in form and "be corrected: the next contact was scheduled from it" in form
    post = {**REACHED_POST, "reached": "no", "how_doing": "Sleeping badly", "correction_note": "Typed in the wrong box"}
    assert bob_client.post(url, post).status_code == 302
    correction = ContactRecord.objects.get(corrects=old)
    assert correction.reached is True, "whether the client was reached is kept"
    assert (correction.how_doing, correction.correction_note) == ("Sleeping badly", "Typed in the wrong box")
    page = bob_client.get(contact_url(planned)).content.decode()
    assert HOW_DOING in page and "Sleeping badly" in page and "Corrected by a later record" in page
    assert bob_client.get(url).status_code == 302, "the corrected record is not corrected twice"


def test_the_export_of_everything_held_about_a_client_holds_every_record(started, planned, alice):
    old = actions.record_contact(client=planned, by=alice, contact=open_contact(started), data=reached())
    actions.correct_record(client=planned, by=alice, record=old, data=reached(how_doing="Corrected words"), note="n")
    exported = plan_actions.client_export(planned)["follow_ups"]
    assert [f["id"] for f in exported] == [started.pk]
    contacts = exported[0]["contacts"]
    assert [c["number"] for c in contacts] == [1, 2]
    assert [(r["how_doing"], r["corrects_id"]) for r in contacts[0]["records"]] == [
        (HOW_DOING, None),
        ("Corrected words", old.pk),
    ]
