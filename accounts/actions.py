"""Writes of the accounts app: a clinician's own settings (no client data, so nothing to audit)."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from .models import ClinicianSettings


@transaction.atomic
def set_language(*, by: User, language: str) -> ClinicianSettings:
    """The language of `by`'s screens: one of settings.LANGUAGES, or "" to follow the browser."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"not a language of the app: {language!r}")
    chosen, _created = ClinicianSettings.objects.update_or_create(user=by, defaults={"language": language})
    return chosen
