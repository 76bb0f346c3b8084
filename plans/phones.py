"""Phone numbers: validated as international numbers, stored as E.164, shown in national format."""

import functools
import re

import phonenumbers
from django.conf import settings

# Crisis lines and emergency numbers are often short codes (988, 911, 741741, 116 123).
SHORT_CODE_RE = re.compile(r"^\d{3,8}$")


class InvalidPhone(ValueError):
    pass


def normalise(raw: str, *, region: str | None = None, allow_short_codes: bool = False) -> str:
    """Return the E.164 form of `raw` (or the digits of a short code), or raise InvalidPhone."""
    value = raw.strip()
    if not value:
        return ""
    compact = re.sub(r"[\s\-().]", "", value)
    if allow_short_codes and SHORT_CODE_RE.match(compact):
        return compact
    try:
        number = phonenumbers.parse(value, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(value) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display(stored: str) -> str:
    """National format for numbers of the default region, international format for the rest."""
    if not stored or not stored.startswith("+"):
        return stored
    return _display(stored, settings.PHONE_DEFAULT_REGION)


@functools.lru_cache(maxsize=4096)
def _display(stored: str, home_region: str) -> str:
    """Formatting a number takes phonenumbers ~0.1 ms; a plan shows the same few numbers again and again."""
    try:
        number = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return stored
    region = phonenumbers.region_code_for_number(number)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == home_region
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


def tel_href(stored: str) -> str:
    """A `tel:` URI: E.164 numbers as they are, short codes as digits."""
    return "tel:" + re.sub(r"[^\d+]", "", stored)


def sms_href(stored: str, body: str = "") -> str:
    digits = re.sub(r"[^\d+]", "", stored)
    return f"sms:{digits}" + (f"?&body={body}" if body else "")
