"""A word-level diff of two texts in any script (a generic utility: no models, no Django).

`diff_words(old, new)` splits both texts into words, spaces and punctuation with `tokenize` (keeping
combining marks with their letters, and splitting scripts written without spaces into characters)
and returns the `Segment`s that rebuild both texts, in reading order.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Op = Literal["equal", "insert", "delete"]


@dataclass(frozen=True)
class Segment:
    """A run of text that is the same in both versions, only in the new one, or only in the old one."""

    op: Op
    text: str


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
# Scripts written without spaces between words: each character is compared on its own.
_NO_SPACES = re.compile(
    "["
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\U00020000-\U0003ffff"
    "]"
)
# A "word" longer than this is most likely a run of text without spaces; it is compared by character.
_LONG_TOKEN = 30
_JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner (Persian, Indic scripts, emoji)


def _is_mark(char: str) -> bool:
    return char in _JOINERS or unicodedata.category(char).startswith("M")


def tokenize(text: str) -> list[str]:
    """Split text into words, runs of whitespace and single punctuation marks, keeping every character.

    Combining marks (Arabic vowel marks, Indic vowel signs, Thai tone marks) stay with their letters,
    so a diff never separates them. Words in scripts without spaces, and very long runs, are split
    into characters (each with its marks).
    """
    tokens: list[str] = _TOKEN.findall(text)
    if not text.isascii():
        tokens = _attach_marks(tokens)
        if _NO_SPACES.search(text) is None and all(len(token) <= _LONG_TOKEN for token in tokens):
            return tokens
    elif all(len(token) <= _LONG_TOKEN for token in tokens):
        return tokens
    split: list[str] = []
    for token in tokens:
        if len(token) > 1 and _is_word(token) and (len(token) > _LONG_TOKEN or _NO_SPACES.search(token)):
            split.extend(_characters(token))
        else:
            split.append(token)
    return split


def _attach_marks(raw: list[str]) -> list[str]:
    """Join each combining mark to the token before it, and a word broken by a mark back together."""
    tokens: list[str] = []
    glue = False  # the last token is a word that ended at a combining mark: a following word continues it
    for token in raw:
        if tokens and len(token) == 1 and _is_mark(token) and not tokens[-1].isspace():
            tokens[-1] += token
            glue = _is_word(tokens[-1])
            continue
        if glue and _is_word(token):
            tokens[-1] += token
        else:
            tokens.append(token)
        glue = False
    return tokens


def _is_word(token: str) -> bool:
    return token[0].isalnum() or token[0] == "_"


def _characters(token: str) -> list[str]:
    """Characters, each with the combining marks that follow it."""
    characters: list[str] = []
    for char in token:
        if characters and _is_mark(char):
            characters[-1] += char
        else:
            characters.append(char)
    return characters


def _raw_ops(a: list[str], b: list[str]) -> list[tuple[Op, str]]:
    """Equal, deleted and inserted runs of tokens, the common start and end set aside first (most
    edits touch a few words in the middle or at the end)."""
    start = 0
    limit = min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    end = 0
    while end < limit - start and a[-1 - end] == b[-1 - end]:
        end += 1
    raw: list[tuple[Op, str]] = []
    if start:
        raw.append(("equal", "".join(a[:start])))
    middle_a = a[start : len(a) - end]
    middle_b = b[start : len(b) - end]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False).get_opcodes():
        if tag == "equal":
            raw.append(("equal", "".join(middle_a[i1:i2])))
            continue
        if i2 > i1:
            raw.append(("delete", "".join(middle_a[i1:i2])))
        if j2 > j1:
            raw.append(("insert", "".join(middle_b[j1:j2])))
    if end:
        raw.append(("equal", "".join(a[len(a) - end :])))
    return raw


def diff_words(old: str, new: str) -> tuple[Segment, ...]:
    """Segments that rebuild `old` (equal + delete) and `new` (equal + insert), in reading order.

    Within a run of changes the deleted text comes first, then the inserted text; whitespace alone
    between two changes is folded into them, so "a b" -> "c d" reads as one deletion and one insertion.
    """
    raw = _raw_ops(tokenize(old), tokenize(new))
    segments: list[Segment] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            segments.append(Segment("delete", "".join(deleted)))
        if inserted:
            segments.append(Segment("insert", "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for index, (op, text) in enumerate(raw):
        if op == "equal" and 0 < index < len(raw) - 1 and text.isspace():  # between two changes
            deleted.append(text)
            inserted.append(text)
        elif op == "equal":
            flush()
            segments.append(Segment("equal", text))
        else:
            (deleted if op == "delete" else inserted).append(text)
    flush()
    return tuple(segments)
