"""Every URL of the project, walked from the URL resolver, as each persona.

The walk reads `django.urls.get_resolver()`, so a new view is checked without anyone remembering to
add it here. What each persona must get:

- anonymous: the app's pages send them to sign-in; the sign-in pages (everything under `accounts/`)
  answer 200 or a redirect; the Django admin sends them to the admin sign-in.
- charlie, a clinician outside the care team: 404 on every URL that takes a client `pk`, GET and POST
  (exactly what a client that does not exist gets); the other pages show only their own clients.
- a superuser who is not on the care team: the same 404s (admins manage care teams in the admin,
  they do not read plans), and the admin index, app lists and changelists.
- bob (care team) and alice (lead): every page, or 405 on a POST-only view; except the pages only a lead
  has (`LEADS_ONLY`, the team view), which answer 404 to everyone who leads no client (bob, charlie, the
  superuser).
- the phone's pages (under `p/`) answer everyone alike, signed in or not, and show no client's data
  without a device secret: a page, a 405 for a POST-only view, or a 410 for an empty POST.

A GET never changes a plan table, and the views that refuse GET are exactly `EXPECTED_POST_ONLY`.
"""

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client as HttpClient
from django.urls import reverse

from plans.models import SafetyPlan

from .urlwalk import ROUTES, SECRET_ENTRY, UNNAMED, Route, World

# Views that refuse GET (405) because they only change state. A new one must be added here, on purpose.
EXPECTED_POST_ONLY = {
    "phonecopy:revoke",
    "phonecopy:send",
    "plans:care_team_remove",
    "plans:plan_autosave",
    "plans:version_restore",
    "followup:confirm_means",
    "session_keep_alive",
}
# Pages only a lead clinician has (the team view): 404 for everyone who leads no client, as for an outsider.
LEADS_ONLY = {"followup:team_report", "followup:team_report_csv"}

# Words that only the world's client has: none of them may reach someone outside the care team.
CLIENT_NAME = "Jordan Rivera"
RECORD_NUMBER = "MRN-001"

PERSONAS = ("anonymous", "outsider", "member", "lead", "superuser")
NO_SUCH_CLIENT = 10**6  # added to the real pk: a client that does not exist


def http_for(persona: str, world: World) -> HttpClient:
    http = HttpClient(raise_request_exception=False)  # a 500 is a finding, listed with the others
    if persona != "anonymous":
        http.force_login(world.users[persona])
    return http


def plan_tables() -> dict[str, Any]:
    """Row counts of every table of the app, and each plan's revision. Audit and view logs may grow."""
    state: dict[str, Any] = {
        model._meta.label: model._default_manager.count()
        for app in ("plans", "followup")
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Audit")
    }
    state["plan revisions"] = list(SafetyPlan.objects.order_by("pk").values_list("pk", "revision"))
    return state


def location(response: Any) -> str:
    return urlsplit(response["Location"]).path


def is_redirect(response: Any) -> bool:
    return response.status_code in {301, 302, 303, 307, 308}


def reaches(http: HttpClient, response: Any, path: str) -> bool:
    """Whether `response` redirects to `path`, directly or through a few redirects that show nothing."""
    for _hop in range(5):
        if not is_redirect(response):
            return False
        if location(response) == path:
            return True
        response = http.get(response["Location"])
    return False


@transaction.atomic
def post_and_roll_back(http: HttpClient, url: str) -> Any:
    """POST empty data and undo whatever it did, so one URL's POST can't change what the next one sees."""
    response = http.post(url, {})
    transaction.set_rollback(True)
    return response


# --- The summary shown at the end of the run ----------------------------------------------------------

CHECKED: dict[str, int] = {}


class _Summary:
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not CHECKED:
            return
        terminalreporter.write_sep("-", "URL walk")
        for persona, count in CHECKED.items():
            terminalreporter.write_line(f"{persona}: {count} URL patterns checked")
        terminalreporter.write_line(
            f"{len(ROUTES)} URL patterns x {len(CHECKED)} personas = {sum(CHECKED.values())} checks "
            f"({sum(r.area == 'app' for r in ROUTES)} app, {sum(r.area == 'auth' for r in ROUTES)} sign-in, "
            f"{sum(r.area == 'admin' for r in ROUTES)} admin)"
        )


