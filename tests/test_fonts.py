"""The font probe (printing/fonts.py): which installed faces draw which characters, read with fontTools."""

import gc
import threading
import warnings
from collections import Counter

import pytest

from printing import checks, fonts

HEBREW = "שלום, המשפחה שלי"
LATIN = "Walk the dog; call Sam at 555-0100 (¿Qué tal?)."
UNASSIGNED = "\u0378"  # no font has a glyph for an unassigned code point


@pytest.fixture
def fresh_index(monkeypatch):
    """The fonts are scanned anew for this test, with no character map read yet (the process's index comes back after)."""
    monkeypatch.setattr(fonts, "_index", None)


def cjk(face: fonts.Face) -> bool:
    return any("CJK" in family for family in face.families)


def stylesheet_faces() -> set[fonts.Face]:
    index = fonts.face_index()
    families = (fonts.BASE_FAMILY, *(family for script in fonts.SCRIPTS for family in script.families))
    return {face for family in families for face in index.faces_of(family)}


def test_the_index_finds_every_family_the_print_stylesheet_names():
    families = fonts.face_index().families()
    assert "Noto Sans Arabic" in families
    for script in fonts.SCRIPTS:
        assert set(script.families) <= families, script.key


def test_the_cjk_families_are_faces_inside_collections():
    index = fonts.face_index()
    for family in ("Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans CJK KR"):
        faces = index.faces_of(family)
        assert faces, family
        assert all(face.path.lower().endswith(".ttc") for face in faces), family
    assert any(face.index > 0 for face in index.faces_of("Noto Sans CJK SC"))  # not the collection's first face


def test_a_family_is_found_whatever_its_case_and_spacing():
    index = fonts.face_index()
    assert index.faces_of("noto sans  cjk sc") == index.faces_of("Noto Sans CJK SC") != ()
    assert index.faces_of("No Such Family") == ()


def test_noto_sans_draws_no_hebrew_letter_and_noto_sans_hebrew_every_one():
    letters = [char for char in dict.fromkeys(HEBREW) if char not in " ,"]
    assert fonts.family_covers("Noto Sans", HEBREW) == letters
    assert fonts.family_covers("Noto Sans Hebrew", HEBREW) == [","]  # why the stylesheet puts Noto Sans first


def test_a_family_that_is_not_installed_covers_nothing_drawn():
    assert fonts.family_covers("No Such Family", "a b\u200da") == ["a", "b"]


def test_an_unassigned_code_point_is_uncovered_once_and_invisible_characters_never():
    texts = [f"a{UNASSIGNED}b", UNASSIGNED, "\u200d\u200f \ufe0f\n"]
    assert fonts.uncovered_characters(texts) == [UNASSIGNED]


def test_plain_latin_reads_only_the_base_family(fresh_index):
    assert fonts.uncovered_characters([LATIN, "Tiếng Việt"]) == []
    loaded = fonts.face_index().loaded()
    assert loaded
    assert set(loaded) <= set(fonts.face_index().faces_of(fonts.BASE_FAMILY))


def test_chinese_reads_the_stylesheets_families_and_no_others(fresh_index):
    assert fonts.uncovered_characters(["你好，我的家人对我很重要。", LATIN]) == []
    loaded = fonts.face_index().loaded()
    assert any(cjk(face) for face in loaded)
    assert set(loaded) <= stylesheet_faces()


def test_a_script_outside_the_stylesheet_is_found_before_the_other_cjk_collections_are_read(fresh_index):
    assert fonts.uncovered_characters(["ᏣᎳᎩ"]) == []  # Cherokee: Noto Sans Cherokee, not named by the stylesheet
    others = set(fonts.face_index().loaded()) - stylesheet_faces()
    assert others
    assert not any(cjk(face) for face in others)  # Noto Serif CJK, Noto Sans CJK HK, Mono: the largest files


def test_each_character_map_is_read_once_however_many_threads_ask(fresh_index, monkeypatch):
    reads: Counter[fonts.Face] = Counter()
    scans: list[object] = []
    real_read, real_scan = fonts._read_coverage, fonts.FaceIndex.scan

    def counted_read(face):
        reads[face] += 1
        return real_read(face)

    def counted_scan(directories):
        scans.append(directories)
        return real_scan(directories)

    monkeypatch.setattr(fonts, "_read_coverage", counted_read)
    monkeypatch.setattr(fonts.FaceIndex, "scan", counted_scan)
    start = threading.Barrier(6)
    answers: list[list[str]] = []

    def ask():
        start.wait()
        answers.append(fonts.uncovered_characters(["안녕하세요", "こんにちは", HEBREW]))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [[]] * 6
    assert len(scans) == 1
    assert reads and max(reads.values()) == 1


def test_font_files_are_found_by_suffix_in_any_case_through_links(tmp_path):
    hebrew = fonts.face_index().faces_of("Noto Sans Hebrew")[0]
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "HEBREW.TTF").symlink_to(hebrew.path)
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)  # followed once, not forever
    (tmp_path / "broken.otf").write_bytes(b"not a font")
    (tmp_path / "readme.txt").write_text("not a font either")
    index = fonts.FaceIndex.scan([str(tmp_path)])
    assert [face.families for face in index.faces] == [hebrew.families]
    assert index.faces[0].path == str(tmp_path / "sub" / "HEBREW.TTF")
    assert index.unresolved("שלום", index.faces) == set()


def test_no_readable_font_means_fonts_are_unavailable(tmp_path):
    (tmp_path / "broken.ttf").write_bytes(b"\x00\x01\x00\x00 truncated")
    with pytest.raises(fonts.FontsUnavailable):
        fonts.FaceIndex.scan([str(tmp_path), str(tmp_path / "missing")])


def test_an_unreadable_font_file_is_closed_when_it_is_skipped(tmp_path):
    """A file that fontTools cannot read is closed by the scan, not left for the garbage collector."""
    (tmp_path / "broken.ttf").write_bytes(b"\x00\x01\x00\x00 truncated")
    (tmp_path / "broken.ttc").write_bytes(b"ttcf truncated")
    (tmp_path / "hebrew.ttf").symlink_to(fonts.face_index().faces_of("Noto Sans Hebrew")[0].path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        index = fonts.FaceIndex.scan([str(tmp_path)])
        gc.collect()
    assert [face.families for face in index.faces] == [fonts.face_index().faces_of("Noto Sans Hebrew")[0].families]
    left_open = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert left_open == [], left_open


def test_the_check_framework_warns_when_no_font_directory_holds_fonts(fresh_index, monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "FONT_DIRECTORIES", (str(tmp_path / "missing"),))
    messages = checks.check_print_fonts()
    assert [m.id for m in messages] == ["plans.W002"]
    assert str(tmp_path / "missing") in messages[0].hint
    assert fonts._index is None  # nothing kept: fonts installed later are found on the next call


def test_describe_names_the_character():
    assert fonts.describe("é") == "é (U+00E9 LATIN SMALL LETTER E WITH ACUTE)"
    assert fonts.describe(UNASSIGNED) == f"{UNASSIGNED} (U+0378 ?)"
