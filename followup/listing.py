"""The client list's "Next contact" column and the client page's link to follow-up (registered with
plans.listing, which imports nothing of ours)."""

from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from plans.listing import ClientColumn, ClientLink, add_client_column, add_client_link


def _annotations() -> dict[str, Any]:
    from .models import Contact

    newest = Contact.objects.open().filter(follow_up__client=OuterRef("pk")).order_by("-number")
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
