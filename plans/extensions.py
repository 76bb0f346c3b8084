"""What other apps add to plans' screens and export: columns of the client list, links on the client's page,
and parts of "everything held about a client". They register here (in their AppConfig.ready), so plans
imports none of them: each column brings its annotations (computed in the list's one query, so a
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


@dataclass(frozen=True)
class ExportPart:
    """A part of the export of everything held about a client (`plans.actions.client_export`): `export`
    returns JSON-ready data, kept under `key`. A few queries, however much it holds."""

    key: str
    export: Callable[[Any], Any]


_EXPORTS: dict[str, ExportPart] = {}


def add_export_part(part: ExportPart) -> None:
    _EXPORTS[part.key] = part


def export_parts() -> tuple[ExportPart, ...]:
    return tuple(_EXPORTS.values())
