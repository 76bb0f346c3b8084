"""Database guards for follow-up records: contacts and contact records are append-only (plans.db_guards'
AppendOnly), and a follow-up may be updated only once, to end it, and never deleted."""

from django.db.backends.base.base import BaseDatabaseWrapper

from plans.db_guards import AppendOnly

CONTACTS = AppendOnly(table="followup_contact", prefix="followupcontact", message="follow-up contacts are append-only")
CONTACT_RECORDS = AppendOnly(
    table="followup_contactrecord", prefix="followupcontactrecord", message="follow-up contact records are append-only"
)
APPEND_ONLY = (CONTACTS, CONTACT_RECORDS)

_FOLLOWUP_TABLE = "followup_followup"
_ENDS_ONCE_MESSAGE = "a follow-up is only ever ended, once, and never deleted"
# Refused: any change to a follow-up that has ended, and any change to what a running one started with.
_CHANGED = (
    "OLD.ended_at IS NOT NULL OR NEW.client_id <> OLD.client_id OR NEW.started_at <> OLD.started_at "
    "OR NEW.started_by_id <> OLD.started_by_id OR NEW.setting <> OLD.setting"
)


def _followup_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS followup_ends_once BEFORE UPDATE ON {_FOLLOWUP_TABLE} "
            f"WHEN {_CHANGED} BEGIN SELECT RAISE(ABORT, '{_ENDS_ONCE_MESSAGE}'); END;",
            f"CREATE TRIGGER IF NOT EXISTS followup_no_delete BEFORE DELETE ON {_FOLLOWUP_TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{_ENDS_ONCE_MESSAGE}'); END;",
        ]
    if vendor == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION followup_ends_once() RETURNS trigger AS $$ BEGIN "
            f"IF TG_OP = 'DELETE' OR {_CHANGED} THEN RAISE EXCEPTION '{_ENDS_ONCE_MESSAGE}'; END IF; "
            "RETURN NEW; END; $$ LANGUAGE plpgsql;",
            f"DROP TRIGGER IF EXISTS followup_ends_once ON {_FOLLOWUP_TABLE};",
            f"CREATE TRIGGER followup_ends_once BEFORE UPDATE OR DELETE ON {_FOLLOWUP_TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION followup_ends_once();",
        ]
    return []


def _followup_drop_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return ["DROP TRIGGER IF EXISTS followup_ends_once;", "DROP TRIGGER IF EXISTS followup_no_delete;"]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS followup_ends_once ON {_FOLLOWUP_TABLE};"]
    return []


def create_guards(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for guard in APPEND_ONLY:
            for statement in guard.create_statements(connection.vendor):
                cursor.execute(statement)
        for statement in _followup_statements(connection.vendor):
            cursor.execute(statement)


def drop_guards(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for guard in APPEND_ONLY:
            for statement in guard.drop_statements(connection.vendor):
                cursor.execute(statement)
        for statement in _followup_drop_statements(connection.vendor):
            cursor.execute(statement)
