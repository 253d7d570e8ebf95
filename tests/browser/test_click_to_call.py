"""Click-to-call (融合通信) in real headless Chromium: a duty officer clicks a number on /duty
and on /incident/<id>; a stand-in gateway on a loopback port takes the click-to-dial request;
the audit trail and the incident's timeline record the call; a gateway that is down shows
呼叫失败; without CALL_GATEWAY_URL the numbers are tel: links."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import auth
from auth import store
from telephony.numbers import dialable
from tests.helpers import sources_of

DATATABLE_NOTICE = r"ignore:\s*The dash_table.DataTable will be removed:DeprecationWarning"
pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings(DATATABLE_NOTICE)]

EXTENSION = "8001"
# /duty draws a dozen panels at once; on a shared, loaded CI machine that can take a while.
SLOW_PAGE_MS = 90_000
GATEWAY_TOKEN = "gw-test-token-1234"


class StandInGateway:
    """A converged-communications gateway on a loopback port: it records each request and
    answers as a common click-to-dial API does (`{"code": 0}` when the call is set up)."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        calls = self.calls

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                calls.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("Authorization"),
                        "type": self.headers.get("Content-Type"),
                        "body": json.loads(self.rfile.read(length) or b"{}"),
                    }
                )
                answer = b'{"code":0,"msg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/click2dial"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway() -> Iterator[StandInGateway]:
    running = StandInGateway()
    yield running
    running.stop()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def start(make_app, serve, redis_url, reference_url):  # noqa: ANN001, ANN201
    def run(**settings: object):  # noqa: ANN202
        app = make_app(REDIS_URL=redis_url, WAREHOUSE_URL=reference_url, **settings)
        auth.init_app(app.server)
        running = serve(app)
        running.sources = sources_of(app)
        return running

    return run


def calls_audited(server) -> list[dict]:  # noqa: ANN001
    rows = store.recent_audit(auth.state(server.app.server).warehouse, 50, "call")
    return [{**r, "detail": json.loads(r["detail"])} for r in rows]


def desk(page_factory):  # noqa: ANN001, ANN201
    page = page_factory(1920, 1080)
    page.set_default_timeout(SLOW_PAGE_MS)
    return page


def armed_desk(page_factory, server, path: str):  # noqa: ANN001, ANN201
    page = desk(page_factory)
    page.goto(server.url + path)
    page.wait_for_selector("#call-bar[data-gateway='1']:not([hidden])")
    return page


WATCH_STATUS = """() => {
    const status = document.getElementById("call-status");
    window.callStates = [];
    new MutationObserver(() => window.callStates.push(status.textContent))
        .observe(status, {childList: true, characterData: true, subtree: true});
}"""


ANSWERED = """() => {
    const seen = window.callStates, i = seen.findIndex((t) => /^(呼叫中…|Calling…)/.test(t));
    return i >= 0 && seen.slice(i + 1).some((t) => /^(已接通|呼叫失败|Connected|Call failed)/.test(t));
}"""


def click_and_wait(page, link) -> str:  # noqa: ANN001
    """Click a number; the status says 呼叫中… at once, then what the gateway answered."""
    page.evaluate(WATCH_STATUS)
    link.click()
    page.wait_for_function(ANSWERED)
    return page.inner_text("#call-status")


