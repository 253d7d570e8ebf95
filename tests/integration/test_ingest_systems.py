"""Upstream systems and their tokens, as an integration engineer meets them: a token posts only
as its own system, an unknown system is refused, a system acknowledges and closes only its own
alarms, tokens are stored hashed, rotated and revoked, from the command line and /admin; the
record of an API ack/close carries the calling system and token."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from typing import Any

import pytest

import auth
from archiver import Archiver
from auth import accounts
from ingest import cli
from settings import SettingsError
from tests.helpers import alarm_body, live_snapshot, seed_minimal_registry, sources_of

pytestmark = pytest.mark.redis

HAZCHEM = "hazchem-token-0123456789abcdef"
IOT = "iot-token-0123456789abcdef"
EMERGENCY = "emergency-token-0123456789abcdef"
ADMIN_PASSWORD = "苏州应急 2026 pass"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def seed_sensor(app) -> str:  # noqa: ANN001
    return str(sources_of(app).registry.sensors()["id"].iloc[0])


def build(make_app, redis_url: str, warehouse_url: str):  # noqa: ANN001, ANN201
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=warehouse_url,
        INGEST_TOKENS=f"hazchem:{HAZCHEM},iot:{IOT},emergency:{EMERGENCY}",
    )
    seed_minimal_registry(sources_of(app).warehouse)
    return app


@pytest.fixture
def app(make_app, redis_url: str, sqlite_url: str):  # noqa: ANN001, ANN201
    return build(make_app, redis_url, sqlite_url)


@pytest.fixture
def any_app(make_app, redis_url: str, warehouse_url: str):  # noqa: ANN001, ANN201
    """The same, once on SQLite and once on the real PostgreSQL."""
    return build(make_app, redis_url, warehouse_url)


def post(app, path: str, body: Any, token: str):  # noqa: ANN001, ANN201
    return app.server.test_client().post("/api/v1" + path, json=body, headers=bearer(token))


def eventually(call, status: int) -> bool:  # noqa: ANN001
    """True once `call()` answers `status` (within five seconds)."""
    for _ in range(50):
        if call().status_code == status:
            return True
        time.sleep(0.1)
    return False


def refused(response, status: int, field: str) -> None:  # noqa: ANN001
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["field"] == field
    assert field in response.get_json()["error"]


def test_posting_an_alarm_as_another_system_is_403_naming_source_and_stores_nothing(app) -> None:  # noqa: ANN001
    before = live_snapshot(sources_of(app).redis)
    refused(post(app, "/alarms", alarm_body("X-1", source="iot"), HAZCHEM), 403, "source")
    refused(post(app, "/alarms", alarm_body("X-2"), IOT), 403, "source")
    assert live_snapshot(sources_of(app).redis) == before
    assert post(app, "/alarms", alarm_body("X-3", source="iot"), IOT).status_code == 201


def test_an_unknown_or_disabled_system_is_422_naming_source(app) -> None:  # noqa: ANN001
    sources = sources_of(app)
    refused(post(app, "/alarms", alarm_body("U-1", source="iot_sensing"), IOT), 422, "source")
    refused(post(app, "/heartbeat", {"source": "iot_sensing"}, IOT), 422, "source")
    sources.systems.set_enabled("iot", False)
    refused(post(app, "/alarms", alarm_body("U-2", source="iot"), IOT), 422, "source")
    assert "iot_sensing" not in sources.status.heartbeats()
    assert sources.alarms.active().empty


def test_a_heartbeat_for_another_system_is_403_and_not_recorded(app) -> None:  # noqa: ANN001
    refused(post(app, "/heartbeat", {"source": "hazchem"}, IOT), 403, "source")
    assert "hazchem" not in sources_of(app).status.heartbeats()
    assert post(app, "/heartbeat", {"source": "iot"}, IOT).status_code == 200
    assert "iot" in sources_of(app).status.heartbeats()


def test_readings_and_incidents_only_from_systems_registered_to_send_them(app) -> None:  # noqa: ANN001
    sensor = seed_sensor(app)
    reading = [{"sensor_id": sensor, "ts": alarm_body()["occurred_at"], "value": 1.0}]
    refused(post(app, "/readings", reading, EMERGENCY), 403, "Authorization")
    assert sources_of(app).readings.latest().empty
    assert post(app, "/readings", reading, HAZCHEM).status_code == 202
    incident = {
        "id": "INC-1",
        "title": "测试事件",
        "category": "危化品泄漏",
        "level": 2,
        "lon": 120.62,
        "lat": 31.31,
        "opened_at": alarm_body()["occurred_at"],
    }
    refused(post(app, "/incidents", incident, HAZCHEM), 403, "Authorization")
    assert sources_of(app).warehouse.count("incidents") == 0
    assert post(app, "/incidents", incident, EMERGENCY).status_code == 201


def test_a_system_acks_and_closes_only_its_own_alarms_unless_granted(app) -> None:  # noqa: ANN001
    sources = sources_of(app)
    assert post(app, "/alarms", alarm_body("HC-1"), HAZCHEM).status_code == 201
    refused(post(app, "/alarms/HC-1/ack", {"by": "李四"}, IOT), 403, "source")
    refused(post(app, "/alarms/HC-1/close", {"by": "李四"}, IOT), 403, "source")
    assert sources.alarms.get("HC-1")["status"] == "new"
    # The old emergency platform is granted the others' alarms: its duty desk closes them.
    sources.systems.set_grants("emergency", ["hazchem"])
    acked = post(app, "/alarms/HC-1/ack", {"by": "王值班"}, EMERGENCY)
    assert acked.status_code == 200
    assert acked.get_json()["ack_by"] == "王值班"
    assert acked.get_json()["ack_via"] == "emergency:env3"
    assert post(app, "/alarms/HC-1/close", {"by": "张三"}, HAZCHEM).status_code == 200
    assert sources.alarms.get("HC-1")["closed_via"] == "hazchem:env1"


def test_ingest_tokens_hazchem_abc_posts_as_hazchem_only(make_app, redis_url, sqlite_url) -> None:  # noqa: ANN001
    app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=sqlite_url, INGEST_TOKENS="hazchem:abc")
    seed_minimal_registry(sources_of(app).warehouse)
    assert post(app, "/alarms", alarm_body("ABC-1"), "abc").status_code == 201
    assert post(app, "/heartbeat", {"source": "hazchem"}, "abc").status_code == 200
    for source in ("iot", "emergency", "monitor"):
        refused(
            post(app, "/alarms", alarm_body(f"ABC-{source}", source=source), "abc"), 403, "source"
        )
        refused(post(app, "/heartbeat", {"source": source}, "abc"), 403, "source")
    assert post(app, "/alarms", alarm_body("ABC-2"), "abcd").status_code == 401


def test_ingest_tokens_naming_an_unregistered_system_stops_start_up(
    make_app, redis_url: str, sqlite_url: str
) -> None:  # noqa: ANN001
    with pytest.raises(SettingsError) as caught:
        make_app(REDIS_URL=redis_url, WAREHOUSE_URL=sqlite_url, INGEST_TOKENS="iot_sensing:abc")
    assert "INGEST_TOKENS" in str(caught.value) and "iot_sensing" in str(caught.value)
    assert "abc" not in str(caught.value).replace("iot_sensing", "")


def test_issued_tokens_are_stored_hashed_rotate_and_revoke(any_app) -> None:  # noqa: ANN001
    systems = sources_of(any_app).systems
    first_id, first = systems.issue_token("iot", "现场网关")
    stored = systems.wh.query("SELECT hash FROM ingest_tokens WHERE id = :id", {"id": first_id})
    assert stored["hash"].iloc[0] == hashlib.sha256(first.encode()).hexdigest()
    assert first not in json.dumps(
        systems.wh.query("SELECT * FROM ingest_tokens").astype(str).values.tolist()
    )
    assert post(any_app, "/heartbeat", {"source": "iot"}, first).status_code == 200
    second_id, second = systems.issue_token("iot", rotate=True)
    assert second_id != first_id
    assert post(any_app, "/heartbeat", {"source": "iot"}, first).status_code == 401
    assert post(any_app, "/alarms", alarm_body("R-1", source="iot"), second).status_code == 201
    assert systems.revoke(second_id)
    assert post(any_app, "/alarms", alarm_body("R-2", source="iot"), second).status_code == 401
    assert not systems.revoke(second_id)


def test_the_record_of_an_api_ack_and_close_carries_the_calling_system_and_token(any_app) -> None:  # noqa: ANN001
    sources = sources_of(any_app)
    token_id, token = sources.systems.issue_token("hazchem", "生产")
    assert post(any_app, "/alarms", alarm_body("REC-1"), token).status_code == 201
    assert post(any_app, "/alarms/REC-1/ack", {"by": "王值班"}, token).status_code == 200
    assert (
        post(
            any_app, "/alarms/REC-1/close", {"by": "王值班", "note": "已处置"}, HAZCHEM
        ).status_code
        == 200
    )
    arch = Archiver(sources, consumer="t", block_ms=10, claim_idle_ms=50, claim_every_s=0)
    for _ in range(20):
        if not arch.run_once().get("alarm_changes"):
            break
    rows = sources.warehouse.query(
        "SELECT op, actor, via FROM alarm_events WHERE alarm_id = 'REC-1' ORDER BY id"
    )
    assert rows.fillna("-").values.tolist() == [
        ["new", "hazchem", "-"],
        ["acknowledged", "王值班", f"hazchem:{token_id}"],
        ["closed", "王值班", "hazchem:env1"],
    ]


def test_embedded_defaults_print_a_demo_token_per_system_that_posts_as_that_system(
    make_app, caplog: pytest.LogCaptureFixture
) -> None:  # noqa: ANN001
    with caplog.at_level(logging.WARNING, logger="smart_emergency.ingest"):
        app = make_app()
    printed = dict(re.findall(r"(\w+):(demo-\S+?)(?:,|$)", caplog.text))
    assert set(printed) == {
        "emergency",
        "supervision",
        "enforcement",
        "gis",
        "hazchem",
        "monitor",
        "iot",
    }
    assert post(app, "/heartbeat", {"source": "gis"}, printed["gis"]).status_code == 200
    refused(post(app, "/heartbeat", {"source": "iot"}, printed["gis"]), 403, "source")


def test_the_command_line_registers_a_system_and_issues_and_revokes_its_token(
    app, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, redis_url: str
) -> None:  # noqa: ANN001
    settings = sources_of(app).settings
    monkeypatch.setenv("WAREHOUSE_URL", settings.WAREHOUSE_URL)
    monkeypatch.setenv("REDIS_URL", redis_url)
    args = ["systems", "add", "water", "水务排水系统", "--sends", "alarms,heartbeats"]
    assert cli.main([*args, "--heartbeat-s", "60", "--contact", "张工"]) == 0
    assert cli.main([*args]) == 2  # already registered
    assert "already registered" in capsys.readouterr().err
    assert cli.main(["systems", "token", "water", "--label", "生产"]) == 0
    out = capsys.readouterr().out
    token_id, token = (
        re.search(r"token (\d+) for water", out).group(1),
        out.strip().splitlines()[-1],
    )
    # Another process's change reaches the app's one-second copy of the registry.
    assert eventually(lambda: post(app, "/heartbeat", {"source": "water"}, token), 200)
    assert cli.main(["systems", "list"]) == 0
    assert "water\t水务排水系统" in capsys.readouterr().out
    assert cli.main(["systems", "show", "water"]) == 0
    shown = capsys.readouterr().out
    assert "生产" in shown and token not in shown
    # The command drops the cached token list shared through Redis; the app's own copy of a
    # second runs out: 401 from then on.
    assert cli.main(["systems", "revoke", token_id]) == 0
    assert eventually(lambda: post(app, "/heartbeat", {"source": "water"}, token), 401)
    assert cli.main(["systems", "disable", "water"]) == 0
    _, again = sources_of(app).systems.issue_token("water")
    refused(post(app, "/heartbeat", {"source": "water"}, again), 422, "source")


def _admin_client(app, username: str = "root", role: str = "admin"):  # noqa: ANN001, ANN202
    state = auth.state(app.server)
    actor = accounts.Actor("cli:test", "admin", "local")
    accounts.create_user(
        state.warehouse, actor, username, username, role, ADMIN_PASSWORD, state.clock()
    )
    client = app.server.test_client()
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/login", data={"username": username, "password": ADMIN_PASSWORD, "csrf": csrf, "next": "/"}
    )
    assert response.status_code == 302, response.text
    return client


def _csrf(client) -> str:  # noqa: ANN001
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/admin/systems").text).group(1)


def test_admin_systems_page_registers_issues_once_and_revokes_for_an_admin_only(
    make_app, redis_url: str, sqlite_url: str, app
) -> None:  # noqa: ANN001
    # Sign-in off (this module's app): still no page and no token without an administrator.
    assert app.server.test_client().get("/admin/systems").status_code in (302, 403)
    issued = app.server.test_client().post("/admin/systems/iot/token")
    assert issued.status_code in (401, 403) and "<code>" not in issued.text
    app = make_app(
        REDIS_URL=redis_url, WAREHOUSE_URL=sqlite_url, AUTH_REQUIRED=True, INGEST_TOKENS="iot:x"
    )
    anonymous = app.server.test_client()
    assert anonymous.get("/admin/systems").status_code == 302
    assert anonymous.post("/admin/systems/iot/token", data={}).status_code in (401, 403)
    viewer = _admin_client(app, "viewer1", "viewer")
    assert viewer.get("/admin/systems").status_code == 403
    client = _admin_client(app)
    assert 'href="/admin/systems"' in client.get("/admin").text
    page = client.get("/admin/systems")
    assert page.status_code == 200 and "感知网络" in page.text
    csrf = _csrf(client)
    bad = client.post("/admin/systems", data={"code": "x", "name": "坏", "csrf": csrf})
    assert bad.status_code == 400 and "code" in bad.text
    form = {"code": "water", "name": "<b>水务</b>", "sends": ["alarms", "heartbeats"], "csrf": csrf}
    assert client.post("/admin/systems", data=form).status_code == 303
    listed = client.get("/admin/systems").text
    assert "&lt;b&gt;水务&lt;/b&gt;" in listed and "<b>水务</b>" not in listed
    issued = client.post("/admin/systems/water/token", data={"csrf": csrf, "label": "生产"})
    token = re.search(r"<code>([^<]+)</code>", issued.text).group(1)
    assert token not in client.get("/admin/systems").text  # shown once
    assert post(app, "/alarms", alarm_body("W-1", source="water"), token).status_code == 201
    token_id = sources_of(app).systems.tokens("water")["id"].iloc[0]
    revoked = client.post(f"/admin/systems/tokens/{token_id}/revoke", data={"csrf": csrf})
    assert revoked.status_code == 303
    assert post(app, "/alarms", alarm_body("W-2", source="water"), token).status_code == 401
    assert client.post("/admin/systems/water/disable", data={"csrf": "nope"}).status_code == 400
    assert sources_of(app).systems.get("water")["enabled"]
    assert client.post("/admin/systems/water/disable", data={"csrf": csrf}).status_code == 303
    assert not sources_of(app).systems.get("water")["enabled"]
    actions = set(sources_of(app).warehouse.query("SELECT action FROM audit_log")["action"])
    assert {"system_add", "token_issue", "token_revoke", "system_disable"} <= actions


def test_tokens_work_from_the_last_copy_while_the_warehouse_is_down_and_never_500(
    app, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    from data_sources import systems as systems_module

    sources = sources_of(app)
    _, token = sources.systems.issue_token("iot")
    assert post(app, "/heartbeat", {"source": "iot"}, token).status_code == 200
    monkeypatch.setattr(systems_module, "MEMO_S", 0.0)
    sources.cache.clear()

    def down(*_args: Any, **_kwargs: Any) -> None:
        raise ConnectionError("warehouse down")

    monkeypatch.setattr(sources.warehouse, "query", down)
    assert post(app, "/heartbeat", {"source": "iot"}, token).status_code == 200
    # A worker that never read the registry cannot tell: 503 (retry), not 500.
    sources.systems._last.clear()
    unreachable = post(app, "/heartbeat", {"source": "iot"}, token)
    assert unreachable.status_code == 503 and unreachable.get_json()["field"] == "Authorization"
    assert post(app, "/heartbeat", {"source": "iot"}, IOT).status_code == 503
