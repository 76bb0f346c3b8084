"""On request, an administrator exports everything held about one client, or archives a client. Both audited."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from plans import actions, audit
from plans.models import AuditEvent, Client, PlanVersion

from .factories import make_user, save

PHRASE = "Purple giraffe umbrella 7719"
Action = AuditEvent.Action


@pytest.fixture
def root(db):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_http(client, root):
    client.force_login(root)
    return client


@pytest.fixture
def reviewed(alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    for note in ("First review", "Second review"):
        actions.save_version(
            client=client_record, by=alice, review_date=timezone.localdate(), note=note, next_review_date=None
        )
    save(client_record, alice, coping=[{"text": PHRASE}], most_important="My dog")
    return client_record


def run_action(http, action: str, *clients: Client):
    return http.post(
        reverse("admin:plans_client_changelist"),
        {"action": action, "_selected_action": [c.pk for c in clients], "index": "0"},
    )


def events(action: str) -> list[tuple[int | None, int | None]]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk").values_list("client_id", "actor_id"))


# --- Export --------------------------------------------------------------------------------------------


def exported(admin_http, client: Client):
    """The export of one client through the admin action, checked as a download, and its JSON."""
    response = run_action(admin_http, "export_json", client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Cache-Control"] == "no-store"
    return response


def test_the_export_is_a_download_named_without_the_client(admin_http, reviewed):
    disposition = exported(admin_http, reviewed)["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"client-{reviewed.pk}-export-" in disposition
    assert "Jordan" not in disposition and "Rivera" not in disposition and "MRN" not in disposition


def test_the_export_holds_the_client_the_care_team_and_the_working_plan(admin_http, alice, bob, reviewed):
    data = json.loads(exported(admin_http, reviewed).content)
    assert data["client"]["id"] == reviewed.pk and data["client"]["name"] == "Jordan Rivera"
    assert data["client"]["record_number"] == "MRN-001"
    assert sorted((m["user_id"], m["username"], m["role"]) for m in data["care_team"]) == [
        (alice.pk, "alice", "lead"),
        (bob.pk, "bob", "member"),
    ]
    assert data["plan"]["content"]["sections"]["coping"][0]["text"] == PHRASE
    assert data["plan"]["content"]["most_important"] == "My dog"


def test_the_export_holds_every_version_and_the_audit_trail_without_ips(admin_http, reviewed):
    data = json.loads(exported(admin_http, reviewed).content)
    versions = data["versions"]
    assert [v["number"] for v in versions] == [1, 2]
    assert [v["note"] for v in versions] == ["First review", "Second review"]
    assert all(v["snapshot"]["sections"]["coping"][0]["text"] == "Walk" for v in versions)
    assert {v["id"] for v in versions} == set(PlanVersion.objects.values_list("pk", flat=True))
    assert {e["action"] for e in data["audit_events"]} >= {"client_created", "version_saved", "plan_edited"}
    assert all("ip" not in e for e in data["audit_events"])


def test_the_export_is_audited_with_ids_only(admin_http, root, reviewed):
    run_action(admin_http, "export_json", reviewed)
    event = AuditEvent.objects.get(action=Action.EXPORTED)
    assert (event.client_id, event.actor_id, event.target) == (reviewed.pk, root.pk, "versions:2")
    for value in AuditEvent.objects.values_list("target", flat=True):
        assert PHRASE not in value and "Jordan" not in value
    assert audit.verify_trail().ok


def test_one_client_at_a_time(admin_http, alice, reviewed):
    other = actions.create_client(by=alice, data=actions.ClientData(name="Other"))
    response = run_action(admin_http, "export_json", reviewed, other)
    assert response.status_code == 302
    assert "Choose exactly one client" in admin_http.get(response["Location"]).content.decode()
    assert events(Action.EXPORTED) == []


def test_staff_without_the_export_permission_cannot_export(client, reviewed):
    staff = make_user("staff", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_client", "change_client", "view_careteammember"])
    )
    client.force_login(staff)
    response = run_action(client, "export_json", reviewed)
    assert not response.get("Content-Type", "").startswith("application/json")
    assert events(Action.EXPORTED) == []
    with pytest.raises(actions.NotAllowedError):
        actions.export_client(client=reviewed, by=staff)
    staff.user_permissions.add(Permission.objects.get(codename="export_client"))
    staff = type(staff).objects.get(pk=staff.pk)  # permissions are cached on the instance
    assert actions.export_client(client=reviewed, by=staff)["client"]["id"] == reviewed.pk


def test_a_clinician_cannot_export_even_their_own_client(alice, reviewed):
    with pytest.raises(actions.NotAllowedError):
        actions.export_client(client=reviewed, by=alice)
    assert events(Action.EXPORTED) == []


@pytest.mark.parametrize("versions", [1, 20])
def test_the_export_runs_the_same_queries_for_few_or_many_versions(
    root, alice, client_record, django_assert_num_queries, versions
):
    save(client_record, alice, coping=[{"text": "Walk"}])
    for i in range(versions):
        actions.save_version(
            client=client_record, by=alice, review_date=timezone.localdate(), note=f"R{i}", next_review_date=None
        )
    # savepoint, plan+card choice, care team, entries, step notes, versions, drafts, conflicts, audit events,
    # follow-up records, contacts and follow-ups (followup's export part), the last event of the client's chain,
    # insert the event, release
    with django_assert_num_queries(15):
        data = actions.export_client(client=client_record, by=root)
    assert len(data["versions"]) == versions


# --- Archive -------------------------------------------------------------------------------------------


def test_archiving_hides_the_client_and_keeps_the_history(admin_http, root, alice, reviewed):
    alice_client = HttpClient()
    alice_client.force_login(alice)
    assert "Jordan Rivera" in alice_client.get(reverse("plans:client_list")).content.decode()
    assert run_action(admin_http, "archive", reviewed).status_code == 302
    reviewed.refresh_from_db()
    assert reviewed.archived_at is not None
    assert events(Action.ARCHIVED) == [(reviewed.pk, root.pk)]
    assert "Jordan Rivera" not in alice_client.get(reverse("plans:client_list")).content.decode()
    assert alice_client.get(reverse("plans:client_detail", args=[reviewed.pk])).status_code == 404
    assert alice_client.get(reverse("plans:history", args=[reviewed.pk])).status_code == 404
    # History kept: the versions, the care team and the trail, and the export still has it all.
    assert PlanVersion.objects.filter(plan__client=reviewed).count() == 2
    assert reviewed.care_team.count() == 2
    data = actions.export_client(client=reviewed, by=root)
    assert len(data["versions"]) == 2 and data["client"]["archived_at"] is not None


def test_archiving_twice_records_once(admin_http, root, reviewed):
    run_action(admin_http, "archive", reviewed)
    run_action(admin_http, "archive", reviewed)
    assert events(Action.ARCHIVED) == [(reviewed.pk, root.pk)]


def test_a_client_can_be_taken_out_of_the_archive(admin_http, root, reviewed):
    run_action(admin_http, "archive", reviewed)
    run_action(admin_http, "unarchive", reviewed)
    reviewed.refresh_from_db()
    assert reviewed.archived_at is None
    assert events(Action.UNARCHIVED) == [(reviewed.pk, root.pk)]


def test_a_clinician_cannot_archive(alice, reviewed):
    with pytest.raises(actions.NotAllowedError):
        actions.archive_client(client=reviewed, by=alice)
    reviewed.refresh_from_db()
    assert reviewed.archived_at is None


def test_the_archive_date_is_not_edited_by_hand_in_the_admin(admin_http, reviewed):
    page = admin_http.get(reverse("admin:plans_client_change", args=[reviewed.pk])).content.decode()
    assert 'name="archived_at"' not in page
    assert 'name="name" value="Jordan Rivera"' in page  # the client's form, with the fields that are edited


# --- The client in the admin ------------------------------------------------------------------------------


def test_opening_a_client_in_the_admin_is_audited(admin_http, root, reviewed):
    page = admin_http.get(reverse("admin:plans_client_change", args=[reviewed.pk])).content.decode()
    assert PHRASE not in page  # plan content is never shown in the admin
    assert f"?client_id={reviewed.pk}" in page  # a link to the client's audit events
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.client_id, event.actor_id, event.target) == (
        Action.CLIENT_VIEWED,
        reviewed.pk,
        root.pk,
        "admin",
    )


def test_the_admin_neither_adds_nor_deletes_clients(admin_http, reviewed):
    assert admin_http.get(reverse("admin:plans_client_add")).status_code == 403
    assert admin_http.get(reverse("admin:plans_client_delete", args=[reviewed.pk])).status_code == 403
    assert Client.objects.filter(pk=reviewed.pk).exists()
