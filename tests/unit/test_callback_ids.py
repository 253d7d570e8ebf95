"""Registration cannot be forgotten: every id a callback names is drawn by some page, and
every interactive component a page draws is handled by a callback (or by a script in assets/).

The app keeps `suppress_callback_exceptions=True` (a page's callbacks name ids of the other
pages, and some components are drawn by callbacks), so the browser checks nothing: this does.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import pytest
from dash.dependencies import DashDependency
from dash.development.base_component import Component

import callbacks
import layouts

ROOT = Path(__file__).resolve().parents[2]
# Drawn by a callback at run time, never by a page's layout: (id, or the `type` of a
# pattern-matching id) -> the layout function that draws it.
DRAWN_BY_CALLBACKS = {
    "duty-roster-import": "layouts.roster_import.import_button",
    "rollcall-answer": "layouts.rollcall.room_items",
    "alarm-action": "layouts.alarm_actions.buttons",
}
INTERACTIVE = {
    "Button",
    "Checklist",
    "ConfirmDialog",
    "DatePickerRange",
    "DatePickerSingle",
    "Dropdown",
    "Input",
    "Interval",
    "RadioItems",
    "RangeSlider",
    "Slider",
    "Store",
    "Tabs",
    "Textarea",
    "Upload",
}
WILDCARDS = (dash.MATCH, dash.ALL, dash.ALLSMALLER)
DASH_OWN = "_pages_"  # the ids of Dash's page router, whose callback Dash registers itself


def _drawn(node: Any, out: list[tuple[Any, str]]) -> list[tuple[Any, str]]:
    """(id, component type) of every component under `node`, in any property."""
    if isinstance(node, Component):
        if getattr(node, "id", None) is not None:
            out.append((node.id, type(node).__name__))
        _drawn(list(node.to_plotly_json()["props"].values()), out)
    elif isinstance(node, list | tuple):
        for child in node:
            _drawn(child, out)
    elif isinstance(node, dict):
        for child in node.values():
            if isinstance(child, Component | list):
                _drawn(child, out)
    return out


def _dependencies(node: Any, out: list[DashDependency]) -> list[DashDependency]:
    if isinstance(node, DashDependency):
        out.append(node)
    elif isinstance(node, list | tuple):
        for child in node:
            _dependencies(child, out)
    elif isinstance(node, dict):
        for child in node.values():
            _dependencies(child, out)
    return out


def _matches(pattern: Any, drawn: Any) -> bool:
    if isinstance(pattern, dict) and isinstance(drawn, dict):
        return set(pattern) == set(drawn) and all(
            any(v is w for w in WILDCARDS) or v == drawn[k] for k, v in pattern.items()
        )
    return not isinstance(pattern, dict) and not isinstance(drawn, dict) and pattern == drawn


def _name(component_id: Any) -> str:
    return str(component_id.get("type")) if isinstance(component_id, dict) else str(component_id)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[tuple[Any, str]]]:
    """(id, type) of everything the app's pages draw (one app for the module: no I/O here)."""
    from app import create_app, shutdown

    settings = {"DEMO_FEED": False, "INPROCESS_WORKERS": False, "AUTH_REQUIRED": False}
    app = create_app({**settings, "DATA_DIR": str(tmp_path_factory.mktemp("var"))})
    yield _every_page_drawn(app)
    shutdown(app)


def _every_page_drawn(app: dash.Dash) -> list[tuple[Any, str]]:
    drawn: list[tuple[Any, str]] = []
    with app.server.test_request_context("/"):
        _drawn(layouts.shell.layout(), drawn)
        for page in dash.page_registry.values():
            path_variables = {"incident_id": "INC-1"} if page.get("path_template") else {}
            _drawn(page["layout"](**path_variables), drawn)
        # The replayed wall (`/wall?at=`) draws the replay banner and stores instead of a pulse.
        _drawn(dash.page_registry["pages.wall"]["layout"](at="2026-01-01T08:00:00+08:00"), drawn)
    return drawn


def _used() -> list[tuple[str, DashDependency]]:
    return [
        (d.where, dep) for d in callbacks.load() for dep in _dependencies([d.args, d.kwargs], [])
    ]


def _missing(used: list[tuple[str, DashDependency]], drawn: list[Any]) -> list[str]:
    """What callbacks name that no page draws (nor a callback, as DRAWN_BY_CALLBACKS says)."""
    return sorted(
        {
            f"{where}: {type(dep).__name__}({dep.component_id!r}, {dep.component_property!r})"
            for where, dep in used
            if _name(dep.component_id) not in DRAWN_BY_CALLBACKS
            and not any(_matches(dep.component_id, i) for i in drawn)
        }
    )


def _idle(used: list[tuple[str, DashDependency]], drawn: list[tuple[Any, str]]) -> list[str]:
    """Interactive components drawn that neither a callback nor a script in assets/ handles."""
    ids = [dep.component_id for _, dep in used]
    scripts = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "assets").glob("*.js"))
    return sorted(
        {
            f"{kind} {component_id!r}"
            for component_id, kind in drawn
            if kind in INTERACTIVE
            and not _name(component_id).startswith(DASH_OWN)
            and not any(_matches(u, component_id) for u in ids)
            and f'"{_name(component_id)}"' not in scripts
        }
    )


def test_every_id_a_callback_names_is_drawn_by_a_page_or_by_a_named_callback(
    drawn: list[tuple[Any, str]],
) -> None:
    assert len(drawn) > 100  # every page was drawn, not only the shell
    missing = _missing(_used(), [i for i, _ in drawn])
    assert not missing, "ids no page draws (a typo, or a page not in screens.py?):\n" + "\n".join(
        missing
    )


def test_every_interactive_component_is_handled_by_a_callback_or_a_script(
    drawn: list[tuple[Any, str]],
) -> None:
    idle = _idle(_used(), drawn)
    assert not idle, "drawn, handled by nothing (a callback module gone?):\n" + "\n".join(idle)


def test_ids_drawn_by_callbacks_are_used_drawn_by_their_function_and_by_no_page(
    drawn: list[tuple[Any, str]],
) -> None:
    names = {_name(i) for i, _ in drawn}
    used = {_name(dep.component_id) for _, dep in _used()}
    for name, where in DRAWN_BY_CALLBACKS.items():
        module, _, function = where.rpartition(".")
        assert callable(getattr(importlib.import_module(module), function)), where
        assert name in used, f"{name}: no callback uses it any more; drop it from the list"
        assert name not in names, f"{name}: a page draws it now; drop it from the list"


def test_a_misspelt_id_and_a_button_nobody_handles_are_both_reported(
    drawn: list[tuple[Any, str]],
) -> None:
    used = _used()
    typo = ("callbacks.x.f", dash.Input("alarm-fead", "children"))
    pulse_of_a_page = (
        "callbacks.x.g",
        dash.Input({"type": "pulse-tick", "page": dash.MATCH}, "n_intervals"),
    )
    assert _missing([*used, typo, pulse_of_a_page], [i for i, _ in drawn]) == [
        "callbacks.x.f: Input('alarm-fead', 'children')"
    ]
    orphan = (dash.html.Button(id="nobody-listens").id, "Button")
    assert _idle(used, [*drawn, orphan]) == ["Button 'nobody-listens'"]
    # ... and a page's pulse interval, handled by the pulse callback, is not reported
    assert ({"type": "pulse-tick", "page": "wall"}, "Interval") in drawn
