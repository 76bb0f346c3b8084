from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from plans.audit import CheckpointRefusedError, copy_to_file, write_checkpoint


class Command(BaseCommand):
    help = (
        "Sign the audit chains' heads into the next checkpoint (run it from cron, say every 10 minutes), "
        "and append it to SAFETYPLAN_AUDIT_CHECKPOINT_FILE if set."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = write_checkpoint()
        except CheckpointRefusedError as error:
            raise CommandError(str(error)) from error
        except IntegrityError as error:
            raise CommandError("Another checkpoint was written at the same moment; nothing written.") from error
        if settings.AUDIT_CHECKPOINT_FILE is not None:
            copy_to_file(checkpoint, settings.AUDIT_CHECKPOINT_FILE)
        self.stdout.write(
            self.style.SUCCESS(f"Audit checkpoint #{checkpoint.number}: {len(checkpoint.heads)} chains moved")
        )
