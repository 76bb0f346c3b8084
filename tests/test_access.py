"""Care-team access: a client's data is visible only to their care team; everyone else gets 404."""

import pytest
from django.urls import reverse

from plans.models import Client, Entry, SafetyPlan

from .helpers import editor_data


def client_pages(pk: int) -> dict[str, str]:
    """Each page of one client, and something only that page shows of the client `client_record`."""
    return {
        reverse("plans:client_detail", args=[pk]): 'Safety plan: <span dir="auto">Jo</span>',
        reverse("plans:client_edit", args=[pk]): 'value="Jordan Rivera"',
        reverse("plans:plan_edit", args=[pk]): 'Safety plan: <span dir="auto">Jo</span>',
        **{reverse("plans:plan_together", args=[pk, step]): f"Step {step} of 7" for step in range(1, 8)},
    }


def client_urls(pk: int) -> list[str]:
    return list(client_pages(pk))


def test_it_hides_it_from_outsiders(charlie_client, client_record):
    for url in client_urls(client_record.pk):
        assert charlie_client.get(url).status_code == 404, url


def test_it_hides_it_from_outsiders_on_post_and_saves_nothing(charlie_client, client_record):
    data = editor_data(warning_signs=[{"text": "planted by an outsider"}])
    for url in client_urls(client_record.pk):
        assert charlie_client.post(url, data).status_code == 404, url
    assert not SafetyPlan.objects.exists()
    assert not Entry.objects.exists()
    client_record.refresh_from_db()
    assert client_record.name == "Jordan Rivera"


def test_it_answers_404_for_a_client_that_does_not_exist(alice_client, client_record):
    assert alice_client.get(reverse("plans:client_detail", args=[client_record.pk + 999])).status_code == 404


@pytest.mark.parametrize("persona", ["alice_client", "bob_client"])
def test_it_shows_it_to_the_care_team(request, persona, client_record):
    http = request.getfixturevalue(persona)
    for url, shown in client_pages(client_record.pk).items():
        response = http.get(url)
        assert response.status_code == 200, url
        assert shown in response.content.decode(), url


def test_it_sends_anonymous_visitors_to_sign_in(client, client_record):
    for url in [*client_urls(client_record.pk), reverse("plans:client_list"), reverse("plans:client_create")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_the_client_list_shows_only_my_clients(charlie_client, client_record, charlie):
    from plans import actions

    actions.create_client(by=charlie, data=actions.ClientData(name="Charlie's own client"))
    response = charlie_client.get(reverse("plans:client_list"))
    assert "Charlie&#x27;s own client" in response.content.decode()
    assert "Jordan Rivera" not in response.content.decode()


def test_an_archived_client_is_hidden_even_from_the_care_team(alice_client, client_record):
    from django.utils import timezone

    assert alice_client.get(reverse("plans:client_detail", args=[client_record.pk])).status_code == 200
    Client.objects.filter(pk=client_record.pk).update(archived_at=timezone.now())
    assert alice_client.get(reverse("plans:client_detail", args=[client_record.pk])).status_code == 404


def test_an_inactive_clinician_sees_nothing(bob, client_record):
    assert list(Client.objects.visible_to(bob)) == [client_record]
    bob.is_active = False
    bob.save()
    assert not Client.objects.visible_to(bob).exists()


def test_sign_in_works_with_a_password(client, alice):
    from .factories import PASSWORD

    response = client.post(reverse("account_login"), {"login": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("plans:client_list")).status_code == 200


def test_state_changes_refuse_other_methods(alice_client, client_record):
    assert alice_client.delete(reverse("plans:plan_edit", args=[client_record.pk])).status_code == 405
    assert alice_client.put(reverse("plans:client_edit", args=[client_record.pk])).status_code == 405
