"""The audit trail: who did what to which client, when, and from where. IDs and action names only.

- `events.py`: `record` appends one `AuditEvent` to its chain (one per client, one per user for events
  about no client, one for the system), inside the transaction of the action it records.
- `checkpoints.py`: `write_checkpoint` signs the chains' heads with a key kept outside the database
  (`manage.py audit_checkpoint`, from cron), and `copy_to_file` keeps a copy outside it too.
- `verify.py`: `verify_trail` recomputes every chain against the checkpoints (`manage.py verify_audit_chain`).
"""

from .checkpoints import CheckpointRefusedError, copy_to_file, current_heads, write_checkpoint
from .events import (
    GENESIS,
    LEGACY_CHAIN,
    SYSTEM_CHAIN,
    AuditChainBusyError,
    chain_for,
    client_ip,
    event_hash,
    record,
)
from .verify import Problem, Report, verify_trail

__all__ = [
    "GENESIS",
    "LEGACY_CHAIN",
    "SYSTEM_CHAIN",
    "AuditChainBusyError",
    "CheckpointRefusedError",
    "Problem",
    "Report",
    "chain_for",
    "client_ip",
    "copy_to_file",
    "current_heads",
    "event_hash",
    "record",
    "verify_trail",
    "write_checkpoint",
]
