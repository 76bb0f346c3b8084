"""A clinician builds a whole safety plan in a real browser, once with JavaScript and once without.

Playwright drives Debian's Chromium against pytest-django's live server. With JavaScript the row
buttons work in place (and from the keyboard); without it every button posts the form and the
server does the same thing. In the JavaScript run, axe-core checks each kind of page.
"""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect, sync_playwright

from .helpers import CHROMIUM, CHROMIUM_ARGS, assert_accessible

pytestmark = pytest.mark.browser

USERNAME, PASSWORD = "dana", "a-long-browser-test-password-81"

# What the clinician types. Client-facing words must all reach the plan page.
SPANISH_SIGN = "Me quedo en la cama todo el día"
SUGGESTED_SIGN = "Pulling away from people"
REMOVED_SIGN = "Skipping meals"
LAST_SIGN = "Snapping at people I love"
SPANISH_WALK = "Salir a caminar con mi perro"
ARABIC_MUSIC = "الاستماع إلى الموسيقى"
CHINESE_CALL = "给妈妈打电话"
AUNT, AUNT_NOTE, AUNT_PHONE = "Tía Carmen", "mi tía", "(212) 555-0175"
FRIEND, FRIEND_NOTE, FRIEND_PHONE = "Sam Okafor", "friend from work", "(617) 555-0123"
PLACE, PLACE_ADDRESS = "Biblioteca del barrio", "Calle Mayor 5"
TOGETHER_PLACE = "Parque del Retiro"
BROTHER, BROTHER_NOTE, BROTHER_PHONE = "Ahmed", "أخي", "(212) 555-0142"
WANG, WANG_NOTE, WANG_PHONE = "王芳", "朋友", "+44 20 7946 0958"
THERAPIST, THERAPIST_ROLE, THERAPIST_PHONE, THERAPIST_AFTER_HOURS = (
    "Dr. Dana Lee",
    "Therapist",
    "(617) 555-0100",
    "(617) 555-0199",
)
HOSPITAL, HOSPITAL_ADDRESS, HOSPITAL_PHONE = "Mercy Hospital", "1 Hospital Way", "(212) 555-0111"
MEANS, MEANS_WHO, MEANS_WHEN = "Mi hermano guarda las pastillas por ahora", "Carlos", "Esta noche"
MOST_IMPORTANT = "Mis hijos, Lucía y Mateo"
ARABIC_REASON = "رؤية أطفالي يكبرون"
CHINESE_REASON = "我的猫"
TOGETHER_REASON = "Volver a pintar"
# Clinician-only: never in together mode, never on the client's copy.
BARRIERS = "Worries about being a burden when calling"
WHERE_KEPT = "On her phone and on the fridge"
SHARED_WITH = "Her sister Ana"

PHONE_ERROR = "This doesn't look like a complete phone number"

