"""The plan on the client's phone: a one-time link shown as a QR code, a calm page that keeps the plan,
updates that reach the phone, copies taken back, and nothing identifying or logged on the way."""

import logging
from datetime import timedelta
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from phonecopy import tokens
from phonecopy.models import PhoneCopy
from plans import actions
from plans.models import AuditEvent

from .factories import make_user, save

Action = AuditEvent.Action
SECRET_WORDS = "Walk to the lighthouse at dawn"
FRIEND_PHONE = "+12125550175"


@pytest.fixture
def versioned(client_record, alice):
    """The client's plan with one saved version."""
    save(
        client_record,
        alice,
        most_important="Seeing my daughter grow up",
        coping=[{"text": SECRET_WORDS}],
        help_people=[{"name": "Sam", "phone": FRIEND_PHONE}],
    )
    actions.save_version(
        client=client_record, by=alice, review_date=timezone.localdate(), note="First", next_review_date=None
    )
    return client_record


def send(http, client) -> str:
    """Press "Send to phone" and read the link shown on the screen."""
    response = http.post(reverse("phonecopy:send", args=[client.pk]))
    assert response.status_code == 200
    link = response.context["link"]
    assert link in response.content.decode()
    return str(link)


def token_of(link: str) -> str:
    return urlsplit(link).fragment


def open_link(http, token: str):
    return http.post(reverse("phonecopy:open"), {"token": token})


def events(client, action: str) -> list[str]:
    return list(AuditEvent.objects.filter(client_id=client.pk, action=action).values_list("target", flat=True))


def test_send_shows_a_qr_code_and_a_link_that_names_nobody(alice_client, versioned):
    response = alice_client.post(reverse("phonecopy:send", args=[versioned.pk]))
    page = response.content.decode()
    link = response.context["link"]
    assert "<svg" in page and 'class="phone-qr"' in page
    parts = urlsplit(link)
    assert parts.path == reverse("phonecopy:phone") and not parts.query
    # At least 128 bits of randomness, after "#": no browser sends it to a server, so no log can hold it.
    assert len(parts.fragment) >= 22
    assert parts.path == "/p/" and set(parts.fragment) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )  # a fixed path and random letters: nothing in it names or numbers the client
    copy = PhoneCopy.objects.get(client=versioned)
    assert copy.link_hash == tokens.digest(parts.fragment)
    assert parts.fragment not in str(PhoneCopy.objects.filter(pk=copy.pk).values().get())
    assert copy.link_expires_at - copy.created_at == timedelta(minutes=15)
    assert events(versioned, Action.PHONE_SENT) == [f"phone:{copy.pk}"]


def test_nothing_is_sent_before_a_version_is_saved(alice_client, client_record, alice):
    save(client_record, alice, coping=[{"text": SECRET_WORDS}])
    response = alice_client.post(reverse("phonecopy:send", args=[client_record.pk]), follow=True)
    assert "Save a version of the plan first" in response.content.decode()
    assert not PhoneCopy.objects.exists()


def test_the_plan_page_offers_send_to_phone_once_a_version_is_saved(alice_client, versioned):
    page = alice_client.get(reverse("plans:client_detail", args=[versioned.pk])).content.decode()
    assert reverse("phonecopy:send", args=[versioned.pk]) in page


def test_a_link_opens_once_with_the_plan_crisis_lines_first(alice_client, client, versioned):
    token = token_of(send(alice_client, versioned))
    client.logout()
    opened = open_link(client, token)
    assert opened.status_code == 200 and opened["Cache-Control"] == "no-store"
    answer = opened.json()
    assert answer["status"] == "opened" and len(answer["secret"]) >= 43
    html = answer["plan"]["html"]
    assert answer["plan"]["version"] == 1 and "Version 1 of" in html
    assert html.index("phone-crisis") < html.index("phone-most-important") < html.index(SECRET_WORDS)
    assert 'href="tel:988"' in html and 'href="sms:988"' in html  # the 988 Lifeline: call or text
    assert 'href="tel:911"' in html
    assert f'href="tel:{FRIEND_PHONE}"' in html
    assert "Jordan" not in html and "MRN-001" not in html
    copy = PhoneCopy.objects.get()
    assert copy.secret_hash == tokens.digest(answer["secret"]) and copy.version_number == 1
    assert events(versioned, Action.PHONE_OPENED) == [f"phone:{copy.pk}"]

    again = open_link(client, token)
    assert again.status_code == 410 and again.json() == {"status": "refused"}
    assert events(versioned, Action.PHONE_REFUSED) == [f"phone:{copy.pk} link-used"]


