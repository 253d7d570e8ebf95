"""The authorisation matrix, walked over HTTP: every page, Dash endpoint, callback and API call
for anonymous, an enrolled display, viewer, duty officer, leader, administrator, a revoked
display and a signed-out person; only the allowed ones may work.

The expectations below are written out by hand (not read from auth/matrix.py), so that a
mistake in the matrix shows up here; docs/access.md is checked against the matrix separately.
"""

from __future__ import annotations

import json
import re

import dash
import pytest
from dash import Input, Output
from dash._utils import split_callback_id

import auth
from auth import accounts, docs, matrix
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
    "/incident/INC-1",
    "/no-such-page",
    "/admin",
]
DISPLAY_PAGES = {"/", "/wall", "/consult"}

# Writing callbacks, by an output id each: who may run them. Read-only ones: every session.
WRITERS = {
    "duty-log-probe": {"duty", "leader", "admin"},
    "duty-roster-import-probe": {"duty", "admin"},
    "alarm-ack-probe": {"duty", "leader", "admin"},
    "tablet-ack-probe": {"duty", "leader", "admin"},
    "consult-ack-probe": {"duty", "leader", "admin"},
    "alarm-close-probe": {"duty", "leader", "admin"},
    "tablet-close-probe": {"duty", "leader", "admin"},
    "presenter-probe": {"duty", "leader", "admin"},
    "admin-probe": {"admin"},
    "wall-probe": {"display", *PEOPLE},
    "duty-city-probe": {"display", *PEOPLE},  # the wall's duty panel reads, it does not write
}
# What each identity may do, written out independently of auth/matrix.py's GRANTS.
HELD = {
    "display": {"view"},
    "viewer": {"view"},
    "duty": {"view", "ack_alarm", "close_alarm", "focus", "duty_log", "roster_import"},
    "leader": {"view", "ack_alarm", "close_alarm", "focus", "duty_log"},
    "admin": {"view", "ack_alarm", "close_alarm", "focus", "duty_log", "roster_import", "admin"},
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
]


@pytest.fixture
def world(make_app, redis_url: str, reference_url: str):  # noqa: ANN001, ANN201
    """The app with one probe callback per output id above, and a client per identity."""
    app = secured_app(make_app, redis_url, reference_url, INGEST_TOKENS=TOKEN)
    for output_id in WRITERS:
        app.callback(Output(output_id, "children"), Input(f"{output_id}-go", "n_clicks"))(
            lambda n: f"ran {n}"
        )
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


def callback_body(
    output_key: str, inputs: list[dict], state: list[dict] = (), **values: object
) -> dict:
    """The request the browser sends for a callback (ids for page "wall"), with `values`."""
    outputs = split_callback_id(output_key)
    for out in outputs if isinstance(outputs, list) else [outputs]:
        out["property"] = out["property"].split("@")[0]
        out["id"] = _concrete(out["id"], "wall")

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


def test_writing_callbacks_run_only_for_roles_that_hold_the_permission(world) -> None:  # noqa: ANN001
    app, clients = world
    covered = {
        rule.prefix
        for rule in matrix.CALLBACK_RULES
        if any(i.startswith(rule.prefix) for i in WRITERS)
    }
    assert covered == {rule.prefix for rule in matrix.CALLBACK_RULES}, "a callback rule has no test"
    for output_id, allowed in WRITERS.items():
        body = callback_body(
            f"{output_id}.children", [{"id": f"{output_id}-go", "property": "n_clicks"}], n_clicks=1
        )
        for who in IDENTITIES:
            response = clients[who].post("/_dash-update-component", json=body)
            if who in SIGNED_OUT:
                assert response.status_code == 401, (who, output_id)
            elif who in allowed:
                assert response.status_code == 200, (who, output_id, response.text)
                assert response.json["response"][output_id]["children"] == "ran 1"
            else:
                assert response.status_code == 403, (who, output_id)
    refused = [
        r for r in auth.store.recent_audit(auth.state(app.server).warehouse, 500, "forbidden")
    ]
    assert any(
        r["actor"].startswith("display:") and "presenter-probe" in r["detail"] for r in refused
    )


def test_the_real_presenter_and_panel_callbacks_obey_the_matrix(world) -> None:  # noqa: ANN001
    app, clients = world
    clients["viewer"].get("/wall")  # Dash registers its page routing on the first request
    real = {k: v for k, v in app.callback_map.items() if "probe" not in k}
    presenter = [k for k in real if any(i.startswith("presenter-") for i in matrix.output_ids(k))]
    pulse = [k for k in real if "pulse-data" in matrix.output_ids(k)]
    assert presenter and pulse, "the presenter's writing callback and the pulse exist"
    for who in IDENTITIES:
        for key in real:
            body = callback_body(key, real[key]["inputs"])
            response = clients[who].post(
                "/_dash-update-component", json=body, headers={"X-Guard-Only": "1"}
            )
            permission = matrix.callback_permission(matrix.output_ids(key))
            if who in SIGNED_OUT:
                expected = 401
            elif key in presenter:
                expected = 200 if who in ("duty", "leader", "admin") else 403
            else:
                expected = 200 if permission in HELD[who] else 403
            assert response.status_code == expected, (who, key)
    # And for real (not only the guard): the wall's pulse answers every session.
    spec = real[pulse[0]]
    body = callback_body(pulse[0], spec["inputs"], spec.get("state", []), n_intervals=1)
    for who in ("display", *PEOPLE):
        response = clients[who].post("/_dash-update-component", json=body)
        assert response.status_code == 200, (who, response.text[:300])
        assert "version" in response.text


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
    ("key", "ids"),
    [
        ("wall-clock.children", ["wall-clock"]),
        (
            "..duty-log-save.children...duty-log-status.children..",
            ["duty-log-save", "duty-log-status"],
        ),
        ("presenter-message.children@9f2a", ["presenter-message"]),
        ('{"index":["MATCH"],"type":"alarm-ack"}.n_clicks', ["alarm-ack"]),
        ('..{"index":"A-1","type":"tablet-ack"}.children...x\\.y.data..', ["tablet-ack", "x.y"]),
    ],
)
def test_callback_keys_name_their_output_ids(key: str, ids: list[str]) -> None:
    assert matrix.output_ids(key) == ids


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
