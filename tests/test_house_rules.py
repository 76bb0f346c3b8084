"""The house rules (.ci/house_rules.py) on small trees written for each test: every rule reports its
violation and passes the clean case. Checking the real tree is `make check`'s job, not this suite's."""

import importlib.util
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "house_rules.py"


def load_house_rules() -> ModuleType:
    if "house_rules" in sys.modules:
        return sys.modules["house_rules"]
    spec = importlib.util.spec_from_file_location("house_rules", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["house_rules"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


house_rules = load_house_rules()


def write(root: Path, files: dict[str, str]) -> None:
    for path, source in files.items():
        file = root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(textwrap.dedent(source))


def found(root: Path, files: dict[str, str], allowlist: Sequence[tuple[str, str]] = ()) -> list[tuple[str, int, str]]:
    """(path, line, rule) of every violation in a tree made of `files`."""
    write(root, files)
    return [(v.path, v.line, v.rule) for v in house_rules.check(root, allowlist=allowlist)]


def messages(root: Path) -> list[str]:
    return [str(violation) for violation in house_rules.check(root, allowlist=())]


def branchy(name: str, complexity: int) -> str:
    """A function of exactly this cyclomatic complexity."""
    ifs = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(complexity - 1))
    return f"def {name}(x):\n{ifs}    return -1\n"


# size ---------------------------------------------------------------------------------------------


def test_a_module_over_the_limit_is_reported(tmp_path: Path) -> None:
    files = {"plans/big.py": "x = 1\n" * (house_rules.MAX_MODULE_LINES + 1)}

    assert found(tmp_path, files) == [("plans/big.py", 1, "size")]
    assert f"{house_rules.MAX_MODULE_LINES + 1} lines" in messages(tmp_path)[0]


def test_a_module_at_the_limit_and_long_migrations_and_tests_pass(tmp_path: Path) -> None:
    files = {
        "plans/ok.py": "x = 1\n" * house_rules.MAX_MODULE_LINES,
        "plans/migrations/0001_initial.py": "x = 1\n" * 1000,
        "tests/test_long.py": "def test_it():\n    pass\n" + "x = 1\n" * 1000,
    }

    assert found(tmp_path, files) == []


# complexity ---------------------------------------------------------------------------------------


def test_functions_methods_and_tests_over_the_limit_are_reported_with_their_score(tmp_path: Path) -> None:
    over = house_rules.MAX_COMPLEXITY + 1
    method = textwrap.indent(branchy("__init__", over), "    ")
    files = {
        "plans/logic.py": branchy("tangled", over),
        "plans/forms.py": f"class EditorForm:\n{method}",
        "tests/test_logic.py": branchy("test_everything_at_once", over),
    }

    assert found(tmp_path, files) == [
        ("plans/forms.py", 2, "complexity"),
        ("plans/logic.py", 1, "complexity"),
        ("tests/test_logic.py", 1, "complexity"),
    ]
    assert f"EditorForm.__init__ has cyclomatic complexity {over} " in messages(tmp_path)[0]


def test_functions_at_the_limit_and_migrations_pass(tmp_path: Path) -> None:
    files = {
        "plans/logic.py": branchy("plain", house_rules.MAX_COMPLEXITY),
        "plans/migrations/0002_data.py": branchy("forwards", house_rules.MAX_COMPLEXITY + 10),
    }

    assert found(tmp_path, files) == []


# dependencies -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("import printing\n", 1),
        ("import accounts.models as account_models\n", 1),
        ("from printing import pdf\n", 1),
        ("from printing.pdf import render\n", 1),
        ("def later():\n    from accounts.models import Profile\n", 2),
        ("import importlib\n\npdf = importlib.import_module('printing.pdf')\n", 3),
    ],
)
def test_plans_importing_printing_or_accounts_is_reported(tmp_path: Path, source: str, line: int) -> None:
    files = {"plans/cards.py": source, "printing/__init__.py": "", "accounts/models.py": ""}

    assert found(tmp_path, files) == [("plans/cards.py", line, "dependencies")]


def test_printing_may_import_plans_and_plans_its_own_printing_module(tmp_path: Path) -> None:
    files = {
        "printing/cards.py": "from plans.models import SafetyPlan\nfrom plans import actions\n",
        "accounts/views.py": "import plans.models\n",
        "plans/models.py": "",
        "plans/actions.py": "",
        "plans/printing.py": "",
        "plans/views.py": "from . import printing\nfrom plans.printing import card\n\nKIND = 'printing'\n",
    }

    assert found(tmp_path, files) == []


