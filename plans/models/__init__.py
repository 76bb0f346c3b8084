"""The domain's models, one module per family; every model is importable from `plans.models`."""

from .audit import SECURITY_ACTIONS, AuditAction, AuditCheckpoint, AuditEvent, AuditEventIsImmutableError
from .clients import CareTeamMember, Client, ClientQuerySet
from .library import CrisisResource, CrisisResourceQuerySet, StepText, Suggestion, VaguePhrase
from .plans import (
    LIKELIHOOD_CHOICES,
    CardSelection,
    Entry,
    PendingConflict,
    PlanDraft,
    PlanVersion,
    SafetyPlan,
    StepNote,
    VersionIsImmutableError,
)

__all__ = [
    "LIKELIHOOD_CHOICES",
    "SECURITY_ACTIONS",
    "AuditAction",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditEventIsImmutableError",
    "CardSelection",
    "CareTeamMember",
    "Client",
    "ClientQuerySet",
    "CrisisResource",
    "CrisisResourceQuerySet",
    "Entry",
    "PendingConflict",
    "PlanDraft",
    "PlanVersion",
    "SafetyPlan",
    "StepNote",
    "StepText",
    "Suggestion",
    "VaguePhrase",
    "VersionIsImmutableError",
]
