"""The load benchmark (benchmarks/load.py) in a tiny run, so the harness cannot rot: real gunicorn servers,
clinicians signing in through the form with their authenticator code, autosaving, printing, and requests
alternating between two app servers. On the suite's database engine (a SQLite file, or a PostgreSQL
database of its own when the suite runs on PostgreSQL) and cache (Redis when REDIS_URL is set)."""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
sys.path.insert(0, str(ROOT / "benchmarks"))

from loadkit.browser import form_fields, totp_code  # noqa: E402  # benchmarks/ is not a package


def database_url(tmp_path: Path) -> str:
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{tmp_path / 'load.sqlite3'}"
    port = database["PORT"] or 5432
    return f"postgres://{database['USER']}@{database['HOST']}:{port}/safetyplan_load_test_{uuid.uuid4().hex[:10]}"


def test_a_tiny_load_run_has_no_errors_and_the_session_carries_across_servers(tmp_path):
    figures = tmp_path / "figures.json"
    command = [
        sys.executable,
        "benchmarks/load.py",
        *("--clinicians", "2", "--seconds", "2.5", "--pause", "0.2"),
        *("--saturation-users", "1", "--saturation-seconds", "1"),
        *("--database-url", database_url(tmp_path), "--redis-url", os.environ.get("REDIS_URL", "")),
        *("--no-manifest", "--json", str(figures)),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    run = json.loads(figures.read_text())
    phases = run["phases"]
    assert set(phases) == {"hello", "app", "hello saturation", "app saturation", "two servers"}
    for name, phase in phases.items():
        assert phase["errors"] == 0, (name, phase["error_reasons"])
        assert phase["all"]["requests"] > 0, name
    for name in ("app", "two servers"):
        kinds = phases[name]["kinds"]
        # Signed in through the form (password, then code), then at work on the plan.
        for kind in ("sign-in page", "sign in", "code page", "code", "client list", "editor", "autosave", "plan page"):
            assert kinds[kind]["requests"] >= (2 if kind in {"sign in", "code"} else 1), (name, kind)
            assert kinds[kind]["errors"] == 0, (name, kind)
    assert phases["two servers"]["carried"] == [2, 2]
    assert "session carried across servers for 2 of 2 clinicians" in result.stdout
    assert "PASS  0 errors" in result.stdout


def test_the_load_generators_codes_are_the_authenticator_apps():
    from allauth.mfa.totp.internal.auth import format_hotp_value, generate_totp_secret, hotp_value

    secret = generate_totp_secret()
    now = time.time()
    for at in (now, now + 30, 0.0):
        assert totp_code(secret, at=at) == format_hotp_value(hotp_value(secret, int(at) // 30))


def test_the_load_generator_posts_back_what_a_browser_would():
    page = """
    <form id="other"><input name="x" value="no"></form>
    <form id="plan-form" method="post">
      <input type="hidden" name="revision" value="3">
      <textarea name="note">
Line one &amp; two</textarea>
      <select name="pick"><option value="a">A</option><option value="b" selected>B</option></select>
      <select name="first"><option value="1">1</option><option value="2">2</option></select>
      <input type="checkbox" name="many" value="p" checked><input type="checkbox" name="many" value="q">
      <input type="checkbox" name="many" value="r" checked><input type="checkbox" name="off" value="z">
      <template><input name="row-__prefix__-text" value=""></template>
      <button type="submit" name="op" value="save">Save</button>
    </form>"""
    assert form_fields(page, "plan-form") == {
        "revision": ["3"],
        "note": ["Line one & two"],
        "pick": ["b"],
        "first": ["1"],
        "many": ["p", "r"],
    }
