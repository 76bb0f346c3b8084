"""Gentle prompts for words that make a plan generic. A prompt is a question for the clinician beside the
entry ("Who, exactly?"); it never stops a save, and the client's words are never changed.

`hints` takes the editor's fields as posted or as saved (`name -> value`, only the client's free-text
fields) and the active phrases, and answers `name -> prompt` in the active language.
"""

import functools
import re
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy as _

from .content import PlanContent
from .steps import ENTRY_FIELDS_BY_KEY, SECTIONS

# What the clinician is asked, by what the phrase leaves open.
PROMPTS = {
    "who": _("Who, exactly? A name and a number make this something to do in a hard moment."),
    "what": _("What, exactly? Name one thing they will do."),
    "where": _("Where, exactly? Name the place."),
    "how": _("How, exactly? Name a step they can take."),
}


def _words(phrase: str) -> str:
    return r"\s+".join(re.escape(word) for word in phrase.casefold().split())


@functools.lru_cache(maxsize=8)
def _patterns(phrases: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], list[tuple[re.Pattern[str], str]]]:
    """One pattern matching any phrase (most fields match none: one search each), and each phrase's own, in
    order (the first phrase that matches a field says what to ask). Compiled once per list of phrases."""
    usable = [(words, ask) for words, ask in phrases if words.strip() and ask in PROMPTS]
    each = [(re.compile(rf"(?<!\w){_words(words)}(?!\w)"), ask) for words, ask in usable]
    alternatives = "|".join(_words(words) for words, _ask in usable) or r"(?!)"
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), each


def hints(fields: Mapping[str, str], phrases: Iterable[tuple[str, str]]) -> dict[str, str]:
    """`fields`: the editor's free-text entry fields by name; `phrases`: (words, ask) pairs."""
    any_phrase, each = _patterns(tuple(phrases))
    found: dict[str, str] = {}
    for name, value in fields.items():
        text = value.casefold()
        if not any_phrase.search(text):
            continue
        for pattern, ask in each:
            if pattern.search(text):
                found[name] = str(PROMPTS[ask])
                break
    return found


def _takes_words(field: str) -> bool:
    return ENTRY_FIELDS_BY_KEY[field].input in {"text", "line"}


def saved_fields(content: PlanContent) -> dict[str, str]:
    """The free-text entry fields of saved content, named as the editor names them."""
    return {
        f"{section.key}-{index}-{field}": entry[field]
        for section in SECTIONS
        for index, entry in enumerate(content.sections.get(section.key, []))
        for field in section.fields
        if _takes_words(field) and entry[field]
    }


def posted_fields(data: Mapping[str, object]) -> dict[str, str]:
    """The free-text entry fields of a posted editor."""
    fields = {}
    for section in SECTIONS:
        for name, value in data.items():
            if name.startswith(f"{section.key}-") and isinstance(value, str) and value:
                field = name.rsplit("-", 1)[-1]
                if field in section.fields and _takes_words(field):
                    fields[name] = value
    return fields
