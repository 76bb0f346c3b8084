from dataclasses import dataclass

from django import template

from .. import phones
from ..bidi import text_direction
from ..content import EntryData
from ..models import LIKELIHOOD_CHOICES
from ..steps import ENTRY_FIELDS_AS_SHOWN, EntryField

register = template.Library()
_LIKELIHOOD = dict(LIKELIHOOD_CHOICES)


@register.filter
def phone_display(value: str) -> str:
    """A stored phone number in the format people read (national for the default region)."""
    return phones.display(value or "")


@register.filter
def tel_href(value: str) -> str:
    return phones.tel_href(value or "")


@register.filter
def sms_href(value: str) -> str:
    return phones.sms_href(value or "")


@dataclass(frozen=True)
class EntryPart:
    """One filled field of an entry, with its definition (plans/steps.py), in the order an entry reads."""

    field: EntryField
    value: str


@register.filter
def entry_parts(entry: EntryData) -> list[EntryPart]:
    """The filled fields of an entry in reading order: its words, aside, place, phones, labelled fields."""
    return [EntryPart(field, entry[field.key]) for field in ENTRY_FIELDS_AS_SHOWN if entry[field.key]]


@register.filter
def direction(value: object) -> str:
    """The direction of client text, or of an entry (from its first words)."""
    if isinstance(value, EntryData):
        return text_direction(value.text or value.name)
    return text_direction(str(value or ""))


@register.filter
def likelihood(value: int | None) -> str:
    """A 1 to 5 rating as words, as the clinician chose it; empty when not asked."""
    return str(_LIKELIHOOD[value]) if value in _LIKELIHOOD else ""