# Every field of the finished plan, in order: (step, entry group, field label, value).
FINAL_ENTRIES = [
    (1, "Warning sign 1", "Warning sign", SPANISH_SIGN),
    (1, "Warning sign 2", "Warning sign", SUGGESTED_SIGN),
    (1, "Warning sign 3", "Warning sign", LAST_SIGN),
    (2, "Thing to do 1", "Something I can do", ARABIC_MUSIC),
    (2, "Thing to do 2", "Something I can do", CHINESE_CALL),
    (2, "Thing to do 3", "Something I can do", SPANISH_WALK),
    (3, "Person 1", "Name", FRIEND),
    (3, "Person 1", "Phone", FRIEND_PHONE),
    (3, "Person 1", "Relationship or note", FRIEND_NOTE),
    (3, "Person 2", "Name", AUNT),
    (3, "Person 2", "Phone", AUNT_PHONE),
    (3, "Person 2", "Relationship or note", AUNT_NOTE),
    (3, "Place 1", "Place", PLACE),
    (3, "Place 1", "Where it is", PLACE_ADDRESS),
    (4, "Person 1", "Name", BROTHER),
    (4, "Person 1", "Phone", BROTHER_PHONE),
    (4, "Person 1", "Relationship", BROTHER_NOTE),
    (4, "Person 2", "Name", WANG),
    (4, "Person 2", "Phone", WANG_PHONE),
    (4, "Person 2", "Relationship", WANG_NOTE),
    (5, "Professional or service 1", "Name or service", THERAPIST),
    (5, "Professional or service 1", "Role", THERAPIST_ROLE),
    (5, "Professional or service 1", "Phone", THERAPIST_PHONE),
    (5, "Professional or service 1", "After-hours phone", THERAPIST_AFTER_HOURS),
    (5, "Emergency department 1", "Emergency department", HOSPITAL),
    (5, "Emergency department 1", "Address", HOSPITAL_ADDRESS),
    (5, "Emergency department 1", "Phone", HOSPITAL_PHONE),
    (6, "Agreed step 1", "What we agreed", MEANS),
    (6, "Agreed step 1", "Who holds it or does it", MEANS_WHO),
    (6, "Agreed step 1", "By when", MEANS_WHEN),
    (7, "Reason 1", "Another reason", ARABIC_REASON),
    (7, "Reason 2", "Another reason", CHINESE_REASON),
]
# What together mode adds on top.
TOGETHER_ENTRIES = [
    (3, "Place 2", "Place", TOGETHER_PLACE),
    (7, "Reason 3", "Another reason", TOGETHER_REASON),
]

# Phone numbers as the plan page shows them, and the tel: link each must be.
TEL_LINKS = {
    FRIEND_PHONE: "tel:+16175550123",
    AUNT_PHONE: "tel:+12125550175",
    BROTHER_PHONE: "tel:+12125550142",
    WANG_PHONE: "tel:+442079460958",
    THERAPIST_PHONE: "tel:+16175550100",
    THERAPIST_AFTER_HOURS: "tel:+16175550199",
    HOSPITAL_PHONE: "tel:+12125550111",
}


@pytest.fixture
def clinician(live_server, django_user_model):
    return django_user_model.objects.create_user(
        username=USERNAME, password=PASSWORD, first_name="Dana", last_name="Lee"
    )


@pytest.fixture
def browser(live_server, clinician) -> Iterator[Browser]:
    """Chromium, started only once the database and the clinician are ready, stopped before the flush.

    While Playwright's sync API runs, this thread has an event loop, so Django refuses the ORM here (and
    would hand out a second connection without the serialized seed data). The test itself only drives
    the browser; the live server answers from its own thread.
    """
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def step_region(page: Page, number: int) -> Locator:
    return page.get_by_role("region", name=re.compile(rf"^Step {number}: "))


def entry(scope: Locator, name: str) -> Locator:
    """One entry row, a fieldset named by its legend ("Person 2")."""
    return scope.get_by_role("group", name=name, exact=True)


def field(scope: Locator, row: str, label: str) -> Locator:
    return entry(scope, row).get_by_label(label, exact=True)


def submit(page: Page, button: Locator) -> None:
    with page.expect_navigation():
        button.click()


def row_button(page: Page, button: Locator, *, js: bool) -> None:
    """A row button (add, remove, move, suggestion): in place with JavaScript, a round trip without."""
    if js:
        button.click()
    else:
        submit(page, button)


def assert_entries(page: Page, entries: list[tuple[int, str, str, str]]) -> None:
    for number, row, label, value in entries:
        expect(field(step_region(page, number), row, label)).to_have_value(value)


def sign_in(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("heading", name="My clients")).to_be_visible()


def add_client(page: Page) -> None:
    page.get_by_role("link", name="Add a client").click()
    expect(page.get_by_role("heading", name="Add a client")).to_be_visible()
    page.get_by_label("Full name").fill("Jordan Rivera")
    page.get_by_label("Preferred name").fill("Jo")
    page.get_by_label("Record number").fill("MRN-4471")
    # English: together mode follows it (tests/test_browser_languages.py walks it in Spanish).
    page.get_by_label("Preferred language").select_option(label="English")
    submit(page, page.get_by_role("button", name="Add client and start plan"))
    expect(page.get_by_role("heading", name="Safety plan: Jo")).to_be_visible()
    expect(page.get_by_text("Client added. You can start their safety plan now.")).to_be_visible()


