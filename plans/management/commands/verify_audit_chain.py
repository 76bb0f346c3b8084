from typing import Any

from django.core.management.base import BaseCommand, CommandError

from plans.audit import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chain. Prints OK, or the first event that does not match (exit 1)."

    def handle(self, *args: Any, **options: Any) -> None:
        ok, checked, bad_id = verify_chain()
        if ok:
            self.stdout.write(self.style.SUCCESS(f"{checked} audit events checked: OK"))
            return
        if bad_id is not None:
            raise CommandError(
                f"Audit chain broken at event #{bad_id} ({checked} events checked): "
                "it was changed, or an event before it was removed."
            )
        raise CommandError(
            f"Audit chain head does not match the last event ({checked} events checked): "
            "events were removed from the end, or the chain head was changed."
        )
