"""What follow-up adds to plans (registered with plans.extensions, which imports nothing of ours): the client
list's "Next contact" column, the client page's link, and the follow-up records in the export of
everything held about a client."""

from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from plans.extensions import (
    ClientColumn,
    ClientLink,
    ExportPart,
    add_client_column,
    add_client_link,
    add_export_part,
)


def _annotations() -> dict[str, Any]:
    from .models import Contact

    # The newest contact of the client's running follow-up (one at most) is its open one, as in
    # `Contact.objects.open()`, without that method's NOT EXISTS, which tripled the cost of the list's query.
    newest = Contact.objects.filter(follow_up__client=OuterRef("pk"), follow_up__ended_at__isnull=True).order_by(
        "-number"
    )
    return {
        "next_contact_due": Subquery(newest.values("due_at")[:1]),
        "next_contact_number": Subquery(newest.values("number")[:1]),
        "next_contact_id": Subquery(newest.values("pk")[:1]),
    }


def register() -> None:
    add_client_column(
        ClientColumn(
            key="next_contact",
            heading=_("Next contact"),
            template="followup/_client_list_cell.html",
            annotations=_annotations,
        )
    )
    add_client_link(ClientLink(key="followup", label=_("Follow-up contacts"), url_name="followup:client"))
    add_export_part(ExportPart(key="follow_ups", export=export))


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export(client: Any) -> list[dict[str, Any]]:
    """Every follow-up of the client, its contacts and every record (corrections too), as JSON-ready data
    (three queries)."""
    from .models import Contact, ContactRecord, FollowUp

    records: dict[int, list[dict[str, Any]]] = {}
    for record in ContactRecord.objects.filter(contact__follow_up__client=client).order_by("pk"):
        records.setdefault(record.contact_id, []).append(
            {
                "id": record.pk,
                "attempt": record.attempt,
                "corrects_id": record.corrects_id,
                "correction_note": record.correction_note,
                "recorded_at": _iso(record.recorded_at),
                "recorded_by_id": record.recorded_by_id,
                "reached": record.reached,
                "method": record.method,
                "left_message": record.left_message,
                "how_doing": record.how_doing,
                "used_plan": record.used_plan,
                "steps_helped": record.steps_helped_list,
                "got_in_way": record.got_in_way,
                "means_checked": record.means_checked,
                "means_status": record.means_status,
                "next_appointment": _iso(record.next_appointment),
                "appointment_note": record.appointment_note,
                "version_id": record.version_id,
            }
        )
    contacts: dict[int, list[dict[str, Any]]] = {}
    for contact in Contact.objects.filter(follow_up__client=client).order_by("follow_up", "number"):
        contacts.setdefault(contact.follow_up_id, []).append(
            {
                "id": contact.pk,
                "number": contact.number,
                "due_at": _iso(contact.due_at),
                "attempts_allowed": contact.attempts_allowed,
                "created_at": _iso(contact.created_at),
                "records": records.get(contact.pk, []),
            }
        )
    return [
        {
            "id": follow_up.pk,
            "setting": follow_up.setting,
            "started_at": _iso(follow_up.started_at),
            "started_by_id": follow_up.started_by_id,
            "ended_at": _iso(follow_up.ended_at),
            "ended_by_id": follow_up.ended_by_id,
            "end_reason": follow_up.end_reason,
            "end_note": follow_up.end_note,
            "contacts": contacts.get(follow_up.pk, []),
        }
        for follow_up in FollowUp.objects.filter(client=client).order_by("started_at", "pk")
    ]
