"""Reading PDFs back (pypdf, fontTools): text, page sizes, font sizes and the fonts embedded."""

import io
import re

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

MM = 72 / 25.4  # PDF points per millimetre


def reader(content: bytes) -> PdfReader:
    assert content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(content))


def page_texts(content: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in reader(content).pages]


def all_text(content: bytes) -> str:
    return " ".join(page_texts(content))


def page_size_mm(content: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width) / MM, float(p.mediabox.height) / MM) for p in reader(content).pages]


def operations(content: bytes, page: int = 0) -> list[tuple[list[object], bytes]]:
    pdf = reader(content)
    return list(ContentStream(pdf.pages[page].get_contents(), pdf).operations)


def font_sizes_pt(content: bytes) -> list[float]:
    """Font sizes of every text run, in points (WeasyPrint draws in CSS pixels scaled by 0.75)."""
    sizes = []
    for page in range(len(reader(content).pages)):
        for operands, operator in operations(content, page):
            if operator == b"Tf":
                sizes.append(float(operands[1]) * 0.75)  # type: ignore[arg-type]
    return sizes


_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>")  # a glyph can map to nothing (<>)


def _utf16(hex_bytes: bytes) -> str:
    return bytes.fromhex(hex_bytes.decode()).decode("utf-16-be", errors="replace")


def embedded_fonts(content: bytes) -> dict[str, set[str]]:
    """Every embedded font's name, and the characters it draws with a real glyph of its own.

    A glyph counts when the ToUnicode map points it at the character. Every glyph drawn must be a real
    one: not .notdef (0), and one the embedded font program has (WeasyPrint keeps glyph ids when
    subsetting, and gives a character no font could draw an id past the font's last glyph).
    """
    fonts: dict[str, set[str]] = {}
    for page in reader(content).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            name = str(font["/BaseFont"])
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            assert program is not None, f"{name} is not embedded"
            glyph_count = TTFont(io.BytesIO(program.get_object().get_data()))["maxp"].numGlyphs
            chars = fonts.setdefault(name, set())
            cmap = font["/ToUnicode"].get_object().get_data()
            assert b"beginbfrange" not in cmap, "WeasyPrint writes bfchar maps; read bfrange too if that changes"
            for block in _BFCHAR.findall(cmap):
                values = _HEX.findall(block)
                for glyph, target in zip(values[::2], values[1::2], strict=True):
                    assert 0 < int(glyph, 16) < glyph_count, f"{name} draws a missing glyph (a box) for {target!r}"
                    chars.update(_utf16(target))
    return fonts
