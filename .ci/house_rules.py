#!/usr/bin/env python3
"""The house style's structural rules, the ones ruff and mypy do not see. `make check` runs it.

    .venv/bin/python .ci/house_rules.py [ROOT]     # ROOT defaults to the repository holding this file

Prints one line per violation, `path:line: rule: message`, and exits 1 if there is any. The rules:

  size           no module over MAX_MODULE_LINES lines (migrations and tests excepted)
  complexity     no function above MAX_COMPLEXITY (radon's cyclomatic complexity; migrations excepted)
  dependencies   a package in DEPENDENCY_RULES imports none of the packages listed for it
  view-privates  a view module imports no `_private` name from another view module
  forms-actions  a form module imports nothing from an actions module
  writes         ORM write calls only in WRITERS (see "writes" below for exactly what is flagged)
  test-fixtures  a test module imports no other test module; a `test_*.py` module holds tests
  parse          a module that does not parse (nothing else in it can be checked)

Everything that names a file or package is in the configuration below, so moving modules around
(plans/views.py -> plans/views/..., a new app) means editing these constants, not the checks.
Path patterns are fnmatch patterns on POSIX paths relative to ROOT, where `*` also matches `/`.
A module's dotted name is its path without `.py` (`plans/views/__init__.py` is `plans.views`);
relative imports are resolved against it. Imports are found anywhere: at the top, inside functions
(lazy), under TYPE_CHECKING, and as importlib.import_module("...") / __import__("...") with a literal.
Only the standard library and radon (complexity) are used.
"""

from __future__ import annotations

import ast
import sys
import tokenize
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from radon.complexity import add_inner_blocks, cc_visit_ast
from radon.visitors import Function

# Configuration ----------------------------------------------------------------------------------

SKIP_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "venv",
        "node_modules",
        "staticfiles",
        "test-artifacts",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".hypothesis",
    }
)
TESTS_DIR = "tests"  # the top-level directory (package) holding the test suite

# size
MAX_MODULE_LINES = 450
SIZE_EXEMPT = ("*/migrations/*", f"{TESTS_DIR}/*")

# complexity: radon's default counting, so `radon cc -s` shows the same scores (an assert is a branch).
MAX_COMPLEXITY = 15
COMPLEXITY_EXEMPT = ("*/migrations/*",)
COUNT_ASSERTS = True

# dependencies: top-level package -> top-level packages its modules must not import.
DEPENDENCY_RULES: dict[str, set[str]] = {
    "plans": {"printing", "accounts", "phonecopy", "followup"},
    "printing": {"phonecopy", "followup"},
    "accounts": {"phonecopy", "followup"},
    "followup": {"printing", "accounts", "phonecopy"},
    "phonecopy": {"followup"},
}

# view-privates and forms-actions: a module is a view (form, actions) module when any part of its
# dotted name matches one of these: plans.views, plans.views_print, plans.views.history ...
VIEW_MODULE_PARTS = ("views", "views_*")
FORM_MODULE_PARTS = ("forms", "forms_*")
ACTIONS_MODULE_PARTS = ("actions", "actions_*")

