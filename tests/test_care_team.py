"""The care team: everyone on it sees who is on it; its lead (or an administrator) changes it, audited."""

import pytest
from django.urls import reverse

from plans import actions
from plans.models import AuditEvent, CareTeamMember, Client

from .factories import make_user

Lead = CareTeamMember.Role.LEAD
Member = CareTeamMember.Role.MEMBER


def team(client: Client) -> list[tuple[str, str]]:
    return sorted(client.care_team.values_list("user__username", "role"))


def changes(client: Client) -> list[str]:
    return list(
        AuditEvent.objects.filter(client_id=client.pk, action=AuditEvent.Action.CARE_TEAM_CHANGED)
        .order_by("pk")
        .values_list("target", flat=True)
    )


def page_url(client: Client) -> str:
    return reverse("plans:care_team", args=[client.pk])


def remove_url(client: Client, username: str) -> str:
    member = client.care_team.get(user__username=username)
    return reverse("plans:care_team_remove", args=[client.pk, member.pk])


@pytest.fixture
def dana(db):
    return make_user("dana")


def test_it_hides_it_from_outsiders(charlie_client, dana, client_record):
    before = (team(client_record), changes(client_record))
    assert charlie_client.get(page_url(client_record)).status_code == 404
    assert charlie_client.post(page_url(client_record), {"username": "dana", "role": Lead}).status_code == 404
    assert charlie_client.post(page_url(client_record), {"username": "charlie", "role": Lead}).status_code == 404
    assert charlie_client.post(remove_url(client_record, "alice")).status_code == 404
    assert charlie_client.post(remove_url(client_record, "bob")).status_code == 404
    assert (team(client_record), changes(client_record)) == before


def test_the_care_team_sees_who_is_on_it_but_only_the_lead_gets_the_controls(
    alice_client, bob_client, alice, bob, client_record
):
    page = bob_client.get(page_url(client_record)).content.decode()
    assert "alice" in page and "bob" in page and "Lead clinician" in page
    assert 'name="username"' not in page and remove_url(client_record, "bob") not in page
    alice_client.force_login(alice)
    page = alice_client.get(page_url(client_record)).content.decode()
    assert 'name="username"' in page and remove_url(client_record, "bob") in page
    # The only lead has no remove button, and is told why.
    assert remove_url(client_record, "alice") not in page and "The only lead" in page


def test_the_client_page_links_to_it(alice_client, client_record):
    page = alice_client.get(reverse("plans:client_detail", args=[client_record.pk])).content.decode()
    assert page_url(client_record) in page


def test_the_lead_adds_someone_by_username(alice_client, dana, client_record):
    response = alice_client.post(
        page_url(client_record), {"username": " dana ", "role": Member}, REMOTE_ADDR="192.0.2.4"
    )
    assert response.status_code == 302 and response["Location"] == page_url(client_record)
    assert team(client_record) == [("alice", Lead), ("bob", Member), ("dana", Member)]
    assert changes(client_record)[-1] == f"add user:{dana.pk} role:member"
    assert AuditEvent.objects.order_by("-pk").first().ip == "192.0.2.4"
    assert Client.objects.visible_to(dana).get() == client_record


def test_the_lead_can_add_another_lead(alice_client, dana, client_record):
    alice_client.post(page_url(client_record), {"username": "dana", "role": Lead})
    assert ("dana", Lead) in team(client_record)


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("nobody", "No active clinician has this username."),
        ("inactive", "No active clinician has this username."),
        ("bob", "This person is already on the care team."),
        ("", "This field is required."),
    ],
)
def test_adding_someone_who_cannot_be_added_is_a_form_error(alice_client, client_record, username, message):
    make_user("inactive", is_active=False)
    before = (team(client_record), changes(client_record))
    response = alice_client.post(page_url(client_record), {"username": username, "role": Member})
    assert response.status_code == 200
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert (team(client_record), changes(client_record)) == before


def test_a_member_who_is_not_the_lead_is_refused_clearly(bob_client, dana, client_record):
    before = (team(client_record), changes(client_record))
    for response in [
        bob_client.post(page_url(client_record), {"username": "dana", "role": Lead}),
        bob_client.post(page_url(client_record), {"username": "bob", "role": Lead}),
        bob_client.post(remove_url(client_record, "alice")),
    ]:
        assert response.status_code == 403
        assert "Only the lead clinician can change the care team." in response.content.decode()
    assert (team(client_record), changes(client_record)) == before


def test_the_lead_removes_a_member_who_then_loses_access(alice_client, bob_client, bob, client_record):
    bob_client.force_login(bob)
    url = remove_url(client_record, "bob")
    alice_client.force_login(client_record.care_team.get(role=Lead).user)
    assert alice_client.post(url).status_code == 302
    assert team(client_record) == [("alice", Lead)]
    assert changes(client_record)[-1] == f"remove user:{bob.pk}"
    bob_client.force_login(bob)
    assert bob_client.get(reverse("plans:client_detail", args=[client_record.pk])).status_code == 404


def test_the_last_lead_cannot_be_removed(alice_client, client_record):
    response = alice_client.post(remove_url(client_record, "alice"), follow=True)
    assert "A client always needs a lead clinician." in response.content.decode()
    assert ("alice", Lead) in team(client_record)


