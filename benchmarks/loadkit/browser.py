"""What a browser does, over the standard library's http.client: cookies, forms, CSRF tokens, TOTP codes.

One `Browser` per virtual clinician, with a kept-alive connection to each server it talks to (gunicorn's
sync workers close each one after the answer; http.client then opens a new one). Every request is sent
with one Host and Origin, as behind a load balancer, whichever server answers it. Nothing here follows
redirects: each answer is looked at.
"""

import base64
import hashlib
import hmac
import http.client
import json
import re
import struct
import time
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any, NamedTuple
from urllib.parse import urlencode

HOST = "safetyplan.load"  # the one origin the clinicians see (DJANGO_ALLOWED_HOSTS lists it)
TIMEOUT = 30.0


class Server(NamedTuple):
    host: str
    port: int
    pid: int  # gunicorn's master process


@dataclass
class Answer:
    status: int
    location: str
    content_type: str
    body: bytes

    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Browser:
    servers: list[Server]  # the app servers it talks to
    cookies: dict[str, str] = field(default_factory=dict)
    connections: dict[int, http.client.HTTPConnection] = field(default_factory=dict)

    def request(
        self, server: int, method: str, path: str, form: dict[str, list[str]] | None = None, **headers: str
    ) -> Answer:
        connection = self.connections.get(server)
        if connection is None:
            address = self.servers[server]
            connection = http.client.HTTPConnection(address.host, address.port, timeout=TIMEOUT)
            self.connections[server] = connection
        sent = {"Host": HOST, "Accept-Language": "en", **{k.replace("_", "-"): v for k, v in headers.items()}}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"http://{HOST}"
        for attempt in (1, 2):
            reused = connection.sock is not None
            try:
                connection.request(method, path, body=body, headers=sent)
                response = connection.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                # A kept-alive connection the server closed as the request went out: nothing was answered,
                # so a browser sends the request again on a new connection, once.
                if not reused or attempt == 2:
                    raise
            except (OSError, http.client.HTTPException):
                connection.close()
                raise
        if response.will_close:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self._keep(header)
        return Answer(
            response.status, response.headers.get("Location", ""), response.headers.get("Content-Type", ""), content
        )

    def _keep(self, header: str) -> None:
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]) or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not found:
        raise ValueError("no form with a CSRF token on the page")
    return found.group(1)


def totp_code(secret: str, *, at: float | None = None, period: int = 30, digits: int = 6) -> str:
    """The authenticator app's code now (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits)."""
    counter = int(time.time() if at is None else at) // period
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


class _FormParser(HTMLParser):
    """The fields a browser would post back from the form with `form_id`, as they are on the page."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.data: dict[str, list[str]] = {}
        self.in_form = False
        self.textarea: str | None = None
        self.select: str | None = None
        self.first_option: str | None = None
        self.template_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        if tag == "form":
            self.in_form = a.get("id") == self.form_id
        if not self.in_form:
            return
        self._field(tag, a)

    def _field(self, tag: str, a: dict[str, str | None]) -> None:
        name = a.get("name")
        if tag == "option" and self.select:
            self._option(self.select, a)
        if not name:
            return
        kind = a.get("type")
        if tag == "input" and kind not in {"submit", "button", "checkbox", "radio"}:
            self.data[name] = [a.get("value") or ""]
        elif tag == "input" and kind in {"checkbox", "radio"} and "checked" in a:
            self.data.setdefault(name, []).append(a.get("value") or "on")  # several under one name: a list
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = [""]
        elif tag == "select":
            self.select, self.first_option = name, None
            self.data[name] = []

    def _option(self, select: str, a: dict[str, str | None]) -> None:
        if "selected" in a:
            self.data[select].append(a.get("value") or "")
        if self.first_option is None:
            self.first_option = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self.template_depth -= 1
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select:
            if not self.data[self.select] and self.first_option is not None:
                self.data[self.select] = [self.first_option]  # nothing selected: a browser sends the first option
            self.select = None
        elif tag == "form":
            self.in_form = False

    def handle_data(self, data: str) -> None:
        if self.textarea and not self.template_depth:
            values = self.data[self.textarea]
            values[0] += data.lstrip("\n") if not values[0] else data


def form_fields(page: str, form_id: str) -> dict[str, list[str]]:
    parser = _FormParser(form_id)
    parser.feed(page)
    parser.close()
    if not parser.data:
        raise ValueError(f"no form #{form_id} on the page")
    return parser.data


def hidden_value(page: str, name: str) -> str:
    """One hidden field's value, read without parsing the whole page (the editor is large)."""
    found = re.search(rf'<input type="hidden" name="{re.escape(name)}" value="([^"]*)"', page)
    if not found:
        raise ValueError(f"no hidden field {name} on the page")
    return unescape(found.group(1))