# writes. Outside WRITERS, a call `<receiver>.<method>(...)` is flagged when
#   (a) method is in ORM_ONLY_METHODS, whatever the receiver; or
#   (b) method is in WRITE_METHODS and the receiver chain goes through a manager attribute
#       (MANAGER_NAMES: `Client.objects...`) or calls a QuerySet method (QUERYSET_METHODS:
#       `plan.entries.filter(...).delete()`); or
#   (c) method is save or delete and the receiver's source text matches no NON_ORM_RECEIVERS
#       pattern (`plan.save()` is flagged; `super().save()`, `form.save()`, `request.session.save()`
#       are not). `super()` is never flagged, so Model.save()/delete() overrides may call it.
# Not seen: create/update on anything else (`plan.entries.create(...)`, `dict.update`), writes
# through a helper called by name, raw SQL.
WRITERS = (
    "plans/actions.py",
    "plans/actions/*",
    "accounts/actions.py",
    "followup/actions.py",
    "phonecopy/actions.py",
    "plans/audit/*",
    "*/migrations/*",
    "*/management/commands/*",
    f"{TESTS_DIR}/*",
    "benchmarks/*",
)
ORM_ONLY_METHODS = frozenset({"bulk_create", "bulk_update", "get_or_create", "update_or_create", "_raw_delete"})
WRITE_METHODS = frozenset({"save", "delete", "create", "update"}) | ORM_ONLY_METHODS
MANAGER_NAMES = frozenset({"objects"})
QUERYSET_METHODS = frozenset(
    {
        "all",
        "filter",
        "exclude",
        "select_for_update",
        "select_related",
        "prefetch_related",
        "order_by",
        "only",
        "defer",
        "using",
        "distinct",
        "annotate",
        "none",
    }
)
NON_ORM_RECEIVERS = (
    "super()",
    "form",
    "formset",
    "*_form",
    "*_formset",
    "session",
    "*.session",
    "cache",
    "*.cache",
    "caches[*]",
    "*storage",
)
# Deliberate exceptions: (pattern, reason). The pattern is a path pattern, optionally followed by
# `::` and the enclosing function's qualified name (`plans/admin.py::ClientAdmin.save_model`).
# An entry that matches nothing is reported, so the list shrinks as the code moves.
WRITE_ALLOWLIST: tuple[tuple[str, str], ...] = ()

# test-fixtures: tests share code through conftest.py and helper modules, never test modules.
TEST_MODULE_NAMES = ("test_*",)

# The checks -------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Violation:
    path: str
    line: int
    rule: str
    message: str
    scope: str = ""  # the enclosing function's qualified name, for WRITE_ALLOWLIST

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.message}"


@dataclass(frozen=True)
class Module:
    path: str  # POSIX, relative to the root
    name: str  # dotted
    is_package: bool
    lines: int
    tree: ast.Module


@dataclass(frozen=True)
class Import:
    line: int
    module: str  # absolute dotted name of the module the statement names
    names: tuple[str, ...]  # what `from module import ...` takes; empty for `import module`

    def targets(self) -> list[str]:
        """The module, then `module.name` for each imported name (which may be a submodule)."""
        return [self.module, *(f"{self.module}.{name}".lstrip(".") for name in self.names)]


def matches(text: str, patterns: Iterable[str]) -> bool:
    return any(fnmatchcase(text, pattern) for pattern in patterns)


def has_part(dotted: str, patterns: Sequence[str]) -> bool:
    return any(matches(part, patterns) for part in dotted.split("."))


def python_files(root: Path) -> Iterator[Path]:
    for directory, dirnames, filenames in root.walk():
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not (directory / d).is_symlink())
        yield from (directory / name for name in sorted(filenames) if name.endswith(".py"))


def load(root: Path) -> tuple[list[Module], list[Violation]]:
    modules: list[Module] = []
    problems: list[Violation] = []
    for file in python_files(root):
        path = file.relative_to(root).as_posix()
        try:
            with tokenize.open(file) as handle:  # honours a PEP 263 encoding line
                source = handle.read()
            tree = ast.parse(source, filename=path)
        except (SyntaxError, UnicodeDecodeError) as error:
            problems.append(Violation(path, getattr(error, "lineno", None) or 1, "parse", str(error)))
            continue
        parts = path.removesuffix(".py").split("/")
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        modules.append(Module(path, name, is_package, len(source.splitlines()), tree))
    return modules, problems


def resolve(module: Module, level: int, name: str | None) -> str:
    """The absolute dotted name of `from <level dots><name> import ...` written in `module`."""
    if level == 0:
        return name or ""
    package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = package[: max(len(package) - level + 1, 0)]
    return ".".join([*base, *([name] if name else [])])


