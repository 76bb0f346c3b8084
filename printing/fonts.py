"""Which characters the print fonts can draw, read from the installed font files with fontTools.

Printed plans must show every character as a real glyph, never as a box. The fonts come from Debian's
fonts-noto-core and fonts-noto-cjk packages (installed by `make system-packages`) and are named in
static/css/print-fonts.css. This module answers two questions, cheaply and once per process:

- is every script we promise to print covered by the families the print stylesheet names?
  (`missing_scripts`, used by `manage.py check` and the print pages);
- which characters of a given text has no installed font at all? (`uncovered_characters`, used by the
  print pages and by printing/engine.py before a PDF is made: such a character would print as a box, so the
  app says so instead).

The fonts are found where fontconfig's default configuration (which WeasyPrint uses) looks for them,
`FONT_DIRECTORIES`. Both questions use one index of the installed faces per process: each face's family
names, read from its 'name' table (about 0.1 s for Debian's Noto fonts). A face's character map is read
only when a question needs it, then kept: the families of the print stylesheet are asked first, so
ordinary text never reads the large Chinese, Japanese and Korean collections. Nothing here logs the text
asked about, only counts and font file paths.
"""

import logging
import os
import struct
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from fontTools.ttLib import TTCollection, TTFont, TTLibError


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
    Script("thai", _("Thai"), ("Noto Sans Thai",), "สวัสดีครับ ครอบครัวของฉันมีความหมายมาก", "fonts-noto-core"),
    Script("bengali", _("Bengali"), ("Noto Sans Bengali",), "আমার পরিবার আমার কাছে খুব গুরুত্বপূর্ণ।", "fonts-noto-core"),
    Script(
        "gurmukhi", _("Gurmukhi (Punjabi)"), ("Noto Sans Gurmukhi",), "ਮੇਰਾ ਪਰਿਵਾਰ ਮੇਰੇ ਲਈ ਬਹੁਤ ਜ਼ਰੂਰੀ ਹੈ।", "fonts-noto-core"
    ),
    Script("gujarati", _("Gujarati"), ("Noto Sans Gujarati",), "મારો પરિવાર મારા માટે ખૂબ મહત્વનો છે.", "fonts-noto-core"),
    Script("tamil", _("Tamil"), ("Noto Sans Tamil",), "என் குடும்பம் எனக்கு மிகவும் முக்கியம்.", "fonts-noto-core"),
    Script("telugu", _("Telugu"), ("Noto Sans Telugu",), "నా కుటుంబం నాకు చాలా ముఖ్యం.", "fonts-noto-core"),
    Script("sinhala", _("Sinhala"), ("Noto Sans Sinhala",), "මගේ පවුල මට ඉතා වැදගත්.", "fonts-noto-core"),
    Script("myanmar", _("Myanmar (Burmese)"), ("Noto Sans Myanmar",), "ကျွန်ုပ်၏မိသားစုသည် အလွန်အရေးကြီးသည်။", "fonts-noto-core"),
    Script("khmer", _("Khmer"), ("Noto Sans Khmer",), "គ្រួសាររបស់ខ្ញុំសំខាន់ណាស់។", "fonts-noto-core"),
    Script("lao", _("Lao"), ("Noto Sans Lao",), "ຂ້ອຍຮັກຄອບຄົວຂອງຂ້ອຍ", "fonts-noto-core"),
    Script(
        "ethiopic",
        _("Ethiopic (Amharic, Tigrinya)"),
        ("Noto Sans Ethiopic",),
        "ቤተሰቤ ለእኔ በጣም አስፈላጊ ነው።",
        "fonts-noto-core",
    ),
    Script(
        "armenian", _("Armenian"), ("Noto Sans Armenian",), "Իմ ընտանիքը ինձ համար շատ կարևոր է։", "fonts-noto-core"
    ),
    Script(
        "georgian",
        _("Georgian"),
        ("Noto Sans Georgian",),
        "ჩემი ოჯახი ჩემთვის ძალიან მნიშვნელოვანია.",
        "fonts-noto-core",
    ),
    Script("urdu", _("Urdu"), ("Noto Sans Arabic",), "میرا خاندان میرے لیے بہت اہم ہے۔", "fonts-noto-core"),
    # Emoji, in colour: people write them in their own words (a dog, a heart, a thumbs-up).
    Script("emoji", _("Emoji"), ("Noto Color Emoji",), "🐶❤️👍🏽🎵🌊☕", "fonts-noto-color-emoji"),
)
SCRIPTS_BY_KEY = {script.key: script for script in SCRIPTS}
# First in every font stack of the print stylesheet: it draws the Latin punctuation and digits
# that fonts for other scripts leave out.
BASE_FAMILY = "Noto Sans"

