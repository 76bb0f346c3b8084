"""The audit trail: one event per action, IDs only, chained by hash, append-only, verifiable."""

import itertools

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Max
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans import actions, audit
from plans.content import PlanContent
from plans.merge import Base
from plans.models import AuditEvent, AuditEventIsImmutableError, Client, PlanVersion, SafetyPlan

from .factories import make_user, save
from .helpers import edit_url, editor_data
from .trail import assert_trail_ok

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
    assert_trail_ok()


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
    last = AuditEvent.objects.order_by("-pk").first()
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.save_version(
            client=client_record, by=alice, review_date=timezone.localdate(), note="x", next_review_date=None
        )
        raise RuntimeError("the request failed after the action")
    assert AuditEvent.objects.count() == before
    assert PlanVersion.objects.count() == 1
    # The next event takes the place the rolled-back one had.
    event = audit.record(action="client_viewed", by=alice, client=client_record)
    assert (event.seq, event.prev_hash) == (last.seq + 1, last.hash)
    assert_trail_ok()


def test_sign_in_events_need_no_user_and_no_client(db):
    event = audit.record(action="sign_in_failed", by=None, ip="198.51.100.7")
    assert (event.actor_id, event.client_id, event.target, event.ip) == (None, None, "", "198.51.100.7")
    assert (event.chain, event.seq) == ("system", 1)
    assert_trail_ok()


def test_record_refuses_unknown_actions_and_long_targets(db):
    with pytest.raises(ValueError):
        audit.record(action="read_everything", by=None)
    with pytest.raises(ValueError):
        audit.record(action="sign_in", by=None, target="x" * 101)


def test_str_carries_ids_only(alice, client_record):
    event = AuditEvent.objects.filter(action=Action.CLIENT_CREATED).get()
    assert str(event) == f"Audit event #{event.pk}: client_created (client #{client_record.pk}, user #{alice.pk})"


# --- The chains --------------------------------------------------------------------------------------


