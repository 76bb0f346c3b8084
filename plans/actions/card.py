"""The wallet card: which entries of a plan the clinician chose for it."""

from collections.abc import Collection

from django.contrib.auth.models import User
from django.db import transaction

from .. import audit
from ..models import AuditEvent, CardSelection, SafetyPlan


@transaction.atomic
def save_card_choice(
    *, plan: SafetyPlan, by: User, uids: Collection[str], title: str = "", ip: str | None = None
) -> CardSelection:
    """Keep which entries go on the wallet card, and its title ("" for ours); audited as an edit of the
    plan (IDs only)."""
    selection, _created = CardSelection.objects.update_or_create(
        plan=plan, defaults={"entry_uids": sorted(uids), "title": title, "updated_by": by}
    )
    audit.record(
        action=AuditEvent.Action.PLAN_EDITED, by=by, client_id=plan.client_id, target=f"plan:{plan.pk} card", ip=ip
    )
    return selection
