"""A clinician adds a passkey, signs in with it as the second step, and removes it, in a real browser.

Chromium's virtual authenticator (the DevTools protocol's WebAuthn domain) stands in for the key: it
answers the browser's WebAuthn calls as a built-in passkey would, with the person's presence and
fingerprint already confirmed. Production settings apply (MFA_REQUIRED on, as `make serve` has it), so
the clinician starts where every new clinician starts: signed in with a password, sent to set up a
second step. The key is a second step after the password: MFA_PASSKEY_LOGIN_ENABLED stays off.

The live server is http://localhost:<port>. Chromium treats http://localhost as a secure context and
python-fido2 accepts it as an origin for the relying party "localhost", so the origin check stays on
(MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN is off here, as in production).
"""

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, CDPSession, ConsoleMessage, Page, expect, sync_playwright

from plans.models import AuditEvent

from .factories import PASSWORD, make_user
from .helpers import CHROMIUM, CHROMIUM_ARGS, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

KEY_NAME = "Work laptop"
NEW_KEY_NAME = "Work laptop, blue case"


@pytest.fixture
def clinician(live_server, settings):
    settings.MFA_REQUIRED = True
    return make_user("kim")


@pytest.fixture
def browser(clinician) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def virtual_authenticator(context: BrowserContext, page: Page) -> tuple[CDPSession, str]:
    """A passkey built into the device: it keeps credentials and has already checked the fingerprint."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    authenticator_id = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})["authenticatorId"]
    return cdp, authenticator_id


def credentials(cdp: CDPSession, authenticator_id: str) -> list[dict[str, Any]]:
    return cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]


def sign_in_with_password(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill("kim")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def from_db[T](read: Callable[[], T]) -> T:
    """Reads the database away from Playwright's event loop, which Django's ORM refuses to run beside
    (and would give a connection of its own, never closed), on a short-lived connection of its own."""

    def run() -> T:
        try:
            return read()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def audited(user: Any, action: str) -> list[str]:
    events = AuditEvent.objects.filter(actor=user, action=action).order_by("pk")
    return from_db(lambda: list(events.values_list("target", flat=True)))


def webauthn_keys(user: Any) -> list[Authenticator]:
    return from_db(lambda: list(Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN)))


def confirm_with_password(page: Page) -> None:
    """allauth asks again before any change to sign-in security, even just after signing in."""
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    assert_accessible(page, "confirming the password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


def register_key(page: Page, base_url: str) -> None:
    """From the set-up page a new clinician is sent to, to a registered key and its recovery codes."""
    confirm_with_password(page)
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    assert page.url == f"{base_url}/accounts/2fa/totp/activate/"
    assert_accessible(page, "setting up an authenticator app")
    page.get_by_role("link", name="Add a security key or passkey instead").click()
    expect(page.get_by_role("heading", name="Add a security key or passkey")).to_be_visible()
    expect(page.get_by_label("A name for it")).to_have_value("Key 1")
    assert_accessible(page, "adding a security key")
    page.get_by_label("A name for it").fill(KEY_NAME)
    page.get_by_role("button", name="Add the key").click()
    # allauth makes recovery codes with the first second step and shows them straight away.
    expect(
        page.get_by_role("heading", name="Recovery codes: keep them somewhere safe, each works once")
    ).to_be_visible()
    expect(page.get_by_text("Security key added. You can use it when you sign in.")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page, "recovery codes")


def sign_in_with_key(page: Page, base_url: str, user: Any) -> None:
    sign_in_with_password(page, base_url)
    expect(page.get_by_role("heading", name="Second sign-in step")).to_be_visible()
    assert page.url == f"{base_url}/accounts/2fa/authenticate/"
    recovery_code_only = page.get_by_role("textbox", name=re.compile(r"^Recovery code\*?$"))
    expect(recovery_code_only).to_be_visible()  # no authenticator app: a code can only be a recovery code
    assert_accessible(page, "the second sign-in step")
    assert audited(user, "sign_in") == [""]  # the password alone does not sign anyone in
    page.get_by_role("button", name="Use my security key or passkey").click()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    assert len(audited(user, "sign_in")) == 2


def rename_and_remove_key(page: Page) -> None:
    page.get_by_role("link", name="Sign-in security").click()
    expect(page.get_by_role("heading", name="Sign-in security")).to_be_visible()
    expect(page.get_by_text("You have 1 security key or passkey.")).to_be_visible()
    assert_accessible(page, "sign-in security")
    page.get_by_role("link", name="See or remove your keys").click()
    expect(page.get_by_role("heading", name="Security keys and passkeys")).to_be_visible()
    expect(page.get_by_role("cell", name=KEY_NAME, exact=True)).to_be_visible()
    expect(page.get_by_role("row").nth(1)).not_to_contain_text("Not used yet")  # it has just signed the clinician in
    assert_accessible(page, "the list of security keys")
    page.get_by_role("link", name=f"Rename {KEY_NAME}").click()
    # Asked to confirm again: this time with the key itself.
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_role("link", name="With your security key or passkey").click()
    expect(page.get_by_role("button", name="Use my security key or passkey")).to_be_visible()
    assert_accessible(page, "confirming with the key")
    page.get_by_role("button", name="Use my security key or passkey").click()
    expect(page.get_by_role("heading", name="Rename a security key")).to_be_visible()
    assert_accessible(page, "renaming a security key")
    page.get_by_label("Name").fill(NEW_KEY_NAME)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name=NEW_KEY_NAME, exact=True)).to_be_visible()
    page.get_by_role("link", name=f"Remove {NEW_KEY_NAME}").click()
    expect(page.get_by_role("heading", name=f"Remove “{NEW_KEY_NAME}”?")).to_be_visible()
    assert_accessible(page, "removing a security key")
    page.get_by_role("button", name="Remove the key").click()
    expect(page.get_by_text("Security key removed.")).to_be_visible()
    expect(page.get_by_text("No security keys or passkeys yet.")).to_be_visible()


def test_a_clinician_signs_in_with_a_passkey_and_removes_it(live_server, browser, clinician):
    base_url = live_server.url
    assert base_url.startswith("http://localhost:")
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":  # a Content-Security-Policy violation is reported here too
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    cdp, authenticator_id = virtual_authenticator(context, page)
    response = page.goto(f"{base_url}/accounts/login/")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]

    sign_in_with_password(page, base_url)
    register_key(page, base_url)
    assert len(credentials(cdp, authenticator_id)) == 1
    [key] = webauthn_keys(clinician)
    assert str(key) == KEY_NAME and key.last_used_at is None
    assert audited(clinician, "mfa_changed") == ["webauthn_added"]
    # With a second step set up, client information is open to this session.
    page.get_by_role("link", name="Clients", exact=True).click()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    sign_out(page)

    sign_in_with_key(page, base_url, clinician)
    [key] = webauthn_keys(clinician)
    assert key.last_used_at is not None
    assert credentials(cdp, authenticator_id)[0]["signCount"] >= 1

    rename_and_remove_key(page)
    assert not from_db(Authenticator.objects.filter(user=clinician).exists)  # its recovery codes went with it
    assert audited(clinician, "mfa_changed") == ["webauthn_added", "webauthn_removed"]
    sign_out(page)

    # Signing in no longer asks for the key, nor offers it: the password alone leads back to setting up a
    # second step (after confirming the password, the only way left).
    sign_in_with_password(page, base_url)
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    expect(page.get_by_role("link", name="With your security key or passkey")).to_have_count(0)
    confirm_with_password(page)
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    expect(page.get_by_role("button", name="Use my security key or passkey")).to_have_count(0)
    assert not errors, errors
    context.close()