def fill_step_1(page: Page, *, js: bool) -> None:
    step = step_region(page, 1)
    field(step, "Warning sign 1", "Warning sign").fill(SPANISH_SIGN)
    row_button(page, step.get_by_role("button", name=f"+ {SUGGESTED_SIGN}"), js=js)
    expect(field(step, "Warning sign 2", "Warning sign")).to_have_value(SUGGESTED_SIGN)
    row_button(page, step.get_by_role("button", name="+ Add a warning sign"), js=js)
    if js:
        expect(field(step, "Warning sign 3", "Warning sign")).to_be_focused()
    field(step, "Warning sign 3", "Warning sign").fill(REMOVED_SIGN)
    row_button(page, step.get_by_role("button", name="+ Add a warning sign"), js=js)
    field(step, "Warning sign 4", "Warning sign").fill(LAST_SIGN)
    row_button(page, entry(step, "Warning sign 3").get_by_role("button", name="Remove"), js=js)
    expect(step.get_by_role("group", name=re.compile(r"^Warning sign \d+$"))).to_have_count(3)
    expect(field(step, "Warning sign 3", "Warning sign")).to_have_value(LAST_SIGN)
    clinician_only = step.get_by_role("group", name="For the clinician (not on the client's copy)")
    clinician_only.get_by_label("How likely is the client to use this step in a crisis?").select_option(
        label="4 – likely"
    )
    clinician_only.get_by_label("What might get in the way, and how to get around it").fill(BARRIERS)


def fill_step_2(page: Page, *, js: bool) -> None:
    step = step_region(page, 2)
    field(step, "Thing to do 1", "Something I can do").fill(SPANISH_WALK)
    row_button(page, step.get_by_role("button", name="+ Add something to do"), js=js)
    field(step, "Thing to do 2", "Something I can do").fill(ARABIC_MUSIC)
    row_button(page, step.get_by_role("button", name="+ Add something to do"), js=js)
    field(step, "Thing to do 3", "Something I can do").fill(CHINESE_CALL)
    if js:
        # Keyboard only: Enter on a focused "Move up", then Space on another; the row moves in place
        # and focus follows the button, so it can be pressed again.
        entry(step, "Thing to do 2").get_by_role("button", name="Move up").focus()
        page.keyboard.press("Enter")
        moved = entry(step, "Thing to do 1").get_by_role("button", name="Move up")
        expect(moved).to_be_focused()
        expect(moved).to_have_accessible_name("Move up thing to do 1")
        expect(page.locator("#editor-status")).to_have_text("Entry moved to position 1")
        entry(step, "Thing to do 3").get_by_role("button", name="Move up").focus()
        page.keyboard.press("Space")
        expect(entry(step, "Thing to do 2").get_by_role("button", name="Move up")).to_be_focused()
    else:
        row_button(page, entry(step, "Thing to do 2").get_by_role("button", name="Move up"), js=js)
        row_button(page, entry(step, "Thing to do 3").get_by_role("button", name="Move up"), js=js)
    expect(field(step, "Thing to do 1", "Something I can do")).to_have_value(ARABIC_MUSIC)
    expect(field(step, "Thing to do 2", "Something I can do")).to_have_value(CHINESE_CALL)
    expect(field(step, "Thing to do 3", "Something I can do")).to_have_value(SPANISH_WALK)


