"""The team view for leads: follow-up figures per clinician and per care team over a period. Counts only:
no plan content, no client names.

Whose figures: the clients the lead leads (not archived). A clinician's row counts the clients whose care
team they are on; a care team's row counts the clients with exactly that team; "All" counts each client
once. Over the period (local dates, both included):

- clients with a plan: clients that have a plan now;
- reviews due / on time: reviews that fell due in the period (a version's "next review" date, up to
  today), and of those, the ones a later version was saved for by that date;
- first contacts due / within 72 hours: follow-ups started in the period whose first contact is due by
  now or was made, and of those, the ones whose first contact reached the client within 72 hours;
- contacts completed: contacts that reached the client in the period;
- overdue now: open contacts past their due time (now, whatever the period).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields

from django.contrib.auth.models import User
from django.db.models import Min, Q
from django.utils import timezone

from plans.models import CareTeamMember, Client, PlanVersion, SafetyPlan

from .models import FIRST_CONTACT_HOURS, Contact, ContactRecord, FollowUp


@dataclass
class Figures:
    clients: int = 0
    with_plan: int = 0
    reviews_due: int = 0
    reviews_on_time: int = 0
    first_contacts_due: int = 0
    first_contacts_in_72h: int = 0
    contacts_completed: int = 0
    overdue: int = 0

    def add(self, other: "Figures") -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(frozen=True)
class Row:
    label: str
    figures: Figures


@dataclass(frozen=True)
class Report:
    start: datetime.date
    end: datetime.date
    clinicians: list[Row]
    teams: list[Row]
    total: Figures


def led_clients(user: User) -> "list[int]":
    return list(
        Client.objects.filter(
            care_team__user=user, care_team__role=CareTeamMember.Role.LEAD, archived_at__isnull=True
        ).values_list("pk", flat=True)
    )


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _reviews(
    client_ids: list[int], start: datetime.date, end: datetime.date, today: datetime.date
) -> dict[int, tuple[int, int]]:
    versions: dict[int, list[tuple[int, datetime.date, datetime.date | None]]] = defaultdict(list)
    rows = PlanVersion.objects.filter(plan__client_id__in=client_ids).order_by("number")
    for client_id, number, review_date, next_review in rows.values_list(
        "plan__client_id", "number", "review_date", "next_review_date"
    ):
        versions[client_id].append((number, review_date, next_review))
    found: dict[int, tuple[int, int]] = {}
    for client_id, history in versions.items():
        due = on_time = 0
        for number, _review, next_review in history:
            if next_review is None or not start <= next_review <= end:
                continue
            met = any(n > number and reviewed <= next_review for n, reviewed, _next in history)
            if met or next_review <= today:
                due += 1
                on_time += met
        found[client_id] = (due, on_time)
    return found


def _first_contacts(
    client_ids: list[int], start: datetime.date, end: datetime.date, now: datetime.datetime
) -> dict[int, tuple[int, int]]:
    window = datetime.timedelta(hours=FIRST_CONTACT_HOURS)
    started = FollowUp.objects.filter(
        client_id__in=client_ids,
        started_at__gte=_moment(start),
        started_at__lt=_moment(end + datetime.timedelta(days=1)),
    ).annotate(
        first_reached=Min(
            "contacts__records__recorded_at",
            filter=Q(contacts__number=1, contacts__records__reached=True, contacts__records__corrects__isnull=True),
        )
    )
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for client_id, started_at, first_reached in started.values_list("client_id", "started_at", "first_reached"):
        in_time = first_reached is not None and first_reached <= started_at + window
        if in_time or started_at + window <= now:
            found[client_id][0] += 1
            found[client_id][1] += in_time
    return {key: (due, met) for key, (due, met) in found.items()}


def _per_client(
    client_ids: list[int], start: datetime.date, end: datetime.date, now: datetime.datetime
) -> dict[int, Figures]:
    today = timezone.localdate(now)
    figures = {pk: Figures(clients=1) for pk in client_ids}
    for pk in SafetyPlan.objects.filter(client_id__in=client_ids).values_list("client_id", flat=True):
        figures[pk].with_plan = 1
    for pk, (due, on_time) in _reviews(client_ids, start, end, today).items():
        figures[pk].reviews_due, figures[pk].reviews_on_time = due, on_time
    for pk, (due, met) in _first_contacts(client_ids, start, end, now).items():
        figures[pk].first_contacts_due, figures[pk].first_contacts_in_72h = due, met
    completed = ContactRecord.objects.filter(
        contact__follow_up__client_id__in=client_ids,
        reached=True,
        corrects__isnull=True,
        recorded_at__gte=_moment(start),
        recorded_at__lt=_moment(end + datetime.timedelta(days=1)),
    )
    for pk in completed.values_list("contact__follow_up__client_id", flat=True):
        figures[pk].contacts_completed += 1
    overdue = Contact.objects.open().filter(follow_up__client_id__in=client_ids, due_at__lt=now)
    for pk in overdue.values_list("follow_up__client_id", flat=True):
        figures[pk].overdue += 1
    return figures


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _summed(label: str, client_ids: Iterable[int], per_client: dict[int, Figures]) -> Row:
    total = Figures()
    for pk in client_ids:
        total.add(per_client[pk])
    return Row(label, total)


def team_report(
    *, lead: User, start: datetime.date, end: datetime.date, now: datetime.datetime | None = None
) -> Report:
    now = now or timezone.now()
    client_ids = led_clients(lead)
    per_client = _per_client(client_ids, start, end, now)
    members = CareTeamMember.objects.filter(client_id__in=client_ids).select_related("user").order_by("user_id")
    by_user: dict[int, tuple[User, list[int]]] = {}
    teams: dict[tuple[int, ...], list[int]] = defaultdict(list)
    team_of: dict[int, list[User]] = defaultdict(list)
    for member in members:
        by_user.setdefault(member.user_id, (member.user, []))[1].append(member.client_id)
        team_of[member.client_id].append(member.user)
    for client_id, users in team_of.items():
        teams[tuple(sorted(user.pk for user in users))].append(client_id)
    names = {user.pk: _name(user) for user, _clients in by_user.values()}
    clinician_rows = sorted(
        (_summed(_name(user), ids, per_client) for user, ids in by_user.values()), key=lambda row: row.label.casefold()
    )
    team_rows = sorted(
        (
            _summed(", ".join(sorted((names[pk] for pk in key), key=str.casefold)), ids, per_client)
            for key, ids in teams.items()
        ),
        key=lambda row: row.label.casefold(),
    )
    return Report(start, end, clinician_rows, team_rows, _summed("", client_ids, per_client).figures)
