"""Personas: alice owns the client (lead), bob is on the care team, charlie is a clinician outside it."""

import contextlib
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followup import actions as followup_actions
from plans import actions
from plans.content import PlanContent
from plans.merge import Base
from plans.models import CareTeamMember, Client

from .factories import make_user
from .urlwalk import SECRET_ENTRY, World


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing strength is not under test here; a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache(request, django_db_blocker):
    """Nothing in the shared cache carries over from one test to the next.

    The database cache lives in the test database, so a test's transaction takes its entries away;
    tests that commit (transactional_db, the live server) and Redis are cleared by hand. A Redis run
    is given a database of its own (REDIS_URL=redis://.../15), which this empties.
    """
    from django.conf import settings
    from django.core.cache import cache

    in_database = settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    if not in_database:
        cache.clear()
    yield
    if in_database and {"transactional_db", "live_server"} & set(request.fixturenames):
        with django_db_blocker.unblock():
            cache.clear()


@pytest.fixture
def django_assert_num_queries():
    """pytest-django's fixture of the same name, counting only the app's own queries: reads of the shared
    cache (plans.library: crisis lines, step wording, suggestions) are a query of the cache's table with the
    database cache and none with Redis, so they are left out, and the same pins hold on either. That the
    library is read at most once a request is pinned in tests/test_library.py."""
    from django.conf import settings

    cache_table = settings.CACHES["default"].get("LOCATION", "")

    @contextlib.contextmanager
    def check(num: int, exact: bool = True, info: str | None = None) -> Iterator[CaptureQueriesContext]:
        with CaptureQueriesContext(connection) as context:
            yield context
        queries = [q["sql"] for q in context.captured_queries if f'"{cache_table}"' not in q["sql"]]
        if (len(queries) != num) if exact else (len(queries) > num):
            listed = "\n".join(f"{index}. {sql}" for index, sql in enumerate(queries, 1))
            pytest.fail(f"Expected {num} queries, got {len(queries)}{f' ({info})' if info else ''}:\n{listed}")

    return check


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def charlie(db):
    return make_user("charlie")


@pytest.fixture
def client_record(alice, bob) -> Client:
    record = actions.create_client(
        by=alice, data=actions.ClientData(name="Jordan Rivera", preferred_name="Jo", record_number="MRN-001")
    )
    actions.add_to_care_team(client=record, user=bob, by=alice, role=CareTeamMember.Role.MEMBER)
    return record


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


@pytest.fixture
def charlie_client(client, charlie):
    client.force_login(charlie)
    return client


@pytest.fixture(autouse=True)
def _flushable_versions(request):
    """Plan versions, audit events, audit checkpoints and follow-up records refuse DELETE at the database level, which would
    break the table flush after a transactional (live-server) test. Only for those tests, and only at
    teardown, the guards are lifted to clear those tables, then put back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marker and marker.kwargs.get("transaction"))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    yield
    if transactional:
        from django.db import connection

        from followup import db_guards as followup_guards
        from followup.models import Contact, ContactRecord, FollowUp
        from plans import db_guards
        from plans.models import AuditCheckpoint, AuditEvent, PlanVersion

        for guard in db_guards.ALL_GUARDS:
            db_guards.drop_guard(connection, guard)
        followup_guards.drop_guards(connection)
        try:
            AuditEvent.objects.all()._raw_delete(connection.alias)
            AuditCheckpoint.objects.all()._raw_delete(connection.alias)
            # Follow-up records point to versions, so they go first (corrections before what they correct).
            ContactRecord.objects.filter(corrects__isnull=False)._raw_delete(connection.alias)
            ContactRecord.objects.all()._raw_delete(connection.alias)
            Contact.objects.all()._raw_delete(connection.alias)
            FollowUp.objects.all()._raw_delete(connection.alias)
            PlanVersion.objects.all()._raw_delete(connection.alias)
        finally:
            for guard in db_guards.ALL_GUARDS:
                db_guards.create_guard(connection, guard)
            followup_guards.create_guards(connection)


@pytest.fixture
def world(alice, bob, charlie, client_record, settings) -> World:
    """A client (alice lead, bob member) with a saved plan, version 1, and a conflict waiting for a choice."""
    settings.MFA_REQUIRED = False  # signing in with a second factor is tested on its own
    changes = actions.PlanChanges(
        sections={"coping": [actions.EntryData(text=SECRET_ENTRY)], "reasons": [actions.EntryData(text="My dog")]},
        plan_fields={"most_important": "Seeing my daughter grow up"},
    )
    plan = actions.save_plan(client=client_record, by=alice, changes=changes, expected_revision=0).plan
    actions.save_version(
        client=client_record, by=alice, review_date=timezone.localdate(), note="First review", next_review_date=None
    )
    plan.refresh_from_db()
    stale_revision = plan.revision
    base = Base.parse(PlanContent.from_plan(plan).base_json(stale_revision))
    walk_entry = plan.entries.get(section="coping")
    theirs = actions.PlanChanges(sections={"coping": [actions.EntryData(uid=walk_entry.uid, text="Walk with Sam")]})
    actions.save_plan(client=client_record, by=bob, changes=theirs, expected_revision=stale_revision)
    mine = actions.PlanChanges(sections={"coping": [actions.EntryData(uid=walk_entry.uid, text="Walk alone")]})
    result = actions.save_plan(
        client=client_record, by=alice, changes=mine, expected_revision=stale_revision, base=base
    )
    assert result.outcome is actions.SaveOutcome.CONFLICT and result.conflict is not None
    superuser = make_user("root", is_staff=True, is_superuser=True)
    # Follow-up running, its first contact attempted once (not reached).
    follow_up = followup_actions.start_follow_up(
        client=client_record, by=alice, setting="discharge", started_at=timezone.now()
    )
    record = followup_actions.record_contact(
        client=client_record,
        by=bob,
        contact=follow_up.contacts.get(number=1),
        data=followup_actions.ContactData(reached=False, method="phone"),
    )
    return World(
        client=client_record,
        plan=plan,
        conflict=result.conflict,
        users={"outsider": charlie, "member": bob, "lead": alice, "superuser": superuser},
        record=record.pk,
        contact=record.contact_id,
    )
