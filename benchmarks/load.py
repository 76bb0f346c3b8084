"""Benchmark: the app under load, as clinicians use it, against a hello-world Django app (issue 12).

Run by `make bench` (or `make bench-load`, or directly: `python benchmarks/load.py [--clinicians 50]
[--seconds 20] [--saturation-users 12] [--saturation-seconds 15] [--pause 1] [--json FILE]`). Settings
can also come from LOAD_CLINICIANS, LOAD_SECONDS, LOAD_SATURATION_USERS, LOAD_SATURATION_SECONDS,
LOAD_PAUSE, LOAD_DATABASE_URL and LOAD_REDIS_URL.

Makes the database safetyplan_load (dropped first if there, and at the end) on the PostgreSQL server of
BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres), migrates it, collects the
static files (hashed names, as production), seeds the clinicians (each with a password, an authenticator
app and a client whose plan has 7 steps x 5 entries), and starts three gunicorn servers with
safetyplan/gunicorn_conf.py and production settings: two of the app and one of benchmarks/hello/.
Without a PostgreSQL server it says so and skips. Then, one phase after the other:

1. hello: N visitors of the hello-world app, each pausing about a second between requests;
2. app: N clinicians sign in through the real form (password, then the authenticator code), then each in
   a loop: opens the editor, autosaves a changed word (the POST autosave.js makes), opens the plan page,
   and one round in 20 prints the plan (PDF); pausing 0.5 to 1.5 s between requests;
3. saturation: a fixed number of users with no pause, hello-world then the app: requests a second;
4. two servers: N other clinicians do the same with every request going to the other app server than the
   one before (signing in too), one database and the shared cache between them.

Prints p50, p95 and p99 per kind of request, errors, throughput, ratios to hello-world and the goals
(PASS or MISS): p95 under 150 ms with 50 clinicians pausing 1 s and no errors; saturation at least 90
requests a second (3x the 30 before issue 12); with two servers, the session carries across and p95
holds. The load generator runs on the same cores as the servers (threads and http.client), so the
figures include its cost; a missed goal is reported, not failed. Exit 1 if the run itself broke.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from loadkit.browser import Browser, Server
from loadkit.phases import Phase, drive
from loadkit.report import Run, as_json, report
from loadkit.servers import (
    Setup,
    database_pids,
    gunicorn,
    gunicorn_settings,
    is_postgres,
    prepare,
    recreate_database,
    seed,
)
from loadkit.stats import cpu_times, loadavg
from loadkit.users import Clinician, User, Visitor

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DEFAULT_DATABASE = SERVER.rsplit("/", 1)[0] + "/safetyplan_load"


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clinicians", type=int, default=int(env("LOAD_CLINICIANS", "50")))
    parser.add_argument("--pause", type=float, default=float(env("LOAD_PAUSE", "1")))
    parser.add_argument("--seconds", type=float, default=float(env("LOAD_SECONDS", "20")))
    parser.add_argument("--saturation-users", type=int, default=int(env("LOAD_SATURATION_USERS", "12")))
    parser.add_argument("--saturation-seconds", type=float, default=float(env("LOAD_SATURATION_SECONDS", "15")))
    parser.add_argument("--database-url", default=env("LOAD_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--redis-url", default=env("LOAD_REDIS_URL", ""), help="the shared cache (default: database)")
    parser.add_argument("--no-manifest", action="store_true", help="plain static names: no collectstatic (quicker)")
    parser.add_argument("--json", type=Path, help="also write the figures here, as JSON")
    args = parser.parse_args(argv)
    if args.saturation_users > args.clinicians:
        parser.error("--saturation-users must be at most --clinicians (they reuse the signed-in sessions)")
    return args


def clinicians_for(accounts: list[dict[str, str | int]], servers: list[Server]) -> list[Clinician]:
    return [
        Clinician(
            browser=Browser(servers),
            alternate=len(servers) > 1,
            username=str(account["username"]),
            password=str(account["password"]),
            totp_secret=str(account["totp_secret"]),
            client=int(account["client"]),
        )
        for account in accounts
    ]


def sign_in(user: User) -> None:
    assert isinstance(user, Clinician)
    user.sign_in()


def watching(setup: Setup, servers: list[Server], *, database: bool = True) -> Callable[[], dict[str, float]]:
    """CPU used so far by the servers' workers ("app:PID") and, for the app, the database's processes
    serving the run ("database:PID")."""
    parents = [server.pid for server in servers]

    def watch() -> dict[str, float]:
        databases = database_pids(setup.database_url) if database else []
        times = cpu_times(parents, databases)
        return {f"{'database' if pid in databases else 'app'}:{pid}": used for pid, used in times.items()}

    return watch


def measure(args: argparse.Namespace, setup: Setup) -> Run:
    n = args.clinicians
    accounts = seed(setup, 2 * n, "load-")
    ramp = n / 5  # five sign-ins a second
    with gunicorn(setup, ["hello", "app-a", "app-b"]) as (hello, a, b):
        print(f"  servers up; load average {loadavg()}", flush=True)
        visitors: list[User] = [Visitor(Browser([hello])) for _ in range(n)]
        on_hello, on_a, on_both = (
            watching(setup, [hello], database=False),
            watching(setup, [a]),
            watching(setup, [a, b]),
        )
        hello_phase = drive("hello", visitors, seconds=args.seconds, pause=args.pause, kinds=["hello"], watch=on_hello)
        _progress(hello_phase)
        first = clinicians_for(accounts[:n], [a])
        app_phase = drive("app", first, seconds=args.seconds, pause=args.pause, before=sign_in, ramp=ramp, watch=on_a)
        _progress(app_phase)
        saturated = visitors[: args.saturation_users]
        hello_saturation = drive(
            "hello saturation", saturated, seconds=args.saturation_seconds, pause=0, kinds=["hello"], watch=on_hello
        )
        _progress(hello_saturation)
        app_saturation = drive(
            "app saturation", first[: args.saturation_users], seconds=args.saturation_seconds, pause=0, watch=on_a
        )
        _progress(app_saturation)
        second = clinicians_for(accounts[n:], [a, b])
        two = drive(
            "two servers", second, seconds=args.seconds, pause=args.pause, before=sign_in, ramp=ramp, watch=on_both
        )
        _progress(two)
    for user in [*visitors, *first, *second]:
        user.browser.close()
    conf = gunicorn_settings()
    workers = f"{conf['workers']} {conf['worker_class']} workers" + (
        f" x {conf['threads']} threads" if conf["threads"] != 1 else ""
    )
    database = "PostgreSQL" if is_postgres(setup.database_url) else "SQLite"
    cache = "Redis" if setup.redis_url else "database"
    setting = f"gunicorn ({workers}) per server, {database}, {cache} cache, {os.cpu_count()} CPUs"
    return Run(hello_phase, app_phase, hello_saturation, app_saturation, two, setting)


def _progress(phase: Phase) -> None:
    print(f"  {phase.name} done: {phase.throughput:.1f}/s, {phase.errors} errors", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    try:
        recreate_database(args.database_url)
    except psycopg.OperationalError as error:
        print(f"Load benchmark skipped: no PostgreSQL at {args.database_url} ({str(error).strip().splitlines()[0]})")
        return 0
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as workdir:
        setup = Setup(args.database_url, args.redis_url, not args.no_manifest, Path(workdir))
        try:
            print(f"  preparing (load average {loadavg()})", flush=True)
            prepare(setup)
            run = measure(args, setup)
        finally:
            recreate_database(args.database_url, drop_only=True)
    print(report(run))
    print(f"  ({time.monotonic() - start:.0f} s in all)")
    if args.json:
        args.json.write_text(json.dumps(as_json(run), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
