"""Two screens, one plan, in a real browser: autosave, merging, conflicts, and coming back after a crash.

A clinician on a laptop and a client on a tablet (two browser contexts, two sessions) edit the same
plan. Autosave runs on input; these tests wait for what the page says, never for a fixed time.
"""

import re
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from plans import actions
from plans.models import CareTeamMember, SafetyPlan

from .helpers import CHROMIUM, CHROMIUM_ARGS, sign_in_with_form

# serialized_rollback: the flush after a live-server test would otherwise wipe the seeded crisis lines.
# Chromium runs only while the test body does (fixture `chromium`), never while the ORM is used.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "two-screens-browser-password-57"


@pytest.fixture
def team(live_server, django_user_model):
    laptop_user = django_user_model.objects.create_user(username="lee", password=PASSWORD, first_name="Lee")
    tablet_user = django_user_model.objects.create_user(username="kim", password=PASSWORD, first_name="Kim")
    client = actions.create_client(by=laptop_user, data=actions.ClientData(name="Robin Park", preferred_name="Robin"))
    actions.add_to_care_team(client=client, user=tablet_user, by=laptop_user, role=CareTeamMember.Role.MEMBER)
    changes = actions.PlanChanges(
        sections={"coping": [actions.EntryData(text="Walk"), actions.EntryData(text="Music")]}
    )
    actions.save_plan(client=client, by=laptop_user, changes=changes, expected_revision=0)
    return client


class Chromium:
    """Chromium for one test, started after the database is set up. Stop it before touching the
    database again: Playwright's event loop must not be running when the ORM is used."""

    def __init__(self) -> None:
        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

    def stop(self) -> None:
        if self._playwright is not None:
            self.browser.close()
            self._playwright.stop()
            self._playwright = None


@pytest.fixture
def chromium(team) -> Iterator[Chromium]:
    started = Chromium()
    yield started
    started.stop()


def open_editor(browser: Browser, base_url: str, username: str, client_pk: int) -> tuple[BrowserContext, Page]:
    context = browser.new_context()
    page = context.new_page()
    sign_in_with_form(page, f"{base_url}/accounts/login/?next=/clients/{client_pk}/plan/edit/", username, PASSWORD)
    expect(page.get_by_role("heading", name=re.compile("Safety plan: Robin"))).to_be_visible()
    return context, page


def coping(page: Page, number: int):
    step = page.get_by_role("region", name=re.compile(r"^Step 2: "))
    return step.get_by_role("group", name=f"Thing to do {number}", exact=True).get_by_label(
        "Something I can do", exact=True
    )


def autosaved(page: Page) -> None:
    expect(page.locator("[data-autosave-status]")).to_contain_text("Saved at", timeout=15000)


def coping_texts(client) -> list[str]:
    plan = SafetyPlan.objects.get(client=client)
    return list(plan.entries.filter(section="coping").order_by("position").values_list("text", flat=True))


def test_changes_to_different_entries_on_two_screens_merge(chromium: Chromium, live_server, team) -> None:
    browser = chromium.browser
    laptop_context, laptop = open_editor(browser, live_server.url, "lee", team.pk)
    tablet_context, tablet = open_editor(browser, live_server.url, "kim", team.pk)

    coping(tablet, 2).fill("Loud music in the car")
    autosaved(tablet)

    coping(laptop, 1).fill("Walk by the river")
    with laptop.expect_navigation():
        laptop.get_by_role("button", name="Save", exact=True).first.click()
    expect(laptop.get_by_text(re.compile("changes (made on|from) another screen"))).to_be_visible()
    expect(coping(laptop, 1)).to_have_value("Walk by the river")
    expect(coping(laptop, 2)).to_have_value("Loud music in the car")
    laptop_context.close()
    tablet_context.close()
    chromium.stop()
    assert coping_texts(team) == ["Walk by the river", "Loud music in the car"]


def test_the_same_entry_on_two_screens_opens_the_conflict_view_and_nothing_is_lost(
    chromium: Chromium, live_server, team
) -> None:
    browser = chromium.browser
    laptop_context, laptop = open_editor(browser, live_server.url, "lee", team.pk)
    tablet_context, tablet = open_editor(browser, live_server.url, "kim", team.pk)

    coping(tablet, 1).fill("Walk with my sister")
    autosaved(tablet)

    coping(laptop, 1).fill("Walk to the park")
    status = laptop.locator("[data-autosave-status]")
    expect(status).to_contain_text("Changed on another screen", timeout=15000)
    with laptop.expect_navigation():
        status.get_by_role("link", name="choose which words to keep").click()
    expect(laptop.get_by_role("heading", name="The same part of the plan was changed on two screens")).to_be_visible()
    expect(laptop.get_by_text("Walk to the park")).to_be_visible()
    expect(laptop.get_by_text("Walk with my sister")).to_be_visible()
    laptop.get_by_label("Keep both").check()
    with laptop.expect_navigation():
        laptop.get_by_role("button", name="Save with these choices").click()
    expect(laptop.get_by_text("Saved with your choices")).to_be_visible()
    laptop_context.close()
    tablet_context.close()
    chromium.stop()
    assert coping_texts(team) == ["Walk with my sister", "Walk to the park", "Music"]


def test_after_a_crash_the_draft_is_there_exactly_as_it_was(chromium: Chromium, live_server, team) -> None:
    browser = chromium.browser
    context, page = open_editor(browser, live_server.url, "lee", team.pk)
    coping(page, 2).fill("Music, then a shower")
    autosaved(page)
    context.close()  # the tab is closed without saving

    context, page = open_editor(browser, live_server.url, "lee", team.pk)
    expect(coping(page, 2)).to_have_value("Music, then a shower")
    context.close()


