"""A follow-up contact in a real browser: from contacts due to the contact, a step for safer surroundings
confirmed done, the plan revised in the editor and saved as a version, back at the contact with what
changed, the client recorded as reached, and the record naming the version. Pictures of the new screens
at three widths (test-artifacts/followup/*.png, to be looked at)."""

import datetime
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright

from followup import actions as followup_actions
from plans import actions
from plans.content import EntryData, PlanChanges

from .helpers import CHROMIUM, CHROMIUM_ARGS, assert_accessible, sign_in_with_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "follow-up-browser-password-27"
WIDTHS = {"desktop": (1280, 900), "tablet": (820, 1180), "phone": (390, 844)}
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "followup"
OLD_COPING = "Walk by the river after dinner"
NEW_COPING = "Walk by the river with my sister after dinner"
MEANS = "Brother keeps the pills at his flat for now"
NOTE = "Coping step now with her sister; pills confirmed moved"
HOW_DOING = "Sleeping a little better, back at work two days"


@pytest.fixture
def client_pk(live_server, django_user_model) -> int:
    user = django_user_model.objects.create_user(
        username="noor", password=PASSWORD, first_name="Noor", last_name="Haddad"
    )
    client = actions.create_client(by=user, data=actions.ClientData(name="Robin Park", preferred_name="Robin"))
    changes = PlanChanges(
        sections={
            "coping": [EntryData(text=OLD_COPING)],
            "means_safety": [EntryData(means="medicines", text=MEANS, who="Carlos", by_when="Tonight")],
        },
        plan_fields={"most_important": "My children"},
    )
    actions.save_plan(client=client, by=user, changes=changes, expected_revision=0)
    actions.save_version(
        client=client, by=user, review_date=timezone.localdate(), note="Made at discharge", next_review_date=None
    )
    followup_actions.start_follow_up(
        client=client, by=user, setting="discharge", started_at=timezone.now() - datetime.timedelta(hours=80)
    )
    other = actions.create_client(by=user, data=actions.ClientData(name="Sam Lee"))
    actions.save_plan(
        client=other, by=user, changes=PlanChanges(sections={"coping": [EntryData(text="x")]}), expected_revision=0
    )
    followup_actions.start_follow_up(client=other, by=user, setting="first_visit", started_at=timezone.now())
    return client.pk


@pytest.fixture
def browser(client_pk) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def signed_in(browser: Browser, base_url: str, size: tuple[int, int]) -> Page:
    page = browser.new_context(viewport={"width": size[0], "height": size[1]}, reduced_motion="reduce").new_page()
    sign_in_with_form(page, f"{base_url}/accounts/login/", "noor", PASSWORD)
    return page


def photograph(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_reached_contact_revises_the_plan_and_shows_what_changed(live_server, browser, client_pk):
    page = signed_in(browser, live_server.url, WIDTHS["desktop"])
    page.get_by_role("link", name="Contacts due").click()
    overdue = page.get_by_role("region", name=re.compile("Overdue"))
    expect(overdue.get_by_role("link", name="Robin")).to_be_visible()
    expect(overdue).to_contain_text("0 of 5")
    overdue.get_by_role("link", name="Robin").click()

    # The re-check of the agreed steps for safer surroundings: confirmed done, saved in the plan.
    means = page.get_by_role("region", name="Agreed steps for safer surroundings")
    expect(means).to_contain_text(MEANS)
    expect(means).to_contain_text("Carlos")
    expect(means).to_contain_text("Tonight")
    means.get_by_role("button", name="Mark as confirmed done").click()
    expect(page.get_by_text("Confirmed done, and saved in the plan.")).to_be_visible()
    expect(means.get_by_role("button", name="Mark as confirmed done")).to_have_count(0)

    # Revise the plan in the editor, finish the review with a version, and come back to the contact.
    page.get_by_role("link", name="Revise the plan").click()
    expect(page).to_have_url(re.compile(r"/plan/edit/\?next="))
    coping = page.get_by_role("group", name="Thing to do 1", exact=True).get_by_label("Something I can do", exact=True)
    coping.fill(NEW_COPING)
    page.get_by_text("More", exact=True).click()
    page.get_by_role("button", name="Finish review: save a version").click()
    expect(page.get_by_role("heading", name="Finish this review and save a version")).to_be_visible()
    page.get_by_label("What changed, and why").fill(NOTE)
    page.get_by_role("button", name="Save this version").click()

    expect(page).to_have_url(re.compile(rf"/followup/clients/{client_pk}/contacts/\d+/\?version=2$"))
    revise = page.get_by_role("region", name="Review and revise the plan")
    expect(revise).to_contain_text("Version 2 was saved during this contact")
    expect(revise).to_contain_text(NOTE)
    expect(revise.locator("ins").filter(has_text="with my sister")).to_be_visible()
    photograph(page, "contact-revised-desktop")

    # Record the contact: reached, by phone, how they are doing, the plan used, the next appointment.
    record = page.get_by_role("region", name="Record attempt 1")
    record.get_by_label("Yes, we talked").check()
    record.get_by_label("Phone", exact=True).check()
    record.get_by_label("How they are doing").fill(HOW_DOING)
    record.get_by_label("The plan since the last contact").select_option("used")
    record.get_by_label("Things I can do by myself").check()
    record.get_by_label(re.compile("The agreed steps for safer surroundings were checked")).check()
    record.get_by_label("Next appointment", exact=True).fill(
        (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    )
    record.get_by_role("button", name="Record this attempt").click()

    expect(page.get_by_text("Contact recorded.")).to_be_visible()
    expect(page.get_by_text("This contact is closed.")).to_be_visible()
    attempts = page.get_by_role("region", name="Attempts recorded")
    expect(attempts).to_contain_text("Reached")
    expect(attempts).to_contain_text(HOW_DOING)
    expect(attempts).to_contain_text("Checked together: 1 of 1 agreed step confirmed done.")
    expect(attempts.get_by_role("link", name="Version 2 saved during this contact")).to_be_visible()
    attempts.get_by_role("link", name="What changed").click()
    expect(page.locator("ins").filter(has_text="with my sister").first).to_be_visible()
    expect(page.locator("del").filter(has_text="after dinner")).to_have_count(0)

    # The follow-up moved on: contact 2, due in a week, is now the one waiting.
    page.goto(f"{live_server.url}/followup/")
    upcoming = page.get_by_role("region", name=re.compile("Upcoming"))
    expect(upcoming.get_by_role("row", name=re.compile("Robin"))).to_contain_text("Contact 2")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_follow_up_screens_at_every_width(live_server, browser, client_pk, width):
    page = signed_in(browser, live_server.url, WIDTHS[width])
    for name, path, heading in [
        ("worklist", "/followup/", "Follow-up contacts due"),
        ("contact", "", "First follow-up contact: Robin"),
        ("client", f"/followup/clients/{client_pk}/", "Follow-up contacts: Robin"),
        ("team", "/followup/team/", "Follow-up across your care teams"),
        ("clients", "/clients/", "My clients"),
    ]:
        if path:
            page.goto(live_server.url + path)
        else:  # the contact's page, reached as a clinician does: from contacts due
            page.goto(live_server.url + "/followup/")
            page.get_by_role("link", name="Robin").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than the {width} screen"
        photograph(page, f"{name}-{width}")
        if width == "desktop":
            assert_accessible(page, name)
