"""Writes that touch several models. Each is one atomic, keyword-only function taking `by=user`.

Views, forms, signals and `Model.save()` do not write plans; they call these. Each action that
changes something records one audit event (plans/audit.py) in its own transaction, as its last
write, so the event commits or rolls back with the change. `ip` is where the request came from
(`audit.client_ip(request)`).

One module per feature; the public names are gathered here, so callers write `actions.save_plan(...)`.
"""

from ..content import EntryData, PlanChanges, StepNoteData
from .card import save_card_choice
from .care_team import LastLeadError, add_to_care_team, remove_from_care_team, set_care_team_role
from .clients import ClientData, DuplicateSubmitError, archive_client, create_client, unarchive_client, update_client
from .common import NotAllowedError, client_plan
from .plan import (
    SaveOutcome,
    SaveResult,
    StalePlanError,
    conflicts_of,
    keep_draft,
    resolve_conflict,
    save_plan,
)
from .reads import READ_ACTIONS, client_export, export_client, record_access, record_client_list, record_denied
from .versions import restore_version, save_version

__all__ = [
    "READ_ACTIONS",
    "ClientData",
    "DuplicateSubmitError",
    "EntryData",
    "LastLeadError",
    "NotAllowedError",
    "PlanChanges",
    "SaveOutcome",
    "SaveResult",
    "StalePlanError",
    "StepNoteData",
    "add_to_care_team",
    "archive_client",
    "client_export",
    "client_plan",
    "conflicts_of",
    "create_client",
    "export_client",
    "keep_draft",
    "record_access",
    "record_client_list",
    "record_denied",
    "remove_from_care_team",
    "resolve_conflict",
    "restore_version",
    "save_card_choice",
    "save_plan",
    "save_version",
    "set_care_team_role",
    "unarchive_client",
    "update_client",
]
