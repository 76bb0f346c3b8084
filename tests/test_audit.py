"""The audit trail: one event per action, IDs only, chained by hash, append-only, verifiable."""

import itertools
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import Max
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from plans import actions, audit, db_guards
from plans.content import PlanContent
from plans.merge import Base
from plans.models import AuditChainHead, AuditEvent, AuditEventIsImmutableError, Client, PlanVersion, SafetyPlan

from .factories import make_user, save
from .helpers import edit_url, editor_data

# Typed into the plan, the client's details and a version note: it must reach no audit column.
PHRASE = "Purple giraffe umbrella 7719"
PHONE = "+1 212 555 0175"
IP = "203.0.113.9"
Action = AuditEvent.Action


def last_id() -> int:
    return AuditEvent.objects.aggregate(last=Max("pk"))["last"] or 0


def events_since(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=since).order_by("pk"))


def assert_no_content_anywhere() -> None:
    for row in AuditEvent.objects.values():
        for column, value in row.items():
            for secret in (PHRASE, "Jordan Rivera", "Jo ", PHONE, "5550175", "MRN-001"):
                assert secret not in str(value), f"{secret!r} in audit column {column}"


@pytest.fixture
def admin_user(db):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def reviewed(alice, client_record):
    """A plan with the phrase in every kind of field, and one version (note with the phrase too)."""
    plan = save(
        client_record,
        alice,
        coping=[{"text": PHRASE}],
        help_people=[{"name": PHRASE, "phone": "+12125550175"}],
        most_important=PHRASE,
    )
    actions.save_version(
        client=client_record, by=alice, review_date=timezone.localdate(), note=PHRASE, next_review_date=None
    )
    return plan


def _conflict(client_record, alice, bob):
    """A save from a stale copy that changed the same entry as someone else: a pending conflict."""
    plan = SafetyPlan.objects.get(client=client_record)
    stale = plan.revision
    base = Base.parse(PlanContent.from_plan(plan).base_json(stale))
    entry = plan.entries.get(section="coping")
    theirs = actions.PlanChanges(sections={"coping": [actions.EntryData(uid=entry.uid, text="Theirs")]})
    actions.save_plan(client=client_record, by=bob, changes=theirs, expected_revision=stale)
    mine = actions.PlanChanges(sections={"coping": [actions.EntryData(uid=entry.uid, text=f"{PHRASE} mine")]})
    result = actions.save_plan(client=client_record, by=alice, changes=mine, expected_revision=stale, base=base)
    assert result.conflict is not None
    return result.conflict, f"entry:coping:{entry.uid}"


# Each: what the lead clinician does through the app, and the one event it must write.
def _create(http, world):
    http.post(reverse("plans:client_create"), {"name": PHRASE, "preferred_language": "en"}, REMOTE_ADDR=IP)
    return Client.objects.get(name=PHRASE)


def _edit_client(http, world):
    url = reverse("plans:client_edit", args=[world.pk])
    http.post(url, {"name": f"{PHRASE} edited", "preferred_language": "en", "record_number": "MRN-001"}, REMOTE_ADDR=IP)


def _save_plan(http, world):
    revision = SafetyPlan.objects.get(client=world).revision
    data = editor_data(revision, coping=[{"text": f"{PHRASE} again"}])
    assert http.post(edit_url(world.pk), data, REMOTE_ADDR=IP).status_code == 302


def _autosave(http, world):
    revision = SafetyPlan.objects.get(client=world).revision
    data = editor_data(revision, coping=[{"text": f"{PHRASE} autosaved"}])
    assert http.post(reverse("plans:plan_autosave", args=[world.pk]), data, REMOTE_ADDR=IP).status_code == 200


def _save_version(http, world):
    data = {"review_date": timezone.localdate().isoformat(), "note": f"{PHRASE}, reviewed again"}
    assert http.post(reverse("plans:version_create", args=[world.pk]), data, REMOTE_ADDR=IP).status_code == 302


def _restore(http, world):
    assert http.post(reverse("plans:version_restore", args=[world.pk, 1]), REMOTE_ADDR=IP).status_code == 302


def _view(name, *args):
    def view(http, world):
        assert http.get(reverse(name, args=[world.pk, *args]), REMOTE_ADDR=IP).status_code == 200

    return view


