"""The layers of docs/architecture.md hold, imports inside functions included: layouts draw and
read nothing, data sources know nothing of Dash, and callback modules share logic through the
layers below them, never through each other."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# package -> the top-level modules it must not import
FORBIDDEN = {
    "layouts": {"data_sources", "callbacks", "redis", "sqlalchemy"},
    "data_sources": {"dash", "dash_leaflet", "layouts", "callbacks", "figures"},
}


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def crossings(package: str, forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, module in imported(path)
        if module.split(".")[0] in forbidden
    ]


def test_layouts_read_no_data_and_data_sources_know_nothing_of_dash() -> None:
    for package, forbidden in FORBIDDEN.items():
        assert crossings(package, forbidden) == [], package


def test_callback_modules_do_not_import_one_another() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for path in sorted((ROOT / "callbacks").glob("*.py"))
        for line, module in imported(path)
        if module.startswith("callbacks.")
    ]
    assert found == []


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    source = tmp_path / "panel.py"
    source.write_text("def f():\n    from data_sources.alarms import Alarms\n", encoding="utf-8")
    assert imported(source) == [(2, "data_sources.alarms")]
