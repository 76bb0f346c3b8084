"""Sign-in: second factor, brute-force lock-out, Argon2, automatic logoff, and security headers."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from .factories import PASSWORD
from .helpers import edit_url, form_data_from_page

LOGIN = "/accounts/login/"


def sign_in(http, username, password=PASSWORD, ip="10.0.0.1"):
    return http.post(LOGIN, {"login": username, "password": password}, REMOTE_ADDR=ip)


# --- Second factor -------------------------------------------------------------------------------


def add_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret):
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def test_without_a_second_factor_a_clinician_is_sent_to_set_one_up(alice_client, client_record, settings):
    settings.MFA_REQUIRED = True
    response = alice_client.get(reverse("plans:client_detail", args=[client_record.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The set-up page is reachable (after confirming the password, as allauth asks for this change).
    response = alice_client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/accounts/")


def test_autosave_says_so_in_json_when_a_second_factor_is_missing(alice_client, client_record, settings):
    settings.MFA_REQUIRED = True
    response = alice_client.post(
        reverse("plans:plan_autosave", args=[client_record.pk]), {}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 403
    assert response.json()["status"] == "mfa_required"


def test_signing_in_asks_for_the_code_and_then_lets_the_clinician_in(client, alice, client_record, settings):
    settings.MFA_REQUIRED = True
    secret = add_totp(alice)
    response = sign_in(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not signed in yet.
    assert client.get(reverse("plans:client_list")).status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("plans:client_detail", args=[client_record.pk])).status_code == 200


def test_a_wrong_code_keeps_the_clinician_out(client, alice, settings):
    settings.MFA_REQUIRED = True
    add_totp(alice)
    sign_in(client, "alice")
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert client.get(reverse("plans:client_list")).status_code == 302


def test_a_recovery_code_works_once(client, alice, settings):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    settings.MFA_REQUIRED = True
    add_totp(alice)
    code = RecoveryCodes.activate(alice).get_unused_codes()[0]
    sign_in(client, "alice")
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.logout()
    sign_in(client, "alice")
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200


def test_there_is_no_self_service_sign_up(client, db):
    assert b"closed" in client.get(reverse("account_signup")).content.lower()
    client.post(
        reverse("account_signup"),
        {"username": "mallory", "password1": "a-long-enough-password-81", "password2": "a-long-enough-password-81"},
    )
    assert not get_user_model().objects.exists()


# --- Brute force ---------------------------------------------------------------------------------


def test_repeated_failures_lock_out_that_username_from_that_ip_only(client, alice, bob, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", "wrong-password", ip="10.0.0.9")
    # Even the right password is refused now, from that IP.
    response = sign_in(client, "alice", ip="10.0.0.9")
    assert response.status_code in {403, 429}
    assert b"too many unsuccessful attempts" in response.content.lower()
    # The rest of the clinic behind the same IP can still sign in...
    assert sign_in(client, "bob", ip="10.0.0.9").status_code == 302
    client.logout()
    # ...and alice can from another network.
    assert sign_in(client, "alice", ip="10.0.0.10").status_code == 302


def test_passwords_are_hashed_with_argon2(db, settings):
    from safetyplan import settings as project_settings

    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    user = get_user_model().objects.create_user(username="dana", password=PASSWORD)
    assert user.password.startswith("argon2")


# --- Automatic logoff ----------------------------------------------------------------------------


def age_session(http, *, idle=0.0, since_sign_in=0.0):
    session = http.session
    now = time.time()
    session["last_activity"] = now - idle
    session["auth_started"] = now - since_sign_in
    session.save()


def test_an_idle_session_is_signed_out_and_comes_back_to_the_same_page(alice_client, client_record, settings):
    url = reverse("plans:client_detail", args=[client_record.pk])
    alice_client.get(url)
    age_session(alice_client, idle=settings.SESSION_IDLE_TIMEOUT + 5)
    response = alice_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={url.replace('/', '%2F')}"
    assert alice_client.get(url).status_code == 302  # really signed out


def test_a_session_ends_after_its_absolute_lifetime_even_when_busy(alice_client, client_record, settings):
    url = reverse("plans:client_list")
    alice_client.get(url)
    age_session(alice_client, idle=1, since_sign_in=settings.SESSION_ABSOLUTE_TIMEOUT + 5)
    assert alice_client.get(url).status_code == 302


def test_activity_keeps_a_session_alive(alice_client, settings):
    alice_client.get(reverse("plans:client_list"))
    age_session(alice_client, idle=settings.SESSION_IDLE_TIMEOUT - 60)
    assert alice_client.get(reverse("plans:client_list")).status_code == 200
    assert alice_client.get(reverse("plans:client_list")).status_code == 200


def test_the_defaults_are_15_minutes_and_12_hours():
    assert django_settings.SESSION_IDLE_TIMEOUT == 15 * 60
    assert django_settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 3600


def test_the_idle_warning_is_on_every_signed_in_page(alice_client):
    page = alice_client.get(reverse("plans:client_list")).content.decode()
    assert 'data-idle-timeout="900"' in page and 'data-idle-warning="120"' in page
    assert "Stay signed in" in page


def test_keep_alive_needs_sign_in(client, db):
    response = client.post(reverse("session_keep_alive"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_keep_alive_refuses_get_and_restarts_the_idle_clock(alice_client):
    alice_client.get(reverse("plans:client_list"))
    assert alice_client.get(reverse("session_keep_alive")).status_code == 405
    age_session(alice_client, idle=600)
    assert alice_client.post(reverse("session_keep_alive")).json()["status"] == "ok"
    assert time.time() - alice_client.session["last_activity"] < 5


def test_a_form_posted_after_the_timeout_is_shown_again_after_signing_in(client, alice, client_record, settings):
    client.force_login(alice)
    url = edit_url(client_record.pk)
    data = form_data_from_page(client, url)
    data["coping-0-text"] = "Typed while the session ran out"
    age_session(client, idle=settings.SESSION_IDLE_TIMEOUT + 5)
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert sign_in(client, "alice").status_code == 302
    page = client.get(url).content.decode()
    assert "Typed while the session ran out" in page
    assert "not been saved yet" in page
    # Shown once; another clinician signing in on this browser would never see it.
    assert "Typed while the session ran out" not in client.get(url).content.decode()


def test_autosave_after_the_timeout_answers_json(alice_client, client_record, settings):
    alice_client.get(reverse("plans:client_list"))
    age_session(alice_client, idle=settings.SESSION_IDLE_TIMEOUT + 5)
    response = alice_client.post(
        reverse("plans:plan_autosave", args=[client_record.pk]), {}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 401 and response.json()["status"] == "signed_out"


# --- Headers and deployment ----------------------------------------------------------------------


def test_pages_carry_the_security_headers(alice_client, client_record):
    response = alice_client.get(reverse("plans:client_detail", args=[client_record.pk]), secure=True)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in response["Strict-Transport-Security"]


def test_every_page_with_client_data_is_no_store(alice_client, client_record):
    for url in [
        reverse("plans:client_list"),
        reverse("plans:plan_edit", args=[client_record.pk]),
        reverse("plans:plan_together", args=[client_record.pk, 1]),
        reverse("plans:history", args=[client_record.pk]),
    ]:
        response = alice_client.get(url)
        assert response.status_code == 200, url  # the page itself, not a redirect or an error
        assert response["Cache-Control"] == "no-store", url


BASE_DIR = Path(django_settings.BASE_DIR)
# The project's templates and each app's own (accounts/templates holds the sign-in and security pages).
TEMPLATE_DIRS = [BASE_DIR / "templates", *(d for d in BASE_DIR.glob("*/templates") if (d.parent / "apps.py").exists())]
TEMPLATES = sorted(path for directory in TEMPLATE_DIRS for path in directory.rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_templates_have_no_inline_script_or_style(path):
    text = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", text), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"
    if "templates/pdf" not in str(path):  # PDFs are rendered by WeasyPrint, not a browser
        assert not re.search(r"\sstyle\s*=", text), "inline style attribute"


def production_env(**overrides):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_DEBUG": "0",
        "SAFETYPLAN_PRODUCTION": "1",
        "DJANGO_ALLOWED_HOSTS": "plans.example.org",
        "DJANGO_SECRET_KEY": "k3y-" + "x7Q9" * 15,
        "SAFETYPLAN_AUDIT_CHECKPOINT_KEY": "ch3ck-" + "p0Int" * 12,
        "DATABASE_URL": "sqlite:////tmp/safetyplan-deploy-check.sqlite3",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_prints_no_warnings_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_with_debug_on():
    result = manage("check", env=production_env(DJANGO_DEBUG="1"))
    assert result.returncode != 0 and "DJANGO_DEBUG must be off in production" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env=production_env(DJANGO_SECRET_KEY=None))
    assert result.returncode != 0 and "DJANGO_SECRET_KEY is not set" in result.stderr


def test_a_weak_secret_key_is_refused():
    result = manage("check", env=production_env(DJANGO_SECRET_KEY="short"))
    assert result.returncode != 0 and "too short" in result.stderr


def test_production_refuses_to_start_without_an_audit_checkpoint_key():
    result = manage("check", env=production_env(SAFETYPLAN_AUDIT_CHECKPOINT_KEY=None))
    assert result.returncode != 0 and "SAFETYPLAN_AUDIT_CHECKPOINT_KEY is not set" in result.stderr


def test_a_weak_audit_checkpoint_key_or_the_secret_key_again_is_refused():
    result = manage("check", env=production_env(SAFETYPLAN_AUDIT_CHECKPOINT_KEY="short"))
    assert result.returncode != 0 and "too short" in result.stderr
    same = production_env()["DJANGO_SECRET_KEY"]
    result = manage("check", env=production_env(SAFETYPLAN_AUDIT_CHECKPOINT_KEY=same))
    assert result.returncode != 0 and "must not be DJANGO_SECRET_KEY" in result.stderr


def test_outside_production_the_audit_checkpoint_key_is_derived_from_the_secret_key():
    def key(secret):
        env = production_env(SAFETYPLAN_PRODUCTION="0", SAFETYPLAN_AUDIT_CHECKPOINT_KEY=None, DJANGO_SECRET_KEY=secret)
        result = manage(
            "shell", "-c", "from django.conf import settings; print(settings.AUDIT_CHECKPOINT_KEY)", env=env
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    one, other = "k3y-" + "x7Q9" * 15, "k3y-" + "y8R0" * 15
    first = key(one)
    assert key(one) == first  # the same key at every start, so development checkpoints keep verifying
    assert key(other) != first
    assert len(first) == 64 and first != one


def test_the_demo_clinician_command_refuses_to_run_in_production():
    result = manage("create_demo_clinician", env=production_env())
    assert result.returncode != 0 and "only runs with DJANGO_DEBUG=1" in result.stderr


# --- Audit of sign-in ----------------------------------------------------------------------------


def test_sign_in_and_failures_are_audited_without_the_username(client, alice):
    from plans.models import AuditEvent

    sign_in(client, "alice", "wrong-password", ip="10.0.0.7")
    failed = AuditEvent.objects.get(action="sign_in_failed")
    assert (failed.actor_id, failed.ip, failed.target) == (None, "10.0.0.7", "")
    client.logout()
    sign_in(client, "alice", ip="10.0.0.7")
    event = AuditEvent.objects.get(action="sign_in")
    assert (event.actor_id, event.ip) == (alice.pk, "10.0.0.7")


def test_mfa_changes_are_audited(client, alice, settings):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from plans.models import AuditEvent

    secret = add_totp(alice)
    RecoveryCodes.activate(alice)
    sign_in(client, "alice")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    # Turning TOTP off from the security page is an MFA change (allauth asks for the password first).
    response = client.post(reverse("mfa_deactivate_totp"), {})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": PASSWORD})  # allauth then carries out the change
    from allauth.mfa.models import Authenticator

    assert not Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()
    events = list(AuditEvent.objects.filter(action="mfa_changed").values_list("actor_id", "target"))
    assert events and all(actor == alice.pk for actor, _target in events)


# --- One username, however it is typed ------------------------------------------------------------

SPELLINGS = ["vic", "VIC", "Vic", " vic", "vic ", "ＶＩＣ", "vIc"]


def test_every_spelling_of_a_username_counts_toward_one_lock_out(client, settings, db):
    from .factories import make_user

    make_user("vic")
    # One guess in each spelling: all counted against the same name.
    for spelling in SPELLINGS[: settings.AXES_FAILURE_LIMIT - 1]:
        assert sign_in(client, spelling, "wrong-password", ip="10.0.0.9").status_code == 200
    # The last guess allowed locks the name (the answer says so).
    assert sign_in(client, "VIC", "wrong-password", ip="10.0.0.9").status_code == 429
    for spelling in SPELLINGS:
        response = sign_in(client, spelling, ip="10.0.0.9")
        assert response.status_code in {403, 429}, spelling
        assert b"too many unsuccessful attempts" in response.content.lower()
    # Still per username and IP, as designed: the same clinician elsewhere is not locked out.
    assert sign_in(client, "VIC", ip="10.0.0.10").status_code == 302


def test_each_spelling_signs_in_as_the_one_account_and_is_audited_as_it(client, db):
    from plans.models import AuditEvent

    from .factories import make_user

    vic = make_user("vic")
    for spelling in SPELLINGS:
        assert sign_in(client, spelling).status_code == 302, spelling
        client.logout()
    assert set(AuditEvent.objects.filter(action="sign_in").values_list("actor_id", flat=True)) == {vic.pk}


def test_the_lock_out_key_is_the_accounts_own_name(db):
    from accounts.adapters import username_key

    from .factories import make_user

    make_user("Vic")
    assert {username_key(spelling) for spelling in SPELLINGS} == {"vic"}
    # A name with no account still folds case and spaces; sharp s and dotless i fold as upper case does.
    assert username_key(" Strasse ") == username_key("STRA\u00dfE") == username_key("stra\u00dfe")
    assert username_key("v\u0131c") == "vic"


# --- Wrong second-step codes ------------------------------------------------------------------------


def second_step(http, code, ip="10.0.0.1"):
    return http.post(reverse("mfa_authenticate"), {"code": code}, REMOTE_ADDR=ip)


def wrong_code(secret):
    right = totp_code(secret)
    return f"{(int(right) + 1) % 1_000_000:06d}"


def test_a_handful_of_wrong_codes_ends_the_pending_sign_in(client, alice, settings):
    from plans.models import AuditEvent

    settings.MFA_REQUIRED = True
    secret = add_totp(alice)
    sign_in(client, "alice")
    for _ in range(settings.MFA_WRONG_CODES_PER_SIGN_IN - 1):
        response = second_step(client, wrong_code(secret))
        assert response.status_code == 200
        assert b"code or key was not accepted" in response.content.lower()
    response = second_step(client, wrong_code(secret))
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    page = client.get(response["Location"])
    assert b"this sign-in has ended" in page.content.lower()
    # The pending sign-in is gone: even the right code needs the password first.
    response = second_step(client, totp_code(secret))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client.get(reverse("plans:client_list")).status_code == 302
    failed = AuditEvent.objects.filter(action="mfa_failed")
    assert failed.count() == settings.MFA_WRONG_CODES_PER_SIGN_IN
    assert set(failed.values_list("actor_id", flat=True)) == {alice.pk}


def test_wrong_codes_count_per_clinician_across_sessions_and_ips_then_lock_codes(alice, settings):
    from django.test import Client as HttpClient

    from plans.models import AuditEvent

    settings.MFA_REQUIRED = True
    secret = add_totp(alice)
    checked = 0
    # An attacker who knows the password: new sessions from new addresses, 60 guesses.
    for attempt in range(60):
        http = HttpClient()
        ip = f"10.1.0.{attempt}"
        sign_in(http, "alice", ip=ip)
        response = second_step(http, wrong_code(secret), ip=ip)
        if b"code or key was not accepted" in response.content.lower():
            checked += 1
    assert checked == settings.MFA_WRONG_CODES_LIMIT - 1  # the last slot's wrong code locks
    assert AuditEvent.objects.filter(action="mfa_locked", actor=alice).count() == 1
    assert AuditEvent.objects.filter(action="mfa_failed", actor=alice).count() == 60
    # Now even the right code is refused, from a fresh session and address.
    http = HttpClient()
    sign_in(http, "alice", ip="10.2.0.1")
    response = second_step(http, totp_code(secret), ip="10.2.0.1")
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert b"codes are paused" in http.get(reverse("account_login")).content.lower()
    assert http.get(reverse("plans:client_list")).status_code == 302


def test_the_right_code_after_twelve_wrong_ones_does_not_sign_in(client, alice, settings):
    settings.MFA_REQUIRED = True
    secret = add_totp(alice)
    wrong = 0
    while wrong < 12:
        sign_in(client, "alice")
        while wrong < 12:
            wrong += 1
            if second_step(client, wrong_code(secret)).status_code == 302:
                break  # the pending sign-in ended: type the password again
    sign_in(client, "alice")
    second_step(client, totp_code(secret))
    assert client.get(reverse("plans:client_list")).status_code == 302


def test_codes_work_again_after_the_cool_off(client, alice, settings):
    import datetime

    settings.MFA_REQUIRED = True
    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=1)
    settings.MFA_WRONG_CODES_LIMIT = 2
    secret = add_totp(alice)
    sign_in(client, "alice")
    second_step(client, wrong_code(secret))
    second_step(client, wrong_code(secret))
    sign_in(client, "alice")
    assert second_step(client, totp_code(secret))["Location"] == reverse("account_login")
    time.sleep(2.1)  # the database cache keeps expiry times to the second
    sign_in(client, "alice")
    response = second_step(client, totp_code(secret))
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert client.get(reverse("plans:client_list")).status_code == 200


def test_wrong_recovery_codes_count_and_a_right_one_is_refused_while_locked(client, alice, settings):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    settings.MFA_REQUIRED = True
    settings.MFA_WRONG_CODES_LIMIT = 3
    add_totp(alice)
    code = RecoveryCodes.activate(alice).get_unused_codes()[0]
    sign_in(client, "alice")
    for guess in ("abcd1234", "zzzz9999", "0000aaaa"):
        second_step(client, guess)
    sign_in(client, "alice")
    second_step(client, code)
    assert client.get(reverse("plans:client_list")).status_code == 302
    # The refused code was not spent.
    assert code in RecoveryCodes(alice.authenticator_set.get(type="recovery_codes")).get_unused_codes()


def test_a_right_code_clears_the_count(client, alice, settings):
    from accounts import second_factor

    settings.MFA_REQUIRED = True
    secret = add_totp(alice)
    sign_in(client, "alice")
    second_step(client, wrong_code(secret))
    assert not second_factor.is_locked(alice)
    assert second_step(client, totp_code(secret)).status_code == 302
    assert second_factor.take_attempt(alice) == 0  # every slot free again


def test_attempt_slots_are_taken_once_each(alice, settings):
    from accounts import second_factor

    settings.MFA_WRONG_CODES_LIMIT = 4
    assert [second_factor.take_attempt(alice) for _ in range(5)] == [0, 1, 2, 3, None]
    assert second_factor.is_locked(alice)
    second_factor.clear(alice)
    assert not second_factor.is_locked(alice)


def test_wrong_codes_when_confirming_a_change_count_too(alice_client, alice, settings):
    from accounts import second_factor

    settings.MFA_WRONG_CODES_LIMIT = 2
    secret = add_totp(alice)
    url = reverse("mfa_reauthenticate")
    for _ in range(2):
        assert alice_client.post(url, {"code": wrong_code(secret)}).status_code == 200
    assert second_factor.is_locked(alice)
    response = alice_client.post(url, {"code": totp_code(secret)})
    assert response.status_code == 200 and b"codes are paused" in response.content.lower()


def test_an_administrator_can_lift_the_pause_on_codes(alice, settings):
    from io import StringIO

    from django.core.management import call_command

    from accounts import second_factor

    settings.MFA_WRONG_CODES_LIMIT = 2
    second_factor.take_attempt(alice)
    second_factor.take_attempt(alice)
    assert second_factor.is_locked(alice)
    out = StringIO()
    call_command("resume_codes", " ALICE", stdout=out)
    assert "work again" in out.getvalue()
    assert not second_factor.is_locked(alice)