def test_each_event_is_chained_to_the_one_before_in_its_clients_chain(alice_client, alice, client_record, reviewed):
    alice_client.get(reverse("plans:client_detail", args=[client_record.pk]))
    events = list(AuditEvent.objects.order_by("pk"))
    assert len(events) >= 4
    assert {event.chain for event in events} == {f"client:{client_record.pk}"}
    assert [event.seq for event in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert_trail_ok()


def test_each_client_user_and_the_system_has_a_chain_of_its_own(alice, bob, client_record):
    other = actions.create_client(by=bob, data=actions.ClientData(name="Other"))
    events = [
        audit.record(action="client_viewed", by=alice, client=client_record),
        audit.record(action="client_viewed", by=alice, client=other),
        audit.record(action="sign_in", by=alice),
        audit.record(action="sign_in", by=bob),
        audit.record(action="sign_in_failed", by=None),
        audit.record(action="sign_in", by=alice),
    ]
    assert [(event.chain, event.seq) for event in events] == [
        (f"client:{client_record.pk}", 3),  # after its creation and bob joining the care team
        (f"client:{other.pk}", 2),
        (f"user:{alice.pk}", 1),
        (f"user:{bob.pk}", 1),
        ("system", 1),
        (f"user:{alice.pk}", 2),
    ]
    assert events[-1].prev_hash == events[2].hash
    assert events[3].prev_hash == audit.GENESIS
    assert_trail_ok(chains=5)


def test_the_hash_covers_the_chain_and_the_place_in_it(alice, client_record):
    event = AuditEvent.objects.order_by("pk").last()
    fields = {
        "prev_hash": event.prev_hash,
        "created_at": event.created_at,
        "actor_id": event.actor_id,
        "action": event.action,
        "client_id": event.client_id,
        "target": event.target,
        "ip": event.ip,
    }
    assert audit.event_hash(chain=event.chain, seq=event.seq, **fields) == event.hash
    assert audit.event_hash(chain="client:999", seq=event.seq, **fields) != event.hash
    assert audit.event_hash(chain=event.chain, seq=event.seq + 1, **fields) != event.hash


def test_an_empty_trail_verifies(db):
    report = audit.verify_trail()
    assert (report.ok, report.events, report.chains) == (True, 0, 0)


def test_a_chain_cannot_fork(alice, client_record):
    first = AuditEvent.objects.order_by("pk").first()
    chain = first.chain
    # A second event at the same place, and a second successor of the same event at another place.
    for seq, prev_hash in [(first.seq, "e" * 64), (99, first.prev_hash)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditEvent.objects.create(action="sign_in", chain=chain, seq=seq, prev_hash=prev_hash, hash="f" * 64)
    # Another chain may start from the same genesis.
    AuditEvent.objects.create(action="sign_in", chain="user:999", seq=1, prev_hash=first.prev_hash, hash="f" * 64)


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


def test_recording_costs_two_queries_inside_an_action(alice, client_record, django_assert_num_queries):
    # The last event of the client's chain, then insert the event (was 3: lock the one chain head,
    # insert, move the head).
    with transaction.atomic(), django_assert_num_queries(2) as captured:
        audit.record(action="plan_viewed", by=alice, client=client_record)
    assert "ON CONFLICT DO NOTHING" in captured.captured_queries[1]["sql"]


def test_an_audited_read_costs_two_queries(alice, client_record, django_assert_num_queries):
    # No savepoint of its own (was 5: savepoint, lock the head, insert, move the head, release).
    with django_assert_num_queries(2):
        actions.record_access(client=client_record, by=alice, action="client_viewed")


def test_an_append_that_loses_its_place_takes_the_next_one(alice, client_record, monkeypatch):
    """What a concurrent append to the same chain looks like from here: between reading the chain's last
    event and inserting after it, another append takes that place; the insert inserts nothing, and the
    append reads the chain again."""
    from plans.audit import events as audit_events

    real_hash = audit_events.event_hash
    places = []

    def someone_else_appends_meanwhile(**fields):
        places.append(fields["seq"])
        if len(places) == 1:
            audit.record(action="client_viewed", by=alice, client=client_record)
        return real_hash(**fields)

    monkeypatch.setattr(audit_events, "event_hash", someone_else_appends_meanwhile)
    with CaptureQueriesContext(connection) as captured:
        event = audit.record(action="plan_viewed", by=alice, client=client_record)
    assert places == [3, 3, 4]  # place 3 read; the other append took it; place 3 lost, then place 4
    assert (event.seq, event.action) == (4, "plan_viewed")
    # Having lost once, it queues for the chain (PostgreSQL; SQLite has one writer at a time anyway).
    queued = any("pg_advisory_xact_lock" in query["sql"] for query in captured.captured_queries)
    assert queued == (connection.vendor == "postgresql")
    assert_trail_ok()


def test_an_append_gives_up_when_its_chain_stays_busy(alice, client_record, monkeypatch):
    from plans.audit import events as audit_events

    monkeypatch.setattr(audit_events, "_take_next_place", lambda event, using: False)
    monkeypatch.setattr(audit_events, "MAX_WAIT_SECONDS", 0.05)
    with pytest.raises(audit.AuditChainBusyError, match=f"client:{client_record.pk}"):
        audit.record(action="plan_viewed", by=alice, client=client_record)


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
    assert_trail_ok(events=2)


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
    assert labels["client_list_viewed"] == "Client list or search viewed"
    assert labels["csrf_failed"] == "Form refused (CSRF)"
    assert labels["mfa_locked"] == "Second-step codes paused"
    for action in ["client_list_viewed", "access_denied", "csrf_failed", "locked_out", "mfa_failed", "mfa_locked"]:
        audit.record(action=action, by=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(action="read_everything", chain="system", seq=99, prev_hash="a" * 64, hash="b" * 64)


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
