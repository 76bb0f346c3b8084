"""Benchmark: server time of each page against a hello-world view behind the same middleware.

Run by `make bench` (or directly: `python benchmarks/pages.py [--rounds 40]`). In one process, through
Django's test client (the whole middleware stack: sessions, authentication, the MFA requirement, the
session timeouts, security headers, the audit of reads), signed in as a clinician whose client has a
plan of 7 steps x 5 entries and two saved versions. Interleaved rounds, the order rotating each round;
medians, and each page's ratio to the hello-world view in the same run. "compare" shows what a
follow-up review changed (two entries reworded, one added, one removed). Uses a throwaway SQLite
database unless DATABASE_URL is set.

Targets (issue 12): the editor at most 10x hello-world; every other page at most 4x; an autosave of a
changed word at most 10x. Query counts are pinned by the tests, not here.
"""

import argparse
import atexit
import functools
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="bench-pages-")
atexit.register(shutil.rmtree, _tmp, ignore_errors=True)  # the throwaway database goes with the run
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetyplan.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client as HttpClient
from django.test.utils import override_settings
from django.urls import include, path, reverse
from django.utils import timezone
from loadkit.typical import typical_changes

from plans import actions
from plans.content import EntryData, PlanChanges, PlanContent
from plans.models import Client
from tests.helpers import form_data_from_page


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world")


EMPTY_PAGE = engines["django"].from_string('{% extends "base.html" %}')


def chrome(request: HttpRequest) -> HttpResponse:
    """An empty page of the app: what every page pays for the header, navigation and footer."""
    return HttpResponse(EMPTY_PAGE.render({}, request))


# The app's own URLs, plus the hello-world view (and an empty page) at the same depth of the same middleware.
urlpatterns = [path("bench-hello/", hello), path("bench-empty/", chrome), path("", include("safetyplan.urls"))]

TARGETS = {"editor": 10.0, "autosave": 10.0}
UNTARGETED = {"hello", "empty page"}  # the floor, and what the app's chrome alone costs (for reading the rest)
OTHER_TARGET = 4.0


def follow_up(client: Client) -> PlanChanges:
    """A follow-up review as it usually goes: two entries reworded, one added, one removed."""
    plan = actions.client_plan(client)
    assert plan is not None
    sections = {key: list(entries) for key, entries in PlanContent.from_plan(plan).sections.items()}
    sections["coping"][0] = sections["coping"][0].replace(text="A walk by the river, with the dog")
    sections["warning_signs"][2] = sections["warning_signs"][2].replace(text="Not answering the phone")
    sections["reasons"].append(EntryData(None, text="Seeing my sister's baby"))
    del sections["social_places"][4]
    return PlanChanges(sections=sections, plan_fields={"most_important": "My family"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--profile", metavar="PAGE", help="profile one page (e.g. editor) over the rounds instead")
    parser.add_argument(
        "--sort",
        default="tottime",
        help="the profile's order (tottime, cumulative, ...), or sql for the queries of one run",
    )
    args = parser.parse_args()

    # (No setup_test_environment(): it instruments template rendering, which would be measured too.)
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench-pages", password="a-long-bench-password-81")
    client = actions.create_client(by=user, data=actions.ClientData(name="Bench Client"))
    steps: list[Callable[[], PlanChanges]] = [
        functools.partial(typical_changes, 0),
        functools.partial(follow_up, client),
    ]
    for changes in steps:
        client.refresh_from_db()
        plan = actions.client_plan(client)
        actions.save_plan(client=client, by=user, changes=changes(), expected_revision=plan.revision if plan else 0)
        actions.save_version(
            client=client, by=user, review_date=timezone.localdate(), note="Review", next_review_date=None
        )
    http = HttpClient()
    http.force_login(user)

    with override_settings(ROOT_URLCONF=__name__):
        pk = client.pk
        pages: dict[str, str] = {
            "hello": "/bench-hello/",
            "empty page": "/bench-empty/",
            "client list": reverse("plans:client_list"),
            "plan page": reverse("plans:client_detail", args=[pk]),
            "history": reverse("plans:history", args=[pk]),
            "compare": reverse("plans:compare", args=[pk]),
            "together step": reverse("plans:plan_together", args=[pk, 2]),
            "editor": reverse("plans:plan_edit", args=[pk]),
        }
        autosave_url = reverse("plans:plan_autosave", args=[pk])
        form = form_data_from_page(http, pages["editor"])  # what a browser posts back, as autosave does
        counter = {"n": 0}

        def autosave() -> None:
            """What autosave.js posts after a word changed in one section: that part of the page."""
            counter["n"] += 1
            data = {name: value for name, value in form.items() if name.startswith("coping-")}
            data.update(revision=form["revision"], base=form["base"], parts="coping")
            data["coping-0-text"] = f"A walk by the river ({counter['n']})"
            # URL-encoded, as autosave.js sends it.
            response = http.post(
                autosave_url,
                urlencode(data),
                content_type="application/x-www-form-urlencoded",
                headers={"accept": "application/json"},
            )
            body = response.json()
            assert body.get("status") == "saved", body
            form["revision"] = str(body["revision"])
            if body.get("base"):
                form["base"] = str(body["base"])

        runs: dict[str, Callable[[], None]] = {name: functools.partial(_get, http, url) for name, url in pages.items()}
        runs["autosave"] = autosave
        for run in runs.values():  # warm: templates compiled, connections open
            run()
        if args.profile:
            profile(runs[args.profile], rounds=args.rounds, sort=args.sort)
            return
        times: dict[str, list[float]] = {name: [] for name in runs}
        names = list(runs)
        for round_ in range(args.rounds):
            order = names[round_ % len(names) :] + names[: round_ % len(names)]
            for name in order:
                start = time.perf_counter()
                runs[name]()
                times[name].append((time.perf_counter() - start) * 1000)

    report(times, names, rounds=args.rounds)


def report(times: dict[str, list[float]], names: list[str], *, rounds: int) -> None:
    floor = statistics.median(times["hello"])
    database = django.db.connection.vendor
    print(f"  {rounds} interleaved rounds, {database}, plan of 7 steps x 5 entries, signed in")
    print(f"  {'page':<16}{'median ms':>10}{'ratio':>8}{'target':>9}")
    missed = []
    for name in names:
        median = statistics.median(times[name])
        ratio = median / floor
        target = None if name in UNTARGETED else TARGETS.get(name, OTHER_TARGET)
        verdict = "" if target is None else ("met" if ratio <= target else "NOT met")
        if target is not None and ratio > target:
            missed.append(name)
        shown = "" if target is None else f"<= {target:g}x"
        print(f"  {name:<16}{median:>10.1f}{ratio:>7.1f}x{shown:>9}  {verdict}")
    print("  all targets met" if not missed else f"  targets missed: {', '.join(missed)}")


def profile(run: Callable[[], None], *, rounds: int, sort: str) -> None:
    import cProfile
    import pstats

    if sort == "sql":  # the queries of one run instead
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            run()
        for query in queries.captured_queries:
            print(f"{query['time']:>6} {query['sql'][:400]}")
        return
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        run()
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs().sort_stats(sort)
    if os.environ.get("PROFILE_CALLERS"):  # who calls the functions matching this pattern
        stats.print_callers(os.environ["PROFILE_CALLERS"])
    else:
        stats.print_stats(int(os.environ.get("PROFILE_LINES", "45")))


def _get(http: HttpClient, url: str) -> None:
    response = http.get(url)
    assert response.status_code == 200, (url, response.status_code)


if __name__ == "__main__":
    main()
