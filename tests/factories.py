"""Test data: clinicians, and plans saved through the actions or written straight to the tables."""

from datetime import date

from django.contrib.auth import get_user_model

from plans import actions
from plans.models import Client, Entry, SafetyPlan, StepNote
from plans.steps import STEPS

PASSWORD = "correct-horse-battery-staple-42"


def make_user(username: str, **extra: object):
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, first_name=username.title(), **extra
    )


def save(client, by, *, next_review=None, most_important="", **sections):
    """Save entries straight through the action (test set-up)."""
    plan = SafetyPlan.objects.filter(client=client).first()
    changes = actions.PlanChanges(
        sections={key: [actions.EntryData(**row) for row in rows] for key, rows in sections.items()},
        plan_fields={"next_review_date": next_review, "most_important": most_important},
    )
    return actions.save_plan(client=client, by=by, changes=changes, expected_revision=plan.revision if plan else 0).plan


def texts(plan, section):
    return list(plan.entries.filter(section=section).order_by("position").values_list("text", flat=True))


def entry_text(section: str, index: int) -> str:
    return f"{section.replace('_', ' ')} item {index + 1} in the client's own words"


def make_plan(
    client: Client,
    *,
    per_step: int = 5,
    texts: dict[str, list[str]] | None = None,
    most_important: str = "Seeing my daughter grow up",
) -> SafetyPlan:
    """A plan with `per_step` entries in every step (split across a step's sections), or the given `texts`."""
    plan = SafetyPlan.objects.create(
        client=client,
        most_important=most_important,
        where_kept="Kitchen drawer and phone photo",
        shared_with="Partner, Sam",
        likelihood_of_use=4,
        next_review_date=date(2030, 1, 15),
        revision=3,
    )
    for step in STEPS:
        for number, section in enumerate(step.sections):
            if texts is not None:
                items = texts.get(section.key, [])
            else:
                count = per_step if len(step.sections) == 1 else (per_step + 1) // 2 if number == 0 else per_step // 2
                items = [entry_text(section.key, i) for i in range(count)]
            for position, text in enumerate(items):
                fields: dict[str, str] = {}
                if "text" in section.fields:
                    fields["text"] = text
                else:
                    fields["name"] = text
                if "phone" in section.fields:
                    fields["phone"] = f"+1202555{position:04d}"
                Entry.objects.create(plan=plan, section=section.key, position=position, **fields)
    for step in STEPS:
        StepNote.objects.create(
            plan=plan, step=step.number, likelihood=2, barriers=f"Barrier note for step {step.number}"
        )
    return plan
