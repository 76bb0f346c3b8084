"""Virtual users: a clinician who signs in through the real form and works on their client's plan, and a
visitor of the hello-world app. Each request is timed and checked against what a browser would get."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .browser import Answer, Browser, csrf_token, form_fields, totp_code
from .stats import Recorder

SIGN_IN_KINDS = ["sign-in page", "sign in", "code page", "code", "client list"]
LOOP_KINDS = ["editor", "autosave", "plan page", "print"]
PRINT_EVERY = 20  # one round in this many (on average) also prints the plan
SIGN_IN = "/accounts/login/"
SECOND_STEP = "/accounts/2fa/authenticate/"
CLIENT_LIST = "/clients/"
CODE_MARGIN = 5.0  # seconds: a code typed this close to the end of its 30 seconds waits for the next


class Failed(Exception):
    """A request failed (already recorded as an error); the user pauses and carries on."""


Check = Callable[[Answer], str]  # "" when the answer is what a browser expects, else why not


def status(expected: int) -> Check:
    return lambda a: "" if a.status == expected else f"{a.status} {a.location}".strip()


def redirect_to(location: str) -> Check:
    return lambda a: "" if (a.status, a.location) == (302, location) else f"{a.status} {a.location}".strip()


def pdf(a: Answer) -> str:
    if a.status != 200 or not a.content_type.startswith("application/pdf") or not a.body.startswith(b"%PDF"):
        return f"{a.status} {a.content_type} {a.location}".strip()
    return ""


def saved(a: Answer) -> str:
    if a.status != 200:
        return f"{a.status} {a.location}".strip()
    state = a.json().get("status")
    return "" if state == "saved" else f"autosave said {state}"


@dataclass
class User:
    browser: Browser
    recorder: Recorder = field(default_factory=Recorder)  # each phase gives its own
    alternate: bool = False  # each request to the next server in turn
    sent: int = 0
    last_server: int = 0

    def call(
        self, kind: str, check: Check, method: str, path: str, form: dict[str, list[str]] | None = None, **headers: str
    ) -> Answer:
        server = self.sent % len(self.browser.servers) if self.alternate else 0
        self.sent += 1
        self.last_server = server
        start = time.perf_counter()
        try:
            answer = self.browser.request(server, method, path, form, **headers)
        except Exception as error:
            self.recorder.add(kind, time.perf_counter() - start, type(error).__name__)
            raise Failed(kind) from error
        try:
            problem = check(answer)
        except ValueError as error:  # a JSON answer that is not JSON, say
            problem = f"{answer.status}, unreadable: {type(error).__name__}"
        self.recorder.add(kind, time.perf_counter() - start, problem)
        if problem:
            raise Failed(kind)
        return answer

    def step(self) -> None:
        raise NotImplementedError


@dataclass
class Visitor(User):
    def step(self) -> None:
        self.call("hello", status(200), "GET", "/")


@dataclass
class Clinician(User):
    username: str = ""
    password: str = ""
    totp_secret: str = ""
    client: int = 0
    form: dict[str, list[str]] | None = None
    words: int = 0
    plan: list[str] = field(default_factory=list)  # the requests still to make in this round
    carried: bool | None = None  # after signing in on one server, was the next page from the other signed in?

    def sign_in(self) -> None:
        """The sign-in form, then the authenticator app's code, as production requires, then the client list."""
        page = self.call("sign-in page", status(200), "GET", SIGN_IN).text()
        fields = {"csrfmiddlewaretoken": [csrf_token(page)], "login": [self.username], "password": [self.password]}
        self.call("sign in", redirect_to(SECOND_STEP), "POST", SIGN_IN, form=fields)
        page = self.call("code page", status(200), "GET", SECOND_STEP).text()
        if 30 - time.time() % 30 < CODE_MARGIN:
            time.sleep(30 - time.time() % 30 + 0.1)  # the code is about to change: a person waits for the next
        fields = {"csrfmiddlewaretoken": [csrf_token(page)], "code": [totp_code(self.totp_secret)]}
        self.call("code", redirect_to(CLIENT_LIST), "POST", SECOND_STEP, form=fields)
        signed_in_on = self.last_server
        try:
            self.call("client list", status(200), "GET", CLIENT_LIST)
        except Failed:
            self.carried = False
            raise
        self.carried = self.last_server != signed_in_on

    def step(self) -> None:
        """The next request of the round: open the editor, autosave a changed word, open the plan page, and
        now and then print the plan."""
        if not self.plan:
            self.plan = ["editor", "autosave", "plan page"] + (["print"] if random.randrange(PRINT_EVERY) == 0 else [])
        kind = self.plan.pop(0)
        if kind == "editor":
            self.open_editor()
        elif kind == "autosave":
            self.autosave()
        elif kind == "plan page":
            self.call("plan page", status(200), "GET", f"/clients/{self.client}/")
        else:
            self.call("print", pdf, "GET", f"/clients/{self.client}/print/plan.pdf")

    def open_editor(self) -> None:
        page = self.call("editor", status(200), "GET", f"/clients/{self.client}/plan/edit/").text()
        if self.form is None:
            # The browser's copy of the form. Afterwards autosave keeps it current from its answers, as
            # autosave.js does; parsing the large page again on every open would cost the load generator
            # the CPU the servers need.
            form = form_fields(page, "plan-form")
            form.pop("op", None)
            form.pop("go", None)
            self.form = form

    def autosave(self) -> None:
        """The POST autosave.js makes after typing in one section: that section's fields (the part that
        changed), the revision and base, and `parts`, URL-encoded, with the CSRF cookie's token."""
        if self.form is None:
            self.open_editor()
        assert self.form is not None
        self.words += 1
        token = self.browser.cookies.get("csrftoken", "")
        data = {name: values for name, values in self.form.items() if name.startswith("coping-")}
        data.update(revision=self.form["revision"], base=self.form["base"], csrfmiddlewaretoken=[token])
        data["parts"] = ["coping"]
        data["coping-0-text"] = [f"A walk by the river, then tea ({self.words})"]
        answer = self.call(
            "autosave",
            saved,
            "POST",
            f"/clients/{self.client}/plan/autosave/",
            form=data,
            X_CSRFToken=token,
            Accept="application/json",
        )
        body = answer.json()
        self.form["coping-0-text"] = data["coping-0-text"]
        for name, uid in body.get("uids", {}).items():
            self.form[name] = [uid]
        if body.get("base"):
            self.form["base"] = [body["base"]]
        if body.get("revision") is not None:
            self.form["revision"] = [str(body["revision"])]
