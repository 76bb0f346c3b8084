"""Our own wording in Spanish: complete, current, and never touching the client's own words."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def statistics(po: Path) -> str:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.strip()


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    stats = statistics(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert "translated" in stats and "fuzzy" not in stats and "untranslated" not in stats, stats


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalog_holds_every_string_the_code_has_today(language, tmp_path, settings):
    """makemessages on a copy: a string added to the code without a translation fails here."""
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE, copy, ignore=shutil.ignore_patterns("*.mo"))
    settings.LOCALE_PATHS = [copy]
    call_command(
        "makemessages",
        locale=[language],
        ignore_patterns=["node_modules/*", ".venv/*", "tests/*", "benchmarks/*", "staticfiles/*"],
        no_obsolete=True,
        verbosity=0,
    )
    stats = statistics(copy / language / "LC_MESSAGES" / "django.po")
    assert "fuzzy" not in stats and "untranslated" not in stats, stats
