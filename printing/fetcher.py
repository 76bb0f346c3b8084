"""WeasyPrint's URL fetcher for printing: the app's own static files, the installed font files the print
stylesheet names with `local()`, and small data: URLs; nothing else."""

import base64
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcherResponse

from .fonts import FONT_DIRECTORIES, FONT_SUFFIXES

# WeasyPrint sees the app's static files under this origin; `.invalid` can never resolve (RFC 2606).
STATIC_ORIGIN = "https://static.safetyplan.invalid"
STATIC_SUFFIXES = (".css", ".woff2", ".woff", ".ttf", ".otf", ".png", ".svg")
MAX_DATA_URL_BYTES = 8 * 1024
DATA_URL_TYPES = ("image/png", "image/svg+xml", "image/gif", "image/jpeg", "font/woff2", "text/css")


class FetchRefused(ValueError):
    """WeasyPrint asked for something other than the app's own static files."""


class StaticOnlyFetcher:
    """Serves the app's static files and small data: URLs to WeasyPrint; refuses everything else.

    `file://` (other than a font file of the system's font directories), `http(s)://` (other than the
    unresolvable static origin, which is read from disk, never the network), large or unexpected `data:`
    URLs and every other scheme are refused. There is no
    network code here at all, so there are no redirects to follow.
    """

    _fail_on_errors = False  # read by WeasyPrint when a fetch fails: log a warning and go on

    def __init__(self) -> None:
        self.refused = 0

    def __call__(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return self._data(url)
        if url.startswith("file://"):
            return self._installed_font(url)
        prefix = STATIC_ORIGIN + "/" + settings.STATIC_URL.strip("/") + "/"
        if url.startswith(prefix):
            return self._static(url, url[len(prefix) :])
        self.refused += 1
        raise FetchRefused(f"refused to fetch a {urlsplit(url).scheme or 'relative'} URL while printing")

    fetch = __call__

    def _data(self, url: str) -> URLFetcherResponse:
        header, comma, payload = url[5:].partition(",")
        media_type = header.split(";")[0].strip().lower()
        if not comma or len(url) > MAX_DATA_URL_BYTES * 2 or media_type not in DATA_URL_TYPES:
            self.refused += 1
            raise FetchRefused("refused a data: URL while printing")
        body = base64.b64decode(payload, validate=False) if header.endswith(";base64") else unquote_to_bytes(payload)
        if len(body) > MAX_DATA_URL_BYTES:
            self.refused += 1
            raise FetchRefused("refused a large data: URL while printing")
        return URLFetcherResponse(url, body=body, headers={"Content-Type": media_type})

    def _installed_font(self, url: str) -> URLFetcherResponse:
        """A font file of the system's font directories (how WeasyPrint loads `src: local(...)`)."""
        path = Path(unquote(urlsplit(url).path)).resolve()
        directories = [Path(directory).expanduser().resolve() for directory in FONT_DIRECTORIES]
        if path.suffix.lower() not in FONT_SUFFIXES or not any(path.is_relative_to(d) for d in directories):
            self.refused += 1
            raise FetchRefused("refused a file while printing")
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": "font/sfnt"})

    def _static(self, url: str, raw_path: str) -> URLFetcherResponse:
        path = unquote(raw_path.split("?")[0].split("#")[0])
        clean = posixpath.normpath(path)
        if (
            clean != path
            or clean.startswith(("/", "."))
            or "\\" in path
            or "\x00" in path
            or not clean.endswith(STATIC_SUFFIXES)
        ):
            self.refused += 1
            raise FetchRefused("refused a static path while printing")
        found = finders.find(clean)
        if not isinstance(found, str):
            self.refused += 1
            raise FetchRefused("no such static file")
        content_type = "text/css" if clean.endswith(".css") else "application/octet-stream"
        return URLFetcherResponse(url, body=Path(found).read_bytes(), headers={"Content-Type": content_type})
