"""The editor, together mode and the plan page as pictures, at a desktop, a tablet and a phone width.

Each page is photographed (test-artifacts/layout/*.png, to be looked at) and checked for what a
person notices at once: nothing wider than the screen, a pinned toolbar that leaves room to work, a
step reached from the step list with its heading in view, no name cut off in a field, no clinician
navigation in front of the client, axe-clean, and no "leave page?" prompt once everything is saved.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect, sync_playwright

from plans import actions
from plans.content import EntryData, PlanChanges
from plans.steps import ENTRY_FIELDS_BY_KEY, SECTIONS

from .helpers import CHROMIUM, CHROMIUM_ARGS, assert_accessible, sample_value, sign_in_with_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "layout-browser-password-63"
WIDTHS = {"desktop": (1280, 800), "tablet": (820, 1180), "phone": (390, 844)}
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "layout"
LONG_NAME = "Maria Fernanda de los Santos Oyelaran"


def full_plan() -> PlanChanges:
    """7 steps, 5 entries in each section, every field filled, one long name."""

    def value(field: str, i: int) -> str:
        if ENTRY_FIELDS_BY_KEY[field].input == "phone":
            return f"+1212555{100 + i:04d}"
        if field == "name" and i == 0:
            return LONG_NAME
        return sample_value(field, f"Words the client chose, number {i + 1}")

    return PlanChanges(
        sections={
            section.key: [EntryData(None, **{field: value(field, i) for field in section.fields}) for i in range(5)]
            for section in SECTIONS
        },
        plan_fields={"most_important": "My children"},
    )


@pytest.fixture
def client_pk(live_server, django_user_model) -> int:
    user = django_user_model.objects.create_user(
        username="noor", password=PASSWORD, first_name="Noor", last_name="Haddad"
    )
    client = actions.create_client(by=user, data=actions.ClientData(name="Robin Park", preferred_name="Robin"))
    actions.save_plan(client=client, by=user, changes=full_plan(), expected_revision=0)
    return client.pk


@pytest.fixture
def browser(client_pk) -> Iterator[Browser]:
    """Chromium, started once the database is ready (Playwright's loop must not run while the ORM does)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def signed_in(browser: Browser, base_url: str, size: tuple[int, int], *, js: bool = True) -> Page:
    # Reduced motion: Bootstrap then jumps to an anchor instead of scrolling smoothly (pictures show where it lands).
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, java_script_enabled=js, reduced_motion="reduce"
    )
    page = context.new_page()
    sign_in_with_form(page, f"{base_url}/accounts/login/", "noor", PASSWORD)
    return page