def imports(module: Module) -> Iterator[Import]:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            yield from (Import(node.lineno, alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names = tuple(alias.name for alias in node.names)
            yield Import(node.lineno, resolve(module, node.level, node.module), names)
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in {"importlib.import_module", "__import__"}:
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and not first.value.startswith("."):
                yield Import(node.lineno, first.value, ())


def check_size(module: Module, known: frozenset[str]) -> Iterator[Violation]:
    if module.lines > MAX_MODULE_LINES and not matches(module.path, SIZE_EXEMPT):
        message = f"{module.lines} lines (max {MAX_MODULE_LINES}); make it a package or move parts out"
        yield Violation(module.path, 1, "size", message)


def check_complexity(module: Module, known: frozenset[str]) -> Iterator[Violation]:
    if matches(module.path, COMPLEXITY_EXEMPT):
        return
    for block in add_inner_blocks(cc_visit_ast(module.tree, no_assert=not COUNT_ASSERTS)):
        if isinstance(block, Function) and block.complexity > MAX_COMPLEXITY:
            message = f"{block.fullname} has cyclomatic complexity {block.complexity} (max {MAX_COMPLEXITY})"
            yield Violation(module.path, block.lineno, "complexity", message)


def check_dependencies(module: Module, known: frozenset[str]) -> Iterator[Violation]:
    package = module.name.split(".")[0]
    forbidden = DEPENDENCY_RULES.get(package, set())
    for imp in imports(module):
        bad = [target for target in imp.targets() if target.split(".")[0] in forbidden]
        if bad:
            message = (
                f"{package} must not import {bad[0]}: dependencies run one way, {bad[0].split('.')[0]} -> {package}"
            )
            yield Violation(module.path, imp.line, "dependencies", message)


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")


def is_other_view_module(name: str, module: Module, known: frozenset[str]) -> bool:
    return name in known and name != module.name and has_part(name, VIEW_MODULE_PARTS)


def view_module_bindings(module: Module, known: frozenset[str]) -> dict[str, str]:
    """Names (or dotted texts, for a plain `import a.b`) bound to another view module: text -> module."""
    bound: dict[str, str] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            bound |= {alias.asname or alias.name: alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = resolve(module, node.level, node.module)
            bound |= {alias.asname or alias.name: f"{base}.{alias.name}".lstrip(".") for alias in node.names}
    return {text: name for text, name in bound.items() if is_other_view_module(name, module, known)}


def check_view_privates(module: Module, known: frozenset[str]) -> Iterator[Violation]:
    if not has_part(module.name, VIEW_MODULE_PARTS):
        return
    for imp in imports(module):
        private = [name for name in imp.names if is_private(name)]
        if private and is_other_view_module(imp.module, module, known):
            message = f"imports {imp.module}.{private[0]}, another view module's private helper; share it properly"
            yield Violation(module.path, imp.line, "view-privates", message)
    bound = view_module_bindings(module, known)
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr) and ast.unparse(node.value) in bound:
            message = f"uses {bound[ast.unparse(node.value)]}.{node.attr}, another view module's private helper"
            yield Violation(module.path, node.lineno, "view-privates", message)


def check_forms_actions(module: Module, known: frozenset[str]) -> Iterator[Violation]:
    if not has_part(module.name, FORM_MODULE_PARTS):
        return
    for imp in imports(module):
        bad = [target for target in imp.targets() if target in known and has_part(target, ACTIONS_MODULE_PARTS)]
        if bad:
            message = f"imports from {bad[0]}; forms validate and normalise, the view calls the action"
            yield Violation(module.path, imp.line, "forms-actions", message)


def through_queryset(node: ast.expr) -> bool:
    """Whether a receiver chain goes through a manager (`.objects`) or calls a QuerySet method."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        if isinstance(node, ast.Attribute) and node.attr in MANAGER_NAMES:
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in QUERYSET_METHODS:
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def is_orm_write(func: ast.Attribute) -> bool:
    if func.attr not in WRITE_METHODS:
        return False
    if func.attr in ORM_ONLY_METHODS or through_queryset(func.value):
        return True
    return func.attr in {"save", "delete"} and not matches(ast.unparse(func.value), NON_ORM_RECEIVERS)


class WriteFinder(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.scope: list[str] = []
        self.found: list[Violation] = []

    def visit_scope(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_scope

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and is_orm_write(node.func):
            call = ast.unparse(node.func)
            call = call if len(call) <= 80 else f"{call[:55]} ... {call[-20:]}"
            scope = ".".join(self.scope)
            where = f" in {scope}" if scope else ""
            message = f"{call}(){where}: ORM writes belong in an action (a module in WRITERS)"
            self.found.append(Violation(self.path, node.lineno, "writes", message, scope))
        self.generic_visit(node)


def check_writes(module: Module, known: frozenset[str]) -> Iterator[Violation]:
    if matches(module.path, WRITERS):
        return
    finder = WriteFinder(module.path)
    finder.visit(module.tree)
    yield from finder.found


def imported_test_module(imp: Import, known: frozenset[str]) -> str | None:
    """The test module an import brings in, if any (a bare `test_x`, as pytest's rootdir allows, too)."""
    for target in imp.targets():
        parts = target.split(".")
        for end in range(len(parts), 0, -1):  # the longest prefix that is a module of the tree
            prefix = ".".join(parts[:end])
            name = prefix if prefix in known else f"{TESTS_DIR}.{prefix}"
            if name in known:
                is_test = name.startswith(f"{TESTS_DIR}.") and matches(name.rsplit(".", 1)[-1], TEST_MODULE_NAMES)
                if is_test:
                    return name
                break
    return None


def holds_tests(tree: ast.Module) -> bool:
    return any(
        (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"))
        or (isinstance(node, ast.ClassDef) and node.name.startswith("Test"))
        for node in tree.body
    )


def check_test_fixtures(module: Module, known: frozenset[str]) -> Iterator[Violation]:
    if not module.path.startswith(f"{TESTS_DIR}/"):
        return
    for imp in imports(module):
        imported = imported_test_module(imp, known)
        if imported and imported != module.name:
            message = f"imports {imported}, a test module; share it through conftest.py or a helpers module"
            yield Violation(module.path, imp.line, "test-fixtures", message)
    stem = module.path.rsplit("/", 1)[-1].removesuffix(".py")
    if matches(stem, TEST_MODULE_NAMES) and not holds_tests(module.tree):
        message = "named like a test module but holds no test_ function or Test class; rename it (helpers, ...)"
        yield Violation(module.path, 1, "test-fixtures", message)


RULES = (
    check_size,
    check_complexity,
    check_dependencies,
    check_view_privates,
    check_forms_actions,
    check_test_fixtures,
)


def excuse(write: Violation, allowlist: Iterable[tuple[str, str]]) -> str | None:
    """The WRITE_ALLOWLIST pattern that excuses a write, if any."""
    for pattern, _reason in allowlist:
        path, _, scope = pattern.partition("::")
        if fnmatchcase(write.path, path) and (not scope or fnmatchcase(write.scope, scope)):
            return pattern
    return None


def check(root: Path, allowlist: Sequence[tuple[str, str]] | None = None) -> list[Violation]:
    """Every violation in the tree at `root`, sorted by path and line (allowlist: WRITE_ALLOWLIST)."""
    allowlist = WRITE_ALLOWLIST if allowlist is None else allowlist
    modules, found = load(root)
    known = frozenset(module.name for module in modules)
    found += [violation for module in modules for rule in RULES for violation in rule(module, known)]
    writes = [(write, excuse(write, allowlist)) for module in modules for write in check_writes(module, known)]
    found += [write for write, pattern in writes if pattern is None]
    used = {pattern for _write, pattern in writes}
    this = Path(__file__).resolve()
    here = this.relative_to(root.resolve()).as_posix() if this.is_relative_to(root.resolve()) else this.name
    for pattern, reason in allowlist:
        if pattern not in used:
            message = f"WRITE_ALLOWLIST entry {pattern!r} ({reason}) excuses nothing; remove it"
            found.append(Violation(here, 1, "writes", message))
    return sorted(found)


def main(root: Path) -> int:
    violations = check(root)
    for violation in violations:
        print(violation)
    if violations:
        print(
            f"house rules: {len(violations)} violation(s); the rules are described in .ci/house_rules.py",
            file=sys.stderr,
        )
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent))
