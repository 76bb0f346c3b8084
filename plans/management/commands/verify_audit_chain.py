from typing import Any

from django.core.management.base import BaseCommand, CommandError

from plans.audit import verify_trail

SHOWN = 20  # problems printed; the count says how many more


class Command(BaseCommand):
    help = (
        "Recompute every audit chain against the signed checkpoints (and the checkpoint file, if set). "
        "Prints OK, or each problem with its chain and event (exit 1)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_trail()
        for note in report.notes:
            self.stdout.write(note)
        summary = (
            f"{report.events} audit events in {report.chains} chains checked against {report.checkpoints} checkpoints"
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"{summary}: OK"))
            return
        lines = [problem.message for problem in report.problems[:SHOWN]]
        if len(report.problems) > SHOWN:
            lines.append(f"... and {len(report.problems) - SHOWN} more")
        raise CommandError(f"Audit trail broken ({summary}):\n" + "\n".join(lines))