# Characters that are never drawn (spaces, joiners, direction marks, variation selectors).
_INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf"}

# Where fontconfig's default configuration finds fonts (searched recursively), and the files it reads
# that fontTools can read too (TrueType and OpenType fonts and collections).
FONT_DIRECTORIES: tuple[str, ...] = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
_COLLECTION_SUFFIXES = (".ttc", ".otc")
# What fontTools raises for a damaged or unusual font file; such a file is skipped, as fontconfig does.
_UNREADABLE = (OSError, EOFError, TTLibError, struct.error, ValueError, KeyError, IndexError, AssertionError)
# The 'name' table's typographic family (16) and legacy family (1), e.g. "Noto Sans" for every weight.
_FAMILY_NAME_IDS = (16, 1)

logger = logging.getLogger(__name__)


def _drawn(char: str) -> bool:
    return unicodedata.category(char) not in _INVISIBLE_CATEGORIES and not 0xFE00 <= ord(char) <= 0xFE0F


class FontsUnavailable(RuntimeError):
    """No font could be read from the font directories, so coverage cannot be checked (nor anything printed)."""


def _family_key(family: str) -> str:
    """A family name as fontconfig compares it: ignoring case and spaces."""
    return "".join(family.split()).casefold()


@dataclass(frozen=True)
class Face:
    """One face of an installed font file (a .ttc or .otc collection holds several)."""

    path: str
    index: int  # the face's number in its collection; 0 for a single font
    families: tuple[str, ...]  # as its 'name' table spells them
    size: int  # of the file, in bytes


def font_files(directories: Iterable[str]) -> list[Path]:
    """The font files under `directories` (recursively, following links), each once, in path order."""
    found: dict[Path, None] = {}
    seen_directories: set[str] = set()
    for directory in directories:
        for root, subdirectories, files in os.walk(os.path.expanduser(directory), followlinks=True):
            real = os.path.realpath(root)
            if real in seen_directories:  # a link back up the tree, or a directory listed twice
                subdirectories.clear()
                continue
            seen_directories.add(real)
            for name in files:
                if name.lower().endswith(FONT_SUFFIXES):
                    found.setdefault(Path(root, name), None)
    return sorted(found)


def _families(font: TTFont) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for record in font["name"].names:
        if record.nameID in _FAMILY_NAME_IDS:
            try:
                names.setdefault(record.toUnicode(), None)
            except UnicodeDecodeError:
                continue
    return tuple(names)


def _read_faces(path: Path) -> list[Face]:
    """The faces of one font file, with their family names (only the 'name' table is read)."""
    size = path.stat().st_size
    with path.open("rb") as handle:  # closed even when fontTools cannot read the file
        if path.name.lower().endswith(_COLLECTION_SUFFIXES):
            collection = TTCollection(handle, lazy=True)
            return [Face(str(path), index, _families(font), size) for index, font in enumerate(collection.fonts)]
        return [Face(str(path), 0, _families(TTFont(handle, lazy=True)), size)]


def _read_coverage(face: Face) -> frozenset[int]:
    """The code points `face` maps to a real glyph (not to .notdef), from its best Unicode 'cmap' subtable."""
    with Path(face.path).open("rb") as handle:  # closed even when fontTools cannot read the file
        font = TTFont(handle, fontNumber=face.index, lazy=True)
        try:
            cmap = font.getBestCmap()  # None for a font without a Unicode subtable (a symbol font)
            if not cmap:
                return frozenset()
            notdef = font.getGlyphOrder()[0]
            return frozenset(code for code, glyph in cmap.items() if glyph != notdef)
        finally:
            # The tables read point back at the font: dropping them frees the glyph names and maps now,
            # not at the next full garbage collection (reading every CJK face would otherwise hold ~0.7 GB).
            for tag in list(font.tables):
                del font[tag]


