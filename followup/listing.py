"""The client list's "Next contact" column (registered with plans.listing, which imports nothing of ours)."""

from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from plans.listing import ClientColumn, add_client_column


def _annotations() -> dict[str, Any]:
    from .models import Contact

    newest = Contact.objects.open().filter(follow_up__client=OuterRef("pk")).order_by("-number")
    return {
        "next_contact_due": Subquery(newest.values("due_at")[:1]),
        "next_contact_number": Subquery(newest.values("number")[:1]),
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
