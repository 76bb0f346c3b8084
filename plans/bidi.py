"""Text direction of client text (a generic utility: no models, no Django)."""

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