def test_a_lead_can_hand_over_and_leave(alice_client, dana, client_record):
    alice_client.post(page_url(client_record), {"username": "dana", "role": Lead})
    response = alice_client.post(remove_url(client_record, "alice"))
    assert response["Location"] == reverse("plans:client_list")
    assert team(client_record) == [("bob", Member), ("dana", Lead)]
    assert alice_client.get(page_url(client_record)).status_code == 404


def test_removing_only_answers_post(alice_client, client_record):
    assert alice_client.get(remove_url(client_record, "bob")).status_code == 405
    assert ("bob", Member) in team(client_record)


def test_a_member_of_another_client_cannot_be_removed_through_this_one(alice_client, alice, dana, client_record):
    other = actions.create_client(by=alice, data=actions.ClientData(name="Other"))
    actions.add_to_care_team(client=other, user=dana, by=alice)
    foreign = other.care_team.get(user=dana)
    url = reverse("plans:care_team_remove", args=[client_record.pk, foreign.pk])
    assert alice_client.post(url).status_code == 404
    assert ("dana", Member) in team(other)


def test_the_actions_check_who_asks(alice, bob, charlie, dana, client_record):
    for who in (bob, charlie):
        with pytest.raises(actions.NotAllowedError):
            actions.add_to_care_team(client=client_record, user=dana, by=who)
        with pytest.raises(actions.NotAllowedError):
            actions.remove_from_care_team(client=client_record, user=alice, by=who)
        with pytest.raises(actions.NotAllowedError):
            actions.set_care_team_role(client=client_record, user=bob, role=Lead, by=who)
    with pytest.raises(actions.LastLeadError):
        actions.set_care_team_role(client=client_record, user=alice, role=Member, by=alice)
    with pytest.raises(actions.LastLeadError):
        actions.remove_from_care_team(client=client_record, user=alice, by=alice)
    assert team(client_record) == [("alice", Lead), ("bob", Member)]


def test_adding_someone_already_there_changes_nothing_and_records_nothing(alice, bob, client_record):
    before = changes(client_record)
    assert actions.add_to_care_team(client=client_record, user=bob, by=alice, role=Lead).role == Member
    assert changes(client_record) == before


def test_the_page_runs_a_fixed_number_of_queries(alice_client, alice, client_record, django_assert_num_queries):
    for i in range(5):
        actions.add_to_care_team(client=client_record, user=make_user(f"user{i}"), by=alice)
    alice_client.get(page_url(client_record))  # the first request after signing in also writes the session
    # session, user, client+plan, is lead, audit (the chain's last event, insert), members
    with django_assert_num_queries(7):
        page = alice_client.get(page_url(client_record)).content.decode()
    assert all(f"user{i}" in page for i in range(5)), "the page does not list every member"


# --- The admin ----------------------------------------------------------------------------------------


@pytest.fixture
def admin_client_logged_in(client, db):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def admin_form(client_record: Client, rows: list[dict[str, object]]) -> dict[str, object]:
    members = list(client_record.care_team.order_by("pk"))
    data: dict[str, object] = {
        "name": client_record.name,
        "preferred_name": client_record.preferred_name,
        "record_number": client_record.record_number,
        "preferred_language": client_record.preferred_language,
        "date_of_birth": "",
        "care_team-TOTAL_FORMS": str(len(rows)),
        "care_team-INITIAL_FORMS": str(len(members)),
        "care_team-MIN_NUM_FORMS": "0",
        "care_team-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"care_team-{i}-{name}"] = value
        data[f"care_team-{i}-client"] = client_record.pk
    return data


def test_an_administrator_changes_the_care_team_in_the_admin_audited(
    admin_client_logged_in, alice, bob, dana, client_record
):
    alice_row, bob_row = client_record.care_team.order_by("pk")
    data = admin_form(
        client_record,
        [
            {"id": alice_row.pk, "user": alice.pk, "role": Member},  # alice hands over
            {"id": bob_row.pk, "user": bob.pk, "role": Member, "DELETE": "on"},  # bob leaves
            {"user": dana.pk, "role": Lead},  # dana leads
        ],
    )
    url = reverse("admin:plans_client_change", args=[client_record.pk])
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert team(client_record) == [("alice", Member), ("dana", Lead)]
    assert changes(client_record)[-3:] == [
        f"add user:{dana.pk} role:lead",
        f"role user:{alice.pk} role:member",
        f"remove user:{bob.pk}",
    ]
    assert AuditEvent.objects.filter(client_id=client_record.pk, action="client_edited").count() == 1


def test_the_admin_refuses_to_leave_a_client_without_a_lead(admin_client_logged_in, alice, bob, client_record):
    alice_row, bob_row = client_record.care_team.order_by("pk")
    data = admin_form(
        client_record,
        [{"id": alice_row.pk, "user": alice.pk, "role": Member}, {"id": bob_row.pk, "user": bob.pk, "role": Member}],
    )
    before = (team(client_record), changes(client_record))
    response = admin_client_logged_in.post(reverse("admin:plans_client_change", args=[client_record.pk]), data)
    assert response.status_code == 200
    assert "A client always needs at least one lead clinician." in response.content.decode()
    assert (team(client_record), changes(client_record)) == before