@pytest.fixture(scope="module", autouse=True)
def _print_the_count(pytestconfig):
    if not pytestconfig.pluginmanager.has_plugin("url-walk-summary"):
        pytestconfig.pluginmanager.register(_Summary(), "url-walk-summary")
    yield


# --- The checks --------------------------------------------------------------------------------------


class Failures(list[str]):
    def check(self, ok: bool, route: Route, message: str) -> None:
        if not ok:
            self.append(f"{route.name} ({route.route!r}): {message}")


def check_app_route(persona: str, http: HttpClient, world: World, route: Route, failures: Failures) -> bool:
    """The app's own pages. Returns True when GET answered 405 (a POST-only view)."""
    url = world.url(route)
    sign_in_path = urlsplit(resolve_url(settings.LOGIN_URL)).path
    response = http.get(url)
    status = response.status_code
    failures.check(status < 500, route, f"GET answered {status}")
    post_only = status == 405

    if persona == "anonymous":
        # Straight to sign-in, or through redirects that show nothing on the way ("/" -> the client list).
        failures.check(
            reaches(http, response, sign_in_path) or (post_only and route.name in EXPECTED_POST_ONLY),
            route,
            f"an anonymous GET answered {status}, not a redirect to sign-in ({sign_in_path})",
        )
        posted = post_and_roll_back(http, url)
        failures.check(
            reaches(http, posted, sign_in_path) or posted.status_code == 401,
            route,
            f"an anonymous POST answered {posted.status_code}, not sign-in or 401",
        )
        return post_only

    if persona in {"outsider", "superuser"}:
        leaked = [word for word in (CLIENT_NAME, RECORD_NUMBER, SECRET_ENTRY) if word in response.content.decode()]
        failures.check(not leaked, route, f"GET showed {leaked} to someone outside the care team")
        if route.takes_client:
            # 404, exactly like a client that does not exist. A 405 is accepted only where the view refuses
            # the method for every client before looking anything up (then it tells nothing either).
            nowhere = world.url(route, pk=world.client.pk + NO_SUCH_CLIENT)
            missing = http.get(nowhere).status_code
            failures.check(
                status == 404 or (status == 405 == missing),
                route,
                f"GET answered {status} to someone outside the care team (a client that does not exist: {missing})",
            )
            posted = post_and_roll_back(http, url)
            missing = post_and_roll_back(http, nowhere).status_code
            failures.check(
                posted.status_code == 404 or (posted.status_code == 405 == missing),
                route,
                f"POST answered {posted.status_code} to someone outside the care team "
                f"(a client that does not exist: {missing})",
            )
        else:
            failures.check(status in {200, 302, 405}, route, f"GET answered {status}")
            posted = post_and_roll_back(http, url)
            failures.check(posted.status_code < 500, route, f"POST answered {posted.status_code}")
        return post_only

    # The care team.
    failures.check(status in {200, 302, 405}, route, f"GET answered {status} to the care team")
    if is_redirect(response):
        failures.check(location(response) != sign_in_path, route, "GET sent a signed-in clinician to sign-in")
    posted = post_and_roll_back(http, url)
    # 403 only for a change the care team may see but only its lead may make (the care team itself).
    refused = {404} if persona == "member" else {403, 404}
    failures.check(
        posted.status_code < 500 and posted.status_code not in refused,
        route,
        f"an empty POST answered {posted.status_code} to the care team",
    )
    if post_only:
        failures.check(posted.status_code != 405, route, "refuses GET and POST alike")
    return post_only


def check_leads_only_route(persona: str, http: HttpClient, world: World, route: Route, failures: Failures) -> None:
    """A lead's page, to a signed-in clinician who leads no client: 404, GET and POST, showing nothing."""
    response = http.get(world.url(route))
    failures.check(response.status_code == 404, route, f"GET answered {response.status_code} to a non-lead")
    posted = post_and_roll_back(http, world.url(route))
    failures.check(posted.status_code == 404, route, f"POST answered {posted.status_code} to a non-lead")


