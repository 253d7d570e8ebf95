"""Every callback declares its permission where it is declared (callbacks.guarded); nothing
registers a callback past that list, and the guard refuses what nobody declared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dash import Input, Output

import auth
import callbacks

ROOT = Path(__file__).resolve().parents[2]
# Ways to register a callback that bypass the declarations.
BYPASS = re.compile(
    r"@(dash\.)?callback\(|(?<![\w.])(dash\.)?clientside_callback\(|app\.callback\("
)


def test_every_registered_callback_of_the_app_has_a_declared_permission(make_app) -> None:  # noqa: ANN001
    app = make_app()
    assert app.server.test_client().get("/wall").status_code == 200  # Dash adds its router
    declared = app.server.extensions[auth.CALLBACKS]
    missing = sorted(set(app.callback_map) - set(declared))
    assert not missing, f"callbacks without a declared permission: {missing}"
    assert len(app.callback_map) == len(declared) == len(callbacks.load()) + 2  # + Dash's two
    for key, d in declared.items():
        assert d.permission in auth.PERMISSIONS, (key, d)


def test_no_module_registers_a_callback_past_the_declarations() -> None:
    offenders = []
    for path in [*ROOT.glob("callbacks/*.py"), *ROOT.glob("layouts/*.py"), ROOT / "app.py"]:
        if path.name == "__init__.py" and path.parent.name == "callbacks":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if BYPASS.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "use callbacks.guarded(permission, ...):\n" + "\n".join(offenders)


def test_an_unknown_permission_stops_the_declaration() -> None:
    with pytest.raises(ValueError, match="unknown permission"):
        callbacks.guarded("everything", Output("x", "children"), Input("y", "n_clicks"))
    with pytest.raises(ValueError, match="unknown permission"):
        callbacks.guarded_clientside("viewing", "function(){}", Output("x", "children"))


def test_the_guard_refuses_what_nobody_declared_and_requests_of_another_shape(make_app) -> None:  # noqa: ANN001
    app = make_app()  # AUTH_REQUIRED=0: the demo duty officer may run every declared callback
    client = app.server.test_client()
    assert client.post("/_dash-update-component", json={"output": "x.children"}).status_code == 403
    assert client.post("/_dash-update-component", data="not json").status_code == 400
    declared = app.server.extensions[auth.CALLBACKS]
    key, pulse = next((k, d) for k, d in declared.items() if d.where == "callbacks.pulse.tick")
    too_many = {"output": key, "inputs": [{}] * (pulse.inputs + 1), "state": []}
    answer = client.post("/_dash-update-component", json=too_many)
    assert answer.status_code == 400 and answer.json["field"] == "inputs"