# view-privates ------------------------------------------------------------------------------------


def test_a_view_module_using_another_view_modules_private_helper_is_reported(tmp_path: Path) -> None:
    files = {
        "plans/views/__init__.py": "",
        "plans/views/shared.py": "def _fetch():\n    return None\n",
        "plans/views/history.py": "from .shared import _fetch\n",
        "plans/views_print.py": "from plans.views.shared import _fetch as fetch\n",
        "plans/views_care_team.py": "from plans.views import shared\n\n\ndef team():\n    return shared._fetch()\n",
    }

    assert found(tmp_path, files) == [
        ("plans/views/history.py", 1, "view-privates"),
        ("plans/views_care_team.py", 5, "view-privates"),
        ("plans/views_print.py", 1, "view-privates"),
    ]


def test_public_helpers_own_private_helpers_and_djangos_views_pass(tmp_path: Path) -> None:
    files = {
        "plans/views/__init__.py": "",
        "plans/views/shared.py": "def fetch():\n    return _local()\n\n\ndef _local():\n    return None\n",
        "plans/views/history.py": (
            "from django.views.decorators import csrf\nfrom django.views.decorators.csrf import _EnsureCsrfToken\n\n"
            "from . import shared\nfrom .shared import fetch\n\n\n"
            "def page(request):\n"
            "    return shared.fetch(), fetch(), request._cached_user, shared.__name__, csrf._EnsureCsrfCookie\n"
        ),
    }

    assert found(tmp_path, files) == []


# forms-actions ------------------------------------------------------------------------------------


def test_a_form_module_importing_from_actions_is_reported(tmp_path: Path) -> None:
    files = {
        "plans/actions.py": "class ClientData:\n    pass\n",
        "plans/forms/__init__.py": "",
        "plans/forms/client.py": "from ..actions import ClientData\n",
        "plans/forms_print.py": "def choose():\n    from plans import actions\n",
    }

    assert found(tmp_path, files) == [
        ("plans/forms/client.py", 1, "forms-actions"),
        ("plans/forms_print.py", 2, "forms-actions"),
    ]


def test_forms_importing_models_and_views_importing_actions_pass(tmp_path: Path) -> None:
    files = {
        "plans/actions.py": "",
        "plans/models.py": "",
        "plans/forms.py": "from django import forms\nfrom django.contrib.admin import actions\n\nfrom .models import Client\n",
        "plans/views.py": "from . import actions\nfrom .forms import ClientForm\n",
    }

    assert found(tmp_path, files) == []


# writes -------------------------------------------------------------------------------------------

WRITES = """\
    from .models import Client, Entry, SafetyPlan


    def edit(request, plan):
        Client.objects.create(name="x")
        Entry.objects.filter(plan=plan).update(text="")
        plan.entries.all().delete()
        plan.entries.bulk_create([])
        SafetyPlan.objects.select_for_update().get_or_create(client=None)
        plan.save()
        plan.delete()
"""


def test_writes_outside_an_action_are_reported_with_their_function(tmp_path: Path) -> None:
    files = {
        "plans/views.py": WRITES,
        "plans/models.py": (
            "class SafetyPlan:\n    def save(self, *args, **kwargs):\n"
            "        super().save(*args, **kwargs)\n        AuditEvent.objects.create(plan=self)\n"
        ),
    }

    assert found(tmp_path, files) == [
        ("plans/models.py", 4, "writes"),
        *[("plans/views.py", line, "writes") for line in range(5, 12)],
    ]
    text = messages(tmp_path)
    assert "AuditEvent.objects.create() in SafetyPlan.save:" in text[0]
    assert "Client.objects.create() in edit:" in text[1]


@pytest.mark.parametrize(
    "writer",
    [
        "plans/actions.py",
        "plans/actions/care_team.py",
        "plans/audit/events.py",
        "plans/migrations/0002_seed.py",
        "plans/management/commands/seed.py",
        "tests/helpers.py",
        "benchmarks/versions.py",
    ],
)
def test_writers_may_write(tmp_path: Path, writer: str) -> None:
    assert found(tmp_path, {writer: WRITES}) == []


