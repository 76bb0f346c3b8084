"""`manage.py check`: warn when this server lacks fonts for a script the printed plans promise to show."""

from typing import Any

from django.core import checks

from . import fonts


@checks.register("printing")
def check_print_fonts(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        missing = fonts.missing_scripts()
    except fonts.FontconfigUnavailable:
        return [
            checks.Warning(
                "The fontconfig library could not be loaded, so printing cannot find fonts.",
                hint="Install Debian's libfontconfig1, fonts-noto-core and fonts-noto-cjk (make system-packages).",
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
