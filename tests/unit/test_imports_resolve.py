"""Every `from x import y` of the project's own modules names something that exists, including
imports inside functions, which ruff cannot check and which fail only when that code runs
(the push hub once imported a name a refactor had moved, and silently never pushed)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "migrations", "var", "node_modules", ".git"}


def _ours(module: str) -> bool:
    top = module.split(".")[0]
    return (ROOT / top).is_dir() or (ROOT / f"{top}.py").exists()


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        if not SKIP.intersection(path.relative_to(ROOT).parts):
            yield path


def broken_imports(paths) -> list[str]:  # noqa: ANN001
    """'file:line: what is missing' for each import of our modules that does not resolve."""
    broken = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
                continue
            if not _ours(node.module):
                continue
            where = f"{path.name}:{node.lineno}"
            try:
                module = importlib.import_module(node.module)
            except Exception as exc:  # noqa: BLE001 - reported, with where it is imported
                broken.append(f"{where}: import {node.module}: {exc}")
                continue
            for alias in node.names:
                if alias.name == "*" or hasattr(module, alias.name):
                    continue
                try:
                    importlib.import_module(f"{node.module}.{alias.name}")
                except ImportError:
                    broken.append(f"{where}: {node.module} has no {alias.name}")
    return broken


def test_every_import_of_our_own_modules_resolves() -> None:
    broken = broken_imports(_sources())
    assert not broken, "\n".join(broken)


def test_an_import_inside_a_function_of_a_moved_name_is_reported(tmp_path: Path) -> None:
    code = tmp_path / "late.py"
    code.write_text("def f():\n    from vocabulary import LEVELS, NO_SUCH_NAME\n")
    assert broken_imports([code]) == ["late.py:2: vocabulary has no NO_SUCH_NAME"]