def test_forms_sessions_caches_dicts_and_model_save_overrides_pass(tmp_path: Path) -> None:
    files = {
        "plans/views.py": (
            "def edit(request, form, formset, context, cache):\n"
            "    form.save()\n    formset.save(commit=False)\n    request.session.save()\n"
            "    context.update({'plan': 1})\n    form.fields['name'].widget.attrs.update({'x': 'y'})\n"
            "    cache.delete('key')\n"
        ),
        "plans/middleware.py": (
            "class Idle:\n    def __call__(self, request):\n"
            "        session = request.session\n        session['last_activity'] = 1\n"
            "        del request.session['stash']\n        session.delete()\n"
        ),
        "plans/models.py": (
            "class SafetyPlan:\n    def save(self, *args, **kwargs):\n        super().save(*args, **kwargs)\n\n"
            "    def delete(self, *args, **kwargs):\n        return super().delete(*args, **kwargs)\n"
        ),
    }

    assert found(tmp_path, files) == []


def test_the_allowlist_excuses_a_write_and_reports_an_entry_that_excuses_nothing(tmp_path: Path) -> None:
    files = {
        "plans/printing.py": "def save_card_choice(plan):\n    CardSelection.objects.update_or_create(plan=plan)\n"
    }
    allowlist = [
        ("plans/printing.py::save_card_choice", "moves to plans.actions with the printing app"),
        ("plans/views.py", "nothing writes there any more"),
    ]

    assert found(tmp_path, files, allowlist) == [("house_rules.py", 1, "writes")]
    assert found(tmp_path, files, allowlist[:1]) == []
    assert found(tmp_path, files, [("plans/printing.py::other", "another function")]) == [
        ("house_rules.py", 1, "writes"),
        ("plans/printing.py", 2, "writes"),
    ]


# test-fixtures ------------------------------------------------------------------------------------


def test_tests_importing_test_modules_and_helpers_named_like_tests_are_reported(tmp_path: Path) -> None:
    files = {
        "tests/__init__.py": "",
        "tests/test_editor.py": "def save():\n    pass\n\n\ndef test_it_saves():\n    save()\n",
        "tests/test_audit.py": "from .test_editor import save\n\n\ndef test_a():\n    save()\n",
        "tests/test_clients.py": "def test_b():\n    from tests.test_editor import save\n\n    save()\n",
        "tests/test_merge.py": "import tests.test_editor\n\n\ndef test_c():\n    tests.test_editor.save()\n",
        "tests/test_export.py": "from tests import test_editor\n\n\ndef test_d():\n    test_editor.save()\n",
        "tests/test_models.py": "from test_editor import save\n\n\ndef test_e():\n    save()\n",
        "tests/test_print_support.py": "def make_plan():\n    pass\n",
    }

    assert found(tmp_path, files) == [
        ("tests/test_audit.py", 1, "test-fixtures"),
        ("tests/test_clients.py", 2, "test-fixtures"),
        ("tests/test_export.py", 1, "test-fixtures"),
        ("tests/test_merge.py", 1, "test-fixtures"),
        ("tests/test_models.py", 1, "test-fixtures"),
        ("tests/test_print_support.py", 1, "test-fixtures"),
    ]


def test_tests_sharing_through_conftest_and_helpers_pass(tmp_path: Path) -> None:
    files = {
        "tests/__init__.py": "",
        "tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef plan():\n    return None\n",
        "tests/helpers.py": "def save():\n    pass\n\n\ndef test_data():\n    return {}\n",
        "tests/print_support.py": "def make_plan():\n    pass\n",
        "tests/test_audit.py": (
            "from tests.helpers import test_data\n\nfrom .helpers import save\nfrom .print_support import make_plan\n\n\n"
            "def test_a(plan):\n    save(), make_plan(), test_data()\n"
        ),
        "tests/test_classes.py": "class TestIt:\n    def test_x(self):\n        pass\n",
    }

    assert found(tmp_path, files) == []


# the script as make check runs it -----------------------------------------------------------------


def test_main_prints_one_line_per_violation_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(house_rules, "WRITE_ALLOWLIST", ())
    write(tmp_path, {"plans/cards.py": "import printing\n", "plans/broken.py": "def (:\n"})

    assert house_rules.main(tmp_path) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[:2] for line in lines] == [
        ["plans/broken.py:1", "parse"],
        ["plans/cards.py:1", "dependencies"],
    ]


def test_main_is_silent_and_passes_on_a_clean_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(house_rules, "WRITE_ALLOWLIST", ())
    write(tmp_path, {"plans/models.py": "", "tests/test_models.py": "def test_it():\n    pass\n"})

    assert house_rules.main(tmp_path) == 0
    assert capsys.readouterr().out == ""
