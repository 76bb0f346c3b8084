"""Seeds the load benchmark's clinicians, run as a script with the app servers' settings (no management command).

    python benchmarks/loadkit/seed.py COUNT PREFIX > clinicians.json

Each clinician has a password, an authenticator app (TOTP, so they sign in as production requires) and
one client whose plan has 7 steps x 5 entries, every field filled, saved through the app's actions.
Prints a JSON list of {"username", "password", "totp_secret", "client"}.
"""

import json
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetyplan.settings")

import django

django.setup()

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from typical import typical_changes

from plans import actions

PASSWORD = secrets.token_urlsafe(24)  # a throwaway, new each run


def seed(count: int, prefix: str) -> list[dict[str, object]]:
    hashed = make_password(PASSWORD)  # hashed once: the same cost to check at sign-in, a quicker set-up
    users = get_user_model().objects
    clinicians: list[dict[str, object]] = []
    for number in range(count):
        with transaction.atomic():
            user = users.create(username=f"{prefix}{number}", password=hashed)
            secret = generate_totp_secret()
            TOTP.activate(user, secret)
            client = actions.create_client(by=user, data=actions.ClientData(name=f"Load client {number}"))
            actions.save_plan(client=client, by=user, changes=typical_changes(number), expected_revision=0)
        clinicians.append({"username": user.username, "password": PASSWORD, "totp_secret": secret, "client": client.pk})
    return clinicians


if __name__ == "__main__":
    json.dump(seed(int(sys.argv[1]), sys.argv[2]), sys.stdout)
