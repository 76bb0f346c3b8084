"""Step headings and prompts: our own wording, unless an organisation has set its own in the admin."""

from django.utils import translation

from .models import StepText
from .steps import STEPS, StepWording


def step_texts(language: str) -> dict[int, StepWording]:
    """Wording for every step, in one query: an admin override for `language` wins over ours."""
    overrides = {text.step: text for text in StepText.objects.filter(language=language)}
    ours = translation.get_language() or ""
    wording = {}
    for step in STEPS:
        override = overrides.get(step.number)
        wording[step.number] = StepWording(
            heading=override.heading if override else str(step.heading),
            prompt=(override.prompt if override and override.prompt else str(step.prompt)),
            together_prompt=(
                override.together_prompt if override and override.together_prompt else str(step.together_prompt)
            ),
            language=language if override else ours,
        )
    return wording