def _add_member(http, world):
    make_user("dana")
    url = reverse("plans:care_team", args=[world.pk])
    assert http.post(url, {"username": "dana", "role": "member"}, REMOTE_ADDR=IP).status_code == 302


def _remove_member(http, world):
    member = world.care_team.get(user__username="bob")
    url = reverse("plans:care_team_remove", args=[world.pk, member.pk])
    assert http.post(url, REMOTE_ADDR=IP).status_code == 302


SCENARIOS = {
    "create client": (_create, Action.CLIENT_CREATED),
    "edit client": (_edit_client, Action.CLIENT_EDITED),
    "save plan": (_save_plan, Action.PLAN_EDITED),
    "autosave": (_autosave, Action.PLAN_EDITED),
    "save version": (_save_version, Action.VERSION_SAVED),
    "restore version": (_restore, Action.VERSION_RESTORED),
    "view client": (_view("plans:client_detail"), Action.CLIENT_VIEWED),
    "open editor": (_view("plans:plan_edit"), Action.PLAN_VIEWED),
    "together mode": (_view("plans:plan_together", 2), Action.PLAN_VIEWED),
    "view history": (_view("plans:history"), Action.PLAN_VIEWED),
    "view version": (_view("plans:version_detail", 1), Action.PLAN_VIEWED),
    "compare": (_view("plans:compare"), Action.PLAN_VIEWED),
    "version form": (_view("plans:version_create"), Action.PLAN_VIEWED),
    "view care team": (_view("plans:care_team"), Action.CLIENT_VIEWED),
    "add to care team": (_add_member, Action.CARE_TEAM_CHANGED),
    "remove from care team": (_remove_member, Action.CARE_TEAM_CHANGED),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_each_action_writes_exactly_one_event_with_ids_only(alice_client, alice, client_record, reviewed, scenario):
    do, expected = SCENARIOS[scenario]
    since = last_id()
    made = do(alice_client, client_record)
    events = events_since(since)
    assert [(e.action, e.client_id, e.actor_id, e.ip) for e in events] == [
        (expected, (made or client_record).pk, alice.pk, IP)
    ]
    assert_no_content_anywhere()
    assert audit.verify_chain() == (True, AuditEvent.objects.count(), None)


def test_resolving_a_conflict_writes_one_event(alice_client, alice, bob, client_record, reviewed):
    pending, key = _conflict(client_record, alice, bob)
    url = reverse("plans:plan_conflict", args=[client_record.pk, pending.pk])
    revision = SafetyPlan.objects.get().revision
    since = last_id()
    assert alice_client.post(url, {f"choice-{key}": "mine", "revision": revision}, REMOTE_ADDR=IP).status_code == 302
    assert [(e.action, e.client_id, e.actor_id, e.target) for e in events_since(since)] == [
        (Action.CONFLICT_RESOLVED, client_record.pk, alice.pk, f"conflict:{pending.pk} revision:{revision + 1}")
    ]
    assert_no_content_anywhere()


def test_a_save_that_saves_nothing_writes_no_event(alice, bob, client_record, reviewed):
    plan = SafetyPlan.objects.get()
    same = actions.PlanChanges(
        sections={"coping": [actions.EntryData(text=PHRASE)]}, plan_fields={"most_important": PHRASE}
    )
    since = last_id()
    # A repeat of a submit that was already saved (the form was built from an older revision).
    result = actions.save_plan(client=client_record, by=alice, changes=same, expected_revision=plan.revision - 1)
    assert result.outcome is actions.SaveOutcome.ALREADY_SAVED
    assert events_since(since) == []
    _conflict(client_record, alice, bob)
    assert [e.actor_id for e in events_since(since)] == [bob.pk]  # bob's save only; the conflict saved nothing


def test_choosing_what_goes_on_the_wallet_card_writes_one_event(alice, client_record, reviewed):
    since = last_id()
    entry = reviewed.entries.get(section="coping")
    actions.save_card_choice(plan=reviewed, by=alice, uids=[str(entry.uid)], ip=IP)
    assert [(e.action, e.client_id, e.actor_id, e.target, e.ip) for e in events_since(since)] == [
        (Action.PLAN_EDITED, client_record.pk, alice.pk, f"plan:{reviewed.pk} card", IP)
    ]


def test_a_version_form_submitted_twice_records_one_event(alice_client, alice, client_record, reviewed):
    since = last_id()
    for _ in range(2):
        _save_version(alice_client, client_record)
    assert [e.action for e in events_since(since)] == [Action.VERSION_SAVED]


def test_the_event_names_the_version_by_id(alice, client_record, reviewed):
    since = last_id()
    version = actions.save_version(
        client=client_record, by=alice, review_date=timezone.localdate(), note="x", next_review_date=None
    )
    assert [e.target for e in events_since(since)] == [f"version:{version.pk}"]


def test_an_action_that_fails_leaves_no_event(alice, client_record, reviewed):
    before = AuditEvent.objects.count()
    with pytest.raises(IntegrityError):
        # A second client with the same record number: the database refuses it, and the event goes too.
        actions.update_client(
            client=actions.create_client(by=alice, data=actions.ClientData(name="Other", record_number="MRN-002")),
            by=alice,
            data=actions.ClientData(name="Other", record_number="MRN-001"),
        )
    assert AuditEvent.objects.count() == before + 1  # the create, not the failed edit
    assert AuditEvent.objects.order_by("-pk").first().action == Action.CLIENT_CREATED


def test_an_event_rolls_back_with_the_transaction_it_was_written_in(alice, client_record, reviewed):
    before = AuditEvent.objects.count()
    head = AuditChainHead.objects.get().hash
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.save_version(
            client=client_record, by=alice, review_date=timezone.localdate(), note="x", next_review_date=None
        )
        raise RuntimeError("the request failed after the action")
    assert AuditEvent.objects.count() == before
    assert PlanVersion.objects.count() == 1
    assert AuditChainHead.objects.get().hash == head
    assert audit.verify_chain()[0]


def test_sign_in_events_need_no_user_and_no_client(db):
    event = audit.record(action="sign_in_failed", by=None, ip="198.51.100.7")
    assert (event.actor_id, event.client_id, event.target, event.ip) == (None, None, "", "198.51.100.7")
    assert audit.verify_chain() == (True, AuditEvent.objects.count(), None)


def test_record_refuses_unknown_actions_and_long_targets(db):
    with pytest.raises(ValueError):
        audit.record(action="read_everything", by=None)
    with pytest.raises(ValueError):
        audit.record(action="sign_in", by=None, target="x" * 101)


def test_str_carries_ids_only(alice, client_record):
    event = AuditEvent.objects.filter(action=Action.CLIENT_CREATED).get()
    assert str(event) == f"Audit event #{event.pk}: client_created (client #{client_record.pk}, user #{alice.pk})"


# --- The chain ---------------------------------------------------------------------------------------


def test_each_event_is_chained_to_the_one_before(alice_client, alice, client_record, reviewed):
    alice_client.get(reverse("plans:client_detail", args=[client_record.pk]))
    events = list(AuditEvent.objects.order_by("pk"))
    assert len(events) >= 4
    assert events[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert AuditChainHead.objects.get().hash == events[-1].hash
    assert audit.verify_chain() == (True, len(events), None)


def test_an_empty_trail_verifies(db):
    assert audit.verify_chain() == (True, 0, None)


def test_the_chain_cannot_fork(alice, client_record):
    first = AuditEvent.objects.order_by("pk").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(action="sign_in", prev_hash=first.prev_hash, hash="f" * 64)


def test_events_cannot_be_changed_or_deleted_through_the_orm(alice, client_record):
    event = AuditEvent.objects.order_by("pk").first()
    event.target = "rewritten"
    with pytest.raises(AuditEventIsImmutableError):
        event.save()
    with pytest.raises(AuditEventIsImmutableError):
        event.delete()


def test_events_cannot_be_changed_or_deleted_in_the_database(alice, client_record):
    event = AuditEvent.objects.order_by("pk").first()
    for attempt in [
        lambda: AuditEvent.objects.filter(pk=event.pk).update(target="rewritten"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: connection.cursor().execute("UPDATE plans_auditevent SET target = 'x'"),
        lambda: connection.cursor().execute("DELETE FROM plans_auditevent"),
    ]:
        with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
            attempt()
    assert AuditEvent.objects.get(pk=event.pk).target == ""
    assert AuditEvent.objects.count() == 2  # the client's creation, and bob joining its care team


class _GuardLifted:
    """Drop the append-only triggers (as someone with the database's owner password could) and put
    them back afterwards, whatever happens."""

    def __enter__(self):
        db_guards.drop_guard(connection, db_guards.AUDIT_EVENTS)

    def __exit__(self, *exc):
        db_guards.create_guard(connection, db_guards.AUDIT_EVENTS)


@pytest.fixture
def trail(alice_client, alice, client_record, reviewed):
    for _ in range(3):
        alice_client.get(reverse("plans:client_detail", args=[client_record.pk]))
    return list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))


def test_a_changed_event_is_found(trail):
    tampered = trail[2]
    with _GuardLifted():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE plans_auditevent SET client_id = 999 WHERE id = %s", [tampered])
        assert audit.verify_chain() == (False, 3, tampered)
        with pytest.raises(CommandError, match=f"broken at event #{tampered}"):
            call_command("verify_audit_chain")
    # The guard is back.
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        AuditEvent.objects.filter(pk=tampered).update(client_id=1)


def test_a_changed_event_with_a_recomputed_hash_breaks_the_next_link(trail):
    tampered = trail[2]
    event = AuditEvent.objects.get(pk=tampered)
    forged = audit.event_hash(
        prev_hash=event.prev_hash,
        created_at=event.created_at,
        actor_id=None,  # "nobody did this"
        action=event.action,
        client_id=event.client_id,
        target=event.target,
        ip=event.ip,
    )
    with _GuardLifted():
        AuditEvent.objects.filter(pk=tampered).update(actor=None, hash=forged)
        assert audit.verify_chain() == (False, 4, trail[3])


def test_a_removed_event_is_found(trail):
    with _GuardLifted():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM plans_auditevent WHERE id = %s", [trail[1]])
        assert audit.verify_chain() == (False, 2, trail[2])


def test_events_removed_from_the_end_are_found(trail):
    with _GuardLifted():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM plans_auditevent WHERE id >= %s", [trail[-2]])
        assert audit.verify_chain() == (False, len(trail) - 2, None)
        with pytest.raises(CommandError, match="head does not match"):
            call_command("verify_audit_chain")


def test_the_command_says_ok(trail, capsys):
    call_command("verify_audit_chain")
    assert f"{len(trail)} audit events checked: OK" in capsys.readouterr().out


def test_recording_costs_three_queries_inside_an_action(alice, client_record, django_assert_num_queries):
    # Lock the chain head, insert the event, move the head.
    with transaction.atomic(), django_assert_num_queries(3):
        audit.record(action="plan_viewed", by=alice, client=client_record)


def test_a_missing_chain_head_is_rebuilt_from_the_last_event(alice, client_record):
    AuditChainHead.objects.all().delete()
    assert audit.verify_chain()[0] is False  # the head is part of what is checked
    audit.record(action="client_viewed", by=alice, client=client_record)
    assert audit.verify_chain() == (True, 3, None)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write transaction; the row lock matters on PostgreSQL",
)
# serialized_rollback: after this test's flush, the seeded rows come back for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_appends_make_one_unbroken_chain():
    users = [get_user_model().objects.create_user(username=f"user{i}") for i in range(4)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(users))

    def append(user):
        try:
            start.wait()
            for _ in range(15):
                audit.record(action="sign_in", by=user, ip="192.0.2.1")
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=[user]) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert audit.verify_chain() == (True, 60, None)


