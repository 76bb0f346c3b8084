"""Benchmark: saving a version and comparing two versions, on a plan with 200 versions vs one with 2;
and comparing two full plans (7 sections of 50 entries) as plain data.

Run by `make bench` (or directly: `python benchmarks/versions.py`). Uses a throwaway SQLite
database unless DATABASE_URL is set. Prints medians and the 200-vs-2 ratios, measured interleaved
in one run. Targets on the 2-core machines: save under 50 ms, compare under 50 ms, and two full
plans compared under 50 ms.
"""

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="bench-versions-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetyplan.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client as HttpClient
from django.test.utils import setup_test_environment
from django.urls import reverse
from django.utils import timezone

from plans import actions
from plans.compare import compare_plans
from plans.content import EntryData, PlanChanges, PlanContent
from plans.models import Client
from plans.steps import SECTIONS

ROUNDS = 30


def typical_changes(round_: int) -> PlanChanges:
    """7 steps, 5 entries in each section, a little different each round."""
    sections = {}
    for section in SECTIONS:
        sections[section.key] = [
            EntryData(
                text=f"{section.key} entry {i} round {round_}", name=f"Person {i}" if "people" in section.key else ""
            )
            for i in range(5)
        ]
    return PlanChanges(sections=sections, plan_fields={"most_important": f"My family ({round_})"})


def make_plan(name: str, versions: int, user: User) -> Client:
    client = actions.create_client(by=user, data=actions.ClientData(name=name))
    for i in range(versions):
        plan = actions.client_plan(client)
        revision = plan.revision if plan else 0
        actions.save_plan(client=client, by=user, changes=typical_changes(i), expected_revision=revision)
        client.refresh_from_db()
        actions.save_version(
            client=client, by=user, review_date=timezone.localdate(), note=f"Review {i}", next_review_date=None
        )
    return client


FULL_SECTIONS = ["warning_signs", "coping", "social_people", "help_people", "professionals", "means_safety", "reasons"]


def full_plans() -> tuple[PlanContent, PlanContent]:
    """Seven sections of 50 entries; then every fifth entry's text gets a word more, and coping is reversed.
    The same two plans whose comparison tests/test_compare.py checks entry by entry."""
    old = PlanContent(
        sections={
            key: [
                EntryData(uid=uuid.UUID(int=s * 100 + i), text=f"Entry {i} of {key}", name=f"Name {i}")
                for i in range(50)
            ]
            for s, key in enumerate(FULL_SECTIONS)
        }
    )
    new = PlanContent(
        sections={
            key: [
                EntryData(uid=e.uid, text=e.text + " changed" if i % 5 == 0 else e.text, name=e.name)
                for i, e in enumerate(reversed(rows) if key == "coping" else rows)
            ]
            for key, rows in old.sections.items()
        }
    )
    return old, new


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    call_command("migrate", verbosity=0)
    setup_test_environment()
    user = get_user_model().objects.create_user(username=f"bench-{time.time_ns()}", password="bench-password-123456")
    print("Setting up: a plan with 200 versions and one with 2 ...", flush=True)
    many = make_plan("Many Versions", 200, user)
    few = make_plan("Few Versions", 2, user)
    http = HttpClient()
    http.force_login(user)

    old_full, new_full = full_plans()
    results: dict[str, list[float]] = {
        key: [] for key in ("save-200", "save-2", "compare-200", "compare-2", "page-200", "page-2", "compare-full")
    }
    for round_ in range(ROUNDS):
        results["compare-full"].append(timed(lambda: compare_plans(old_full, new_full)))
        for label, client in (("200", many), ("2", few)):

            def save_one(c: Client = client, r: int = round_) -> None:
                actions.save_version(
                    client=c, by=user, review_date=timezone.localdate(), note=f"bench {r}", next_review_date=None
                )

            results[f"save-{label}"].append(timed(save_one))
            url = reverse("plans:compare", args=[client.pk])

            def open_page(u: str = url) -> None:
                http.get(u)

            results[f"page-{label}"].append(timed(open_page))

            def compare_only(c: Client = client) -> None:
                plan = actions.client_plan(c)
                assert plan is not None  # make_plan saved versions of it
                latest_two = list(plan.versions.order_by("-number")[:2])
                compare_plans(
                    PlanContent.from_json(latest_two[1].snapshot), PlanContent.from_json(latest_two[0].snapshot)
                )

            results[f"compare-{label}"].append(timed(compare_only))

    median = {key: statistics.median(values) for key, values in results.items()}
    print(f"\nVersions benchmark ({ROUNDS} interleaved rounds, {os.environ['DATABASE_URL'].split(':')[0]}):")
    print(
        f"  save a version      200 versions: {median['save-200']:7.2f} ms   2 versions: {median['save-2']:7.2f} ms"
        f"   ratio {median['save-200'] / median['save-2']:.2f}   target < 50 ms"
    )
    print(
        f"  compare two (data)  200 versions: {median['compare-200']:7.2f} ms   2 versions: {median['compare-2']:7.2f} ms"
        f"   ratio {median['compare-200'] / median['compare-2']:.2f}   target < 50 ms"
    )
    print(
        f"  compare page (HTTP) 200 versions: {median['page-200']:7.2f} ms   2 versions: {median['page-2']:7.2f} ms"
        f"   ratio {median['page-200'] / median['page-2']:.2f}"
    )
    print(
        f"  compare two full plans (data, 7 sections x 50 entries): {median['compare-full']:7.2f} ms   target < 50 ms"
    )
    ok = median["save-200"] < 50 and median["compare-200"] < 50 and median["compare-full"] < 50
    print("  targets met" if ok else "  TARGETS MISSED")


if __name__ == "__main__":
    main()
