"""The servers under load: a database made for the run, the app's gunicorn servers and the hello-world one.

Each server is `gunicorn -c safetyplan/gunicorn_conf.py` (workers and worker type as production has them)
with production settings: DEBUG off, MFA required, throwaway keys, plain http (no Secure cookies, no
redirect to https, as behind a TLS-terminating proxy).
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from .browser import HOST, Server

ROOT = Path(__file__).resolve().parent.parent.parent
BENCHMARKS = ROOT / "benchmarks"
GUNICORN_CONF = ROOT / "safetyplan" / "gunicorn_conf.py"


@dataclass(frozen=True)
class Setup:
    database_url: str  # postgres://.../NAME (made and dropped by the run) or sqlite:///PATH
    redis_url: str  # "" for the database cache
    manifest: bool  # hashed static names (collectstatic first), as production
    workdir: Path  # logs and the seeded clinicians


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _admin_url(database_url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    return urllib.parse.urlunsplit(parts._replace(path="/postgres")), name


def is_postgres(database_url: str) -> bool:
    return database_url.startswith(("postgres://", "postgresql://"))


def recreate_database(database_url: str, *, drop_only: bool = False) -> None:
    if not is_postgres(database_url):
        path = Path(database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return
    admin, name = _admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


_KEYS = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "SAFETYPLAN_AUDIT_CHECKPOINT_KEY": secrets.token_urlsafe(50)}
_CACHE_PREFIX = f"load-{secrets.token_hex(4)}"  # a run's own keys in Redis (rate limits, used codes)


def app_env(setup: Setup, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "SAFETYPLAN_"))}
    env.pop("REDIS_URL", None)
    env.update(_KEYS)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "safetyplan.settings",
            "DATABASE_URL": setup.database_url,
            "DJANGO_DEBUG": "0",
            "SAFETYPLAN_PRODUCTION": "1",
            "SAFETYPLAN_MFA_REQUIRED": "1",
            "DJANGO_ALLOWED_HOSTS": f"{HOST},127.0.0.1",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATIC_MANIFEST": "1" if setup.manifest else "0",
            "SAFETYPLAN_CACHE_PREFIX": _CACHE_PREFIX,
            "PYTHONUNBUFFERED": "1",
        }
    )
    if setup.redis_url:
        env["REDIS_URL"] = setup.redis_url
    env.update(extra)
    return env


def manage(setup: Setup, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=app_env(setup), check=True, timeout=600)


def prepare(setup: Setup) -> None:
    """A fresh, migrated database; the static files' manifest if the servers use one."""
    recreate_database(setup.database_url)
    manage(setup, "migrate", "--noinput", "-v0")
    if setup.manifest:
        manage(setup, "collectstatic", "--noinput", "-v0")


def seed(setup: Setup, count: int, prefix: str) -> list[dict[str, str | int]]:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "loadkit" / "seed.py"), str(count), prefix],
        cwd=ROOT,
        env=app_env(setup),
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    clinicians: list[dict[str, str | int]] = json.loads(result.stdout)
    return clinicians


def gunicorn_settings() -> dict[str, object]:
    """What safetyplan/gunicorn_conf.py sets (workers, worker class, threads), for the report."""
    import runpy

    values = runpy.run_path(str(GUNICORN_CONF))
    return {
        key: values.get(key, default) for key, default in (("workers", 1), ("worker_class", "sync"), ("threads", 1))
    }


@contextmanager
def gunicorn(setup: Setup, names: list[str]) -> Iterator[list[Server]]:
    """gunicorn servers on free ports, started together, all ready when this yields; stopped afterwards.
    The name "hello" is the hello-world app; any other, the app."""
    started: list[tuple[subprocess.Popen[bytes], Server, str, Path]] = []
    try:
        for name in names:
            port = free_port()
            command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--bind", f"127.0.0.1:{port}"]
            access = str(setup.workdir / f"{name}.access.log")
            if name == "hello":
                env = app_env(setup, DJANGO_SETTINGS_MODULE="hello.settings", GUNICORN_ACCESS_LOG=access)
                command += ["--pythonpath", str(BENCHMARKS), "hello.wsgi"]
            else:
                env = app_env(setup, GUNICORN_ACCESS_LOG=access)
                command += ["safetyplan.wsgi"]
            log = setup.workdir / f"{name}.log"
            with open(log, "wb") as output:  # the child keeps its own copy of the file
                process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
            started.append((process, Server("127.0.0.1", port, process.pid), name, log))
        for process, server, name, log in started:
            _wait_ready(process, server.port, "/" if name == "hello" else "/accounts/login/", log)
        yield [server for _, server, _, _ in started]
    finally:
        for process, *_ in started:
            process.terminate()
        for process, *_ in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(process: "subprocess.Popen[bytes]", port: int, path: str, log: Path) -> None:
    import http.client

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn ended with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path, headers={"Host": HOST})
            status = connection.getresponse().status
            connection.close()
        except OSError:
            time.sleep(0.2)  # not listening yet
            continue
        if status != 200:
            raise RuntimeError(f"gunicorn answered {path} with {status}:\n{log.read_text()[-3000:]}")
        return
    raise RuntimeError(f"gunicorn did not answer on port {port}:\n{log.read_text()[-3000:]}")


def database_pids(database_url: str) -> list[int]:
    """The PostgreSQL server processes serving the run's database (none for SQLite: it is in the workers)."""
    if not is_postgres(database_url):
        return []
    with psycopg.connect(database_url, autocommit=True) as connection:
        query = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        return [int(row[0]) for row in connection.execute(query).fetchall()]
