"""The authorisation matrix, walked over HTTP: every page, Dash endpoint, callback and API call
for anonymous, an enrolled display, viewer, duty officer, leader, administrator, a revoked
display and a signed-out person; only the allowed ones may work.

Callbacks are enumerated from the project's own declarations (callbacks.register), so a new
callback is walked without touching this file. What each identity holds, which callbacks read
personal data and which write, are written out here by hand (not read from auth/matrix.py),
so that a mistake in the matrix or in a declaration shows up here; docs/access.md is checked
against both separately.
"""

from __future__ import annotations

import json
import re

import dash
import pytest
from dash import Input, Output

import auth
import callbacks
from auth import accounts, docs, matrix
from data_sources import duty
from tests.integration.test_auth import (
    CLI,
    ROLES,
    client_at,
    enrolled,
    quick_hashes,  # noqa: F401 - autouse fixture
    secured_app,
    signed_in,
)

TOKEN = "matrix-test-token-0123456789"
PEOPLE = ("viewer", "duty", "leader", "admin")
IDENTITIES = ("anonymous", "display", *PEOPLE, "revoked display", "signed-out person")
SIGNED_OUT = ("anonymous", "revoked display", "signed-out person")

PAGES = [
    "/",
    "/wall",
    "/consult",
    "/tablet",
    "/hazchem",
    "/resources",
    "/duty",
    "/governance",
    "/incident/INC-1",
    "/no-such-page",
    "/admin",
]
DISPLAY_PAGES = {"/", "/wall", "/consult"}

# What each identity may do, written out independently of auth/matrix.py's GRANTS.
HELD = {
    "display": {"view"},
    "viewer": {"view", "contacts"},
    "duty": {
        "view",
        "contacts",
        "ack_alarm",
        "close_alarm",
        "focus",
        "duty_log",
        "roster_import",
        "call",
    },
    "leader": {"view", "contacts", "ack_alarm", "close_alarm", "focus", "duty_log", "call"},
    "admin": {
        "view",
        "contacts",
        "ack_alarm",
        "close_alarm",
        "focus",
        "duty_log",
        "roster_import",
        "call",
        "admin",
    },
}
# Callbacks that read personal data (names, mobile numbers): never for a display.
PERSONAL = {
    "callbacks.duty_page.refresh_rosters",
    "callbacks.duty_page.refresh_log",
    "callbacks.duty_page.prefill",
    "callbacks.duty_page.contacts",
    "callbacks.rollcall.refresh",
    "callbacks.rollcall.history",
    "callbacks.roster_import.export",
    "callbacks.resources_page.refresh",
    "callbacks.tablet_page.refresh",
}
# Callbacks that change something: who may run them.
WRITERS = {
    "callbacks.duty_page.add_log": {"duty", "leader", "admin"},
    "callbacks.duty_page.add_handover": {"duty", "leader", "admin"},
    "callbacks.rollcall.start": {"duty", "leader", "admin"},
    "callbacks.rollcall.answer_by_phone": {"duty", "leader", "admin"},
    "callbacks.roster_import.check": {"duty", "admin"},
    "callbacks.roster_import.import_file": {"duty", "admin"},
    "callbacks.alarm_actions.confirm_ack": {"duty", "leader", "admin"},
    "callbacks.alarm_actions.confirm_close": {"duty", "leader", "admin"},
    "callbacks.presenter.control": {"duty", "leader", "admin"},
    "callbacks.call.place": {"duty", "leader", "admin"},
}
API = [
    ("post", "/api/v1/alarms", {}),
    ("post", "/api/v1/readings", []),
    ("post", "/api/v1/heartbeat", {}),
    ("post", "/api/v1/incidents", {}),
    ("post", "/api/v1/alarms/NO-SUCH/ack", {}),
    ("post", "/api/v1/alarms/NO-SUCH/close", {}),
    ("get", "/api/v1/alarms?status=active", None),
    ("post", "/api/v1/rollcall/answer", {}),
    ("post", "/api/v1/duty/checkin", {}),
]


