"""The plan on the client's phone, in a real browser at phone size: the link opens the plan, which then
reads with no connection at all (tap-to-call links too); a second or late open shows a plain message and
no plan; a new version reaches the phone; taking the copy back removes it; and nothing is requested from
anywhere but our own server. The clinician's screen (QR code and link) is photographed at three widths."""

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.signals import request_started
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from phonecopy import actions as phone_actions
from phonecopy.models import PhoneCopy
from plans import actions
from plans.content import EntryData, PlanChanges
from plans.models import SafetyPlan

from .helpers import CHROMIUM, CHROMIUM_ARGS, assert_accessible, sign_in_with_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "phone-browser-password-58"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "phone"
PHONE = {"width": 390, "height": 844}
COPING = "Walk to the lighthouse at dawn"
FRIEND_PHONE = "+12125550175"
NEW_COPING = "Call my sister after dinner"


@pytest.fixture
def setup(live_server, django_user_model):
    user = django_user_model.objects.create_user(username="noor", password=PASSWORD, first_name="Noor")
    client = actions.create_client(by=user, data=actions.ClientData(name="Robin Park", preferred_name="Robin"))
    changes = PlanChanges(
        sections={
            "coping": [EntryData(None, text=COPING)],
            "help_people": [EntryData(None, name="Sam", phone=FRIEND_PHONE)],
        },
        plan_fields={"most_important": "My children"},
    )
    actions.save_plan(client=client, by=user, changes=changes, expected_revision=0)
    actions.save_version(client=client, by=user, review_date=timezone.localdate(), note="1", next_review_date=None)
    return client, user


@pytest.fixture
def browser(setup) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def phone_context(browser: Browser, requests: list[str]) -> BrowserContext:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, service_workers="allow")
    context.on("request", lambda request: requests.append(request.url))
    return context


