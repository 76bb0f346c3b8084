"""Form fields for what people type: their words kept as typed, phone numbers made dialable."""

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import phones

# Unicode's control characters (category Cc) and lone surrogates (Cs), less tab and newline: one pattern,
# as it runs on every field of every autosave (tests/test_hostile_input.py checks it against the categories).
UNWANTED_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Keep the person's words as typed, minus invisible control characters (tabs and newlines stay)."""
    return UNWANTED_CHARACTERS.sub("", unicodedata.normalize("NFC", value)).strip()


class PersonTextField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return clean_text(super().to_python(value) or "")


class PhoneField(forms.CharField):
    """An international phone number, stored as E.164."""

    def __init__(self, *, allow_short_codes: bool = False, **kwargs: Any) -> None:
        self.allow_short_codes = allow_short_codes
        kwargs.setdefault("max_length", 40)
        # dir="ltr": a number is typed and read left to right, in a right-to-left page too.
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off", "dir": "ltr"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        try:
            return phones.normalise(value, allow_short_codes=self.allow_short_codes)
        except phones.InvalidPhone:
            raise ValidationError(
                _(
                    "This doesn't look like a complete phone number. Check the digits, and start "
                    "numbers from another country with + and the country code."
                ),
                code="invalid_phone",
            ) from None

    def prepare_value(self, value: Any) -> Any:
        # Stored numbers are shown in the national format the clinician reads aloud.
        if isinstance(value, str) and value.startswith("+"):
            return phones.display(value)
        return value