# --- Where requests come from -------------------------------------------------------------------------


def test_the_ip_is_remote_addr_and_a_forwarded_header_is_ignored(settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert audit.client_ip(request) == "192.0.2.10"


def test_behind_a_proxy_the_ip_is_the_one_the_proxy_added(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.10")
    assert audit.client_ip(request) == "192.0.2.10"


def test_an_unreadable_ip_is_left_out():
    assert audit.client_ip(RequestFactory().get("/", REMOTE_ADDR="not an address")) is None


def test_ipv6_addresses_verify(db):
    audit.record(action="sign_in_failed", by=None, ip="2001:DB8::0001")
    audit.record(action="sign_in_failed", by=None, ip="::ffff:192.0.2.1")
    assert audit.verify_chain() == (True, 2, None)


# --- The admin ----------------------------------------------------------------------------------------


def test_the_admin_lists_events_and_filters_them_by_client(client, admin_user, alice, client_record, reviewed):
    other = actions.create_client(by=alice, data=actions.ClientData(name="Other"))
    client.force_login(admin_user)
    url = reverse("admin:plans_auditevent_changelist")

    def listed(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        assert PHRASE not in response.content.decode()
        return [(event.action, event.client_id) for event in response.context["cl"].result_list]

    assert listed(client_id=other.pk) == [(Action.CLIENT_CREATED, other.pk)]
    assert listed(q=str(other.pk)) == [(Action.CLIENT_CREATED, other.pk)]
    assert (Action.VERSION_SAVED, client_record.pk) in listed(q="alice")
    assert listed(q="bob") == []
    assert listed(action="version_saved") == [(Action.VERSION_SAVED, client_record.pk)]
    assert len(listed(q="not-a-number")) == 0


def test_the_admin_filters_security_events(client, admin_user, alice, client_record):
    for action in ["sign_in_failed", "access_denied", "csrf_failed", "locked_out", "mfa_failed", "mfa_locked"]:
        audit.record(action=action, by=None)
    audit.record(action="sign_in", by=alice)
    client.force_login(admin_user)
    url = reverse("admin:plans_auditevent_changelist")

    def listed(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return sorted(event.action for event in response.context["cl"].result_list)

    assert listed(security="yes") == sorted(
        ["access_denied", "csrf_failed", "locked_out", "mfa_failed", "mfa_locked", "sign_in_failed"]
    )
    assert listed(security="no") == ["care_team_changed", "client_created", "sign_in"]
    assert "Security events" in client.get(url).content.decode()


def test_the_new_actions_have_labels_and_the_database_accepts_them(db):
    labels = dict(AuditEvent.Action.choices)
    assert labels["client_list_viewed"] == "Client list viewed"
    assert labels["csrf_failed"] == "Form refused (CSRF)"
    assert labels["mfa_locked"] == "Second step locked"
    for action in ["client_list_viewed", "access_denied", "csrf_failed", "locked_out", "mfa_failed", "mfa_locked"]:
        audit.record(action=action, by=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(action="read_everything", prev_hash="a" * 64, hash="b" * 64)


def test_nobody_adds_changes_or_deletes_events_in_the_admin(client, admin_user, alice, client_record):
    client.force_login(admin_user)
    event = AuditEvent.objects.order_by("pk").first()
    assert client.get(reverse("admin:plans_auditevent_add")).status_code == 403
    assert client.get(reverse("admin:plans_auditevent_delete", args=[event.pk])).status_code == 403
    response = client.post(reverse("admin:plans_auditevent_change", args=[event.pk]), {"target": "x"})
    assert response.status_code == 403
    response = client.get(reverse("admin:plans_auditevent_changelist"))
    assert response.status_code == 200
    assert event in response.context["cl"].result_list  # the list is there, without the bulk delete action
    page = response.content.decode()
    assert "delete_selected" not in page
    assert AuditEvent.objects.get(pk=event.pk).target == ""


def test_printing_and_print_pages_are_audited(alice_client, alice, client_record):
    from plans.models import AuditEvent

    from .factories import save

    plan = save(client_record, alice, warning_signs=[{"text": "Pacing at night"}])
    before = AuditEvent.objects.count()
    for name, action, what in [
        ("printing:print_plan", "plan_viewed", "print-options"),
        ("printing:plan_preview", "plan_viewed", "print-preview"),
        ("printing:plan_pdf", "printed", "plan-pdf"),
        ("printing:print_card", "plan_viewed", "card-chooser"),
        ("printing:card_preview", "plan_viewed", "card-preview"),
        ("printing:card_pdf", "printed", "card-pdf"),
    ]:
        response = alice_client.get(reverse(name, args=[client_record.pk]))
        assert response.status_code == 200, name
        event = AuditEvent.objects.order_by("-pk").first()
        assert (event.action, event.client_id, event.actor_id, event.target) == (
            action,
            client_record.pk,
            alice.pk,
            f"plan:{plan.pk} {what}",
        ), name
    assert AuditEvent.objects.count() == before + 6
    assert not AuditEvent.objects.filter(target__icontains="Pacing").exists()