@pytest.fixture
def world(make_app, redis_url: str, reference_url: str):  # noqa: ANN001, ANN201
    """The app and a client per identity."""
    app = secured_app(make_app, redis_url, reference_url, INGEST_TOKENS=f"hazchem:{TOKEN}")
    # Walking every callback of the project: answer once the guard has let a request by.
    app.server.before_request_funcs.setdefault(None, []).append(_guard_only)
    clients = {"anonymous": client_at(app)}
    clients["display"], _ = enrolled(app, "指挥大厅主屏")
    revoked, display_id = enrolled(app, "已撤销的屏", "10.1.9.10")
    state = auth.state(app.server)
    accounts.revoke_display(state.warehouse, CLI, display_id, state.clock())
    clients["revoked display"] = revoked
    for username in PEOPLE:
        clients[username] = signed_in(app, username)
    gone = signed_in(app, "viewer", "10.1.1.30")
    secret = gone.get_cookie(auth.sessions.COOKIE).value
    gone.get("/logout")
    gone.set_cookie(auth.sessions.COOKIE, secret)
    clients["signed-out person"] = gone
    state.forget()
    return app, clients


def _guard_only():  # noqa: ANN202
    from flask import request

    if request.headers.get("X-Guard-Only"):
        return {"guard": "passed"}, 200
    return None


def _concrete(ident: object, page: str) -> object:
    """A component id with its wildcards (MATCH, ALL) filled in for one page."""
    if isinstance(ident, str) and ident.startswith("{"):
        ident = json.loads(ident)
    if isinstance(ident, dict):
        return {k: page if isinstance(v, list) else v for k, v in ident.items()}
    return str(ident)


def _wire(ident: object) -> str:
    return (
        json.dumps(ident, sort_keys=True, separators=(",", ":"))
        if isinstance(ident, dict)
        else ident
    )


def _outputs(output_key: str) -> dict | list[dict]:
    """The `outputs` of Dash's request: `a.children` or `..a.x...b.y..` (`@hash` dropped)."""
    many = output_key.startswith("..") and output_key.endswith("..")
    parts = re.split(r"(?<!\\)\.\.\.", output_key[2:-2]) if many else [output_key]
    outputs = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        outputs.append(
            {"id": _concrete(ident.replace("\\.", "."), "wall"), "property": prop.split("@")[0]}
        )
    return outputs if many else outputs[0]


def callback_body(
    output_key: str, inputs: list[dict], state: list[dict] = (), **values: object
) -> dict:
    """The request the browser sends for a callback (ids for page "wall"), with `values`."""
    outputs = _outputs(output_key)

    def props(items) -> list[dict]:  # noqa: ANN001
        return [
            {
                "id": _concrete(i["id"], "wall"),
                "property": i["property"],
                "value": values.get(i["property"]),
            }
            for i in items
        ]

    args = props(inputs)
    return {
        "output": output_key,
        "outputs": outputs,
        "inputs": args,
        "changedPropIds": [f"{_wire(args[0]['id'])}.{args[0]['property']}"] if args else [],
        "state": props(state),
    }


def test_every_page_opens_only_for_the_identities_allowed_to_see_it(world) -> None:  # noqa: ANN001
    app, clients = world
    for who in IDENTITIES:
        for path in PAGES:
            response = clients[who].get(path)
            if who in SIGNED_OUT:
                assert response.status_code == 302, (who, path)
                assert response.headers["Location"] == f"/login?next={path}", (who, path)
            elif (
                path == "/admin"
                and who != "admin"
                or who == "display"
                and path not in DISPLAY_PAGES
            ):
                assert response.status_code == 403, (who, path)
                assert "无权访问" in response.text
            else:
                assert response.status_code == 200, (who, path, response.status_code)


def test_dash_endpoints_need_a_session_and_static_files_do_not(world) -> None:  # noqa: ANN001
    app, clients = world
    suites = re.findall(
        r'src="(/_dash-component-suites/[^"]+)"', clients["viewer"].get("/wall").text
    )
    assert suites
    for who in IDENTITIES:
        for path in ("/_dash-layout", "/_dash-dependencies", "/_reload-hash"):
            expected = 401 if who in SIGNED_OUT else 200
            assert clients[who].get(path).status_code == expected, (who, path)
        for path in (
            "/assets/base.css",
            "/assets/auth.css",
            "/_favicon.ico",
            suites[0],
            "/healthz",
            "/login",
            "/enrol",
        ):
            with clients[who].get(path) as response:  # files: close what was opened
                assert response.status_code == 200, (who, path)


def _declared(app) -> dict[str, auth.Declared]:  # noqa: ANN001
    return app.server.extensions[auth.CALLBACKS]


