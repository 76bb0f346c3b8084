"""Adding, editing, listing and searching clients."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from plans import actions
from plans.models import CareTeamMember, Client


def add_form(**overrides):
    data = {
        "name": "Amira Haddad",
        "preferred_name": "Amira",
        "record_number": "",
        "preferred_language": "ar",
        "date_of_birth": "1990-04-02",
        "token": "6f1c1f2e-7c7b-4c55-9d8e-1a2b3c4d5e6f",
    }
    data.update(overrides)
    return data


def test_it_adds_a_client_with_me_as_lead(alice_client, alice):
    response = alice_client.post(reverse("plans:client_create"), add_form())
    client = Client.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:plan_edit", args=[client.pk])
    assert client.preferred_language == "ar"
    assert client.date_of_birth == datetime.date(1990, 4, 2)
    assert CareTeamMember.objects.get(client=client).user == alice
    assert CareTeamMember.objects.get(client=client).role == "lead"


def test_a_double_submit_adds_the_client_once(alice_client):
    first = alice_client.post(reverse("plans:client_create"), add_form())
    second = alice_client.post(reverse("plans:client_create"), add_form(), follow=True)
    assert first.status_code == 302
    assert Client.objects.count() == 1
    assert "already added" in second.content.decode()


def test_it_keeps_what_was_typed_when_the_name_is_missing(alice_client):
    response = alice_client.post(reverse("plans:client_create"), add_form(name="   "))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the client" in page or "This field is required" in page
    assert 'value="Amira"' in page
    assert not Client.objects.exists()


def test_it_refuses_a_future_date_of_birth(alice_client):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = alice_client.post(reverse("plans:client_create"), add_form(date_of_birth=tomorrow.isoformat()))
    assert "can&#x27;t be in the future" in response.content.decode()
    assert not Client.objects.exists()


def test_it_refuses_a_garbled_date(alice_client):
    response = alice_client.post(reverse("plans:client_create"), add_form(date_of_birth="31/02/yesterday"))
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()


def test_it_refuses_a_record_number_in_use(alice_client, client_record):
    response = alice_client.post(reverse("plans:client_create"), add_form(record_number="MRN-001"))
    assert "already has this record number" in response.content.decode()
    assert Client.objects.count() == 1


def test_it_refuses_over_long_names_with_a_message(alice_client):
    response = alice_client.post(reverse("plans:client_create"), add_form(name="x" * 201))
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()
    assert not Client.objects.exists()


def test_it_edits_a_client(bob_client, client_record):
    response = bob_client.post(
        reverse("plans:client_edit", args=[client_record.pk]),
        add_form(name="Jordan A. Rivera", record_number="MRN-001", token=""),
    )
    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.name == "Jordan A. Rivera"


def search(http, text):
    return http.post(reverse("plans:client_list"), {"q": text}, follow=True)


def test_the_list_searches_by_name_and_preferred_name(alice_client, alice, client_record):
    actions.create_client(by=alice, data=actions.ClientData(name="Wei Chen", preferred_name="小伟"))
    page = search(alice_client, "rive").content.decode()
    assert "Jordan Rivera" in page and "Wei Chen" not in page
    page = search(alice_client, "小伟").content.decode()
    assert "Wei Chen" in page and "Jordan Rivera" not in page


def test_search_text_never_appears_in_a_url(alice_client, alice):
    from urllib.parse import unquote

    for i in range(30):
        actions.create_client(by=alice, data=actions.ClientData(name=f"Rivera {i:02d}"))
    response = search(alice_client, "Rivera")
    (location, status), *_ = response.redirect_chain
    assert status == 302 and "rivera" not in unquote(location).lower()
    page = response.content.decode()
    assert "Rivera 00" in page and "Page 1 of 2" in page
    # The next page keeps the search by its token.
    next_url = re.search(r'href="([^"]*page=2[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "rivera" not in unquote(next_url).lower()
    second = alice_client.get(next_url).content.decode()
    assert "Rivera 29" in second and "Page 2 of 2" in second
    # The box still shows what was searched for (from the session, not the URL).
    assert 'value="Rivera"' in second
    # A search in the address bar does nothing: there is one way to search.
    assert "Page 1 of 2" in alice_client.get(reverse("plans:client_list"), {"q": "nobody"}).content.decode()


def test_a_search_too_long_is_explained_beside_the_box_and_kept(alice_client):
    response = alice_client.post(reverse("plans:client_list"), {"q": "x" * 101})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_q_error"' in page and "at most 100 characters" in page
    assert f'value="{"x" * 101}"' in page


def test_a_search_that_has_ended_says_so(alice_client, client_record):
    page = alice_client.get(reverse("plans:client_list"), {"s": "not-a-token"}).content.decode()
    assert "That search has ended" in page and "Jordan Rivera" in page


def test_the_list_and_searches_are_audited_by_count_never_by_text(alice_client, alice, client_record):
    from plans.models import AuditEvent

    alice_client.get(reverse("plans:client_list"))
    search(alice_client, "Jordan")
    search(alice_client, "nobody at all")
    events = list(
        AuditEvent.objects.filter(action="client_list_viewed").order_by("pk").values_list("actor_id", "target")
    )
    assert events == [(alice.pk, "list:1"), (alice.pk, "search:1"), (alice.pk, "search:0")]
    assert not AuditEvent.objects.filter(target__icontains="jordan").exists()


def test_the_list_paginates(alice_client, alice):
    for i in range(30):
        actions.create_client(by=alice, data=actions.ClientData(name=f"Client {i:02d}"))
    first = alice_client.get(reverse("plans:client_list")).content.decode()
    second = alice_client.get(reverse("plans:client_list"), {"page": 2}).content.decode()
    assert "Client 00" in first and "Client 29" not in first
    assert "Client 29" in second and "Page 2 of 2" in second


def test_the_list_shows_plan_status(alice_client, alice, client_record):
    from .factories import save

    actions.create_client(by=alice, data=actions.ClientData(name="No Plan Person"))
    save(client_record, alice, warning_signs=[{"text": "Can't sleep"}], next_review=timezone.localdate())
    page = alice_client.get(reverse("plans:client_list")).content.decode()
    assert "No plan yet" in page
    assert "In progress" in page
    assert "6 steps empty" in page
    assert "Review due" in page


def test_the_list_runs_the_same_queries_for_few_and_many_clients(alice_client, alice, django_assert_num_queries):
    from .factories import save

    def make(n):
        for i in range(n):
            c = actions.create_client(by=alice, data=actions.ClientData(name=f"Person {i}"))
            save(c, alice, warning_signs=[{"text": "sign"}])

    make(2)
    alice_client.get(reverse("plans:client_list"))  # the session's first request also records sign-in time
    # session, user, count, page, and the audit event (its chain's last event read, the event added)
    with django_assert_num_queries(6):
        page = alice_client.get(reverse("plans:client_list")).content.decode()
    assert "Person 0" in page and "Person 1" in page
    make(20)
    with django_assert_num_queries(6):
        page = alice_client.get(reverse("plans:client_list")).content.decode()
    assert all(f"Person {i}</a>" in page for i in range(20)), "the list does not show every client"
