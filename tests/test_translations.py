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
def test_the_catalog_holds_every_string_the_code_has_today(language, tmp_path, settings, monkeypatch):
    """makemessages on a copy of the sources: a string added to the code without a translation fails here.

    makemessages writes into the `locale` folder nearest each source file, so it runs in a copy of the
    project (sources, templates and catalogues only) and the real catalogue is never touched.
    """
    project = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        project,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "node_modules",
            "tests",
            "benchmarks",
            "staticfiles",
            "test-artifacts",
            "__pycache__",
            "*.mo",
            "*.sqlite3*",
            "*.pdf",
            "*.png",
        ),
        symlinks=True,
    )
    before = (LOCALE / language / "LC_MESSAGES" / "django.po").read_bytes()
    monkeypatch.chdir(project)
    settings.LOCALE_PATHS = [project / "locale"]
    call_command("makemessages", locale=[language], no_obsolete=True, verbosity=0)
    assert (LOCALE / language / "LC_MESSAGES" / "django.po").read_bytes() == before, "the real catalogue changed"
    stats = statistics(project / "locale" / language / "LC_MESSAGES" / "django.po")
    assert "fuzzy" not in stats and "untranslated" not in stats, stats
