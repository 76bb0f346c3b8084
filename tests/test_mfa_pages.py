"""allauth's second-step pages in the app's layout and words, with every control labelled, in English and Spanish.

The browser test (test_browser_passkeys.py) walks the pages a clinician meets with a passkey and runs axe
on them; this module reaches the rest (turning the app off, new recovery codes, confirming with a code)
and checks every page through the test client, quickly.
"""

import re
from html.parser import HTMLParser

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from .factories import PASSWORD

RECOVERY_HEADING = "Recovery codes: keep them somewhere safe, each works once"
# (URL name, heading, the ids of the controls a person fills in)
PAGES = [
    ("mfa_index", "Sign-in security", set()),
    ("mfa_deactivate_totp", "Turn off the authenticator app?", set()),
    ("mfa_view_recovery_codes", RECOVERY_HEADING, set()),
    ("mfa_generate_recovery_codes", "Make new recovery codes", set()),
    ("mfa_add_webauthn", "Add a security key or passkey", {"id_name"}),
    ("mfa_list_webauthn", "Security keys and passkeys", set()),
    ("mfa_reauthenticate", "Confirm it is you", {"id_code"}),
    ("account_reauthenticate", "Confirm it is you", {"id_password"}),
]
IDS = [name for name, _heading, _controls in PAGES]


class Controls(HTMLParser):
    """The page's h1, its form controls a person fills in or reads, and the ids that a <label> names."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.h1 = ""
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.labelled.add(a["for"] or "")
        elif tag in {"textarea", "select"} or (
            tag == "input" and a.get("type") not in {"hidden", "submit", "button", "reset"}
        ):
            self.controls.append(a)
        elif tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data

    def unlabelled(self) -> list[dict[str, str | None]]:
        return [
            c
            for c in self.controls
            if c.get("id") not in self.labelled and not c.get("aria-label") and not c.get("aria-labelledby")
        ]


def read(html: str) -> Controls:
    parser = Controls()
    parser.feed(html)
    return parser


@pytest.fixture
def secured_client(client, alice):
    """alice with an authenticator app and recovery codes, signed in, who has just confirmed her password."""
    TOTP.activate(alice, generate_totp_secret())
    RecoveryCodes.activate(alice)
    client.force_login(alice)
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize(("name", "heading", "controls"), PAGES, ids=IDS)
def test_each_page_is_in_the_apps_layout_and_words(secured_client, name, heading, controls):
    response = secured_client.get(reverse(name))
    assert response.status_code == 200
    used = [template.name for template in response.templates]
    assert "base.html" in used
    assert not [t for t in used if t.startswith(("allauth/layouts/", "allauth/elements/"))], used
    page = read(response.content.decode())
    assert page.h1.strip() == heading
    assert {control.get("id") for control in page.controls} == controls
    assert not page.unlabelled(), page.unlabelled()


def test_the_set_up_page_labels_the_code_and_the_key_to_type(client, alice):
    client.force_login(alice)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    page = read(response.content.decode())
    assert page.h1.strip() == "Set up an authenticator app"
    assert {c.get("id") for c in page.controls} == {"authenticator_secret", "id_code"}
    assert not page.unlabelled()
    assert 'src="data:image/svg+xml;base64,' in response.content.decode()  # the QR code (img-src allows data:)


def test_the_second_step_asks_for_the_apps_code_and_offers_no_key_to_someone_without_one(client, alice):
    TOTP.activate(alice, generate_totp_secret())
    response = client.post(reverse("account_login"), {"login": "alice", "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    html = client.get(reverse("mfa_authenticate")).content.decode()
    page = read(html)
    assert page.h1.strip() == "Second sign-in step"
    assert "Code from your authenticator app, or a recovery code" in html
    assert not page.unlabelled()
    assert "Use my security key or passkey" not in html and "webauthn.js" not in html


def test_a_wrong_code_says_so_in_our_words(client, alice):
    TOTP.activate(alice, generate_totp_secret())
    client.post(reverse("account_login"), {"login": "alice", "password": PASSWORD})
    html = client.post(reverse("mfa_authenticate"), {"code": "000000"}).content.decode()
    assert "That code or key was not accepted. Please try again." in html


@pytest.mark.parametrize(("name", "heading", "_controls"), PAGES, ids=IDS)
def test_each_page_reads_in_spanish(secured_client, name, heading, _controls):
    html = secured_client.get(reverse(name), headers={"accept-language": "es"}).content.decode()
    assert '<html lang="es"' in html
    h1 = read(html).h1.strip()
    assert h1 and h1 != heading
    assert not re.search(r"\b(Sign-in security|security key|recovery code|authenticator app)\b", html, re.IGNORECASE)