def _server_callbacks(app) -> dict[str, auth.Declared]:  # noqa: ANN001
    """Every callback the server runs, by its key (Dash's page router once a page has loaded)."""
    return {k: d for k, d in _declared(app).items() if not d.clientside}


def test_every_callback_of_the_app_declares_its_permission(world) -> None:  # noqa: ANN001
    app, clients = world
    clients["viewer"].get("/wall")  # Dash registers its page routing on the first request
    declared = _declared(app)
    undeclared = sorted(set(app.callback_map) - set(declared))
    assert not undeclared, f"callbacks without a declared permission: {undeclared}"
    assert len(declared) >= len(callbacks.DECLARATIONS) + 1  # ours, and Dash's router
    wheres = {d.where for d in declared.values()}
    assert PERSONAL.issubset(wheres) and set(WRITERS).issubset(wheres), "a callback is gone"
    for d in declared.values():
        assert d.permission in matrix.PERMISSIONS, d


def test_every_declared_callback_runs_only_for_identities_that_hold_its_permission(world) -> None:  # noqa: ANN001
    app, clients = world
    clients["viewer"].get("/wall")
    walked = _server_callbacks(app)
    assert any(d.routing for d in walked.values())
    for key, declared in walked.items():
        spec = app.callback_map[key]
        body = callback_body(key, spec["inputs"], spec.get("state", []))
        if declared.where in PERSONAL:
            assert "display" not in _holders(declared.permission), declared.where
        if declared.where in WRITERS:
            assert _holders(declared.permission) == WRITERS[declared.where], declared.where
        for who in IDENTITIES:
            response = clients[who].post(
                "/_dash-update-component", json=body, headers={"X-Guard-Only": "1"}
            )
            if who in SIGNED_OUT:
                expected = 401
            elif declared.permission in HELD[who]:
                expected = 200  # past the guard: the callback would run
            else:
                expected = 403
            assert response.status_code == expected, (who, declared.where, response.text[:200])
            if expected != 200:
                assert "guard" not in response.json, "refused before the callback body"


def _holders(permission: str) -> set[str]:
    return {who for who, held in HELD.items() if permission in held}


def test_a_display_forging_the_contact_directory_call_gets_403(world) -> None:  # noqa: ANN001
    app, clients = world
    key = next(k for k in app.callback_map if k.startswith("..duty-contacts.data"))
    spec = app.callback_map[key]
    body = callback_body(key, spec["inputs"], spec.get("state", []))
    refused = clients["display"].post("/_dash-update-component", json=body)
    assert refused.status_code == 403
    assert not re.search(r"1\d{10}", refused.text), "no mobile number in a refusal"
    assert refused.json == {"error": "not allowed", "permission": "contacts"}
    # The same call for a person who may read it: the directory with its mobile numbers.
    answered = clients["viewer"].post("/_dash-update-component", json=body)
    assert answered.status_code == 200, answered.text[:300]
    rows = answered.json["response"]["duty-contacts"]["data"]
    # (each number a call link: `[138…](tel:138…)`)
    assert rows and any(re.search(r"\(tel:1\d{10}\)", str(r.get("phone", ""))) for r in rows)
    rows = auth.store.recent_audit(auth.state(app.server).warehouse, 50, "forbidden")
    assert any(r["actor"].startswith("display:") and "duty-contacts" in r["detail"] for r in rows)


def test_allowed_callbacks_really_run_and_refused_writers_write_nothing(world) -> None:  # noqa: ANN001
    app, clients = world
    clients["viewer"].get("/wall")
    real = _server_callbacks(app)
    pulse = next(k for k in real if "pulse-data" in k)
    spec = app.callback_map[pulse]
    body = callback_body(pulse, spec["inputs"], spec.get("state", []), data=1)
    for who in ("display", *PEOPLE):
        response = clients[who].post("/_dash-update-component", json=body)
        assert response.status_code == 200, (who, response.text[:300])
        assert "version" in response.text
    key = next(k for k, d in real.items() if d.where == "callbacks.duty_page.add_log")
    spec = app.callback_map[key]
    body = callback_body(key, spec["inputs"], spec.get("state", []), n_clicks=1)
    for item in body["state"]:
        item["value"] = {"value": "other"}.get(item["property"], "伪造的日志")
    wh = auth.state(app.server).warehouse
    before = wh.count("duty_log")
    for who in ("display", "viewer"):
        assert clients[who].post("/_dash-update-component", json=body).status_code == 403
    assert wh.count("duty_log") == before


