"""Versions: freezing a review, append-only history, restoring, viewing past versions."""

import datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from plans import actions
from plans.content import PlanContent
from plans.models import PlanVersion, SafetyPlan, VersionIsImmutableError

from .factories import save, texts


def version(client, by, note="First review", next_review=None):
    return actions.save_version(
        client=client, by=by, review_date=timezone.localdate(), note=note, next_review_date=next_review
    )


def test_one_save_gives_exactly_one_version(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    response = alice_client.post(
        reverse("plans:version_create", args=[client_record.pk]),
        {"review_date": timezone.localdate().isoformat(), "note": "Added walking", "next_review_date": "2027-02-01"},
    )
    assert response.status_code == 302
    v = PlanVersion.objects.get()
    assert (v.number, v.note, v.created_by, v.next_review_date) == (
        1,
        "Added walking",
        alice,
        datetime.date(2027, 2, 1),
    )
    assert PlanContent.from_json(v.snapshot).sections["coping"][0].text == "Walk"
    assert SafetyPlan.objects.get().next_review_date == datetime.date(2027, 2, 1)


def test_after_a_review_is_saved_the_clients_copies_are_offered(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    response = alice_client.post(
        reverse("plans:version_create", args=[client_record.pk]),
        {"review_date": timezone.localdate().isoformat(), "note": "First plan"},
    )
    history = reverse("plans:history", args=[client_record.pk])
    assert response["Location"] == history + "?saved=1"
    page = alice_client.get(response["Location"]).content.decode()
    assert "Version 1 is saved: give the client their copy" in page
    for name in ("printing:print_plan", "printing:print_card", "phonecopy:send"):
        assert reverse(name, args=[client_record.pk]) in page
    # Only just after saving the newest version: not on a later visit, nor for an older number.
    assert "give the client their copy" not in alice_client.get(history).content.decode()
    assert "give the client their copy" not in alice_client.get(history + "?saved=7").content.decode()


def test_versions_are_numbered_in_order(alice, bob, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    assert [version(client_record, alice).number, version(client_record, bob).number] == [1, 2]


def test_a_version_needs_a_note_and_a_real_date(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = alice_client.post(
        reverse("plans:version_create", args=[client_record.pk]), {"review_date": tomorrow, "note": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "can&#x27;t be in the future" in page and "This field is required" in page
    assert not PlanVersion.objects.exists()


def test_versions_cannot_be_changed_or_deleted_through_the_orm(alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    v = version(client_record, alice)
    v.note = "rewritten"
    with pytest.raises(VersionIsImmutableError):
        v.save()
    with pytest.raises(VersionIsImmutableError):
        v.delete()


def test_versions_cannot_be_changed_or_deleted_in_the_database(alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    v = version(client_record, alice)
    for attempt in [
        lambda: PlanVersion.objects.filter(pk=v.pk).update(note="rewritten"),
        lambda: PlanVersion.objects.filter(pk=v.pk).delete(),
        lambda: connection.cursor().execute("UPDATE plans_planversion SET note = 'x'"),
        lambda: connection.cursor().execute("DELETE FROM plans_planversion"),
    ]:
        with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
            attempt()
    v.refresh_from_db()
    assert v.note == "First review"


def test_editing_after_a_version_starts_from_it_and_leaves_it_alone(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    v = version(client_record, alice)
    page = alice_client.get(reverse("plans:plan_edit", args=[client_record.pk])).content.decode()
    assert "Walk" in page
    save(client_record, alice, coping=[{"text": "Run"}])
    v.refresh_from_db()
    assert PlanContent.from_json(v.snapshot).sections["coping"][0].text == "Walk"


def test_restore_makes_an_old_version_the_working_plan(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}], most_important="My kids")
    version(client_record, alice)
    save(client_record, alice, coping=[{"text": "Run"}, {"text": "Swim"}], most_important="")
    version(client_record, alice, note="second")
    response = alice_client.post(reverse("plans:version_restore", args=[client_record.pk, 1]))
    assert response.status_code == 302
    plan = SafetyPlan.objects.get()
    assert texts(plan, "coping") == ["Walk"]
    assert plan.most_important == "My kids"
    assert PlanVersion.objects.count() == 2


def test_restore_refuses_get(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    version(client_record, alice)
    assert alice_client.get(reverse("plans:version_restore", args=[client_record.pk, 1])).status_code == 405


def test_a_past_version_shows_as_it_was_and_says_it_was_superseded(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    version(client_record, alice)
    save(client_record, alice, coping=[{"text": "Run"}])
    version(client_record, alice)
    page = alice_client.get(reverse("plans:version_detail", args=[client_record.pk, 1])).content.decode()
    assert "Walk" in page and "Run" not in page
    assert "superseded by version 2" in page
    page = alice_client.get(reverse("plans:version_detail", args=[client_record.pk, 2])).content.decode()
    assert "the newest version" in page


def test_history_lists_every_version(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    version(client_record, alice, note="Initial plan agreed")
    version(client_record, alice, note="Reviewed after two weeks")
    page = alice_client.get(reverse("plans:history", args=[client_record.pk])).content.decode()
    assert "Initial plan agreed" in page and "Reviewed after two weeks" in page
    assert page.index("Version 2") < page.index("Version 1")


@pytest.mark.parametrize("count", [2, 200])
def test_history_and_comparison_run_the_same_queries_for_few_or_many_versions(
    alice_client, alice, client_record, django_assert_num_queries, count
):
    save(client_record, alice, coping=[{"text": "Walk"}])
    for i in range(count):
        save(client_record, alice, coping=[{"text": f"Walk {i}"}, {"text": "Swim"}])
        version(client_record, alice, note=f"Review {i}")
    alice_client.get(reverse("plans:history", args=[client_record.pk]))  # first request records sign-in time
    # + 2 for the audit event: the last event of the client's chain, insert the event
    with django_assert_num_queries(4 + 2):  # session, user, client+plan, versions
        history = alice_client.get(reverse("plans:history", args=[client_record.pk])).content.decode()
    assert f"Version {count}" in history and f"Review {count - 1}" in history and "Review 0" in history
    with django_assert_num_queries(7 + 2):  # session, user, client+plan, last two numbers, 2 versions, all numbers
        compare = alice_client.get(reverse("plans:compare", args=[client_record.pk])).content.decode()
    # The newest two versions, compared: the second-newest entry edited into the newest.
    assert f"Walk {count - 2}" in compare and f"Walk {count - 1}" in compare


def test_version_urls_hide_it_from_outsiders(charlie_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    version(client_record, alice)
    for url in [
        reverse("plans:history", args=[client_record.pk]),
        reverse("plans:version_detail", args=[client_record.pk, 1]),
        reverse("plans:version_create", args=[client_record.pk]),
        reverse("plans:compare", args=[client_record.pk]),
        reverse("plans:plan_autosave", args=[client_record.pk]),
    ]:
        assert charlie_client.get(url).status_code in {404, 405}, url
        assert charlie_client.post(url, {"note": "x", "review_date": "2026-01-01"}).status_code == 404, url
    assert charlie_client.post(reverse("plans:version_restore", args=[client_record.pk, 1])).status_code == 404
    assert PlanVersion.objects.count() == 1


def test_an_unknown_version_is_404(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    assert alice_client.get(reverse("plans:version_detail", args=[client_record.pk, 5])).status_code == 404


def test_comparison_shows_adds_removes_and_edits(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk the dog"}, {"text": "Call Ana"}])
    version(client_record, alice)
    plan = SafetyPlan.objects.get()
    walk = plan.entries.get(text="Walk the dog")
    save(client_record, alice, coping=[{"uid": walk.uid, "text": "Walk the dog at dusk"}, {"text": "Play guitar"}])
    version(client_record, alice)
    page = alice_client.get(reverse("plans:compare", args=[client_record.pk])).content.decode()
    assert "Added" in page and "Play guitar" in page
    assert "Removed" in page and "Call Ana" in page
    assert "<ins" in page and "dusk" in page


def test_reviews_due_lists_overdue_upcoming_and_never_reviewed(alice_client, alice, client_record):
    from plans.models import Client

    save(client_record, alice, coping=[{"text": "Walk"}], next_review=timezone.localdate() - datetime.timedelta(days=3))
    version(client_record, alice, next_review=timezone.localdate() - datetime.timedelta(days=3))
    fresh = actions.create_client(by=alice, data=actions.ClientData(name="Never Reviewed"))
    save(fresh, alice, coping=[{"text": "Read"}])
    later = actions.create_client(by=alice, data=actions.ClientData(name="Far Future"))
    save(later, alice, coping=[{"text": "Read"}])
    version(later, alice, next_review=timezone.localdate() + datetime.timedelta(days=90))
    page = alice_client.get(reverse("plans:reviews_due")).content.decode()
    assert "Overdue" in page and "Jordan Rivera" in page
    assert "Never Reviewed" in page and "Never reviewed since it was made" in page
    assert "Far Future" not in page
    assert Client.objects.count() == 3


def test_any_version_prints_and_says_when_it_was_superseded(alice_client, alice, client_record):
    import io

    from pypdf import PdfReader

    def pdf_text(**query):
        response = alice_client.get(reverse("printing:plan_pdf", args=[client_record.pk]), query)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)

    save(client_record, alice, coping=[{"text": "Walk by the sea"}])
    first = version(client_record, alice)
    save(client_record, alice, coping=[{"text": "Play the piano"}])
    second = version(client_record, alice, note="second")
    old = pdf_text(version="1")
    assert "Walk by the sea" in old and "Play the piano" not in old
    assert "Version 1 of" in old and "superseded by version 2" in old
    current = pdf_text()
    assert "Play the piano" in current and "Version 2 of" in current and "superseded" not in current
    # Changed since the last version: printed as the working plan, not as a version.
    save(client_record, alice, coping=[{"text": "Play the piano daily"}])
    working = pdf_text()
    assert "Version 2" not in working and "Plan of" in working and "revision" not in working.lower()
    # The card of a past version says so too; unknown versions are 404.
    card = alice_client.get(reverse("printing:card_preview", args=[client_record.pk]), {"version": "1"})
    assert "superseded by version 2" in card.content.decode()
    for bad in ["9", "x", "²", "1" * 40]:
        assert (
            alice_client.get(reverse("printing:plan_pdf", args=[client_record.pk]), {"version": bad}).status_code == 404
        )
    assert first.number == 1 and second.number == 2
