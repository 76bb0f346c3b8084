"""A Spanish-speaking client reads together mode in Spanish on the tablet, while their clinician works in English."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from plans import actions

from .factories import PASSWORD, make_user
from .helpers import CHROMIUM, CHROMIUM_ARGS, assert_accessible

# serialized_rollback: the flush after a live-server test would otherwise wipe the seeded crisis lines.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def spanish_client(live_server):
    clinician = make_user("ines")
    record = actions.create_client(by=clinician, data=actions.ClientData(name="Lucía Gómez", preferred_language="es"))
    return clinician, record


@pytest.fixture
def browser(spanish_client) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()


def test_together_mode_reads_in_spanish_while_the_clinician_works_in_english(live_server, browser, spanish_client):
    _clinician, record = spanish_client
    context = browser.new_context(locale="en-US", viewport={"width": 820, "height": 1180})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server.url, "ines")
    page.goto(f"{live_server.url}/clients/{record.pk}/plan/edit/")
    expect(page.get_by_role("heading", name=re.compile("^Step 1: Signs that a hard time"))).to_be_visible()

    page.goto(f"{live_server.url}/clients/{record.pk}/plan/together/1/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_text("Paso 1 de 7")).to_be_visible()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Señales")  # (Playwright's regular expressions miss non-ASCII letters)
    page.get_by_label("Señal de alerta").first.fill("No duermo bien")
    page.get_by_role("button", name="Siguiente").click()
    expect(page.get_by_text("Paso 2 de 7")).to_be_visible()
    assert_accessible(page, "together mode in Spanish")
    texts = page.locator("body").inner_text()
    for english in ("Step 2 of 7", "Save and return", "Things I can do", "Add something to do"):
        assert english not in texts, english
    page.get_by_role("button", name="Atrás", exact=True).click()
    expect(page.get_by_label("Señal de alerta").first).to_have_value("No duermo bien")
    assert not errors, errors
    context.close()
