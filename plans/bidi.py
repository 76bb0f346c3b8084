"""Text direction, and keeping numbers in one direction (a generic utility: no models, no Django).

Nothing here changes what is stored: isolation marks are added only where text is shown or printed.
"""

import re
import unicodedata
from typing import Literal


def text_direction(text: str) -> Literal["ltr", "rtl"]:
    """Direction of a piece of text from its first strong character (like HTML's dir=auto)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


LRI = "\u2066"  # left-to-right isolate
RLI = "\u2067"  # right-to-left isolate
PDI = "\u2069"  # pop directional isolate
# Groups of digits joined by spaces, hyphens or dots, perhaps with a leading + or a bracketed area code:
# "617-555-0100", "(617) 555 0100", "+44 20 7946 0958". In right-to-left text the separators would
# otherwise reorder the groups ("0100-555-617").
PHONE_LIKE = re.compile(r"\+?\(?\d+\)?(?:[ \-.]\(?\d+\)?)+")


# The blocks of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, ..., and their presentation forms).
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")


def has_rtl(text: str) -> bool:
    """Whether `text` has a right-to-left letter (Hebrew, Arabic, ...)."""
    return _RTL.search(text) is not None


def isolate(text: str, direction: str = "ltr") -> str:
    """`text` as one run in `direction` ("ltr" or "rtl"), whatever surrounds it (empty stays empty)."""
    if not text:
        return ""
    return f"{RLI if direction == 'rtl' else LRI}{text}{PDI}"


def isolate_numbers(text: str) -> str:
    """`text` with every phone-like run of digits isolated left to right."""
    return PHONE_LIKE.sub(lambda match: isolate(match.group(0)), text)
