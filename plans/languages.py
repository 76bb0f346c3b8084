"""Languages a client may prefer for their plan (wider than the languages of the app's interface).

Our own wording is translated into the languages of settings.LANGUAGES (catalogs in `locale/`); a client
may prefer any language below: their own words are always kept as typed, and their copy is printed in
their language when an organisation supplies its wording for it (see plans/texts.py).
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

CLIENT_LANGUAGE_CHOICES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("zh-hans", _("Chinese (simplified)")),
    ("zh-hant", _("Chinese (traditional)")),
    ("vi", _("Vietnamese")),
    ("ko", _("Korean")),
    ("ja", _("Japanese")),
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
    ("el", _("Greek")),
    ("he", _("Hebrew")),
    ("fa", _("Persian")),
    ("fr", _("French")),
    ("de", _("German")),
    ("pt", _("Portuguese")),
    ("it", _("Italian")),
    ("pl", _("Polish")),
    ("tl", _("Tagalog")),
    ("hi", _("Hindi")),
    ("ht", _("Haitian Creole")),
    ("so", _("Somali")),
    ("th", _("Thai")),
    ("ur", _("Urdu")),
    ("ps", _("Pashto")),
    ("bn", _("Bengali")),
    ("pa", _("Punjabi")),
    ("gu", _("Gujarati")),
    ("ne", _("Nepali")),
    ("ta", _("Tamil")),
    ("te", _("Telugu")),
    ("si", _("Sinhala")),
    ("my", _("Burmese")),
    ("km", _("Khmer")),
    ("lo", _("Lao")),
    ("am", _("Amharic")),
    ("ti", _("Tigrinya")),
    ("hy", _("Armenian")),
    ("ka", _("Georgian")),
    ("tr", _("Turkish")),
    ("sw", _("Swahili")),
]

RTL_LANGUAGES = {"ar", "he", "fa", "ur", "ps", "yi", "dv", "sd", "ug", "ckb"}


def has_catalog(code: str) -> bool:
    """Whether our own wording is translated into `code` (a language of settings.LANGUAGES)."""
    return code in {language for language, _name in settings.LANGUAGES}


def language_name(code: str) -> str:
    """A language's name in that language ("Español", "العربية"), as a person who reads it knows it."""
    try:
        return str(translation.get_language_info(code)["name_local"])
    except KeyError:
        return str(dict(CLIENT_LANGUAGE_CHOICES).get(code, code))


def bcp47(code: str) -> str:
    """A language code as PDF and HTML want it: "zh-hans" -> "zh-Hans", "en-us" -> "en-US"."""
    parts = code.split("-")
    tagged = [parts[0].lower()]
    for part in parts[1:]:
        tagged.append(part.title() if len(part) == 4 else part.upper() if len(part) == 2 else part.lower())
    return "-".join(tagged)
