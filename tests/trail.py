"""The audit trail in tests: check it is whole, and tamper with it as someone holding the database's
owner password could (the append-only triggers lifted, then put back whatever happens)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from plans import audit, db_guards
from plans.models import AuditEvent


def assert_trail_ok(*, events: int | None = None, chains: int | None = None) -> audit.Report:
    report = audit.verify_trail()
    assert report.problems == []
    assert report.events == (AuditEvent.objects.count() if events is None else events)
    if chains is not None:
        assert report.chains == chains
    return report


@contextmanager
def guards_lifted() -> Iterator[None]:
    guards = (db_guards.AUDIT_EVENTS, db_guards.AUDIT_CHECKPOINTS)
    for guard in guards:
        db_guards.drop_guard(connection, guard)
    try:
        yield
    finally:
        for guard in guards:
            db_guards.create_guard(connection, guard)


def execute(sql: str, params: list[object] | None = None) -> None:
    """Raw SQL, for tampering (the ORM refuses to change an event or a checkpoint)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