def fill_step_3(page: Page, *, js: bool) -> None:
    step = step_region(page, 3)
    field(step, "Person 1", "Name").fill(AUNT)
    field(step, "Person 1", "Phone").fill("12345")  # a digit short of anything: must be caught
    field(step, "Person 1", "Relationship or note").fill(AUNT_NOTE)
    row_button(page, step.get_by_role("button", name="+ Add a person"), js=js)
    field(step, "Person 2", "Name").fill(FRIEND)
    field(step, "Person 2", "Phone").fill(FRIEND_PHONE)
    field(step, "Person 2", "Relationship or note").fill(FRIEND_NOTE)
    row_button(page, entry(step, "Person 1").get_by_role("button", name="Move down"), js=js)
    expect(field(step, "Person 1", "Name")).to_have_value(FRIEND)
    expect(field(step, "Person 2", "Name")).to_have_value(AUNT)
    field(step, "Place 1", "Place").fill(PLACE)
    field(step, "Place 1", "Where it is").fill(PLACE_ADDRESS)


def fill_steps_4_to_7(page: Page, *, js: bool) -> None:
    step = step_region(page, 4)
    field(step, "Person 1", "Name").fill(BROTHER)
    field(step, "Person 1", "Phone").fill(BROTHER_PHONE)
    field(step, "Person 1", "Relationship").fill(BROTHER_NOTE)
    row_button(page, step.get_by_role("button", name="+ Add a person"), js=js)
    field(step, "Person 2", "Name").fill(WANG)
    field(step, "Person 2", "Phone").fill(WANG_PHONE)
    field(step, "Person 2", "Relationship").fill(WANG_NOTE)

    step = step_region(page, 5)
    field(step, "Professional or service 1", "Name or service").fill(THERAPIST)
    field(step, "Professional or service 1", "Role").fill(THERAPIST_ROLE)
    field(step, "Professional or service 1", "Phone").fill(THERAPIST_PHONE)
    field(step, "Professional or service 1", "After-hours phone").fill(THERAPIST_AFTER_HOURS)
    field(step, "Emergency department 1", "Emergency department").fill(HOSPITAL)
    field(step, "Emergency department 1", "Address").fill(HOSPITAL_ADDRESS)
    field(step, "Emergency department 1", "Phone").fill(HOSPITAL_PHONE)

    step = step_region(page, 6)
    field(step, "Agreed step 1", "What we agreed").fill(MEANS)
    field(step, "Agreed step 1", "Who holds it or does it").fill(MEANS_WHO)
    field(step, "Agreed step 1", "By when").fill(MEANS_WHEN)

    step = step_region(page, 7)
    step.get_by_label("The thing that matters most to me").fill(MOST_IMPORTANT)
    field(step, "Reason 1", "Another reason").fill(ARABIC_REASON)
    row_button(page, step.get_by_role("button", name="+ Add a reason"), js=js)
    field(step, "Reason 2", "Another reason").fill(CHINESE_REASON)

    page.get_by_label("Where the plan will be kept").fill(WHERE_KEPT)
    page.get_by_label("Who it will be shared with").fill(SHARED_WITH)


def fix_the_phone_number(page: Page) -> None:
    """Save with "12345": the message sits next to the field, nothing typed is lost; then correct it."""
    submit(page, page.get_by_role("button", name="Save", exact=True).first)
    expect(page.get_by_text("Nothing was saved yet: please check the 1 highlighted field(s) below.")).to_be_visible()
    aunt = entry(step_region(page, 3), "Person 2")
    phone = aunt.get_by_label("Phone", exact=True)
    expect(phone).to_have_value("12345")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(re.compile(PHONE_ERROR))
    expect(aunt.get_by_text(PHONE_ERROR)).to_be_visible()
    assert_entries(page, FINAL_ENTRIES[:10])  # everything up to the broken number...
    assert_entries(page, FINAL_ENTRIES[11:])  # ...and after it is still there
    expect(step_region(page, 1).get_by_role("group", name=re.compile(r"^Warning sign \d+$"))).to_have_count(3)
    expect(step_region(page, 1).get_by_label("What might get in the way, and how to get around it")).to_have_value(
        BARRIERS
    )
    expect(step_region(page, 7).get_by_label("The thing that matters most to me")).to_have_value(MOST_IMPORTANT)
    expect(page.get_by_label("Where the plan will be kept")).to_have_value(WHERE_KEPT)
    phone.fill(AUNT_PHONE)