def _forged(app, where: str, **values: object) -> dict:  # noqa: ANN001
    key = next(k for k, d in _declared(app).items() if d.where == where)
    spec = app.callback_map[key]
    body = callback_body(key, spec["inputs"], spec.get("state", []))
    for item in body["inputs"]:
        item["value"] = 1 if item["property"] == "n_clicks" else None
    for item in body["state"]:
        item["value"] = values.get(item["id"], item["value"])
    return body


def test_a_duty_officer_cannot_write_the_duty_log_or_a_handover_as_someone_else(world) -> None:  # noqa: ANN001
    app, clients = world
    wh = auth.state(app.server).warehouse
    body = _forged(app, "callbacks.duty_page.add_log", **{"duty-log-text": "伪造：局长已批准"})
    body["inputs"][1]["value"] = None  # clicked, not submitted
    # The old form's author field, sent anyway: a request of another shape is refused.
    old = {**body, "state": [{"id": "duty-author", "property": "value", "value": "leader 测试"}]}
    old["state"] += body["state"]
    refused = clients["duty"].post("/_dash-update-component", json=old)
    assert refused.status_code == 400 and refused.json["field"] == "state"
    response = clients["duty"].post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.text[:300]
    stored = wh.query("SELECT author FROM duty_log WHERE text = :t", {"t": "伪造：局长已批准"})
    assert list(stored["author"]) == ["duty"], "the record carries the signed-in account"
    newest = duty.Duty(wh).log_entries(limit=5).iloc[0]
    assert newest["account"] == "duty" and newest["author"] == "duty 测试", "shown by name"
    handover = _forged(
        app,
        "callbacks.duty_page.add_handover",
        **{
            "duty-handover-from": "王艳",
            "duty-handover-to": "陆志伟",
            "duty-handover-notes": "昆山火情续报",
        },
    )
    response = clients["leader"].post("/_dash-update-component", json=handover)
    assert response.status_code == 200, response.text[:300]
    row = wh.query("SELECT recorded_by FROM duty_handover ORDER BY id DESC LIMIT 1")
    assert list(row["recorded_by"]) == ["leader"]
    line = wh.query("SELECT author FROM duty_log WHERE category = 'handover' ORDER BY id DESC")
    assert line["author"].iloc[0] == "leader", "the log line is the recorder's, not 陆志伟's"


def test_a_callback_that_declares_no_permission_is_refused_to_everyone(world) -> None:  # noqa: ANN001
    app, clients = world
    ran = []
    # Registered past callbacks.guarded, as a careless new module might.
    app.callback(Output("undeclared-probe", "children"), Input("undeclared-go", "n_clicks"))(
        lambda n: ran.append(n) or "ran"
    )
    body = callback_body(
        "undeclared-probe.children", [{"id": "undeclared-go", "property": "n_clicks"}], n_clicks=1
    )
    for who in IDENTITIES:
        response = clients[who].post("/_dash-update-component", json=body)
        assert response.status_code == (401 if who in SIGNED_OUT else 403), who
    assert ran == []


def test_an_undeclared_callback_is_refused_without_auth_required_too(make_app) -> None:  # noqa: ANN001
    app = make_app()  # AUTH_REQUIRED=0: everyone is the demo duty officer
    ran = []
    app.callback(Output("undeclared-probe", "children"), Input("undeclared-go", "n_clicks"))(
        lambda n: ran.append(n) or "ran"
    )
    client = app.server.test_client()
    body = callback_body(
        "undeclared-probe.children", [{"id": "undeclared-go", "property": "n_clicks"}], n_clicks=1
    )
    assert client.post("/_dash-update-component", json=body).status_code == 403
    assert ran == []
    clientside = next(k for k, d in _declared(app).items() if d.clientside)
    assert client.post("/_dash-update-component", json={"output": clientside}).status_code == 400