def test_a_link_not_opened_within_15_minutes_is_refused(alice_client, client, versioned):
    token = token_of(send(alice_client, versioned))
    later = timezone.now() + timedelta(minutes=15, seconds=1)
    with mock.patch("phonecopy.actions.timezone.now", return_value=later):
        response = open_link(client, token)
    assert response.status_code == 410
    assert PhoneCopy.objects.get().opened_at is None
    assert events(versioned, Action.PHONE_REFUSED) == [f"phone:{PhoneCopy.objects.get().pk} link-expired"]


def test_a_made_up_token_is_refused_and_audited_without_a_client(client, versioned):
    assert open_link(client, "x" * 22).status_code == 410
    assert open_link(client, "y" * 5000).status_code == 410
    assert AuditEvent.objects.filter(action=Action.PHONE_REFUSED, client_id=None).count() == 2


def check(http, secret: str, held: int | None):
    return http.post(reverse("phonecopy:check"), {"secret": secret, "held": "" if held is None else str(held)})


def test_a_new_version_reaches_the_phone(alice_client, client, versioned, alice):
    secret = open_link(client, token_of(send(alice_client, versioned))).json()["secret"]
    assert check(client, secret, 1).json() == {"status": "current"}
    assert events(versioned, Action.PHONE_UPDATED) == []

    save(versioned, alice, coping=[{"text": "Call my sister"}])
    actions.save_version(
        client=versioned, by=alice, review_date=timezone.localdate(), note="Second", next_review_date=None
    )
    answer = check(client, secret, 1).json()
    assert answer["status"] == "updated" and answer["plan"]["version"] == 2
    assert "Call my sister" in answer["plan"]["html"] and "Version 2 of" in answer["plan"]["html"]
    copy = PhoneCopy.objects.get()
    assert copy.version_number == 2
    assert events(versioned, Action.PHONE_UPDATED) == [f"phone:{copy.pk} version:2"]
    # A phone that lost what it kept is given the same version again.
    assert check(client, secret, None).json()["status"] == "updated"


def test_taking_a_copy_back_removes_it_at_the_next_check(alice_client, bob_client, client, versioned, bob):
    secret = open_link(client, token_of(send(alice_client, versioned))).json()["secret"]
    copy = PhoneCopy.objects.get()
    bob_client.force_login(bob)
    response = bob_client.post(reverse("phonecopy:revoke", args=[versioned.pk]), {"copy": copy.pk})
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.revoked_at is not None and copy.revoked_by == bob
    assert events(versioned, Action.PHONE_REVOKED) == [f"phone:{copy.pk}"]
    client.logout()
    refused = check(client, secret, 1)
    assert refused.status_code == 410 and refused.json() == {"status": "refused"}
    assert events(versioned, Action.PHONE_REFUSED) == [f"phone:{copy.pk} revoked"]
    assert client.post(reverse("phonecopy:pdf"), {"secret": secret}).status_code == 410


def test_a_device_secret_reads_only_its_own_clients_latest_version(alice_client, client, versioned, alice):
    other = actions.create_client(by=alice, data=actions.ClientData(name="Casey Other", preferred_name="Casey"))
    save(other, alice, coping=[{"text": "Casey's own words"}])
    actions.save_version(client=other, by=alice, review_date=timezone.localdate(), note="x", next_review_date=None)
    mine = open_link(client, token_of(send(alice_client, versioned))).json()["secret"]
    theirs = open_link(client, token_of(send(alice_client, other))).json()["secret"]
    assert SECRET_WORDS in check(client, mine, None).json()["plan"]["html"]
    assert "Casey&#x27;s own words" not in check(client, mine, None).json()["plan"]["html"]
    assert "Casey&#x27;s own words" in check(client, theirs, None).json()["plan"]["html"]
    assert check(client, "not-a-secret", 1).status_code == 410
    assert check(client, tokens.digest(mine), 1).status_code == 410  # the stored hash opens nothing