def test_autosave_says_when_it_fails_and_retries(chromium: Chromium, live_server, team) -> None:
    browser = chromium.browser
    context, page = open_editor(browser, live_server.url, "lee", team.pk)
    context.set_offline(True)
    coping(page, 1).fill("Walk, offline")
    status = page.locator("[data-autosave-status]")
    expect(status).to_contain_text("no connection", timeout=15000)
    context.set_offline(False)
    autosaved(page)
    context.close()
    chromium.stop()
    assert coping_texts(team)[0] == "Walk, offline"


def test_a_half_typed_phone_number_is_kept_as_a_draft(chromium: Chromium, live_server, team) -> None:
    browser = chromium.browser
    context, page = open_editor(browser, live_server.url, "lee", team.pk)
    step = page.get_by_role("region", name=re.compile(r"^Step 4: "))
    person = step.get_by_role("group", name="Person 1", exact=True)
    person.get_by_label("Name", exact=True).fill("Ana")
    person.get_by_label("Phone", exact=True).fill("555-12")
    expect(page.locator("[data-autosave-status]")).to_contain_text("Kept as a draft", timeout=15000)
    context.close()

    context, page = open_editor(browser, live_server.url, "lee", team.pk)
    person = page.get_by_role("region", name=re.compile(r"^Step 4: ")).get_by_role("group", name="Person 1")
    expect(person.get_by_label("Phone", exact=True)).to_have_value("555-12")
    expect(page.get_by_text("has not been saved yet")).to_be_visible()
    context.close()


def test_after_a_session_timeout_and_signing_in_again_autosave_carries_on(
    chromium: Chromium, live_server, team
) -> None:
    browser = chromium.browser
    context, page = open_editor(browser, live_server.url, "lee", team.pk)
    context.clear_cookies()  # the session timed out
    coping(page, 1).fill("Walk, typed after the timeout")
    status = page.locator("[data-autosave-status]")
    expect(status).to_contain_text("signed out", timeout=15000)
    # Signing in again in another tab of the same browser; the first tab's retry then saves.
    other = context.new_page()
    sign_in_with_form(other, f"{live_server.url}/accounts/login/", "lee", PASSWORD)
    autosaved(page)
    # An explicit save from the first tab works too (its CSRF token was refreshed).
    coping(page, 2).fill("Music, after signing in again")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).first.click()
    expect(
        page.get_by_text(re.compile("Plan saved at|These changes were already saved|made on another screen"))
    ).to_be_visible()
    context.close()
    chromium.stop()
    assert coping_texts(team)[:2] == ["Walk, typed after the timeout", "Music, after signing in again"]


def test_the_idle_warning_appears_and_staying_signed_in_works(chromium: Chromium, live_server, team, settings) -> None:
    settings.SESSION_IDLE_TIMEOUT = 6  # seconds, for this test; the warning shows 4 s before
    settings.SESSION_IDLE_WARNING = 4
    browser = chromium.browser
    context, page = open_editor(browser, live_server.url, "lee", team.pk)
    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_visible(timeout=10000)
    expect(warning).to_contain_text("signed out soon")
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    # Still signed in: the editor reloads.
    page.reload()
    expect(page.get_by_role("heading", name=re.compile("Safety plan: Robin"))).to_be_visible()
    # Left alone past the timeout, the next page load signs out and offers to come back here. Rather
    # than wait, the server's idle limit drops to zero: any gap is now "too long".
    settings.SESSION_IDLE_TIMEOUT = 0
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("signed out after")).to_be_visible()
    assert "next=" in page.url and f"%2Fclients%2F{team.pk}%2Fplan%2Fedit%2F" in page.url
    context.close()


def test_autosave_sends_only_the_part_that_changed(chromium: Chromium, live_server, team) -> None:
    """Typing in one section posts that section (and the revision and base), not the whole plan; a change in
    another part afterwards posts that part. What each post held is read from the browser's own requests."""
    browser = chromium.browser
    context, page = open_editor(browser, live_server.url, "lee", team.pk)
    posted: list[str] = []
    page.on("request", lambda request: posted.append(request.post_data or "") if "autosave" in request.url else None)
    with page.expect_response(lambda response: "autosave" in response.url, timeout=15000):
        coping(page, 1).fill("Walk to the lake")
    autosaved(page)
    with page.expect_response(lambda response: "autosave" in response.url, timeout=15000):
        page.locator("#id_where_kept").fill("In the phone case")
    autosaved(page)
    context.close()
    chromium.stop()
    assert len(posted) == 2, posted
    first, second = (parse_qs(body, keep_blank_values=True) for body in posted)
    assert first["parts"] == ["coping"] and first["coping-0-text"] == ["Walk to the lake"]
    assert {"revision", "base"} <= set(first)  # (the CSRF token goes in a header)
    assert {name.split("-")[0] for name in first} - {"csrfmiddlewaretoken"} == {"coping", "revision", "base", "parts"}
    assert second["parts"] == ["details"] and second["where_kept"] == ["In the phone case"]
    assert not any(name.startswith("coping-") for name in second)
    plan = SafetyPlan.objects.get(client=team)
    assert coping_texts(team) == ["Walk to the lake", "Music"] and plan.where_kept == "In the phone case"