def photograph(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def link_for(live_server, client, user) -> str:
    token = in_thread(lambda: phone_actions.send_to_phone(client=client, by=user).token)
    return f"{live_server.url}/p/#{token}"


def in_thread[T](work: Callable[[], T]) -> T:
    """Run ORM work while Playwright's loop owns this thread (Django refuses the ORM here): in a thread of
    its own, with its own connection, closed afterwards."""
    result: list[T] = []

    def run() -> None:
        try:
            result.append(work())
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()
    return result[0]


class ServerHits:
    """The paths our server was asked for, counted where Django starts each request."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(self, sender, environ, **kwargs) -> None:
        self.paths.append(environ.get("PATH_INFO", ""))


def test_the_plan_on_the_phone_works_offline_updates_and_can_be_taken_back(live_server, browser, setup):
    client, user = setup
    requests: list[str] = []
    context = phone_context(browser, requests)
    page = context.new_page()
    page.goto(link_for(live_server, client, user))
    plan = page.locator("[data-plan]")
    expect(plan).to_contain_text(COPING)
    expect(plan).to_contain_text("Version 1 of")
    assert "#" not in page.url  # the spent token is gone from the address bar and history
    expect(page).to_have_title("My plan")
    # Crisis lines first, with tap-to-call and tap-to-text; the client's own people with tap-to-call.
    first = plan.locator("section").first
    expect(first.locator('a[href="tel:988"]')).to_be_visible()
    expect(first.locator('a[href="sms:988"]')).to_be_visible()
    expect(plan.locator(f'a[href="tel:{FRIEND_PHONE}"]')).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert_accessible(page, "the phone page")
    photograph(page, "phone-390")
    # The client picks the name and picture the home screen shows; the page's title follows.
    page.get_by_text("Name and picture on your home screen").click()
    page.get_by_label("Name", exact=True).fill("Notes")
    page.get_by_label("Sun").check()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_title("Notes")
    manifest = page.locator('link[rel="manifest"]').get_attribute("href") or ""
    assert "name=Notes" in manifest and "icon=sun" in manifest
    assert_accessible(page, "the phone page's home-screen choice")
    photograph(page, "phone-390-home-screen")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null || caches.keys().then(k => k.length > 0)")

    # No signal at all: the page and the plan come from the phone itself, and the server hears nothing.
    hits = ServerHits()
    request_started.connect(hits)
    try:
        context.set_offline(True)
        page.reload()
        expect(plan).to_contain_text(COPING)
        expect(plan.locator('a[href="tel:988"]').first).to_be_visible()
        expect(plan.locator(f'a[href="tel:{FRIEND_PHONE}"]')).to_have_text(re.compile(r"555.0175"))
        expect(page.locator("[data-status]")).to_contain_text("No connection")
        photograph(page, "phone-390-offline")
    finally:
        request_started.disconnect(hits)
    assert hits.paths == [], f"offline, the phone still reached the server: {hits.paths}"

    # A new version reaches the phone the next time it is online.
    context.set_offline(False)

    def new_version() -> None:
        changes = PlanChanges(sections={"coping": [EntryData(None, text=NEW_COPING)]})
        revision = SafetyPlan.objects.get(client=client).revision
        actions.save_plan(client=client, by=user, changes=changes, expected_revision=revision)
        actions.save_version(client=client, by=user, review_date=timezone.localdate(), note="2", next_review_date=None)

    in_thread(new_version)
    page.reload()
    expect(plan).to_contain_text(NEW_COPING)
    expect(plan).to_contain_text("Version 2 of")
    assert in_thread(lambda: PhoneCopy.objects.get(opened_at__isnull=False).version_number) == 2

    # Taken back: the next online check removes the plan and says so plainly.
    in_thread(lambda: phone_actions.revoke_phone_copy(copy=PhoneCopy.objects.get(opened_at__isnull=False), by=user))
    page.reload()
    expect(page.get_by_role("heading", name="The plan is no longer on this phone")).to_be_visible()
    expect(plan).to_be_hidden()
    assert page.evaluate("() => localStorage.length") == 0
    page.reload()
    expect(page.get_by_text(COPING)).to_have_count(0)
    photograph(page, "phone-390-taken-back")

    own = urlsplit(live_server.url).netloc
    strangers = [url for url in requests if urlsplit(url).netloc != own]
    assert requests and not strangers, f"requests to third parties: {strangers}"
    context.close()


def test_a_second_or_late_open_shows_a_plain_message_and_no_plan(live_server, browser, setup):
    client, user = setup
    requests: list[str] = []
    link = link_for(live_server, client, user)
    first = phone_context(browser, requests)
    first.new_page().goto(link)
    first.pages[0].locator("[data-plan]").get_by_text(COPING).wait_for()
    first.close()

    for name, url in (("second-open", link), ("late-open", None)):
        if url is None:
            url = link_for(live_server, client, user)
            in_thread(
                lambda: PhoneCopy.objects.filter(opened_at__isnull=True).update(
                    link_expires_at=timezone.now() - timedelta(seconds=1)
                )
            )
        context = phone_context(browser, requests)
        page = context.new_page()
        page.goto(url)
        expect(page.get_by_role("heading", name="This link can no longer be opened")).to_be_visible()
        expect(page.locator("[data-plan]")).to_be_hidden()
        expect(page.get_by_text(COPING)).to_have_count(0)
        photograph(page, f"phone-390-{name}")
        context.close()
    own = urlsplit(live_server.url).netloc
    assert not [url for url in requests if urlsplit(url).netloc != own]


@pytest.mark.parametrize("size", [(1280, 800), (820, 1180), (390, 844)], ids=["1280", "820", "390"])
def test_the_clinician_sends_the_plan_with_a_qr_code(live_server, browser, setup, size):
    client, _user = setup
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    sign_in_with_form(page, f"{live_server.url}/accounts/login/", "noor", PASSWORD)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    page.get_by_role("button", name="Send to phone").click()
    expect(page.locator("svg.phone-qr")).to_be_visible()
    link = page.locator("[data-phone-link]").inner_text()
    assert re.fullmatch(re.escape(live_server.url) + r"/p/#[\w-]{22}", link)
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert_accessible(page, "the send-to-phone page")
    photograph(page, f"send-{size[0]}")
    context.close()

    # The link from the screen opens the plan on a device of the same width, with no cookie of the clinician's.
    device = browser.new_context(viewport={"width": size[0], "height": size[1]})
    phone = device.new_page()
    phone.goto(link)
    expect(phone.locator("[data-plan]")).to_contain_text(COPING)
    assert device.cookies() == []
    assert phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    photograph(phone, f"phone-{size[0]}")
    device.close()
