"""The word diff (plans/worddiff.py): words, spaces and punctuation in any script, and segments that rebuild both texts."""

from plans.worddiff import diff_words, tokenize

from .helpers import changed, rebuilt


def test_it_marks_the_changed_words_in_spanish_with_accents():
    segments = diff_words("Llamar a mi mamá por la mañana", "Llamar a mi abuela por la tarde")

    assert changed(segments) == [("delete", "mamá"), ("insert", "abuela"), ("delete", "mañana"), ("insert", "tarde")]
    assert rebuilt(segments) == ("Llamar a mi mamá por la mañana", "Llamar a mi abuela por la tarde")


def test_it_keeps_a_decomposed_accent_with_its_letter():
    decomposed = "mama\u0301"  # "mamá" with a combining acute accent

    assert tokenize(f"mi {decomposed}") == ["mi", " ", decomposed]


def test_it_marks_the_changed_words_in_arabic():
    segments = diff_words("أتصل بأختي في المساء", "أتصل بأمي في الصباح")

    assert changed(segments) == [("delete", "بأختي"), ("insert", "بأمي"), ("delete", "المساء"), ("insert", "الصباح")]


def test_it_keeps_arabic_vowel_marks_inside_their_word():
    assert tokenize("كَتَبَ رسالة") == ["كَتَبَ", " ", "رسالة"]
    segments = diff_words("كَتَبَ رسالة", "كُتِبَ رسالة")

    assert changed(segments) == [("delete", "كَتَبَ"), ("insert", "كُتِبَ")]


def test_it_marks_the_changed_characters_in_chinese():
    segments = diff_words("我想给妈妈打电话", "我想给爸爸打电话")

    assert changed(segments) == [("delete", "妈妈"), ("insert", "爸爸")]
    assert rebuilt(segments) == ("我想给妈妈打电话", "我想给爸爸打电话")


def test_it_folds_the_spaces_between_changed_words_into_one_change():
    assert changed(diff_words("go for a walk", "go to the park")) == [
        ("delete", "for a walk"),
        ("insert", "to the park"),
    ]


def test_every_diff_rebuilds_both_texts():
    pairs = [
        ("", "Something new"),
        ("Something old", ""),
        ("line one\nline two", "line one\n\nline 2!"),
        ("Ir al parque, ¿sí?", "Ir a la playa, ¡sí!"),
        ("น้ำดื่ม", "น้ำชา"),
        ("مرحبا يا صديقي", "مرحبا 👋🏽 يا صديقتي"),
        ("x" * 200, "x" * 199 + "y"),
    ]
    for old, new in pairs:
        assert rebuilt(diff_words(old, new)) == (old, new)