def check_auth_route(persona: str, http: HttpClient, world: World, route: Route, failures: Failures) -> None:
    """Sign-in, sign-out, password and second-factor pages: whatever exists under accounts/."""
    response = http.get(world.url(route))
    status = response.status_code
    if persona == "anonymous":
        failures.check(
            status == 200 or is_redirect(response) or status == 405,
            route,
            f"an anonymous GET answered {status}, not a page or a redirect",
        )
    else:
        failures.check(status < 500, route, f"GET answered {status}")


def check_phone_route(persona: str, http: HttpClient, world: World, route: Route, failures: Failures) -> None:
    """The client's phone: no sign-in, and nothing of any client without a device secret."""
    url = world.url(route)
    response = http.get(url)
    posted = post_and_roll_back(http, url)
    for method, answer in (("GET", response), ("POST", posted)):
        failures.check(answer.status_code in {200, 405, 410}, route, f"{method} answered {answer.status_code}")
        body = answer.content.decode(errors="replace")
        leaked = [word for word in (CLIENT_NAME, RECORD_NUMBER, SECRET_ENTRY) if word in body]
        failures.check(not leaked, route, f"{method} showed {leaked} without a device secret")
        failures.check(not answer.cookies, route, f"{method} set a cookie on a phone page")


def check_admin_route(persona: str, http: HttpClient, world: World, route: Route, failures: Failures) -> None:
    url = world.url(route)
    response = http.get(url)
    status = response.status_code
    failures.check(status < 500, route, f"GET answered {status}")
    admin_login = reverse("admin:login")
    if persona == "superuser":
        if route.name in {"admin:index", "admin:app_list"} or route.name.endswith("_changelist"):
            failures.check(status == 200, route, f"the admin answered {status} to a superuser")
        return
    if route.name == "admin:login":
        # The admin signs in through the app's own sign-in; a signed-in non-staff clinician is refused.
        failures.check(is_redirect(response) or status in {200, 403}, route, f"answered {status}")
        return
    expected = reverse("admin:index") if route.name == "admin:logout" else admin_login
    failures.check(
        is_redirect(response) and location(response) == expected,
        route,
        f"answered {status} {response.get('Location', '')}, not a redirect to {expected}",
    )


PERSONA_IDS = [f"{persona}-{len(ROUTES)}-url-patterns" for persona in PERSONAS]


@pytest.mark.parametrize("persona", PERSONAS, ids=PERSONA_IDS)
def test_every_url_answers_this_persona_as_it_should(persona, world):
    http = http_for(persona, world)
    failures = Failures()
    post_only: set[str] = set()
    for route in ROUTES:
        before = plan_tables()
        if route.area == "admin":
            check_admin_route(persona, http, world, route, failures)
        elif route.area == "auth":
            check_auth_route(persona, http, world, route, failures)
        elif route.area == "phone":
            check_phone_route(persona, http, world, route, failures)
        elif route.name in LEADS_ONLY and persona not in {"lead", "anonymous"}:
            check_leads_only_route(persona, http, world, route, failures)
        elif check_app_route(persona, http, world, route, failures):
            post_only.add(route.name)
        failures.check(plan_tables() == before, route, "a GET changed the plan tables")
    CHECKED[persona] = len(ROUTES)
    assert not failures, f"{len(failures)} of {len(ROUTES)} URL patterns answered {persona} wrongly:\n" + "\n".join(
        failures
    )
    if persona in {"member", "lead"}:
        assert post_only == EXPECTED_POST_ONLY, (
            "The views that refuse GET changed. If a view only changes state, add its URL name to "
            f"EXPECTED_POST_ONLY; if it shows a page, it must answer GET. Refusing GET now: {sorted(post_only)}"
        )


def test_every_page_of_the_app_has_a_name(world):
    """The walk checks named patterns; an unnamed view outside the admin would slip past it."""
    assert not [route.route for route in UNNAMED if route.area != "admin"]


def test_the_walk_finds_the_views_it_must(world):
    names = {route.name for route in ROUTES}
    assert {"plans:client_detail", "plans:plan_edit", "printing:plan_pdf", "admin:index"} <= names
    assert any(route.area == "auth" for route in ROUTES), "no sign-in page under accounts/"
    assert all(re.fullmatch(r"[\w:.-]+", name) for name in names)
