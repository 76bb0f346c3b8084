"""Which characters the print fonts can draw, asked of fontconfig (the library WeasyPrint finds fonts with).

Printed plans must show every character as a real glyph, never as a box. The fonts come from Debian's
fonts-noto-core and fonts-noto-cjk packages (installed by `make system-packages`) and are named in
static/css/print-fonts.css. This module answers two questions, cheaply and once per process:

- is every script we promise to print covered by the families the print stylesheet names?
  (`missing_scripts`, used by `manage.py check` and the print pages);
- which characters of a given text has no installed font at all? (`uncovered_characters`, used before
  a PDF is made: such a character would print as a box, so the app says so instead).
"""

import ctypes
import ctypes.util
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Script:
    key: str
    name: Promise
    # Font families named for this script in static/css/print-fonts.css, in order of preference.
    families: tuple[str, ...]
    # Words in the script; every character must be drawn by one of `families`.
    sample: str
    package: str


SCRIPTS: tuple[Script, ...] = (
    Script(
        "latin",
        _("Latin (including Spanish and Vietnamese accents)"),
        ("Noto Sans",),
        "¿Qué tal? Mañana, pingüino, árbol. Tiếng Việt: Mỗi người đều có quyền sống, tự do.",
        "fonts-noto-core",
    ),
    Script(
        "cyrillic", _("Cyrillic"), ("Noto Sans",), "Привет! Як справи? Щастя, ёлка, їжак, ґанок.", "fonts-noto-core"
    ),
    Script("greek", _("Greek"), ("Noto Sans",), "Καλημέρα! Η ψυχή μου, ΩΡΑΙΑ ΖΩΗ.", "fonts-noto-core"),
    Script(
        "arabic",
        _("Arabic (also Persian)"),
        ("Noto Sans Arabic",),
        "مرحبا، عائلتي مهمة جداً. پدر و مادرم ۱۲۳",
        "fonts-noto-core",
    ),
    Script("hebrew", _("Hebrew"), ("Noto Sans Hebrew",), "שלום, המשפחה שלי חשובה לי.", "fonts-noto-core"),
    Script(
        "devanagari",
        _("Devanagari (Hindi)"),
        ("Noto Sans Devanagari",),
        "नमस्ते, मेरा परिवार मेरे लिए ज़रूरी है।",
        "fonts-noto-core",
    ),
    Script(
        "chinese_simplified",
        _("Chinese (simplified)"),
        ("Noto Sans CJK SC",),
        "你好，我的家人对我很重要。",
        "fonts-noto-cjk",
    ),
    Script(
        "chinese_traditional",
        _("Chinese (traditional)"),
        ("Noto Sans CJK TC",),
        "你好，我的家人對我很重要。",
        "fonts-noto-cjk",
    ),
    Script(
        "japanese", _("Japanese"), ("Noto Sans CJK JP",), "こんにちは。家族はとても大切です。カタカナ", "fonts-noto-cjk"
    ),
    Script("korean", _("Korean"), ("Noto Sans CJK KR",), "안녕하세요. 가족은 저에게 소중해요.", "fonts-noto-cjk"),
)
SCRIPTS_BY_KEY = {script.key: script for script in SCRIPTS}
# First in every font stack of the print stylesheet: it draws the Latin punctuation and digits
# that fonts for other scripts leave out.
BASE_FAMILY = "Noto Sans"

# Characters that are never drawn (spaces, joiners, direction marks, variation selectors).
_INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf"}


def _drawn(char: str) -> bool:
    return unicodedata.category(char) not in _INVISIBLE_CATEGORIES and not 0xFE00 <= ord(char) <= 0xFE0F


class FontconfigUnavailable(RuntimeError):
    """The fontconfig library could not be loaded, so coverage cannot be checked (WeasyPrint needs it too)."""


class _FcFontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.POINTER(ctypes.c_void_p))]


