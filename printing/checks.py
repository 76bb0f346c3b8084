"""`manage.py check`: warn when this server lacks fonts for a script the printed plans promise to show."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks

from . import fonts


@checks.register("printing")
def check_print_fonts(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        missing = fonts.missing_scripts()
    except fonts.FontsUnavailable:
        return [
            checks.Warning(
                "No fonts could be read on this server, so plans and wallet cards cannot be printed.",
                hint=f"Install Debian's fonts-noto-core and fonts-noto-cjk (make system-packages); "
                f"fonts are read from {', '.join(fonts.FONT_DIRECTORIES)}.",
                id="plans.W002",
            )
        ]
    return [
        checks.Warning(
            f"No font on this server prints {script.name}: printed plans and wallet cards in it would show "
            "boxes instead of letters, so the app will refuse to print them.",
            hint=f"Install the Debian package {script.package} (make system-packages); "
            f"the print stylesheet expects the font family {' or '.join(script.families)}.",
            id="plans.W001",
        )
        for script in missing
    ]