def assert_no_clinician_fields(page: Page) -> None:
    expect(page.get_by_text("For the clinician")).to_have_count(0)
    expect(page.get_by_label("How likely is the client to use this step in a crisis?")).to_have_count(0)
    expect(page.get_by_label("What might get in the way, and how to get around it")).to_have_count(0)
    expect(page.get_by_label("Where the plan will be kept")).to_have_count(0)
    expect(page.get_by_label("Who it will be shared with")).to_have_count(0)
    expect(page.get_by_role("button", name=f"+ {SUGGESTED_SIGN}")).to_have_count(0)
    for private in (BARRIERS, WHERE_KEPT, SHARED_WITH):
        expect(page.locator("body")).not_to_contain_text(private)


TOGETHER_HEADINGS = {
    1: "Signs that a hard time may be starting",
    2: "Things I can do by myself",
    3: "People and places that take my mind off things",
    4: "People I can ask for help",
    5: "Professionals and services I can contact",
    6: "Making my surroundings safer",
    7: "What matters most to me",
}


def together_step(page: Page, number: int, *, js: bool) -> Locator:
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(TOGETHER_HEADINGS[number])
    expect(page.get_by_text(f"Step {number} of 7")).to_be_visible()
    assert_no_clinician_fields(page)
    if js:
        assert_accessible(page, f"together mode, step {number}")
    return page.get_by_role("region", name=TOGETHER_HEADINGS[number])


def go_through_together_mode(page: Page, *, js: bool) -> None:
    page.get_by_text("More", exact=True).click()  # the toolbar's menu of the other ways to save
    submit(page, page.get_by_role("button", name="Save and switch to together mode"))
    next_button = page.get_by_role("button", name="Next")

    step = together_step(page, 1, js=js)
    expect(page.get_by_role("button", name="Back")).to_have_count(0)
    expect(field(step, "Warning sign 1", "Warning sign")).to_have_value(SPANISH_SIGN)
    submit(page, next_button)

    step = together_step(page, 2, js=js)
    expect(field(step, "Thing to do 1", "Something I can do")).to_have_value(ARABIC_MUSIC)
    submit(page, next_button)

    step = together_step(page, 3, js=js)
    expect(field(step, "Person 2", "Phone")).to_have_value(AUNT_PHONE)
    row_button(page, step.get_by_role("button", name="+ Add a place"), js=js)
    field(step, "Place 2", "Place").fill(TOGETHER_PLACE)
    submit(page, page.get_by_role("button", name="Back"))  # Back saves too
    together_step(page, 2, js=js)
    submit(page, next_button)
    step = together_step(page, 3, js=js)
    expect(field(step, "Place 2", "Place")).to_have_value(TOGETHER_PLACE)
    submit(page, next_button)

    for number in (4, 5, 6):
        together_step(page, number, js=js)
        submit(page, next_button)

    step = together_step(page, 7, js=js)
    expect(next_button).to_have_count(0)
    expect(step.get_by_label("The thing that matters most to me")).to_have_value(MOST_IMPORTANT)
    row_button(page, step.get_by_role("button", name="+ Add a reason"), js=js)
    field(step, "Reason 3", "Another reason").fill(TOGETHER_REASON)
    submit(page, page.get_by_role("button", name="Finish and see the whole plan"))


def plan_step(page: Page, number: int) -> Locator:
    return page.get_by_role("region", name=re.compile(rf"^{number} "))