def test_a_duty_officer_calls_a_number_on_duty_and_on_an_incident_through_the_gateway(
    start, gateway, page_factory
):
    server = start(
        CALL_GATEWAY_URL=gateway.url,
        CALL_GATEWAY_AUTH_HEADER=f"Authorization: Bearer {GATEWAY_TOKEN}",
        CALL_GATEWAY_OK_MATCH='"code":0',
    )
    page = armed_desk(page_factory, server, "/duty")
    page.fill("#call-extension", EXTENSION)
    # A roster's number, then one in the contacts table (a DataTable's markdown link).
    roster_link = page.locator(
        "#duty-today a.call-number"
    ).first  # re-found at each use: the roster redraws
    roster_link.wait_for()
    roster_number = roster_link.get_attribute("data-call")
    assert roster_link.get_attribute("href") == f"tel:{roster_number}"
    status = click_and_wait(page, roster_link)
    assert "已接通" in status and roster_number in status, status
    assert page.url.endswith("/duty")  # the tel: link was not followed
    table_link = page.locator(
        "#duty-contacts a[href^='tel:']"
    ).first  # re-found at each use: the roster redraws
    table_link.wait_for()
    table_number = table_link.get_attribute("href")[4:]
    status = click_and_wait(page, table_link)
    assert "已接通" in status and table_number in status, status

    assert [c["body"] for c in gateway.calls] == [
        {"caller": EXTENSION, "callee": roster_number},
        {"caller": EXTENSION, "callee": table_number},
    ]
    assert {c["auth"] for c in gateway.calls} == {f"Bearer {GATEWAY_TOKEN}"}
    assert {c["path"] for c in gateway.calls} == {"/api/click2dial"}
    audited = calls_audited(server)
    assert [(r["outcome"], r["detail"]["caller"], r["detail"]["callee"]) for r in audited] == [
        ("ok", EXTENSION, table_number),
        ("ok", EXTENSION, roster_number),
    ]
    assert {r["actor"] for r in audited} == {auth.DEMO_USER.name}

    # The extension stays with this browser: the incident page calls from it too.
    incident = server.sources.incidents.listed("open").iloc[0]["id"]
    page.goto(f"{server.url}/incident/{incident}")
    page.wait_for_selector("#call-bar[data-gateway='1']:not([hidden])")
    assert page.input_value("#call-extension") == EXTENSION
    team_link = page.locator(
        "#incident-teams a.call-number"
    ).first  # re-found at each use: the roster redraws
    team_link.wait_for()
    team_number = team_link.get_attribute("data-call")
    team_name = page.eval_on_selector(
        "#incident-teams a.call-number", "a => a.closest('tr').querySelector('.name').textContent"
    )
    status = click_and_wait(page, team_link)
    assert "已接通" in status and team_number in status, status
    assert gateway.calls[-1]["body"] == {"caller": EXTENSION, "callee": team_number}
    entry = page.wait_for_selector(
        f"#incident-timeline li[data-kind=call]:has-text('{team_number}')"
    )
    text = entry.inner_text()
    assert "呼叫" in text and team_name in text and "已接通" in text and EXTENSION in text, text
    last = calls_audited(server)[0]
    assert last["outcome"] == "ok" and last["detail"]["incident"] == incident
    assert last["detail"]["callee"] == team_number
    assert page.console_errors == []


def test_with_the_gateway_down_the_desk_says_the_call_failed_and_the_audit_records_it(
    start, page_factory
):
    server = start(CALL_GATEWAY_URL=f"http://127.0.0.1:{closed_port()}/dial")
    page = armed_desk(page_factory, server, "/duty")
    page.fill("#call-extension", EXTENSION)
    link = page.locator(
        "#duty-today a.call-number"
    ).first  # re-found at each use: the roster redraws
    link.wait_for()
    status = click_and_wait(page, link)
    assert "呼叫失败" in status and "无法连接融合通信网关" in status, status
    assert "Traceback" not in page.content()
    (record,) = calls_audited(server)
    assert record["outcome"] == "failed"
    assert record["detail"]["callee"] == link.get_attribute("data-call")
    assert record["detail"]["caller"] == EXTENSION
    assert record["detail"]["reason"] == "无法连接融合通信网关"
    assert page.console_errors == []


def test_the_call_bar_speaks_english_on_an_english_desk(start, gateway, page_factory):
    """/duty?lang=en: the bar's label, what it says while calling and the gateway's answer,
    connected and failed, in English; the audit trail keeps its Chinese reason."""
    server = start(CALL_GATEWAY_URL=gateway.url)
    page = armed_desk(page_factory, server, "/duty?lang=en")
    assert page.inner_text("#call-bar .call-label") == "Desk extension"
    assert page.get_attribute("#call-extension", "placeholder") == "e.g. 8001"
    link = page.locator("#duty-today a.call-number").first
    link.wait_for()
    # No extension typed yet: the desk is told what to do, in English.
    status = click_and_wait(page, link)
    assert status.startswith("Call failed: type the desk's extension first"), status
    page.fill("#call-extension", EXTENSION)
    status = click_and_wait(page, link)
    number = link.get_attribute("data-call")
    assert status.startswith("Connected · ") and number in status, status
    assert f"(extension {EXTENSION})" in status, status
    assert [c["body"] for c in gateway.calls][-1:] and len(gateway.calls) == 1
    assert not re.search(
        r"[\u4e00-\u9fff]", status.replace(link.get_attribute("data-call-name") or "", "")
    ), status
    reasons = [r["detail"]["reason"] for r in calls_audited(server)]
    assert reasons == ["", "请先填写本机分机号"], reasons
    assert page.console_errors == []


def test_without_a_gateway_every_number_is_a_tel_link(start, page_factory):
    server = start()
    page = desk(page_factory)
    page.goto(server.url + "/duty")
    link = page.locator(
        "#duty-today a.call-number"
    ).first  # re-found at each use: the roster redraws
    link.wait_for()
    page.wait_for_selector("#duty-contacts a[href^='tel:']")
    assert link.get_attribute("href") == f"tel:{dialable(link.inner_text())}"
    assert page.is_hidden("#call-bar")
    assert page.get_attribute("#call-bar", "data-gateway") == "0"
    page.goto(server.url + "/resources")
    for table in ("#res-teams", "#res-experts"):
        href = page.wait_for_selector(f"{table} a[href^='tel:']").get_attribute("href")
        assert dialable(href[4:]) == href[4:]
    assert page.console_errors == []
