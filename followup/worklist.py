"""Contacts due: the open contact of every running follow-up of the clinician's clients, in three groups."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from plans.models import Client

from .models import Contact


@dataclass
class Worklist:
    overdue: list[Contact] = field(default_factory=list)  # oldest first
    today: list[Contact] = field(default_factory=list)
    upcoming: list[Contact] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.upcoming)


def state_of(due_at: datetime.datetime, now: datetime.datetime) -> str:
    """ "overdue" once its time has passed, "today" when due later today (local time), else "upcoming"."""
    if due_at < now:
        return "overdue"
    if timezone.localdate(due_at) == timezone.localdate(now):
        return "today"
    return "upcoming"


def open_contacts_of(user: User | AnonymousUser) -> "list[Contact]":
    """The open contacts of the user's clients, soonest due first, with `attempt_count` (one query)."""
    return list(
        Contact.objects.open()
        .with_attempts()
        .filter(follow_up__client__in=Client.objects.visible_to(user))
        .select_related("follow_up__client")
        .order_by("due_at", "pk")
    )


def worklist_for(user: User | AnonymousUser, now: datetime.datetime | None = None) -> Worklist:
    now = now or timezone.now()
    worklist = Worklist()
    for contact in open_contacts_of(user):
        getattr(worklist, state_of(contact.due_at, now)).append(contact)
    return worklist