def assert_plan_page(page: Page) -> None:
    expect(page.get_by_role("heading", name="Safety plan: Jo")).to_be_visible()
    expect(page.get_by_text("Every step of this plan has something in it.")).to_be_visible()
    plan = page.locator(".client-plan")
    typed = [value for _step, _row, _label, value in FINAL_ENTRIES + TOGETHER_ENTRIES]
    for value in [*typed, MOST_IMPORTANT]:
        expect(plan).to_contain_text(value)
    # Entries in the order they were left in, the removed one gone.
    expect(plan_step(page, 1).locator(".plan-entries > li")).to_have_text([SPANISH_SIGN, SUGGESTED_SIGN, LAST_SIGN])
    expect(plan_step(page, 2).locator(".plan-entries > li")).to_have_text([ARABIC_MUSIC, CHINESE_CALL, SPANISH_WALK])
    expect(plan_step(page, 3).locator(".plan-entries > li")).to_have_text(
        [
            f"{FRIEND} ({FRIEND_NOTE}) {FRIEND_PHONE}",
            f"{AUNT} ({AUNT_NOTE}) {AUNT_PHONE}",
            f"{PLACE} — {PLACE_ADDRESS}",
            TOGETHER_PLACE,
        ]
    )
    expect(plan_step(page, 4).locator(".plan-entries > li")).to_have_text(
        [f"{BROTHER} ({BROTHER_NOTE}) {BROTHER_PHONE}", f"{WANG} ({WANG_NOTE}) {WANG_PHONE}"]
    )
    expect(plan_step(page, 7).locator(".plan-entries > li")).to_have_text(
        [ARABIC_REASON, CHINESE_REASON, TOGETHER_REASON]
    )
    expect(plan).not_to_contain_text(REMOVED_SIGN)
    expect(plan).not_to_contain_text("12345")
    for private in (BARRIERS, WHERE_KEPT, SHARED_WITH):
        expect(page.locator("body")).not_to_contain_text(private)
    # Every phone number is a link that calls it.
    for shown, href in TEL_LINKS.items():
        expect(plan.get_by_role("link", name=shown, exact=True)).to_have_attribute("href", href)
    # Crisis lines are on every plan.
    expect(plan_step(page, 5).get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")


def note_console_error(errors: list[str], message: ConsoleMessage) -> None:
    # Any console error (a failed request, a script error) is a bug.
    if message.type == "error":
        errors.append(f"{message.text} ({message.location.get('url')})")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("js", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_clinician_builds_a_whole_plan(live_server, browser: Browser, js: bool) -> None:
    # Reduced motion: Bootstrap's smooth scrolling would otherwise make every click wait for the scroll to end.
    context = browser.new_context(
        java_script_enabled=js, locale="en-US", viewport={"width": 1280, "height": 900}, reduced_motion="reduce"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: note_console_error(errors, message))
    try:
        sign_in(page, live_server.url)
        add_client(page)
        if js:
            assert_accessible(page, "the empty editor")
            page.evaluate("window.stillTheSamePage = true")

        fill_step_1(page, js=js)
        fill_step_2(page, js=js)
        fill_step_3(page, js=js)
        fill_steps_4_to_7(page, js=js)
        if js:
            # Every add, remove, move and suggestion happened without leaving the page, and left it accessible.
            assert page.evaluate("window.stillTheSamePage") is True
            assert_accessible(page, "the editor after adding, removing and moving entries")

        fix_the_phone_number(page)
        if js:
            assert_accessible(page, "the editor showing an error")
        submit(page, page.get_by_role("button", name="Save", exact=True).first)
        expect(page.get_by_text(re.compile(r"^Plan saved at "))).to_be_visible()
        assert_entries(page, FINAL_ENTRIES)

        go_through_together_mode(page, js=js)
        assert_plan_page(page)
        if js:
            assert_accessible(page, "the plan page")

        # The clinician's own fields were kept, though no client-facing page shows them.
        page.get_by_role("link", name="Edit plan").click()
        assert_entries(page, FINAL_ENTRIES + TOGETHER_ENTRIES)
        expect(step_region(page, 1).get_by_label("What might get in the way, and how to get around it")).to_have_value(
            BARRIERS
        )
        expect(page.get_by_label("Where the plan will be kept")).to_have_value(WHERE_KEPT)
        expect(page.get_by_label("Who it will be shared with")).to_have_value(SHARED_WITH)

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
        row = page.get_by_role("row", name=re.compile("Jordan Rivera"))
        expect(row).to_contain_text("Every step filled in")
        if js:
            assert_accessible(page, "the client list")
        assert errors == [], f"errors in the browser console: {errors}"
    finally:
        context.close()
