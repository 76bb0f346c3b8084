"""No plan content, client name or phone number reaches the logs or an error page."""

import logging
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from .helpers import edit_url, form_data_from_page

SECRET_WORDS = "Zanzibar-ninety-marmalade"
NAME = "Quillon Ferreira-Okonkwo"
PHONE = "(212) 555-0175"


def test_nothing_a_client_said_reaches_the_logs(alice_client, alice, client_record, caplog):
    from plans import actions

    caplog.set_level(logging.DEBUG)
    client = actions.create_client(by=alice, data=actions.ClientData(name=NAME, preferred_name=NAME))
    url = edit_url(client.pk)
    data = form_data_from_page(alice_client, url)
    data["coping-0-text"] = SECRET_WORDS
    data["help_people-0-name"] = NAME
    data["help_people-0-phone"] = PHONE
    assert alice_client.post(url, data).status_code == 302  # saved
    data["help_people-0-phone"] = "12"  # a message beside the field; not saved
    alice_client.post(url, data)
    alice_client.post(reverse("plans:plan_autosave", args=[client.pk]), data)
    alice_client.get(reverse("plans:client_detail", args=[client.pk]))
    alice_client.get(reverse("printing:plan_pdf", args=[client.pk]))
    alice_client.post(reverse("plans:client_list"), {"q": NAME}, follow=True)
    alice_client.logout()
    alice_client.post("/accounts/login/", {"login": NAME, "password": SECRET_WORDS})  # a failed sign-in
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {getattr(record, '__dict__', {})!r}" for record in caplog.records
    )
    assert caplog.records, "expected some log records to inspect"
    for secret in [SECRET_WORDS, NAME, "Quillon", "2125550175", "555-0175"]:
        assert secret not in logged, secret


def test_error_pages_show_nothing_of_the_request(client, alice_client, client_record):
    response = alice_client.get(f"/clients/{client_record.pk}99999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Traceback" not in body and "Jordan" not in body and settings.SECRET_KEY not in body
    assert "Not Found" in body  # the plain not-found page, not an empty body


def test_the_repository_holds_no_secret_key_or_password():
    root = Path(settings.BASE_DIR)
    tracked = [
        path
        for pattern in (
            "*.py",
            "*.html",
            "*.txt",
            "*.md",
            "*.toml",
            "*.example",
            "Makefile",
            ".ci/run",
            "*.js",
            "*.css",
        )
        for path in root.rglob(pattern)
        # tests/ holds throwaway passwords for throwaway test users; everything else must hold none
        if not any(part in {".venv", "node_modules", ".git", "staticfiles", "tests"} for part in path.parts)
    ]
    assert tracked
    pattern = re.compile(r"(SECRET_KEY|PASSWORD)\s*=\s*['\"][^'\"\s]{20,}['\"]")
    offenders = [str(path) for path in tracked if pattern.search(path.read_text(errors="ignore"))]
    assert not offenders, offenders
    assert not (root / ".dev-secret-key").exists() or ".dev-secret-key" in (root / ".gitignore").read_text()
