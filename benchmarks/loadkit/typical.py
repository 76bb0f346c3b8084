"""The plan every benchmark uses: 7 steps, 5 entries in each section, every field filled (pages.py, the load
benchmark's seeding). No Django set-up of its own: the importing script has done it."""

from plans.content import EntryData, PlanChanges
from plans.steps import ENTRY_FIELDS_BY_KEY, SECTIONS


def typical_changes(number: int) -> PlanChanges:
    """7 steps, 5 entries in each section, every field of each entry filled as a clinician would."""

    def value(field: str, i: int) -> str:
        definition = ENTRY_FIELDS_BY_KEY[field]
        if definition.input == "phone":
            return f"+1212555{100 + i:04d}"
        if definition.input in {"choice", "choices"}:
            return definition.choices[i % len(definition.choices)][0]
        if definition.input == "date":
            return f"2026-11-{10 + i:02d}"
        return f"{field} {i}, in the client's own words ({number})"

    sections = {
        section.key: [EntryData(None, **{field: value(field, i) for field in section.fields}) for i in range(5)]
        for section in SECTIONS
    }
    return PlanChanges(sections=sections, plan_fields={"most_important": f"My family ({number})"})