class FaceIndex:
    """The installed faces by family, and the character map of each face once something needed it.

    Safe to share between threads: a face's map is read once, under a lock.
    """

    def __init__(self, faces: Sequence[Face]) -> None:
        self.faces = tuple(faces)
        self._by_family: dict[str, list[Face]] = {}
        for face in self.faces:
            for key in dict.fromkeys(_family_key(family) for family in face.families):
                self._by_family.setdefault(key, []).append(face)
        self._lock = threading.Lock()
        self._coverage: dict[Face, frozenset[int]] = {}
        # Faces of one collection, or bold and regular, often map the same characters: keep one copy.
        self._distinct: dict[frozenset[int], frozenset[int]] = {}
        self._search_order: tuple[Face, ...] | None = None

    @classmethod
    def scan(cls, directories: Sequence[str]) -> "FaceIndex":
        """Every face of every font file under `directories`; FontsUnavailable when none can be read."""
        faces: list[Face] = []
        unreadable = 0
        for path in font_files(directories):
            try:
                faces.extend(_read_faces(path))
            except _UNREADABLE:
                unreadable += 1
                logger.warning("font file skipped, unreadable: %s", path)
        if not faces:
            raise FontsUnavailable(f"no font could be read in {', '.join(directories)} ({unreadable} unreadable)")
        logger.debug("font index: %d faces, %d unreadable files", len(faces), unreadable)
        return cls(faces)

    def families(self) -> set[str]:
        return {family for face in self.faces for family in face.families}

    def faces_of(self, family: str) -> tuple[Face, ...]:
        return tuple(self._by_family.get(_family_key(family), ()))

    def search_order(self) -> tuple[Face, ...]:
        """The stylesheet's families first (the base family, then those of each script), then the others,
        smallest files first: a character outside the stylesheet's scripts is then usually found before
        the large CJK collections have to be read."""
        if self._search_order is None:
            preferred = dict.fromkeys(
                face
                for family in (BASE_FAMILY, *(family for script in SCRIPTS for family in script.families))
                for face in self.faces_of(family)
            )
            others = sorted(
                (face for face in self.faces if face not in preferred),
                key=lambda face: (face.size, face.path, face.index),
            )
            self._search_order = (*preferred, *others)
        return self._search_order

    def coverage(self, face: Face) -> frozenset[int]:
        """The code points `face` draws, read from its file the first time and then kept."""
        with self._lock:
            if face not in self._coverage:
                try:
                    read = _read_coverage(face)
                except _UNREADABLE:
                    logger.warning("font face skipped, unreadable character map: %s #%d", face.path, face.index)
                    read = frozenset()
                self._coverage[face] = self._distinct.setdefault(read, read)
            return self._coverage[face]

    def loaded(self) -> list[Face]:
        """The faces whose character map has been read so far."""
        with self._lock:
            return list(self._coverage)

    def unresolved(self, chars: Iterable[str], faces: Iterable[Face]) -> set[str]:
        """Those of `chars` that none of `faces` draws; stops reading faces once every one is drawn."""
        remaining = set(chars)
        for face in faces:
            if not remaining:
                break
            coverage = self.coverage(face)
            remaining = {char for char in remaining if ord(char) not in coverage}
        return remaining


_lock = threading.Lock()
_index: FaceIndex | None = None


def face_index() -> FaceIndex:
    """The installed faces, scanned once per process (FontsUnavailable, and no scan kept, when there are none)."""
    global _index
    with _lock:
        if _index is None:
            _index = FaceIndex.scan(FONT_DIRECTORIES)
        return _index


def _drawn_once(texts: Iterable[str]) -> list[str]:
    return [char for char in dict.fromkeys(char for text in texts for char in text) if _drawn(char)]


def family_covers(family: str, text: str) -> list[str]:
    """The characters of `text` (drawn ones, each once, in order) that no face of `family` has a glyph for."""
    index = face_index()
    wanted = _drawn_once([text])
    remaining = index.unresolved(wanted, index.faces_of(family))
    return [char for char in wanted if char in remaining]


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
    index = face_index()
    wanted = _drawn_once(texts)
    remaining = index.unresolved(wanted, index.search_order())
    return [char for char in wanted if char in remaining]


def describe(char: str) -> str:
    """A character as a clinician can find it in the plan: the character and its Unicode name."""
    return f"{char} (U+{ord(char):04X} {unicodedata.name(char, '?')})"