def test_the_pdf_is_the_printed_plan_with_a_neutral_name(alice_client, client, versioned):
    secret = open_link(client, token_of(send(alice_client, versioned))).json()["secret"]
    response = client.post(reverse("phonecopy:pdf"), {"secret": secret})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="plan-') and "safety" not in disposition
    assert client.get(reverse("phonecopy:pdf")).status_code == 405


def test_the_phone_pages_take_no_session_cookie_and_set_none(alice_client, versioned):
    """Signed in as alice in the same browser: the phone pages neither see nor set any cookie."""
    token = token_of(send(alice_client, versioned))
    page = alice_client.get(reverse("phonecopy:phone"))
    assert page.status_code == 200 and not page.cookies
    text = page.content.decode()
    assert "Signed in as" not in text and "Jordan" not in text and "<title>My plan</title>" in text
    assert page["Content-Security-Policy"].startswith("default-src 'self'")
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    opened = open_link(alice_client, token)  # no CSRF token: none is needed, no cookie is trusted
    assert opened.status_code == 200 and not opened.cookies
    assert AuditEvent.objects.get(action=Action.PHONE_OPENED).actor_id is None
    # The clinician's own pages still work in the same session.
    assert alice_client.get(reverse("phonecopy:phone_copies", args=[versioned.pk])).status_code == 200


def test_the_manifest_carries_the_name_and_picture_the_client_chose(client):
    data = client.get(reverse("phonecopy:manifest"), {"name": "Notes\u202e", "icon": "sun"}).json()
    assert data["name"] == data["short_name"] == "Notes"
    assert data["start_url"] == data["scope"] == reverse("phonecopy:phone")
    assert all("sun-" in icon["src"] for icon in data["icons"])
    default = client.get(reverse("phonecopy:manifest"), {"icon": "../../etc"}).json()
    assert default["name"] == "My plan" and all("leaf-" in icon["src"] for icon in default["icons"])


def test_the_service_worker_is_served_with_a_scope_over_the_phone_page(client):
    response = client.get(reverse("phonecopy:service_worker"))
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert '"/p/"' in body and "css/phone.css" in body and "http" not in body.replace("self.location", "")


def test_no_token_or_secret_reaches_a_log(alice_client, client, versioned, caplog):
    caplog.set_level(logging.DEBUG)
    link = send(alice_client, versioned)
    token = token_of(link)
    secret = open_link(client, token).json()["secret"]
    check(client, secret, 1)
    client.post(reverse("phonecopy:pdf"), {"secret": secret})
    open_link(client, token)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "phone link made" in logged and "phone copy opened" in logged
    assert token not in logged and secret not in logged
    assert not [e for e in AuditEvent.objects.values_list("target", flat=True) if token in e or secret in e]
    # What a server's access log would hold of the link: the path alone.
    assert token not in urlsplit(link).path + urlsplit(link).query


def test_outsiders_get_404_on_every_management_url(charlie_client, versioned):
    for name, method in (("phone_copies", "get"), ("send", "post"), ("revoke", "post")):
        response = getattr(charlie_client, method)(reverse(f"phonecopy:{name}", args=[versioned.pk]), {"copy": 1})
        assert response.status_code == 404, name
    assert not PhoneCopy.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, versioned):
    for name in ("phone_copies", "send", "revoke"):
        response = client.post(reverse(f"phonecopy:{name}", args=[versioned.pk]))
        assert response.status_code in {302, 405}
        if response.status_code == 302:
            assert urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)


def test_a_copy_of_another_client_cannot_be_taken_back_from_here(alice_client, client, versioned, alice):
    other = actions.create_client(by=alice, data=actions.ClientData(name="Casey Other", preferred_name="Casey"))
    actions.save_version(client=other, by=alice, review_date=timezone.localdate(), note="x", next_review_date=None)
    send(alice_client, other)
    theirs = PhoneCopy.objects.get(client=other)
    response = alice_client.post(reverse("phonecopy:revoke", args=[versioned.pk]), {"copy": theirs.pk})
    assert response.status_code == 404
    assert alice_client.post(reverse("phonecopy:revoke", args=[versioned.pk]), {"copy": "x"}).status_code == 400


