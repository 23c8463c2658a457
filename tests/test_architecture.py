"""The core, the CLI and the report writers never import Qt; only planner.gui does."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import planner

PACKAGE = Path(planner.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_qt_import_outside_gui():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "gui" in path.relative_to(PACKAGE).parts:
            continue
        for name in imported_modules(path):
            if name.split(".")[0] in {"PySide6", "PyQt5", "PyQt6", "shiboken6"} or name.startswith(
                "planner.gui"
            ):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_core_and_cli_import_with_qt_blocked():
    # A subprocess with PySide6 made unimportable: the CLI still answers --help and --version.
    code = (
        "import sys; sys.modules['PySide6'] = None\n"
        "from planner.cli.main import run\n"
        "import planner.scenario, planner.results\n"
        "sys.exit(run(['--version']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert planner.__version__ in done.stdout


def test_import_linter_contract_is_kept():
    # The same rule, checked by import-linter on the whole import graph (indirect imports too).
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        import pytest

        pytest.skip("import-linter is not installed in this environment")
    done = subprocess.run([str(lint)], capture_output=True, text=True, cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stdout + done.stderr
