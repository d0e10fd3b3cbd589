"""The suite keeps its own rules (tests/README.md), read from its sources with `ast`:

- no test module imports another: what tests share lives in tests/support (or a fixture in
  a conftest.py), so a test file can move or go without breaking another;
- no test sleeps: time passes by moving the `clock` fixture, and work elsewhere is waited
  for by polling (tests/support/polling's `eventually`). The few waits that cannot poll,
  because they wait for something that does not happen or that nothing shows, are listed
  below with the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SUPPORT = TESTS / "support"
SLEEPS = {("asyncio", "sleep"), ("time", "sleep")}

# (file under tests/, the test or helper function that sleeps): why it cannot poll instead.
MAY_SLEEP = {
    (
        "public/test_static_copy.py",
        "test_two_server_processes_sharing_the_copy_rewrite_it_once_per_change",
    ): "it shows that another process does NOT write the copy again: there is nothing to "
    "poll for, only a wait well past that process's 0.2 s poll",
    (
        "delivery/test_faults_survived.py",
        "test_smtp_down_for_a_while_then_back_loses_nothing",
    ): "the outage is the scenario: SMTP stays down this long while a worker process, in "
    "real time, retries against it",
    (
        "delivery/test_faults_survived.py",
        "test_postgresql_restarted_mid_fanout_the_worker_carries_on_and_loses_nothing",
    ): "the outage is the scenario: PostgreSQL stays down this long while a worker process "
    "carries on against it",
    (
        "statuspage/test_page_id.py",
        "test_two_processes_starting_together_agree_on_one_page_id",
    ): "the second session must reach the database and wait on the first's uncommitted row "
    "before the first commits; nothing outside the database shows that it waits",
}


def _test_modules() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if SUPPORT not in p.parents)


def _name(path: Path) -> str:
    return path.relative_to(TESTS).as_posix()


def _imported_test_modules(tree: ast.Module) -> list[str]:
    """Modules of the suite this module imports, other than tests.support."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
            if node.level:  # `from . import x` or `from .x import y`: always another test file
                found.append("." * node.level + (node.module or ""))
                continue
            if node.module == "tests":
                names = [f"tests.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if (name == "tests" or name.startswith("tests.")) and not (
                name == "tests.support" or name.startswith("tests.support.")
            ):
                found.append(name)
    return found


def _sleeps(tree: ast.Module) -> list[tuple[str, int]]:
    """(enclosing function, line) of each call of asyncio.sleep or time.sleep, however it
    was imported (`import asyncio`, `from time import sleep as nap`)."""
    modules: dict[str, str] = {}  # local name -> module, for `import time as t`
    functions: set[str] = set()  # local names bound to a sleep function
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and not node.level:
            for alias in node.names:
                if (node.module, alias.name) in SLEEPS:
                    functions.add(alias.asname or alias.name)

    def is_sleep(call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Name):
            return func.id in functions
        return (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and (modules.get(func.value.id), func.attr) in SLEEPS
        )

    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            # The outermost function names the place: a helper nested in a test is the test's.
            inner = function
            if not function and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            if isinstance(child, ast.Call) and is_sleep(child):
                found.append((inner or "<module>", child.lineno))
            visit(child, inner)

    visit(tree, "")
    return found


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def test_no_test_module_imports_another():
    offenders = {
        _name(path): imported
        for path in _test_modules()
        if (imported := _imported_test_modules(_parse(path)))
    }
    assert not offenders, f"move what they share into tests/support: {offenders}"


def test_no_test_sleeps_except_the_few_that_wait_for_what_nothing_shows():
    sleeping = {
        (_name(path), function): line
        for path in _test_modules()
        for function, line in _sleeps(_parse(path))
    }
    unexplained = sorted(
        f"{name}:{line} in {fn}"
        for (name, fn), line in sleeping.items()
        if (name, fn) not in MAY_SLEEP
    )
    assert not unexplained, (
        "move the `clock` fixture to let time pass, or poll with "
        f"tests.support.polling.eventually for work elsewhere: {unexplained}"
    )
    stale = sorted(f"{name}::{fn}" for name, fn in MAY_SLEEP if (name, fn) not in sleeping)
    assert not stale, f"these no longer sleep: take them off MAY_SLEEP: {stale}"


def test_the_rules_catch_what_they_are_meant_to():
    source = ast.parse(
        "import asyncio\n"
        "import time as t\n"
        "from time import sleep as nap\n"
        "from tests.support import factories\n"
        "from tests.imports.helpers import run\n"
        "from tests import conftest\n"
        "from . import neighbour\n"
        "import tests.browser.test_browser_comms\n"
        "async def test_one():\n"
        "    async def helper():\n"
        "        await asyncio.sleep(1)\n"
        "    t.sleep(1)\n"
        "def test_two():\n"
        "    nap(1)\n"
        "    asyncio.wait_for(None, 1)\n"
    )
    assert sorted(_imported_test_modules(source)) == [
        ".",
        "tests.browser.test_browser_comms",
        "tests.conftest",
        "tests.imports.helpers",
    ]
    assert sorted(_sleeps(source)) == [("test_one", 11), ("test_one", 12), ("test_two", 14)]
