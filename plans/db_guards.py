"""Database-level guards: append-only tables accept INSERT, and refuse UPDATE and DELETE.

Used for plan versions (migration 0003), audit events (migration 0005) and audit checkpoints
(migration 0011). A migration that rebuilds one of these tables on SQLite drops its triggers with
the old table and must create them again (migration 0013 does). A guard is a pair of
triggers on SQLite, or one trigger and its function on PostgreSQL; other databases get none.
The trigger names of plan versions are the ones migration 0003 has always created.
"""

from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class AppendOnly:
    table: str
    prefix: str  # trigger and function names start with it
    message: str

    def create_statements(self, vendor: str) -> list[str]:
        if vendor == "sqlite":
            return [
                f"CREATE TRIGGER IF NOT EXISTS {self.prefix}_no_update BEFORE UPDATE ON {self.table} "
                f"BEGIN SELECT RAISE(ABORT, '{self.message}'); END;",
                f"CREATE TRIGGER IF NOT EXISTS {self.prefix}_no_delete BEFORE DELETE ON {self.table} "
                f"BEGIN SELECT RAISE(ABORT, '{self.message}'); END;",
            ]
        if vendor == "postgresql":
            return [
                f"CREATE OR REPLACE FUNCTION {self.prefix}_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{self.message}'; END; $$ LANGUAGE plpgsql;",
                f"DROP TRIGGER IF EXISTS {self.prefix}_no_change ON {self.table};",
                f"CREATE TRIGGER {self.prefix}_no_change BEFORE UPDATE OR DELETE ON {self.table} "
                f"FOR EACH ROW EXECUTE FUNCTION {self.prefix}_append_only();",
            ]
        return []

    def drop_statements(self, vendor: str) -> list[str]:
        if vendor == "sqlite":
            return [
                f"DROP TRIGGER IF EXISTS {self.prefix}_no_update;",
                f"DROP TRIGGER IF EXISTS {self.prefix}_no_delete;",
            ]
        if vendor == "postgresql":
            return [f"DROP TRIGGER IF EXISTS {self.prefix}_no_change ON {self.table};"]
        return []


PLAN_VERSIONS = AppendOnly(table="plans_planversion", prefix="planversion", message="plan versions are append-only")
AUDIT_EVENTS = AppendOnly(table="plans_auditevent", prefix="auditevent", message="audit events are append-only")
AUDIT_CHECKPOINTS = AppendOnly(
    table="plans_auditcheckpoint", prefix="auditcheckpoint", message="audit checkpoints are append-only"
)
ALL_GUARDS = (PLAN_VERSIONS, AUDIT_EVENTS, AUDIT_CHECKPOINTS)


def create_guard(connection: BaseDatabaseWrapper, guard: AppendOnly = PLAN_VERSIONS) -> None:
    with connection.cursor() as cursor:
        for statement in guard.create_statements(connection.vendor):
            cursor.execute(statement)


def drop_guard(connection: BaseDatabaseWrapper, guard: AppendOnly = PLAN_VERSIONS) -> None:
    with connection.cursor() as cursor:
        for statement in guard.drop_statements(connection.vendor):
            cursor.execute(statement)
