"""The app as production runs it: gunicorn processes sharing one database and one cache.

Each test starts real servers on a database of its own (a SQLite file, or a fresh PostgreSQL
database when the suite runs on PostgreSQL) and the suite's cache setting (the database cache, or
Redis when REDIS_URL is set), and talks to them over HTTP like a browser.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PASSWORD = "a-long-test-password-for-servers-91"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def database_url(tmp_path) -> Iterator[str]:
    """A migrated database that only this test's servers use."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3"):
        url = f"sqlite:///{tmp_path / 'servers.sqlite3'}"
        drop = None
    else:
        import psycopg

        base = settings.DATABASES["default"]
        name = f"safetyplan_servers_{uuid.uuid4().hex[:10]}"
        admin = f"host={base['HOST']} port={base['PORT'] or 5432} user={base['USER']} dbname=postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        url = f"postgres://{base['USER']}@{base['HOST']}:{base['PORT'] or 5432}/{name}"

        def drop() -> None:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    run_manage(url, "migrate", "--noinput", "-v0")
    try:
        yield url
    finally:
        if drop is not None:
            drop()


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_STATIC_MANIFEST": "0",
            "SAFETYPLAN_MFA_REQUIRED": "1",
        }
    )
    env.setdefault("DJANGO_SECRET_KEY", "s3rv3rs-" + "k9X2" * 12)
    env.update(extra)
    return env


def run_manage(database_url: str, *args: str, script: str | None = None) -> str:
    command = [sys.executable, "manage.py", *args]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=server_env(database_url),
        input=script,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@contextmanager
def gunicorn(database_url: str, *, workers: int = 1, log: Path | None = None) -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "safetyplan.wsgi",
        "-c",
        "safetyplan/gunicorn_conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
    ]
    extra = {"GUNICORN_ACCESS_LOG": str(log)} if log else {"GUNICORN_ACCESS_LOG": os.devnull}
    process = subprocess.Popen(  # our own command line
        command, cwd=ROOT, env=server_env(database_url, **extra), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{base}/accounts/login/", timeout=20):  # noqa: S310  # our own server
                    break
            except (urllib.error.URLError, OSError):
                if process.poll() is not None:
                    raise AssertionError(
                        process.stderr.read().decode() if process.stderr else "gunicorn ended"
                    ) from None
                time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stderr:
            process.stderr.close()


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """Cookies, CSRF tokens from the page, and no redirects followed: each answer is looked at."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects())

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310  # our own server
        if body is not None:
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.headers.get("Location", ""), answer.read().decode()

    def post_form(self, path: str, data: dict[str, str]) -> tuple[int, str, str]:
        _status, _location, page = self.request(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no form on {path}"
        return self.request(path, {"csrfmiddlewaretoken": token.group(1), **data})


CREATE_CLINICIAN = """
from django.contrib.auth.models import User
from allauth.mfa.totp.internal.auth import TOTP
user = User.objects.create_user("dana", password={password!r})
TOTP.activate(user, {secret!r})
"""


def current_code(secret: str) -> str:
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return str(format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD)))


def sign_in_with_code(base: str, code: str) -> bool:
    """Password, then the code, on a server of its own; True when the clinician got in."""
    browser = Browser(base)
    status, location, _page = browser.post_form("/accounts/login/", {"login": "dana", "password": PASSWORD})
    assert (status, location) == (302, "/accounts/2fa/authenticate/")
    status, location, _page = browser.post_form("/accounts/2fa/authenticate/", {"code": code})
    return status == 302 and location == "/clients/"


def test_one_code_signs_in_once_across_two_server_processes(database_url):
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    secret = generate_totp_secret()
    run_manage(database_url, "shell", script=CREATE_CLINICIAN.format(password=PASSWORD, secret=secret))
    # Wait for a fresh 30-second window, so both attempts use the same code.
    while time.time() % 30 > 20:
        time.sleep(0.5)
    code = current_code(secret)
    with gunicorn(database_url) as first, gunicorn(database_url) as second:
        assert sign_in_with_code(first, code), "the right code did not sign in"
        assert not sign_in_with_code(second, code), "the same code signed in twice"


def test_wrong_codes_are_counted_across_server_processes(database_url):
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    secret = generate_totp_secret()
    run_manage(database_url, "shell", script=CREATE_CLINICIAN.format(password=PASSWORD, secret=secret))
    wrong = f"{(int(current_code(secret)) + 500_000) % 1_000_000:06d}"
    with gunicorn(database_url) as first, gunicorn(database_url) as second:
        for attempt in range(settings.MFA_WRONG_CODES_LIMIT):
            assert not sign_in_with_code(first if attempt % 2 else second, wrong)
        # Every attempt slot is taken, whichever server counted it: the right code is refused on both.
        assert not sign_in_with_code(first, current_code(secret))
        assert not sign_in_with_code(second, current_code(secret))


def test_the_access_log_has_paths_without_query_strings(database_url, tmp_path):
    log = tmp_path / "access.log"
    with gunicorn(database_url, log=log) as base:
        Browser(base).request("/accounts/login/?next=/clients/%3Fq%3DQuillon&q=Quillon")
        Browser(base).request("/no-such-page/?q=Quillon+Rivera")
    for _ in range(50):
        if log.exists() and log.read_text().count("\n") >= 2:
            break
        time.sleep(0.1)
    text = log.read_text()
    assert '"GET /accounts/login/"' in text and '"GET /no-such-page/"' in text
    assert "Quillon" not in text and "?" not in text
