"""Arranging measured pieces on the card's panels (pure: no WeasyPrint, no Django).

The card is designed by panel: each group of pieces (a section of the card) has a home, the panels
where it belongs, and the panels it may go on at all. Pieces keep their order and are cut into four
runs, one per panel; a group that starts on one panel and goes on to the next gets its heading again
there, marked as continued. Of every way to cut that fits, the arrangement chosen is, in this order:

1. one that leaves no panel empty while another is crowded (over `CROWDED` of its height; the front,
   which holds the title and the crisis lines, is not counted);
2. the one that keeps most pieces on their home panels;
3. the one with the fewest continued headings;
4. the one with no empty panel before a panel with something on it;
5. the best balanced (the fullest panel as empty as possible);
6. the one whose empty panels, if any, are nearest the back.

When no cut fits everything, pieces are placed in order wherever they fit and the rest are returned
as not fitting, so the clinician can be told exactly which.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

EPSILON_MM = 1e-6
CROWDED = 0.8  # a panel filled beyond this share of its height counts as crowded


@dataclass(frozen=True)
class Group:
    heading: float  # mm: the group's heading, above its first piece
    continued: float  # mm: its heading on a later panel, marked as continued
    homes: frozenset[int]  # the panels it belongs on
    allowed: frozenset[int]  # the panels it may go on at all


@dataclass(frozen=True)
class Arrangement:
    panels: tuple[tuple[int, ...], ...]  # the indices of the pieces on each panel, in order
    not_fitting: tuple[int, ...]  # pieces that did not fit anywhere

    @property
    def fits(self) -> bool:
        return not self.not_fitting


def _run_heights(groups: Sequence[int], heights: Sequence[float], group_of: Sequence[Group]) -> list[list[float]]:
    """table[a][b]: the height of pieces a..b-1 on one panel, with their headings (b from a to n)."""
    n = len(heights)
    first: dict[int, int] = {}
    for index, group in enumerate(groups):
        first.setdefault(group, index)
    table: list[list[float]] = []
    for a in range(n + 1):
        row = [0.0] * (n + 1)
        total = 0.0
        for b in range(a + 1, n + 1):
            piece = b - 1
            group = groups[piece]
            if piece == a:  # the run opens with this piece's group
                total += group_of[group].heading if first[group] == a else group_of[group].continued
            elif groups[piece - 1] != group:
                total += group_of[group].heading
            total += heights[piece]
            row[b] = total
        table.append(row)
    return table


def _allowed_runs(groups: Sequence[int], group_of: Sequence[Group], panels: int) -> list[list[int]]:
    """last[p][a]: the end of the longest run from piece a that panel p may hold."""
    n = len(groups)
    last = []
    for panel in range(panels):
        row = [n] * (n + 1)
        end = n
        for a in range(n - 1, -1, -1):
            if panel not in group_of[groups[a]].allowed:
                end = a
            row[a] = end
        last.append(row)
    return last


def _fill(height: float, capacity: float) -> float:
    return height / capacity if capacity > 0 else 1.0


def _away(panel: int, a: int, b: int, groups: Sequence[int], group_of: Sequence[Group]) -> int:
    """How many of pieces a..b-1 are not on one of their home panels when on `panel`."""
    return sum(1 for i in range(a, b) if panel not in group_of[groups[i]].homes)


def _score(
    cuts: tuple[int, ...],
    table: list[list[float]],
    groups: Sequence[int],
    group_of: Sequence[Group],
    caps: Sequence[float],
) -> tuple[int, int, int, int, float, int]:
    runs = list(pairwise(cuts))
    fills = [_fill(table[a][b], caps[p]) for p, (a, b) in enumerate(runs)]
    counts = [b - a for a, b in runs]
    crowded = any(fill > CROWDED for fill in fills[1:])  # the front is full by design: title, crisis lines
    empty_while_crowded = int(crowded and 0 in counts[1:])
    away = sum(_away(p, a, b, groups, group_of) for p, (a, b) in enumerate(runs))
    continued = sum(1 for a, b in runs[1:] if 0 < a < b and groups[a - 1] == groups[a])
    # An empty panel before one with something on it: the card would open on a blank panel.
    gaps = sum(1 for here, later in pairwise(counts[1:]) if here == 0 and later > 0)
    # Last, of two otherwise equal, the one that leaves its empty panels nearer the back.
    late_empties = -sum(index for index, count in enumerate(counts[1:]) if count == 0)
    return empty_while_crowded, away, continued, gaps, max(fills[1:], default=0.0), late_empties


def arrange(
    *, groups: Sequence[int], heights: Sequence[float], group_of: Sequence[Group], capacities: Sequence[float]
) -> Arrangement:
    """Cut pieces (in card order; `groups[i]` is piece i's group, `heights[i]` its height) into one run
    per panel (`capacities`, in mm, in reading order). Pieces of a group must be consecutive."""
    n = len(heights)
    panels = len(capacities)
    table = _run_heights(groups, heights, group_of)
    last = _allowed_runs(groups, group_of, panels)

    def fits(panel: int, a: int, b: int) -> bool:
        return b <= last[panel][a] and (a == b or table[a][b] <= capacities[panel] + EPSILON_MM)

    best: tuple[tuple[int, int, int, int, float, int], tuple[int, ...]] | None = None

    def search(panel: int, start: int, cuts: tuple[int, ...]) -> None:
        nonlocal best
        if panel == panels - 1:
            if fits(panel, start, n):
                full = (*cuts, start, n)
                score = _score(full, table, groups, group_of, capacities)
                if best is None or score < best[0]:
                    best = (score, full)
            return
        for end in range(start, n + 1):
            if not fits(panel, start, end):
                break  # runs only grow taller, and a piece not allowed here stays so
            search(panel + 1, end, (*cuts, start))

    search(0, 0, ())
    if best is not None:
        full = best[1]
        return Arrangement(panels=tuple(tuple(range(a, b)) for a, b in pairwise(full)), not_fitting=())
    return _in_order(groups, heights, group_of, capacities)


def _in_order(
    groups: Sequence[int],
    heights: Sequence[float],
    group_of: Sequence[Group],
    capacities: Sequence[float],
) -> Arrangement:
    """Place pieces in order, each on the first panel (from the current one) it may go on with room
    left; a piece taller than any panel it may go on is named, and so is every piece after the last panel."""
    placed: list[list[int]] = [[] for _ in capacities]
    not_fitting: list[int] = []
    panel = 0
    for index in range(len(heights)):
        group = group_of[groups[index]]
        alone = _height([index], groups, heights, group_of)
        if not any(alone <= capacities[p] + EPSILON_MM for p in group.allowed):
            not_fitting.append(index)  # taller than any panel it may go on: it can never fit
            continue
        while panel < len(capacities):
            if panel in group.allowed:
                run = [*placed[panel], index]
                if _height(run, groups, heights, group_of) <= capacities[panel] + EPSILON_MM:
                    placed[panel].append(index)
                    break
            panel += 1
        else:
            not_fitting.append(index)
    return Arrangement(panels=tuple(tuple(run) for run in placed), not_fitting=tuple(not_fitting))


def _height(run: Sequence[int], groups: Sequence[int], heights: Sequence[float], group_of: Sequence[Group]) -> float:
    """The height of a run of pieces (not necessarily consecutive) on one panel, with their headings."""
    total = 0.0
    previous: int | None = None
    for index in run:
        group = groups[index]
        if group != previous:
            starts_group = index == 0 or groups[index - 1] != group
            total += group_of[group].heading if starts_group else group_of[group].continued
        total += heights[index]
        previous = group
    return total
