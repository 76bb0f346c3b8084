"""Build editor POST data the way the browser sends it; read a word diff back; Debian's Chromium for the browser tests."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from playwright.sync_api import Page

from plans.steps import SECTIONS, STEPS
from plans.worddiff import Segment


def editor_data(response_or_plan_revision: int = 0, **sections: list[dict[str, str]]) -> dict[str, Any]:
    """POST data for the full editor: every section's management form plus the given rows."""
    data: dict[str, Any] = {"revision": str(response_or_plan_revision)}
    for section in SECTIONS:
        rows = sections.get(section.key, [])
        data[f"{section.key}-TOTAL_FORMS"] = str(len(rows))
        data[f"{section.key}-INITIAL_FORMS"] = "0"
        data[f"{section.key}-MIN_NUM_FORMS"] = "0"
        data[f"{section.key}-MAX_NUM_FORMS"] = "50"
        for i, row in enumerate(rows):
            for name, value in row.items():
                data[f"{section.key}-{i}-{name}"] = value
    for step in STEPS:
        data[f"step{step.number}-likelihood"] = ""
        data[f"step{step.number}-barriers"] = ""
    data.update(
        {"most_important": "", "where_kept": "", "shared_with": "", "likelihood_of_use": "", "next_review_date": ""}
    )
    return data


def form_data_from_page(http: HttpClient, url: str) -> dict[str, Any]:
    """The data a browser would post back from the page at `url` unchanged (inputs, textareas, selects)."""
    from html.parser import HTMLParser

    response = http.get(url)
    assert response.status_code == 200

    class Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.data: dict[str, Any] = {}
            self.in_form = False
            self.textarea: str | None = None
            self.select: str | None = None
            self.template_depth = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            if tag == "template":
                self.template_depth += 1
            if self.template_depth:
                return
            if tag == "form" and a.get("id") == "plan-form":
                self.in_form = True
            if not self.in_form:
                return
            name = a.get("name")
            if tag == "input" and name and a.get("type") not in {"submit", "button", "checkbox", "radio"}:
                self.data[name] = a.get("value") or ""
            elif tag == "textarea" and name:
                self.textarea = name
                self.data[name] = ""
            elif tag == "select" and name:
                self.select = name
                self.data[name] = ""
            elif tag == "option" and self.select and "selected" in a:
                self.data[self.select] = a.get("value") or ""
            elif tag == "input" and name and a.get("type") in {"checkbox", "radio"} and "checked" in a:
                # A checked box is posted; several under one name are posted as a list, as a browser does.
                previous = self.data.get(name)
                value = a.get("value") or "on"
                self.data[name] = (
                    value if previous is None else [*(previous if isinstance(previous, list) else [previous]), value]
                )

        def handle_endtag(self, tag: str) -> None:
            if tag == "template":
                self.template_depth -= 1
            elif tag == "textarea":
                self.textarea = None
            elif tag == "select":
                self.select = None
            elif tag == "form":
                self.in_form = False

        def handle_data(self, data: str) -> None:
            if self.textarea and not self.template_depth:
                self.data[self.textarea] += data.lstrip("\n") if not self.data[self.textarea] else data

    parser = Parser()
    parser.feed(response.content.decode())
    return parser.data


def edit_url(pk: int) -> str:
    return reverse("plans:plan_edit", args=[pk])


def rebuilt(segments: tuple[Segment, ...]) -> tuple[str, str]:
    """The old and the new text a word diff stands for."""
    old = "".join(s.text for s in segments if s.op != "insert")
    new = "".join(s.text for s in segments if s.op != "delete")
    return old, new


def changed(segments: tuple[Segment, ...]) -> list[tuple[str, str]]:
    """What a word diff marks: (op, text) of every segment that is not the same in both texts."""
    return [(s.op, s.text) for s in segments if s.op != "equal"]


# Debian's Chromium (never a browser download), without the background traffic the closed network refuses.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


def sign_in_with_form(page: Page, url: str, username: str, password: str) -> None:
    """Sign in through the form at `url` (the sign-in page, with a `next` if wanted), as a person does, and
    wait for the page it leads to."""
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def assert_accessible(page: Page, where: str) -> None:
    """axe-core finds nothing serious or critical on the page as it is now."""
    assert AXE_JS.exists(), "axe-core is missing: run `make assets` (npm ci)"
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy (rightly
    # refusing inline scripts) does not apply to; the policy stays enforced for the app itself.
    page.evaluate(AXE_JS.read_text())
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    serious = [v for v in results["violations"] if v["impact"] in {"serious", "critical"}]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]\n"
        + "\n".join(f"    {node['target']}" for node in v["nodes"])
        for v in serious
    )
    assert not serious, f"axe found serious problems on {where}:\n{report}"


def sample_value(field_key: str, words: str) -> str:
    """A value a clinician could type or choose in an entry field: `words` where the field takes the client's
    words, a valid choice, choices or date where it takes ours, a phone number where it takes one."""
    from plans.steps import ENTRY_FIELDS_BY_KEY

    field = ENTRY_FIELDS_BY_KEY[field_key]
    if field.input == "phone":
        return "+12125550175"
    if field.input in {"choice", "choices"}:
        return field.choices[0][0]
    if field.input == "date":
        return "2026-11-30"
    return words


def takes_words(field_key: str) -> bool:
    """Whether an entry field holds the client's own words (free text), not a choice, a date or a number."""
    from plans.steps import ENTRY_FIELDS_BY_KEY

    return ENTRY_FIELDS_BY_KEY[field_key].input in {"text", "line"}
