"""Lift the pause on second-step codes for one clinician (after too many wrong codes), before the cool-off ends."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import second_factor


class Command(BaseCommand):
    help = "Let a clinician use second-step codes again after too many wrong ones (their count starts afresh)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username__iexact=str(options["username"]).strip()).first()
        if user is None:
            raise CommandError("No account has that username.")
        second_factor.clear(user)
        self.stdout.write("Codes work again for this account.")
