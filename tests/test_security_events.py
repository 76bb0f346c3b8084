"""Refused attempts leave a trace: an outsider's 404, a refused form, a lock-out. And what was typed
into a search stays out of the trail, URLs and logs."""

import logging
import re

from django.test import Client as HttpClient
from django.urls import reverse

from plans.models import AuditEvent

from .factories import PASSWORD


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk").values_list("actor_id", "target", "ip"))


def test_an_outsiders_404_on_a_client_url_is_a_security_event(charlie_client, charlie, client_record):
    for url in [
        reverse("plans:client_detail", args=[client_record.pk]),
        reverse("plans:plan_edit", args=[client_record.pk]),
        reverse("printing:plan_pdf", args=[client_record.pk]),
        reverse("plans:client_detail", args=[client_record.pk + 1000]),  # no such client: recorded alike
    ]:
        assert charlie_client.get(url, REMOTE_ADDR="10.9.0.1").status_code == 404
    assert events("access_denied") == [
        (charlie.pk, f"client:{client_record.pk}", "10.9.0.1"),
        (charlie.pk, f"client:{client_record.pk}", "10.9.0.1"),
        (charlie.pk, f"client:{client_record.pk}", "10.9.0.1"),
        (charlie.pk, f"client:{client_record.pk + 1000}", "10.9.0.1"),
    ]
    # The care team's own views are not security events.
    assert not AuditEvent.objects.filter(action="access_denied").exclude(actor=charlie).exists()


def test_the_care_team_is_never_recorded_as_denied(alice_client, client_record):
    assert alice_client.get(reverse("plans:client_detail", args=[client_record.pk])).status_code == 200
    assert not AuditEvent.objects.filter(action="access_denied").exists()


def test_a_refused_form_is_a_security_event_and_explained(alice, client_record):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(alice)
    url = reverse("plans:client_edit", args=[client_record.pk])
    response = http.post(url, {"name": "Someone Else"}, REMOTE_ADDR="10.9.0.2")
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form could not be sent" in page and "Nothing was saved" in page
    assert "Someone Else" not in page
    ((actor, target, ip),) = events("csrf_failed")
    assert (actor, ip) == (alice.pk, "10.9.0.2")
    assert "csrf" in target.lower() and "Someone" not in target
    client_record.refresh_from_db()
    assert client_record.name == "Jordan Rivera"


def test_a_forged_post_from_another_site_is_recorded_without_a_user(client_record, db):
    http = HttpClient(enforce_csrf_checks=True)
    response = http.post("/accounts/login/", {"login": "alice", "password": "x"}, REMOTE_ADDR="10.9.0.3")
    assert response.status_code == 403
    assert events("csrf_failed")[0][0] is None


def test_a_lock_out_is_recorded_against_the_account_never_the_typed_name(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"login": " ALICE", "password": "wrong"}, REMOTE_ADDR="10.9.0.4")
    client.post("/accounts/login/", {"login": "alice", "password": PASSWORD}, REMOTE_ADDR="10.9.0.4")
    locked = events("locked_out")
    assert locked and all(event == (alice.pk, "", "10.9.0.4") for event in locked)
    assert not AuditEvent.objects.filter(target__icontains="alice").exists()


def test_a_lock_out_of_a_name_with_no_account_records_nobody(client, db, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"login": "nobody-here", "password": "wrong"}, REMOTE_ADDR="10.9.0.5")
    assert events("locked_out")[0] == (None, "", "10.9.0.5")


def test_security_events_are_listed_in_the_admin_by_action(client, admin_user, charlie_client, client_record):
    charlie_client.get(reverse("plans:client_detail", args=[client_record.pk]))
    client.force_login(admin_user)
    page = client.get(reverse("admin:plans_auditevent_changelist"), {"action__exact": "access_denied"})
    assert page.status_code == 200
    assert f"client:{client_record.pk}" in page.content.decode()


# --- The compare page's print link -----------------------------------------------------------------


def test_the_printable_page_link_stays_the_same_however_often_it_is_followed(alice_client, alice, client_record):
    from django.utils import timezone

    from plans import actions

    from .factories import save

    save(client_record, alice, warning_signs=[{"text": "one"}])
    actions.save_version(
        client=client_record, by=alice, review_date=timezone.localdate(), note="", next_review_date=None
    )
    url = reverse("plans:compare", args=[client_record.pk]) + "?to=draft&from=1"
    hrefs = []
    for _ in range(3):
        page = alice_client.get(url).content.decode()
        href = re.search(r'href="(\?[^"]*)"[^>]*>Printable page of changes', page).group(1).replace("&amp;", "&")
        hrefs.append(href)
        url = reverse("plans:compare", args=[client_record.pk]) + href
    assert hrefs[0] == hrefs[1] == hrefs[2]
    assert sorted(hrefs[0][1:].split("&")) == ["from=1", "print=1", "to=draft"]


# --- Logs ----------------------------------------------------------------------------------------------


def test_the_development_server_log_has_no_query_strings(settings):
    from safetyplan.logging_filters import WithoutQueryStrings

    assert "without_query_strings" in settings.LOGGING["handlers"]["console"]["filters"]
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s', ("GET /clients/?q=Quillon HTTP/1.1", "200", "9"), None
    )
    assert WithoutQueryStrings().filter(record)
    assert record.getMessage() == '"GET /clients/ HTTP/1.1" 200 9'


def test_signing_out_is_audited(alice_client, alice):
    alice_client.post(reverse("account_logout"), REMOTE_ADDR="10.9.0.6")
    assert events("sign_out") == [(alice.pk, "", "10.9.0.6")]
