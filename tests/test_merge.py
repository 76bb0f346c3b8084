"""Two screens, one plan: a save from a stale copy merges, or opens a conflict view; nothing is lost."""

from django.urls import reverse

from plans.models import PendingConflict, SafetyPlan

from .factories import save, texts
from .helpers import edit_url, form_data_from_page


def test_changes_to_different_entries_merge(alice_client, alice, bob, client_record):
    plan = save(client_record, alice, coping=[{"text": "Walk"}, {"text": "Music"}])
    laptop = form_data_from_page(alice_client, edit_url(client_record.pk))
    # The tablet changes the second entry and adds one.
    music = plan.entries.get(text="Music")
    walk = plan.entries.get(text="Walk")
    save(
        client_record,
        bob,
        coping=[{"uid": walk.uid, "text": "Walk"}, {"uid": music.uid, "text": "Loud music"}, {"text": "Shower"}],
    )
    # The laptop, from its stale copy, changes the first entry.
    laptop["coping-0-text"] = "Walk by the river"
    response = alice_client.post(edit_url(client_record.pk), laptop, follow=True)
    assert "together with changes made on another screen" in response.content.decode()
    assert texts(SafetyPlan.objects.get(), "coping") == ["Walk by the river", "Loud music", "Shower"]


def test_a_removal_on_one_screen_and_an_edit_elsewhere_merge(alice_client, alice, bob, client_record):
    plan = save(client_record, alice, coping=[{"text": "Walk"}, {"text": "Music"}], reasons=[{"text": "My cat"}])
    laptop = form_data_from_page(alice_client, edit_url(client_record.pk))
    cat = plan.entries.get(text="My cat")
    save(client_record, bob, reasons=[{"uid": cat.uid, "text": "My cat Miso"}])
    laptop["op"] = "remove:coping:1"
    alice_client.post(edit_url(client_record.pk), laptop)
    plan = SafetyPlan.objects.get()
    assert texts(plan, "coping") == ["Walk"]
    assert texts(plan, "reasons") == ["My cat Miso"]


def test_the_same_entry_changed_on_both_screens_opens_a_conflict_with_nothing_lost(
    alice_client, alice, bob, client_record
):
    plan = save(client_record, alice, coping=[{"text": "Walk"}])
    laptop = form_data_from_page(alice_client, edit_url(client_record.pk))
    walk = plan.entries.get()
    save(client_record, bob, coping=[{"uid": walk.uid, "text": "Walk with my sister"}])
    laptop["coping-0-text"] = "Walk to the park"
    laptop["most_important"] = "My garden"  # a change elsewhere, kept through the conflict
    response = alice_client.post(edit_url(client_record.pk), laptop)
    pending = PendingConflict.objects.get()
    assert response["Location"] == reverse("plans:plan_conflict", args=[client_record.pk, pending.pk])
    # Nothing saved yet: the other screen's words stand.
    assert texts(SafetyPlan.objects.get(), "coping") == ["Walk with my sister"]
    page = alice_client.get(response["Location"]).content.decode()
    assert "Walk to the park" in page and "Walk with my sister" in page
    revision = SafetyPlan.objects.get().revision
    key = f"entry:coping:{walk.uid}"
    response = alice_client.post(response["Location"], {f"choice-{key}": "mine", "revision": revision})
    assert response.status_code == 302
    plan = SafetyPlan.objects.get()
    assert texts(plan, "coping") == ["Walk to the park"]
    assert plan.most_important == "My garden"


def test_keep_both_keeps_both_texts(alice_client, alice, bob, client_record):
    plan = save(client_record, alice, coping=[{"text": "Walk"}])
    laptop = form_data_from_page(alice_client, edit_url(client_record.pk))
    walk = plan.entries.get()
    save(client_record, bob, coping=[{"uid": walk.uid, "text": "Theirs"}])
    laptop["coping-0-text"] = "Mine"
    url = alice_client.post(edit_url(client_record.pk), laptop)["Location"]
    alice_client.post(url, {f"choice-entry:coping:{walk.uid}": "both", "revision": SafetyPlan.objects.get().revision})
    assert texts(SafetyPlan.objects.get(), "coping") == ["Theirs", "Mine"]


def test_a_conflict_needs_a_choice_for_every_entry(alice_client, alice, bob, client_record):
    plan = save(client_record, alice, coping=[{"text": "Walk"}])
    laptop = form_data_from_page(alice_client, edit_url(client_record.pk))
    walk = plan.entries.get()
    save(client_record, bob, coping=[{"uid": walk.uid, "text": "Theirs"}])
    laptop["coping-0-text"] = "Mine"
    url = alice_client.post(edit_url(client_record.pk), laptop)["Location"]
    response = alice_client.post(url, {"revision": SafetyPlan.objects.get().revision})
    assert "Choose which text to keep" in response.content.decode()
    assert texts(SafetyPlan.objects.get(), "coping") == ["Theirs"]


def test_an_edit_here_and_a_removal_there_is_a_conflict(alice_client, alice, bob, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}, {"text": "Read"}])
    laptop = form_data_from_page(alice_client, edit_url(client_record.pk))
    plan = SafetyPlan.objects.get()
    read = plan.entries.get(text="Read")
    save(client_record, bob, coping=[{"uid": read.uid, "text": "Read"}])  # the tablet removed "Walk"
    laptop["coping-0-text"] = "Walk, then call Ana"
    url = alice_client.post(edit_url(client_record.pk), laptop)["Location"]
    page = alice_client.get(url).content.decode()
    assert "The other screen removed this entry" in page and "Walk, then call Ana" in page


def test_conflict_urls_hide_it_from_outsiders(charlie_client, alice, bob, client_record):
    plan = save(client_record, alice, coping=[{"text": "Walk"}])
    pending = PendingConflict.objects.create(plan=plan, created_by=alice, changes={}, base="{}")
    url = reverse("plans:plan_conflict", args=[client_record.pk, pending.pk])
    assert charlie_client.get(url).status_code == 404
    assert charlie_client.post(url, {}).status_code == 404
