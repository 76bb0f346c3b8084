"""Contacts due (order, attempts, access, audit), the client list's next contact, and the team view for leads
(figures, CSV, access): counts and names of clinicians only, nothing of any plan."""

import csv
import datetime
import io

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from followup import actions
from followup.models import Contact
from followup.worklist import worklist_for
from plans import actions as plan_actions
from plans.models import AuditEvent, CareTeamMember

from .factories import save

SECRET = "Walk to the old mill at night"


def new_client(by, name, *, plan=True):
    client = plan_actions.create_client(by=by, data=plan_actions.ClientData(name=name))
    if plan:
        save(client, by, coping=[{"text": SECRET}])
    return client


def start(client, by, ago: datetime.timedelta):
    return actions.start_follow_up(client=client, by=by, setting="discharge", started_at=timezone.now() - ago)


def open_contact(follow_up):
    return Contact.objects.open().get(follow_up=follow_up)


def due_later_today() -> datetime.timedelta:
    """How long ago a follow-up must have started for its first contact to be due later today."""
    now = timezone.localtime()
    end_of_day = now.replace(hour=23, minute=59, second=59)
    ahead = min(datetime.timedelta(hours=1), (end_of_day - now) / 2)
    return datetime.timedelta(hours=72) - ahead


@pytest.fixture
def due(alice, bob):
    """Four clients of alice's (bob on the care team of one): two overdue, one due today, one upcoming."""
    clients = {name: new_client(alice, name) for name in ("Ana Overdue", "Ben Older", "Cy Today", "Di Later")}
    plan_actions.add_to_care_team(client=clients["Cy Today"], user=bob, by=alice, role=CareTeamMember.Role.MEMBER)
    follow_ups = {
        "Ana Overdue": start(clients["Ana Overdue"], alice, datetime.timedelta(days=4)),
        "Ben Older": start(clients["Ben Older"], alice, datetime.timedelta(days=5)),
        "Cy Today": start(clients["Cy Today"], alice, due_later_today()),
        "Di Later": start(clients["Di Later"], alice, datetime.timedelta(hours=1)),
    }
    actions.record_contact(
        client=clients["Ana Overdue"],
        by=alice,
        contact=open_contact(follow_ups["Ana Overdue"]),
        data=actions.ContactData(reached=False, method="phone"),
    )
    return clients


def test_contacts_due_are_overdue_oldest_first_then_today_then_upcoming(due, alice):
    worklist = worklist_for(alice)
    assert [c.follow_up.client.name for c in worklist.overdue] == ["Ben Older", "Ana Overdue"]
    assert [c.follow_up.client.name for c in worklist.today] == ["Cy Today"]
    assert [c.follow_up.client.name for c in worklist.upcoming] == ["Di Later"]
    assert [c.attempt_count for c in worklist.overdue] == [0, 1]


def test_the_worklist_page_shows_due_dates_and_attempts_but_no_plan(due, alice_client, django_assert_num_queries):
    alice_client.get(reverse("followup:worklist"))
    # session, user, the contacts (one query), whether alice leads anyone, the audit event (read, insert)
    with django_assert_num_queries(6):
        page = alice_client.get(reverse("followup:worklist")).content.decode()
    assert page.index("Ben Older") < page.index("Ana Overdue") < page.index("Cy Today") < page.index("Di Later")
    assert "1 of 5" in page and "0 of 5" in page
    assert SECRET not in page
    assert AuditEvent.objects.filter(action="worklist_viewed", target="worklist:4").exists()


def test_the_care_team_sees_its_clients_contacts_and_nobody_elses(due, bob, charlie):
    http = HttpClient()
    http.force_login(bob)
    page = http.get(reverse("followup:worklist")).content.decode()
    assert "Cy Today" in page and "Ana Overdue" not in page
    http.force_login(charlie)
    page = http.get(reverse("followup:worklist")).content.decode()
    assert not any(name in page for name in due)


def test_the_client_list_shows_the_next_contact_in_the_same_queries(due, alice_client, django_assert_num_queries):
    alice_client.get(reverse("plans:client_list"))
    with django_assert_num_queries(6):  # as before follow-up: the next contact is part of the list's one query
        page = alice_client.get(reverse("plans:client_list")).content.decode()
    assert page.count("Overdue</span>") == 2
    assert page.count(">Contact 1</a>") == 4
    assert SECRET not in page


def test_the_worklist_is_linked_from_every_page(alice_client, alice):
    assert reverse("followup:worklist") in alice_client.get(reverse("plans:client_list")).content.decode()


# --- The team view ---------------------------------------------------------------------------------------


