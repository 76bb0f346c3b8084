"""Languages a client may prefer for their plan (wider than the languages of the app's interface)."""

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
]

RTL_LANGUAGES = {"ar", "he", "fa", "ur"}


def bcp47(code: str) -> str:
    """A language code as PDF and HTML want it: "zh-hans" -> "zh-Hans", "en-us" -> "en-US"."""
    parts = code.split("-")
    tagged = [parts[0].lower()]
    for part in parts[1:]:
        tagged.append(part.title() if len(part) == 4 else part.upper() if len(part) == 2 else part.lower())
    return "-".join(tagged)
