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


# --- The editor's autosave posts only the parts that changed (autosave.js: `parts`) ------------------------


def only_parts(data: dict, parts: list[str]) -> dict:
    """What autosave.js sends: the changed parts' fields (a part's fields start with its name), the revision,
    the base and the token, and the parts' names."""
    kept = {
        name: value
        for name, value in data.items()
        if name in {"csrfmiddlewaretoken", "revision", "base"} or any(name.startswith(f"{part}-") for part in parts)
    }
    return {**kept, "parts": ",".join(parts)}


def test_autosave_of_one_part_saves_it_and_leaves_the_rest_as_it_is(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}], reasons=[{"text": "My dog"}])
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data["coping-0-text"] = "Walk to the lake"
    data["reasons-0-text"] = "Changed in the page but not sent"
    body = alice_client.post(autosave_url(client_record.pk), only_parts(data, ["coping"])).json()
    assert body["status"] == "saved"
    plan = SafetyPlan.objects.get()
    assert texts(plan, "coping") == ["Walk to the lake"] and texts(plan, "reasons") == ["My dog"]
    assert plan.most_important == ""  # not sent, so not emptied either


def test_autosave_of_a_step_note_and_the_details_saves_them(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data.update({"step2-barriers": "Rain", "where_kept": "Phone case", "most_important": "My sister"})
    details = ["where_kept", "shared_with", "likelihood_of_use", "next_review_date"]
    sent = {**only_parts(data, ["step2", "details", "most_important"]), "most_important": "My sister"}
    sent.update({name: data.get(name, "") for name in details})
    assert alice_client.post(autosave_url(client_record.pk), sent).json()["status"] == "saved"
    plan = SafetyPlan.objects.get()
    assert (plan.where_kept, plan.most_important, plan.step_notes.get(step=2).barriers) == (
        "Phone case",
        "My sister",
        "Rain",
    )
    assert texts(plan, "coping") == ["Walk"]


def test_a_part_with_a_problem_asks_for_the_whole_page_and_saves_nothing(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    data.update({"help_people-0-name": "Ana", "help_people-0-phone": "555-12"})  # half typed
    data["coping-0-text"] = "Walk to the lake"
    body = alice_client.post(autosave_url(client_record.pk), only_parts(data, ["help_people", "coping"])).json()
    assert body == {"status": "send_all"}
    assert texts(SafetyPlan.objects.get(), "coping") == ["Walk"] and not PlanDraft.objects.exists()
    # The whole page then keeps its draft, as before.
    assert alice_client.post(autosave_url(client_record.pk), data).json()["status"] == "draft"


def test_autosave_refuses_parts_it_does_not_know(alice_client, client_record):
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    for parts in ["", "coping,colour", "step99", "revision"]:
        response = alice_client.post(autosave_url(client_record.pk), {**only_parts(data, ["coping"]), "parts": parts})
        assert response.status_code == 400, parts


def test_a_merged_save_of_one_part_keeps_the_other_parts_fingerprints(alice_client, alice, bob, client_record):
    plan = save(client_record, alice, coping=[{"text": "Walk"}], reasons=[{"text": "My dog"}])
    data = form_data_from_page(alice_client, edit_url(client_record.pk))
    started = json.loads(data["base"])
    walk = plan.entries.get(section="coping")
    save(client_record, bob, coping=[{"uid": walk.uid, "text": "Walk"}, {"text": "Added on the tablet"}])
    data["reasons-0-text"] = "My dog Rex"
    body = alice_client.post(autosave_url(client_record.pk), only_parts(data, ["reasons"])).json()
    assert body["status"] == "merged"
    base = json.loads(body["base"])
    assert base["entries"]["coping"] == started["entries"]["coping"]  # not sent: as the page started
    assert base["entries"]["reasons"] != started["entries"]["reasons"]  # sent: as the page shows it now
    assert base["fields"] == started["fields"] and base["revision"] == started["revision"]
    # The page's next save of another part still merges with what the tablet added.
    data.update({"base": body["base"]})
    data["coping-0-text"] = "Walk by the river"
    assert alice_client.post(autosave_url(client_record.pk), only_parts(data, ["coping"])).json()["status"] == "merged"
    assert texts(SafetyPlan.objects.get(), "coping") == ["Walk by the river", "Added on the tablet"]


def test_the_editor_marks_every_field_with_the_part_it_belongs_to(alice_client, alice, client_record):
    """autosave.js sends a field with its part (`data-part`); a field outside every part makes it send the
    whole page, so each named field of the editor but the revision, base and token is inside one."""
    from html.parser import HTMLParser

    from plans.forms.editor import part_names
    from plans.steps import STEPS

    save(client_record, alice, coping=[{"text": "Walk"}])

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack: list[tuple[str, str | None]] = []
            self.outside: list[str] = []
            self.parts_seen: set[str] = set()

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag in {"input", "textarea", "select"}:
                part = next((p for _tag, p in reversed(self.stack) if p), None)
                if attrs.get("name") and part is None:
                    self.outside.append(attrs["name"])
                if part:
                    self.parts_seen.add(part)
            if tag not in {"input", "br", "img", "meta", "link", "hr"}:
                self.stack.append((tag, attrs.get("data-part")))

        def handle_endtag(self, tag):
            while self.stack:
                if self.stack.pop()[0] == tag:
                    break

    parser = Fields()
    parser.feed(alice_client.get(edit_url(client_record.pk)).content.decode())
    assert set(parser.outside) <= {"csrfmiddlewaretoken", "revision", "base", "q"}, parser.outside
    assert parser.parts_seen == part_names(STEPS)