def test_navigating_inside_the_app_obeys_the_page_rules(world) -> None:  # noqa: ANN001
    app, clients = world
    clients["display"].get("/wall")
    key = next(k for k in app.callback_map if "_pages_content" in k)
    inputs = app.callback_map[key]["inputs"]
    for who, path, expected in [
        ("display", "/wall", 200),
        ("display", "/consult", 200),
        ("display", "/duty", 403),
        ("display", "/incident/INC-1", 403),
        ("viewer", "/duty", 200),
        ("anonymous", "/wall", 401),
    ]:
        body = callback_body(key, inputs, pathname=path, search="")
        response = clients[who].post(
            "/_dash-update-component", json=body, headers={"X-Guard-Only": "1"}
        )
        assert response.status_code == expected, (
            who,
            path,
        )


def test_the_ingest_api_opens_with_its_token_and_never_with_a_session(world) -> None:  # noqa: ANN001
    app, clients = world
    for who in IDENTITIES:
        client = clients[who]
        for method, path, body in API:
            kwargs = {"json": body} if body is not None else {}
            assert getattr(client, method)(path, **kwargs).status_code == 401, (who, path)
            with_token = getattr(client, method)(
                path, headers={"Authorization": f"Bearer {TOKEN}"}, **kwargs
            )
            assert with_token.status_code not in (401, 403), (who, path, with_token.status_code)
        assert client.get("/api/v1/openapi.json").status_code == 200


# Open without a session: the sign-in pages, static files, liveness, the API's description.
OPEN = {
    "/login",
    "/enrol",
    "/logout",
    "/healthz",
    "/version",
    "/_favicon.ico",
    "/api/v1/openapi.json",
}
OPEN_PREFIXES = ("/assets/", "/_dash-component-suites/", "/static/")


def _routes(app) -> list[tuple[str, str]]:  # noqa: ANN001
    """(method, path) of every route the server has, path parameters filled in."""
    routes = []
    for rule in app.server.url_map.iter_rules():
        path = re.sub(
            r"<(?:[^:>]+:)?([^>]+)>", lambda m: "x.css" if "path" in m.group(0) else "X", rule.rule
        )
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, path))
    return routes


def test_every_route_of_the_server_is_closed_to_anonymous_unless_written_open(world) -> None:  # noqa: ANN001
    app, clients = world
    anonymous = clients["anonymous"]  # not on loopback
    api = {path.split("?")[0] for _, path in matrix.API_CALLS}
    for method, path in _routes(app):
        with anonymous.open(path, method=method, json={} if method == "POST" else None) as response:
            status = response.status_code
        if path in OPEN or path.startswith(OPEN_PREFIXES):
            assert status not in (302, 401, 403), (method, path, status)
        elif path.startswith("/api/v1/"):
            assert status == 401, (method, path, status)  # the ingest token, whatever the session
            written = re.sub(r"/X(/|$)", r"/<id>\1", path)
            unknown = path.endswith("/x.css")  # the API's own 404 for unknown paths
            assert unknown or written in api, f"{method} {path} is missing from matrix.API_CALLS"
        else:
            assert status in (302, 401), (method, path, status)


def test_readyz_and_metrics_answer_loopback_and_sessions_only(world) -> None:  # noqa: ANN001
    app, clients = world
    local = client_at(app, "127.0.0.1")
    for path in ("/readyz", "/metrics"):
        assert local.get(path).status_code == 200
        for who in IDENTITIES:
            expected = 401 if who in SIGNED_OUT else 200
            assert clients[who].get(path).status_code == expected, (who, path)


def test_every_registered_page_is_in_the_written_matrix() -> None:
    import layouts

    layouts.register_pages()
    written = {p.path for p in matrix.PAGES}
    for page in dash.page_registry.values():
        path = re.sub(r"<[^>]+>", "<id>", page.get("path_template") or page["path"])
        assert path in written or path == "/404", f"{path} is not in auth/matrix.py PAGES"


def test_docs_access_md_is_in_step_with_the_matrix() -> None:
    text = docs.DOC.read_text(encoding="utf-8")
    assert docs.BEGIN in text and docs.END in text
    assert docs.updated(text) == text, "run `python -m auth docs`"
    for role in ROLES.values():
        assert f"`{role}`" in text


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("/wall?canvas=1920x1080", "/wall?canvas=1920x1080"),
        ("/incident/INC-1", "/incident/INC-1"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/wall", "/"),
        ("wall", "/"),
        ("/wall\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
    ],
)
def test_next_is_a_same_site_path_or_nothing(raw: str, safe: str) -> None:
    from auth.views import safe_next

    assert safe_next(raw) == safe
