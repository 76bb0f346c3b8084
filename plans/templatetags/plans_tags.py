from dataclasses import dataclass

from django import template
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.text import normalize_newlines

from .. import bidi, languages, phones
from ..bidi import isolate, text_direction
from ..checklist import items_from_keys
from ..content import EntryData
from ..models import LIKELIHOOD_CHOICES
from ..steps import ENTRY_FIELDS_AS_SHOWN, EntryField, shown_value

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


@register.filter
def phone_run(value: str) -> str:
    """A stored phone number as people read it, as one left-to-right run wherever it stands (for numbers
    inside our own sentences: "call or text 988")."""
    return isolate(phones.display(value or ""))


@register.filter
def isolate_numbers(value: object) -> str:
    """Client text with every phone-like run of digits kept left to right (shown, never stored).

    Only text with right-to-left letters can reorder a number, so other text is left as it is.
    """
    text = str(value or "")
    return bidi.isolate_numbers(text) if bidi.has_rtl(text) else text


@dataclass(frozen=True)
class EntryPart:
    """One filled field of an entry, with its definition (plans/steps.py), in the order an entry reads.

    `dir` is set ("ltr"/"rtl") when the value reads in another direction than the entry as a whole,
    and `label_dir` when our own label does: those are isolated so that neither reorders the other.
    """

    field: EntryField
    value: str
    dir: str = ""
    label_dir: str = ""
    in_rtl: bool = False  # the entry reads right to left: its numbers must be isolated to keep their order


@register.filter
def entry_parts(entry: EntryData, label_direction: str = "ltr") -> list[EntryPart]:
    """The filled fields of an entry in reading order: its words, aside, place, phones, labelled fields."""
    own = entry_direction(entry)
    parts = []
    for field in ENTRY_FIELDS_AS_SHOWN:
        # Choices and dates in the reader's words; phone numbers and the client's words as stored.
        value = entry[field.key] if field.input == "phone" else shown_value(field, entry[field.key])
        if not value:
            continue
        direction = "ltr" if field.input == "phone" else text_direction(value)
        parts.append(
            EntryPart(
                field,
                value,
                dir=direction if direction != own else "",
                label_dir=label_direction if field.label_in_entry and label_direction != own else "",
                in_rtl=own == "rtl",
            )
        )
    return parts


def entry_direction(entry: EntryData) -> str:
    return text_direction(entry.text or entry.name)


@register.filter
def direction(value: object) -> str:
    """The direction of client text, or of an entry (from its first words)."""
    if isinstance(value, EntryData):
        return entry_direction(value)
    return text_direction(str(value or ""))


@register.filter
def likelihood(value: int | None) -> str:
    """A 1 to 5 rating as words, as the clinician chose it; empty when not asked."""
    return str(_LIKELIHOOD[value]) if value in _LIKELIHOOD else ""


@register.filter
def ltr(value: object, direction: str = "rtl") -> str:
    """A number from configuration (a crisis line's) as one left-to-right run, when it stands in text
    that reads `direction` ("rtl" by default; in left-to-right text it keeps its order anyway)."""
    return isolate(str(value or "")) if direction == "rtl" else str(value or "")


@register.filter
def bcp47(code: str) -> str:
    """A language code as HTML and PDF want it: "zh-hans" -> "zh-Hans", "en-us" -> "en-US"."""
    return languages.bcp47(code or "")


@register.filter
def isolate_as(value: object, direction: str) -> str:
    """Text kept in its own direction ("ltr" or "rtl") inside text of another; as it is for "".

    Printing uses the Unicode isolate characters (WeasyPrint does not implement `unicode-bidi: isolate`).
    """
    return bidi.isolate(str(value or ""), direction) if direction else str(value or "")


@dataclass(frozen=True)
class PrintedPart:
    """One part of an entry as printed: our own joining words and label (`before`, `after`), and the
    value, already isolated where its direction needs it. `phone` values are set in bold."""

    before: str
    value: str
    after: str = ""
    phone: bool = False


def _printed(part: EntryPart, first: bool) -> PrintedPart:
    field = part.field
    label = (
        bidi.isolate(str(field.label_in_entry), part.label_dir) if part.label_dir else str(field.label_in_entry or "")
    )
    if field.shown_as == "phone":
        number = phones.display(part.value)
        return PrintedPart(f", {label} " if label else " ", bidi.isolate(number) if part.in_rtl else number, phone=True)
    value = bidi.isolate_numbers(part.value) if part.in_rtl or bidi.has_rtl(part.value) else part.value
    value = bidi.isolate(value, part.dir) if part.dir else value
    if field.shown_as == "lead":
        return PrintedPart("", value, ":")
    before = {"words": "" if first else " ", "aside": " (", "place": " — "}.get(field.shown_as, f" — {label} ")
    return PrintedPart(before, value, ")" if field.shown_as == "aside" else "")


@register.filter
def printed_parts(entry: EntryData, label_direction: str = "ltr") -> list[PrintedPart]:
    """An entry's parts as printed (see `PrintedPart`): one pass in Python, so the template stays small."""
    return [_printed(part, index == 0) for index, part in enumerate(entry_parts(entry, label_direction))]


def _linebreaks(text: str) -> str:
    """Escaped text with its line breaks kept, as Django's `linebreaksbr` writes it."""
    return escape(normalize_newlines(text)).replace("\n", "<br>")


def _shown_part(part: EntryPart) -> str:
    field = part.field
    label_dir = f' dir="{part.label_dir}"' if part.label_dir else ""
    if field.shown_as == "phone":
        label = (
            f'<span class="entry-label"{label_dir}>{escape(field.label_in_entry)}</span> '
            if field.label_in_entry
            else ""
        )
        return (
            f'{label}<a href="{escape(phones.tel_href(part.value))}" class="phone" dir="ltr">'
            f"{escape(phones.display(part.value))}</a>"
        )
    before = {
        "labelled": f'— <span class="entry-label"{label_dir}>{escape(field.label_in_entry)}</span> ',
        "place": "— ",
    }
    if field.shown_as == "lead":
        return f'<strong class="entry-lead">{escape(part.value)}:</strong>'
    kind = " entry-text" if field.input == "text" else " text-body-secondary" if field.shown_as == "aside" else ""
    value = isolate_numbers(part.value)
    words = (
        f"<strong>{escape(value)}</strong>"
        if field.shown_as == "words" and field.input != "text"
        else _linebreaks(value)
    )
    if field.shown_as == "aside":
        words = f"({words})"
    own_dir = f' dir="{part.dir}"' if part.dir else ""
    return f'{before.get(field.shown_as, "")}<span class="entry-part{kind}"{own_dir}>{words}</span>'


@register.simple_tag
def plan_entries(entries: list[EntryData]) -> SafeString:
    """The `<li>` of each entry on the plan page, in reading order, each in its own direction.

    Written in Python (the plan page lists every entry of the plan); every value passes through
    Django's `escape`, so what a person typed is never marked safe, only the markup around it.
    """
    label_direction = "rtl" if translation.get_language_bidi() else "ltr"
    items = []
    for entry in entries:
        shown = " ".join(_shown_part(part) for part in entry_parts(entry, label_direction))
        items.append(f'<li dir="{entry_direction(entry)}">{shown}</li>')
    return SafeString("".join(items))


@register.filter
def checklist_labels(unmet: list[str]) -> list[str]:
    """What a version's checklist found still generic, in our words (the keys it recorded, in the list's order)."""
    return [str(item.label) for item in items_from_keys(unmet or []) if not item.met]