def photograph(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def assert_fits_the_screen(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def toolbar_bottom(page: Page) -> float:
    box = page.locator(".editor-toolbar").bounding_box()
    assert box is not None
    return float(box["y"] + box["height"])


@pytest.mark.parametrize("width", WIDTHS)
def test_the_editor_is_calm_at_every_width(live_server, browser, client_pk, width):
    size = WIDTHS[width]
    page = signed_in(browser, live_server.url, size)
    page.goto(f"{live_server.url}/clients/{client_pk}/plan/edit/")
    expect(page.get_by_role("heading", name=re.compile("Safety plan: Robin"))).to_be_visible()
    photograph(page, f"editor-{width}")
    assert_fits_the_screen(page)
    # The pinned toolbar leaves the screen to the plan: at most 12% of its height.
    toolbar = page.locator(".editor-toolbar").bounding_box()
    assert toolbar is not None and toolbar["height"] <= 0.12 * size[1], toolbar
    # A step reached from the step list shows its heading below the toolbar.
    page.get_by_role("navigation", name="Steps of the plan").get_by_role("link", name=re.compile(r"^5\. ")).click()
    heading = page.get_by_role("heading", name=re.compile(r"^Step 5: "))
    expect(heading).to_be_in_viewport()
    box = heading.bounding_box()
    assert box is not None and box["y"] >= toolbar_bottom(page) - 1, (box, toolbar_bottom(page))
    photograph(page, f"editor-{width}-step-5")
    page.get_by_role("navigation", name="Steps of the plan").get_by_role("link", name=re.compile(r"^6\. ")).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Step 6: "))).to_be_in_viewport()
    photograph(page, f"editor-{width}-step-6")
    # No name is cut off (a long one, 37 letters), nor any phone number, from a tablet up. (On a phone a
    # field is the screen's width: a name that long scrolls within it, as in any form.)
    cut = (
        []
        if width == "phone"
        else page.evaluate(
            """() => Array.from(document.querySelectorAll('.entry input[name$="-name"], .entry input[type=tel]'))
              .filter((el) => el.value && el.scrollWidth > el.clientWidth + 1).map((el) => el.name)"""
        )
    )
    assert not cut, f"text cut off in {cut}"
    assert_accessible(page, f"the editor at {width} width")


@pytest.mark.parametrize("width", WIDTHS)
def test_together_mode_shows_the_client_only_their_plan(live_server, browser, client_pk, width):
    size = WIDTHS[width]
    page = signed_in(browser, live_server.url, size)
    page.goto(f"{live_server.url}/clients/{client_pk}/plan/together/3/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    photograph(page, f"together-{width}")
    assert_fits_the_screen(page)
    # None of the clinician's navigation; one clear way back.
    for link in ("Clients", "Reviews due", "Sign-in security"):
        expect(page.get_by_role("link", name=link)).to_have_count(0)
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    back = page.get_by_role("button", name="Save and return to clinician view")
    expect(back).to_be_visible()
    cut = (
        []
        if width == "phone"
        else page.evaluate(
            """() => Array.from(document.querySelectorAll('.entry input'))
              .filter((el) => el.type !== 'hidden' && el.value && el.scrollWidth > el.clientWidth + 1)
              .map((el) => el.name)"""
        )
    )
    assert not cut, f"text cut off in {cut}"
    assert_accessible(page, f"together mode at {width} width")
    # Next saves and moves on without a "Plan saved" banner on the next step.
    with page.expect_navigation():
        page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Step 4 of 7")).to_be_visible()
    expect(page.get_by_text(re.compile("Plan saved"))).to_have_count(0)
    with page.expect_navigation():
        back.click()
    expect(page.get_by_role("heading", name=re.compile("Safety plan: Robin"))).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_plan_page_at_every_width(live_server, browser, client_pk, width):
    page = signed_in(browser, live_server.url, WIDTHS[width])
    page.goto(f"{live_server.url}/clients/{client_pk}/")
    expect(page.get_by_text("Signed in as Noor Haddad")).to_be_visible()
    photograph(page, f"plan-{width}")
    assert_fits_the_screen(page)
    # A phone number is never broken across lines.
    broken = page.evaluate(
        "() => Array.from(document.querySelectorAll('a.phone'))"
        ".filter((a) => a.getClientRects().length > 1).map((a) => a.textContent)"
    )
    assert not broken, f"phone numbers broken across lines: {broken}"
    assert_accessible(page, f"the plan page at {width} width")


def test_adding_a_row_without_javascript_returns_to_its_section(live_server, browser, client_pk):
    page = signed_in(browser, live_server.url, WIDTHS["phone"], js=False)
    page.goto(f"{live_server.url}/clients/{client_pk}/plan/edit/")
    with page.expect_navigation():
        page.get_by_role("button", name="+ Add a reason").click()
    assert page.url.endswith("#section-reasons")
    section = page.locator("#section-reasons")
    expect(section.get_by_role("group", name="Reason 6", exact=True)).to_be_in_viewport()
    box = section.bounding_box()
    assert box is not None and box["y"] >= toolbar_bottom(page) - 1
    photograph(page, "editor-phone-after-adding-a-row")


def test_no_leave_page_prompt_once_autosave_has_kept_everything(live_server, browser, client_pk):
    page = signed_in(browser, live_server.url, WIDTHS["desktop"])
    page.goto(f"{live_server.url}/clients/{client_pk}/plan/edit/")
    prompts: list[str] = []
    page.on("dialog", lambda dialog: (prompts.append(dialog.type), dialog.accept()))
    coping = page.get_by_role("group", name="Thing to do 1", exact=True).get_by_label("Something I can do", exact=True)
    coping.fill("A walk by the river")
    expect(page.locator("[data-autosave-status]")).to_contain_text("Saved at", timeout=15000)
    page.get_by_role("link", name="View the plan (without saving)").click()
    expect(page.get_by_text("A walk by the river")).to_be_visible()
    assert prompts == []
    # Typing that has not reached the server yet is still protected.
    page.go_back()
    page.get_by_role("group", name="Thing to do 2", exact=True).get_by_label("Something I can do", exact=True).fill(
        "Not saved yet"
    )
    page.evaluate("() => { document.querySelector('[data-plan-editor]').dataset.unsaved = '1'; }")
    page.get_by_role("link", name="View the plan (without saving)").click()
    assert prompts == ["beforeunload"]