class _Fontconfig:
    """The few fontconfig calls needed to build one character set per family (and one for all fonts)."""

    def __init__(self) -> None:
        path = ctypes.util.find_library("fontconfig") or "libfontconfig.so.1"
        try:
            lib = ctypes.CDLL(path)
        except OSError as error:
            raise FontconfigUnavailable(str(error)) from None
        lib.FcNameParse.restype = ctypes.c_void_p
        lib.FcNameParse.argtypes = [ctypes.c_char_p]
        lib.FcPatternCreate.restype = ctypes.c_void_p
        lib.FcPatternDestroy.argtypes = [ctypes.c_void_p]
        lib.FcObjectSetBuild.restype = ctypes.c_void_p
        lib.FcObjectSetDestroy.argtypes = [ctypes.c_void_p]
        lib.FcFontList.restype = ctypes.POINTER(_FcFontSet)
        lib.FcFontList.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
        lib.FcFontSetDestroy.argtypes = [ctypes.POINTER(_FcFontSet)]
        lib.FcPatternGetCharSet.restype = ctypes.c_int
        lib.FcPatternGetCharSet.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_void_p),
        ]
        lib.FcCharSetCreate.restype = ctypes.c_void_p
        lib.FcCharSetUnion.restype = ctypes.c_void_p
        lib.FcCharSetUnion.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        lib.FcCharSetDestroy.argtypes = [ctypes.c_void_p]
        lib.FcCharSetHasChar.restype = ctypes.c_int
        lib.FcCharSetHasChar.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
        self.lib = lib

    def charset(self, family: str | None) -> int:
        """A new FcCharSet: every character drawn by some face of `family` (or by any installed font)."""
        lib = self.lib
        pattern = lib.FcNameParse(family.encode()) if family else lib.FcPatternCreate()
        objects = lib.FcObjectSetBuild(b"charset", None)
        fonts = lib.FcFontList(None, pattern, objects)
        union: int = lib.FcCharSetCreate()
        try:
            for index in range(fonts.contents.nfont if fonts else 0):
                charset = ctypes.c_void_p()
                if lib.FcPatternGetCharSet(fonts.contents.fonts[index], b"charset", 0, ctypes.byref(charset)) == 0:
                    merged = lib.FcCharSetUnion(union, charset)
                    lib.FcCharSetDestroy(union)
                    union = merged
        finally:
            if fonts:
                lib.FcFontSetDestroy(fonts)
            lib.FcObjectSetDestroy(objects)
            lib.FcPatternDestroy(pattern)
        return union

    def has_char(self, charset: int, char: str) -> bool:
        return bool(self.lib.FcCharSetHasChar(charset, ord(char)))


_lock = threading.Lock()
_fontconfig: _Fontconfig | None = None
_charsets: dict[str | None, int] = {}


def _charset(family: str | None) -> tuple[_Fontconfig, int]:
    """The character set of `family` (None: all installed fonts), built once per process."""
    global _fontconfig
    with _lock:
        if _fontconfig is None:
            _fontconfig = _Fontconfig()
        if family not in _charsets:
            _charsets[family] = _fontconfig.charset(family)
        return _fontconfig, _charsets[family]


def family_covers(family: str, text: str) -> list[str]:
    """The characters of `text` (drawn ones, each once) that `family` has no glyph for."""
    fontconfig, charset = _charset(family)
    return [char for char in dict.fromkeys(text) if _drawn(char) and not fontconfig.has_char(charset, char)]


def missing_scripts() -> list[Script]:
    """Scripts whose sample is not fully drawn by the families the print stylesheet names for them."""
    missing = []
    for script in SCRIPTS:
        uncovered = set(script.sample)
        for family in (*script.families, BASE_FAMILY):
            uncovered &= set(family_covers(family, script.sample))
        if any(_drawn(char) for char in uncovered):
            missing.append(script)
    return missing


def uncovered_characters(texts: Iterable[str]) -> list[str]:
    """Characters of `texts` (each once, in order) that no installed font can draw: they would print as boxes."""
    fontconfig, charset = _charset(None)
    seen: dict[str, None] = {}
    for text in texts:
        for char in text:
            if char not in seen and _drawn(char) and not fontconfig.has_char(charset, char):
                seen[char] = None
    return list(seen)


def describe(char: str) -> str:
    """A character as a clinician can find it in the plan: the character and its Unicode name."""
    return f"{char} (U+{ord(char):04X} {unicodedata.name(char, '?')})"
