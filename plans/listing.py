"""Columns that other apps add to the client list, and links they add to the client's page. They register here (in their AppConfig.ready), so
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


@dataclass(frozen=True)
class ClientLink:
    """A link another app adds to the client's page (`url_name` takes the client's pk)."""

    key: str
    label: Promise
    url_name: str


_LINKS: dict[str, ClientLink] = {}


def add_client_link(link: ClientLink) -> None:
    _LINKS[link.key] = link


def client_links() -> tuple[ClientLink, ...]:
    return tuple(_LINKS.values())
