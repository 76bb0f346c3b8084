"""Placing measured blocks on the card's panels, in order (pure: no WeasyPrint, no Django)."""

from collections.abc import Mapping, Sequence

EPSILON_MM = 1e-6


def pack(
    blocks: Sequence[tuple[int, bool]], *, heights: Mapping[int, float], capacities: Sequence[float]
) -> tuple[list[list[int]], list[int]]:
    """Place blocks, given as (index, is_heading) in reading order, on panels of the given heights.

    A heading stays with its first entry: it is placed only together with it. Returns the block
    indices on each panel, and the indices of the entries that did not fit anywhere (in order).
    """
    panels: list[list[int]] = [[] for _ in capacities]
    not_fitting: list[int] = []
    current, used = 0, 0.0
    pending_heading: int | None = None
    for index, is_heading in blocks:
        if is_heading:
            pending_heading = index
            continue
        need = heights[index] + (heights[pending_heading] if pending_heading is not None else 0.0)
        while current < len(capacities) and used + need > capacities[current] + EPSILON_MM:
            if used == 0.0:
                break  # taller than an empty panel: it can never fit
            current, used = current + 1, 0.0
        if current >= len(capacities) or used + need > capacities[current] + EPSILON_MM:
            not_fitting.append(index)
            continue
        if pending_heading is not None:
            panels[current].append(pending_heading)
            pending_heading = None
        panels[current].append(index)
        used += need
    return panels, not_fitting
