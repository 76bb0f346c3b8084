"""Row operations without JavaScript.

Buttons post `op` = "add:<section>", "remove:<section>:<i>", "up:<section>:<i>", "down:<section>:<i>"
or "suggest:<section>:<text>"; the same data is then re-bound with the operation applied.
"""

from collections.abc import Callable, Iterable

from django.http import QueryDict

from ..steps import SECTIONS_BY_KEY, Section
from .editor import MAX_ENTRIES_PER_SECTION


class BadOperation(ValueError):
    pass


def _total(data: QueryDict, prefix: str) -> int:
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", ""))
    except ValueError:
        raise BadOperation("management data") from None
    if total < 0:
        raise BadOperation("management data")
    return min(total, MAX_ENTRIES_PER_SECTION)


def _rows(data: QueryDict, section: Section) -> list[dict[str, str]]:
    names = ("uid", *section.fields)
    return [
        {name: data.get(f"{section.key}-{i}-{name}", "") for name in names} for i in range(_total(data, section.key))
    ]


def _write_rows(data: QueryDict, section: Section, rows: list[dict[str, str]]) -> None:
    old_total = _total(data, section.key)
    for i in range(max(old_total, len(rows))):
        for name in ("uid", *section.fields):
            data.pop(f"{section.key}-{i}-{name}", None)
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"{section.key}-{i}-{name}"] = value
    data[f"{section.key}-TOTAL_FORMS"] = str(len(rows))


def _add(rows: list[dict[str, str]], section: Section, arg: str) -> None:
    if len(rows) >= MAX_ENTRIES_PER_SECTION:
        raise BadOperation("add")
    rows.append({name: "" for name in ("uid", *section.fields)})


def _suggest(rows: list[dict[str, str]], section: Section, arg: str) -> None:
    if len(rows) >= MAX_ENTRIES_PER_SECTION or not arg:
        raise BadOperation("suggest")
    # Fill the first blank row if there is one, so the suggestion lands where the eye is.
    target = next((row for row in rows if not any(row[f] for f in section.fields)), None)
    if target is None or target["uid"]:
        target = {name: "" for name in ("uid", *section.fields)}
        rows.append(target)
    target[section.fields[0]] = arg[:200]


def _row_index(rows: list[dict[str, str]], arg: str) -> int:
    try:
        index = int(arg)
    except ValueError:
        raise BadOperation("row") from None
    if not 0 <= index < len(rows):
        raise BadOperation("row")
    return index


def _remove(rows: list[dict[str, str]], section: Section, arg: str) -> None:
    rows.pop(_row_index(rows, arg))


def _move(step: int) -> Callable[[list[dict[str, str]], Section, str], None]:
    def move(rows: list[dict[str, str]], section: Section, arg: str) -> None:
        index = _row_index(rows, arg)
        other = index + step
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]

    return move


OPERATIONS: dict[str, Callable[[list[dict[str, str]], Section, str], None]] = {
    "add": _add,
    "suggest": _suggest,
    "remove": _remove,
    "up": _move(-1),
    "down": _move(+1),
}


def apply_operation(data: QueryDict, op: str, *, allowed_sections: Iterable[str]) -> tuple[QueryDict, str]:
    """Apply a row operation to a copy of posted data. Returns the new data and the section key."""
    kind, _sep, rest = op.partition(":")
    key, _sep, arg = rest.partition(":")
    if key not in set(allowed_sections) or key not in SECTIONS_BY_KEY or kind not in OPERATIONS:
        raise BadOperation(op)
    section = SECTIONS_BY_KEY[key]
    data = data.copy()
    rows = _rows(data, section)
    OPERATIONS[kind](rows, section, arg)
    _write_rows(data, section, rows)
    return data, key
