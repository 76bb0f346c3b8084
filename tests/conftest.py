"""Personas: alice owns the client (lead), bob is on the care team, charlie is a clinician outside it."""

import pytest
from django.contrib.auth import get_user_model

from plans import actions
from plans.models import CareTeamMember, Client

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing strength is not under test here; a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, **extra: object):
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, first_name=username.title(), **extra
    )


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
    """Plan versions and audit events refuse DELETE at the database level, which would break the
    table flush after a transactional (live-server) test. Only for those tests, and only at teardown,
    the guards are lifted to clear those tables, then put back."""
    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    if transactional:
        request.getfixturevalue("transactional_db")
    yield
    if transactional:
        from django.db import connection

        from plans import db_guards
        from plans.models import AuditEvent, PlanVersion

        for guard in db_guards.ALL_GUARDS:
            db_guards.drop_guard(connection, guard)
        try:
            AuditEvent.objects.all()._raw_delete(connection.alias)
            PlanVersion.objects.all()._raw_delete(connection.alias)
        finally:
            for guard in db_guards.ALL_GUARDS:
                db_guards.create_guard(connection, guard)
