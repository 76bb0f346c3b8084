"""Step headings and prompts, and the language a client's copy is shown in.

Our own wording comes from the translation catalogs (`locale/`); an organisation's own wording for a
language (the admin's step texts, for example licensed text) always wins where present. A client may
prefer a language we have no catalog for: their copy is then shown in their language only if the
organisation has step texts for every step in it, and otherwise in a language we have (the clinician is
told before printing). The client's own words are never translated.
"""

import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation

from .languages import RTL_LANGUAGES, has_catalog, language_name
from .library import library
from .steps import STEPS, StepWording


def step_texts(language: str) -> dict[int, StepWording]:
    """Wording for every step in `language`: an organisation's own wins over ours.

    Ours is in `language` when we have a catalog for it, else in the default language.
    """
    return step_texts_in([language])[language]


def step_texts_in(languages: list[str]) -> dict[str, dict[int, StepWording]]:
    """`step_texts` for several languages (the organisation's wording comes from the cached library)."""
    overrides: dict[str, list[tuple[int, str, str, str]]] = {language: [] for language in languages}
    for text in library().step_texts:
        if text.language in overrides:
            overrides[text.language].append((text.step, text.heading, text.prompt, text.together_prompt))
    return {
        language: dict(_wording(language, tuple(sorted(overrides[language])), settings.LANGUAGE_CODE))
        for language in languages
    }


# Wording depends only on the language, our catalogs and the organisation's texts (the key): made once for
# each, as every page that shows a plan asks for it (in two languages, the client's and the clinician's).
@functools.lru_cache(maxsize=64)
def _wording(
    language: str, overrides: tuple[tuple[int, str, str, str], ...], default: str
) -> tuple[tuple[int, StepWording], ...]:
    ours = language if has_catalog(language) else default
    by_step = {step: (heading, prompt, together_prompt) for step, heading, prompt, together_prompt in overrides}
    wording = []
    with translation.override(ours):
        for step in STEPS:
            override = by_step.get(step.number)
            wording.append(
                (
                    step.number,
                    StepWording(
                        heading=override[0] if override else str(step.heading),
                        prompt=override[1] if override and override[1] else str(step.prompt),
                        together_prompt=override[2] if override and override[2] else str(step.together_prompt),
                        language=language if override else ours,
                    ),
                )
            )
    return tuple(wording)


@dataclass(frozen=True)
class ClientWording:
    """The language a client's copy (together mode, their view of the plan, the PDF, the card) is in."""

    language: str  # the language to activate: the client's own, or one we have
    steps: dict[int, StepWording]
    direction: str  # "rtl" when that language is written right to left and its headings exist
    wanted: str  # the language the client prefers
    chosen: bool = False  # the clinician chose the language for this print
    also: dict[int, StepWording] = field(default_factory=dict)  # the wording asked for `also`

    @property
    def fell_back(self) -> bool:
        """The client's own language could not be used: headings are in `language` instead."""
        return not self.chosen and self.language != self.wanted

    @property
    def language_name(self) -> str:
        return language_name(self.language)

    @property
    def wanted_name(self) -> str:
        return language_name(self.wanted)


def client_wording(preferred: str, *, asked: str = "", also: str = "") -> ClientWording:
    """The language to show a client's copy in (1 query).

    `asked` is a language the clinician chose for this print; otherwise the client's preferred one. A
    language is usable when we have a catalog for it or the organisation has step texts for every step.
    The wording in `also` (say the clinician's language) is read in the same query: `.also`.
    """
    wanted = asked or preferred
    languages = list(dict.fromkeys([wanted, settings.LANGUAGE_CODE, *([also] if also else [])]))
    texts = step_texts_in(languages)
    steps = texts[wanted]
    if has_catalog(wanted) or all(wording.language == wanted for wording in steps.values()):
        language = wanted
    else:
        language = settings.LANGUAGE_CODE
        steps = texts[language]
    direction = "rtl" if language.split("-")[0] in RTL_LANGUAGES else "ltr"
    return ClientWording(
        language=language,
        steps=steps,
        direction=direction,
        wanted=preferred,
        chosen=bool(asked),
        also=texts.get(also, {}),
    )


def print_language_choices(preferred: str) -> list[tuple[str, str]]:
    """The languages a clinician may print a client's copy in: the client's own (when usable), then ours."""
    choices = [(code, language_name(code)) for code, _name in settings.LANGUAGES]
    if preferred not in dict(choices) and client_wording(preferred).language == preferred:
        choices.insert(0, (preferred, language_name(preferred)))
    return choices