def test_the_devices_list_shows_each_copy_and_its_version(alice_client, client, versioned, django_assert_num_queries):
    for _ in range(3):
        open_link(client, token_of(send(alice_client, versioned)))
    send(alice_client, versioned)  # not opened yet
    url = reverse("phonecopy:phone_copies", args=[versioned.pk])
    # session, user, client (with its plan), the audited read (2), the copies, the latest version.
    with django_assert_num_queries(7):
        response = alice_client.get(url)
    page = response.content.decode()
    assert page.count("Take back") == 4  # three buttons and the column heading
    assert "Links not opened yet" in page and page.count("Version 1") >= 3


def test_someone_outside_the_care_team_can_not_see_a_copy_list_even_with_one(charlie, versioned, client):
    outsider = make_user("dave")
    client.force_login(outsider)
    assert client.get(reverse("phonecopy:phone_copies", args=[versioned.pk])).status_code == 404


def test_a_phone_copy_needs_a_secret_once_opened(client_record, alice):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PhoneCopy.objects.create(
            client=client_record,
            created_by=alice,
            link_hash="a" * 64,
            link_expires_at=timezone.now(),
            opened_at=timezone.now(),
        )


def test_the_phone_shows_the_plan_in_the_clients_print_language(alice_client, client, versioned):
    versioned.preferred_language = "es"
    versioned.save()
    html = open_link(client, token_of(send(alice_client, versioned))).json()["plan"]["html"]
    assert "Si necesita ayuda ahora" in html and "Versión 1 del" in html
    assert SECRET_WORDS in html  # the client's own words, never translated
    page = client.get(reverse("phonecopy:phone"), HTTP_ACCEPT_LANGUAGE="es")
    assert "<title>Mi plan</title>" in page.content.decode()


def test_the_clinician_is_told_when_the_plan_changed_since_the_version_the_phone_gets(alice_client, versioned, alice):
    url = reverse("phonecopy:phone_copies", args=[versioned.pk])
    assert "The plan has changed since this version" not in alice_client.get(url).content.decode()
    save(versioned, alice, coping=[{"text": "Something new"}])
    assert "The plan has changed since this version" in alice_client.get(url).content.decode()


def test_a_check_costs_a_few_queries(alice_client, client, versioned, django_assert_num_queries):
    secret = open_link(client, token_of(send(alice_client, versioned))).json()["secret"]
    client.logout()
    # The copy with its client, the latest version, the update of when it was last online (and the
    # savepoint and its release: the action is atomic, inside the test's transaction).
    with django_assert_num_queries(5):
        assert check(client, secret, 1).json() == {"status": "current"}


def test_a_link_cancelled_before_it_is_opened_is_refused(alice_client, client, versioned):
    token = token_of(send(alice_client, versioned))
    copy = PhoneCopy.objects.get()
    response = alice_client.post(reverse("phonecopy:revoke", args=[versioned.pk]), {"copy": copy.pk}, follow=True)
    assert "The link was cancelled" in response.content.decode()
    assert open_link(client, token).status_code == 410
    assert events(versioned, Action.PHONE_REFUSED) == [f"phone:{copy.pk} link-revoked"]


def test_opening_a_link_costs_a_few_queries(alice_client, client, versioned, django_assert_num_queries):
    token = token_of(send(alice_client, versioned))
    client.logout()
    # The copy with its client, the latest version, the update, the audit event (2), the savepoint and its
    # release (the wording and the crisis lines come from the cached library, not counted: see conftest).
    with django_assert_num_queries(7):
        assert open_link(client, token).status_code == 200


def test_an_archived_clients_copy_is_removed_from_the_phone(alice_client, client, versioned):
    secret = open_link(client, token_of(send(alice_client, versioned))).json()["secret"]
    type(versioned).objects.filter(pk=versioned.pk).update(archived_at=timezone.now())
    assert check(client, secret, 1).status_code == 410
    assert events(versioned, Action.PHONE_REFUSED) == [f"phone:{PhoneCopy.objects.get().pk} archived"]
