"""Columns that other apps add to the client list. They register here (in their AppConfig.ready), so
plans imports none of them: each column brings its annotations (computed in the list's one query, so a
column adds no query) and a template for its cell, rendered with `client`."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class ClientColumn:
    key: str
    heading: Promise
    template: str
    annotations: Callable[[], Mapping[str, Any]]


_COLUMNS: dict[str, ClientColumn] = {}


def add_client_column(column: ClientColumn) -> None:
    _COLUMNS[column.key] = column


def client_columns() -> tuple[ClientColumn, ...]:
    return tuple(_COLUMNS.values())