@pytest.fixture
def teams(alice, bob):
    today = timezone.localdate()
    a = new_client(alice, "Client A")
    plan_actions.add_to_care_team(client=a, user=bob, by=alice, role=CareTeamMember.Role.MEMBER)
    plan_actions.save_version(
        client=a,
        by=alice,
        review_date=today - datetime.timedelta(days=10),
        note="v1",
        next_review_date=today - datetime.timedelta(days=3),
    )
    save(a, alice, coping=[{"text": SECRET}, {"text": "More"}])
    plan_actions.save_version(
        client=a, by=alice, review_date=today - datetime.timedelta(days=4), note="v2", next_review_date=None
    )
    follow_a = start(a, alice, datetime.timedelta(days=2))
    actions.record_contact(
        client=a, by=bob, contact=open_contact(follow_a), data=actions.ContactData(reached=True, method="phone")
    )
    b = new_client(alice, "Client B")
    start(b, alice, datetime.timedelta(days=10))
    new_client(alice, "Client D", plan=False)
    c = new_client(bob, "Client C")
    start(c, bob, datetime.timedelta(days=9))
    return a


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_has_every_figure_per_clinician_per_team_and_in_all(teams, alice_client):
    response = alice_client.get(reverse("followup:team_report_csv"))
    assert csv_rows(response) == [
        [
            "Rows",
            "Name",
            "Clients",
            "Clients with a plan",
            "Reviews due",
            "Reviews on time",
            "First contacts due",
            "First contacts within 72 hours",
            "Contacts completed",
            "Overdue now",
        ],
        ["Clinician", "Alice", "3", "2", "1", "1", "2", "1", "1", "1"],
        ["Clinician", "Bob", "1", "1", "1", "1", "1", "1", "1", "0"],
        ["Care team", "Alice", "2", "1", "0", "0", "1", "0", "0", "1"],
        ["Care team", "Alice, Bob", "1", "1", "1", "1", "1", "1", "1", "0"],
        ["All", "All your care teams", "3", "2", "1", "1", "2", "1", "1", "1"],
    ]
    content = response.content.decode()
    assert SECRET not in content and "Client A" not in content
    assert AuditEvent.objects.filter(action="team_report_viewed", target__startswith="report:csv").exists()


def test_the_period_chooses_what_is_counted(teams, alice_client):
    long_ago = "start=2020-01-01&end=2020-01-31"
    rows = csv_rows(alice_client.get(reverse("followup:team_report_csv") + "?" + long_ago))
    assert rows[-1] == ["All", "All your care teams", "3", "2", "0", "0", "0", "0", "0", "1"], "overdue is now"


def test_a_lead_sees_only_the_clients_they_lead(teams, bob_client):
    rows = csv_rows(bob_client.get(reverse("followup:team_report_csv")))
    assert rows[-1][2] == "1" and [row[1] for row in rows[1:-1]] == ["Bob", "Bob"]


def test_the_team_page_has_a_table_and_a_chart_and_no_plan(teams, alice_client):
    page = alice_client.get(reverse("followup:team_report")).content.decode()
    assert "<svg" in page and "<rect" in page and "<table" in page
    assert SECRET not in page and "Client A" not in page
    assert AuditEvent.objects.filter(action="team_report_viewed", target__startswith="report:page").exists()


def test_a_clinician_who_leads_no_one_gets_404(teams, charlie_client):
    assert charlie_client.get(reverse("followup:team_report")).status_code == 404
    assert charlie_client.get(reverse("followup:team_report_csv")).status_code == 404


def test_a_spreadsheet_formula_in_a_name_is_written_as_text(teams, alice, alice_client):
    alice.first_name = "=HYPERLINK(1)"
    alice.save()
    rows = csv_rows(alice_client.get(reverse("followup:team_report_csv")))
    assert rows[1][:2] == ["Clinician", "'=HYPERLINK(1)"]


def test_the_team_view_runs_a_fixed_number_of_queries(teams, alice, alice_client, django_assert_num_queries):
    alice_client.get(reverse("followup:team_report"))
    # session, user, the clients led, plans, versions, follow-ups, contacts completed, overdue, care teams,
    # the audit event: the same however many clients
    with django_assert_num_queries(12):
        alice_client.get(reverse("followup:team_report"))
    for i in range(3):
        client = new_client(alice, f"More {i}")
        follow_up = start(client, alice, datetime.timedelta(days=1))
        actions.record_contact(
            client=client,
            by=alice,
            contact=open_contact(follow_up),
            data=actions.ContactData(reached=True, method="text"),
        )
    with django_assert_num_queries(12):
        alice_client.get(reverse("followup:team_report"))


def test_a_clients_follow_up_page_runs_a_fixed_number_of_queries(teams, alice, alice_client, django_assert_num_queries):
    url = reverse("followup:client", args=[teams.pk])
    alice_client.get(url)
    with django_assert_num_queries(9):
        alice_client.get(url)
    follow_up = actions.start_follow_up  # a second follow-up, after the first ends, adds rows, not queries
    running = teams.follow_ups.get()
    actions.record_contact(
        client=teams, by=alice, contact=open_contact(running), data=actions.ContactData(reached=True, method="text")
    )
    actions.end_follow_up(client=teams, by=alice, follow_up=running, reason="transferred")
    follow_up(client=teams, by=alice, setting="first_visit", started_at=timezone.now())
    with django_assert_num_queries(9):
        page = alice_client.get(url).content.decode()
    assert "Care moved to another service" in page and page.count(">Contact 1</a>") == 2
