"""Autosave: a background save on input, a draft kept when a field has a problem, JSON answers."""

import json

from django.urls import reverse

from plans.models import PlanDraft, SafetyPlan

from .factories import save, texts
from .helpers import edit_url, form_data_from_page


def autosave_url(pk, step=None):
    return reverse("plans:plan_autosave", args=[pk]) + (f"?step={step}" if step else "")


def test_autosave_round_trip(alice_client, client_record):
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["warning_signs-0-text"] = "Not answering texts"
    response = alice_client.post(autosave_url(client_record.pk), data)
    body = response.json()
    assert body["status"] == "saved"
    assert body["revision"] == 1
    plan = SafetyPlan.objects.get()
    assert texts(plan, "warning_signs") == ["Not answering texts"]
    # The page learns the uid given to the new row, so the next save updates it rather than adding one.
    assert body["uids"] == {"warning_signs-0-uid": str(plan.entries.get().uid)}
    data.update({"revision": str(body["revision"]), "base": body["base"], **body["uids"]})
    data["warning_signs-0-text"] = "Not answering texts or calls"
    assert alice_client.post(autosave_url(client_record.pk), data).json()["status"] == "saved"
    assert texts(SafetyPlan.objects.get(), "warning_signs") == ["Not answering texts or calls"]
    # Coming back to the page shows the draft exactly as it was.
    assert "Not answering texts or calls" in alice_client.get(edit_url(client_record.pk)).content.decode()


def test_autosave_keeps_a_draft_when_a_field_has_a_problem(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["coping-0-text"] = "Walk to the lake"
    data["help_people-0-name"] = "Ana"
    data["help_people-0-phone"] = "555-12"  # half typed
    body = alice_client.post(autosave_url(client_record.pk), data).json()
    assert body["status"] == "draft" and body["errors"] == 1
    assert texts(SafetyPlan.objects.get(), "coping") == ["Walk"]  # nothing half-saved
    assert PlanDraft.objects.count() == 1
    # After a crash or a sign-out, the page comes back with every word, and the message.
    page = alice_client.get(edit_url(client_record.pk)).content.decode()
    assert "Walk to the lake" in page and 'value="555-12"' in page
    assert "has not been saved yet" in page
    # A valid save clears the draft.
    data["help_people-0-phone"] = "212 555 0175"
    assert alice_client.post(autosave_url(client_record.pk), data).json()["status"] == "saved"
    assert not PlanDraft.objects.exists()


def test_autosave_from_together_mode_saves_only_that_step(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    data = form_data_from_page(alice_client, reverse("plans:plan_together", args=[client_record.pk, 1]))
    data["warning_signs-0-text"] = "Quiet"
    assert alice_client.post(autosave_url(client_record.pk, 1), data).json()["status"] == "saved"
    plan = SafetyPlan.objects.get()
    assert texts(plan, "warning_signs") == ["Quiet"] and texts(plan, "coping") == ["Walk"]


def test_autosave_says_signed_out_in_json(client, client_record):
    response = client.post(autosave_url(client_record.pk), {})
    assert response.status_code == 401
    assert response.json()["status"] == "signed_out"


def test_autosave_refuses_get(alice_client, client_record):
    assert alice_client.get(autosave_url(client_record.pk)).status_code == 405


def test_autosave_rejects_tampered_revision(alice_client, client_record):
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["revision"] = "x"
    assert alice_client.post(autosave_url(client_record.pk), data).status_code == 400
    assert alice_client.post(autosave_url(client_record.pk, 99), data).status_code == 400


def test_autosave_after_a_merge_keeps_the_page_merging(alice_client, alice, bob, client_record):
    plan = save(client_record, alice, coping=[{"text": "Walk"}])
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    walk = plan.entries.get()
    save(client_record, bob, coping=[{"uid": walk.uid, "text": "Walk"}, {"text": "Added on the tablet"}])
    data["reasons-0-text"] = "My nephew"
    body = alice_client.post(autosave_url(client_record.pk), data).json()
    assert body["status"] == "merged"
    assert "revision" not in body  # the page keeps its old revision and merges again next time
    data.update({"base": body["base"], **body["uids"]})
    data["reasons-0-text"] = "My nephew Leo"
    assert alice_client.post(autosave_url(client_record.pk), data).json()["status"] == "merged"
    plan = SafetyPlan.objects.get()
    assert texts(plan, "coping") == ["Walk", "Added on the tablet"]
    assert texts(plan, "reasons") == ["My nephew Leo"]
    assert json.loads(body["base"])["revision"] == 1
