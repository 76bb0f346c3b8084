"""Arranging a card's pieces on its four panels (printing/packer.py): pure, no WeasyPrint."""

import random

import pytest

from printing.packer import CROWDED, Group, arrange

FRONT, INSIDE, BACK, NOT_FRONT = frozenset({0}), frozenset({1, 2}), frozenset({3}), frozenset({1, 2, 3})
CAPS = [20.0, 48.8, 48.8, 48.8]  # the front has the title and crisis lines; the others a whole panel


def group(home: frozenset[int], allowed: frozenset[int] = NOT_FRONT, heading: float = 3.0) -> Group:
    return Group(heading=heading, continued=heading, homes=home, allowed=allowed)


WHAT_MATTERS = group(FRONT, FRONT | NOT_FRONT)
WARNING, COPING, PEOPLE, PROS = group(INSIDE), group(INSIDE), group(BACK), group(BACK)


def run(pieces: list[tuple[int, float]], groups: list[Group], caps: list[float] = CAPS):
    return arrange(groups=[g for g, _h in pieces], heights=[h for _g, h in pieces], group_of=groups, capacities=caps)


def test_each_section_goes_to_its_home_panel_when_it_fits():
    pieces = [(0, 5), (1, 6), (1, 6), (2, 6), (3, 6), (3, 6), (4, 6)]
    result = run(pieces, [WHAT_MATTERS, WARNING, COPING, PEOPLE, PROS])
    assert result.fits
    front, inside_1, inside_2, back = result.panels
    assert front == (0,)
    assert set(inside_1 + inside_2) == {1, 2, 3}
    assert back == (4, 5, 6)


def test_inside_sections_are_shared_between_the_two_inside_panels_evenly():
    pieces = [(0, 10), (0, 10), (0, 10), (1, 10), (1, 10), (1, 10)]
    result = run(pieces, [WARNING, COPING], caps=[20, 48.8, 48.8, 48.8])
    # Warning signs on the first inside panel, what I can do on the second: no heading repeated.
    assert result.panels[1] == (0, 1, 2) and result.panels[2] == (3, 4, 5)


def test_a_section_too_long_for_one_panel_runs_on_with_a_continued_heading_place():
    pieces = [(0, 12)] * 6  # 6 x 12 mm of warning signs: more than one panel
    result = run(pieces, [WARNING])
    assert result.fits
    assert result.panels[1] and result.panels[2]  # continued on the second inside panel
    assert result.panels[3] == ()  # and not beyond: the back is no home of it


def test_no_panel_is_left_empty_while_another_is_crowded():
    # One warning sign, and more people than the back holds comfortably.
    pieces = [(0, 5), *[(1, 6.5)] * 7]
    result = run(pieces, [WARNING, PEOPLE])
    assert result.fits
    fills = [sum(6.5 if i else 5 for i in panel) for panel in result.panels[1:]]
    assert all(result.panels[1:]), result.panels
    assert max(fills) < 48.8 * CROWDED + 6.5


def test_what_does_not_fit_is_named_in_order_and_the_rest_placed():
    pieces = [(0, 30)] * 8  # 240 mm of warning signs: never fits
    result = run(pieces, [WARNING])
    assert not result.fits
    placed = [i for panel in result.panels for i in panel]
    assert sorted(placed + list(result.not_fitting)) == list(range(8))
    assert list(result.not_fitting) == sorted(result.not_fitting)
    assert result.panels[0] == ()  # never on the front, even when space is short


def test_a_piece_taller_than_any_panel_is_named_and_the_others_still_fit():
    pieces = [(0, 5), (0, 200), (0, 5)]
    result = run(pieces, [WARNING])
    assert result.not_fitting == (1,)
    assert sorted(i for panel in result.panels for i in panel) == [0, 2]


def test_what_matters_may_continue_inside_when_the_front_is_full():
    pieces = [(0, 8), (0, 8), (0, 8), (1, 6)]
    result = run(pieces, [WHAT_MATTERS, WARNING])
    assert result.fits
    assert result.panels[0] == (0, 1)  # 3 + 8 + 8 = 19 mm of 20 on the front
    assert 2 in result.panels[1]


@pytest.mark.parametrize("seed", range(40))
def test_any_arrangement_keeps_order_places_each_piece_once_and_respects_panels(seed):
    rng = random.Random(seed)
    groups = [WHAT_MATTERS, WARNING, COPING, PEOPLE, PROS]
    pieces = [(g, rng.uniform(3, 14)) for g in range(5) for _ in range(rng.randint(0, 6))]
    result = run(pieces, groups)
    order = [i for panel in result.panels for i in panel]
    assert order == sorted(order)
    assert sorted(order + list(result.not_fitting)) == list(range(len(pieces)))
    for number, panel in enumerate(result.panels):
        assert all(number in groups[pieces[i][0]].allowed for i in panel)
    if result.fits:
        counts = [len(panel) for panel in result.panels[1:]]
        assert not (0 in counts and any(c > 0 for c in counts) and _crowded(result, pieces, groups)), result.panels


def _crowded(result, pieces, groups) -> bool:
    for number, panel in enumerate(result.panels):
        if number == 0:
            continue  # the front is full by design
        seen: set[int] = set()
        total = 0.0
        for i in panel:
            g = pieces[i][0]
            if g not in seen:
                total += groups[g].heading
                seen.add(g)
            total += pieces[i][1]
        if total > CAPS[number] * CROWDED:
            return True
    return False
