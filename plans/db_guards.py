"""Database-level guard: plan versions can be inserted, never updated or deleted."""

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "plans_planversion"

CREATE = {
    "sqlite": [
        f"CREATE TRIGGER IF NOT EXISTS planversion_no_update BEFORE UPDATE ON {TABLE} "
        "BEGIN SELECT RAISE(ABORT, 'plan versions are append-only'); END;",
        f"CREATE TRIGGER IF NOT EXISTS planversion_no_delete BEFORE DELETE ON {TABLE} "
        "BEGIN SELECT RAISE(ABORT, 'plan versions are append-only'); END;",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION planversion_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'plan versions are append-only'; END; $$ LANGUAGE plpgsql;",
        f"DROP TRIGGER IF EXISTS planversion_no_change ON {TABLE};",
        f"CREATE TRIGGER planversion_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION planversion_append_only();",
    ],
}

DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS planversion_no_update;", "DROP TRIGGER IF EXISTS planversion_no_delete;"],
    "postgresql": [f"DROP TRIGGER IF EXISTS planversion_no_change ON {TABLE};"],
}


def create_guard(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in CREATE.get(connection.vendor, []):
            cursor.execute(statement)


def drop_guard(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in DROP.get(connection.vendor, []):
            cursor.execute(statement)
