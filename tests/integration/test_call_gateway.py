"""The click-to-dial request against a real HTTP server on a loopback port: each common
gateway shape (GET with the numbers in the query, a form or JSON POST, an auth header) is
configuration; what goes wrong comes back as a reason in words, never as an exception."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from settings import Settings
from telephony.gateway import Gateway, call, place


class Recorder:
    """Answers each path as told: (status, body, delay s, extra headers)."""

    def __init__(self) -> None:
        self.seen: list[dict] = []
        self.answers: dict[str, tuple[int, bytes, float, dict]] = {}
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                path = urlsplit(self.path).path
                recorder.seen.append(
                    {
                        "method": self.command,
                        "path": path,
                        "query": parse_qs(urlsplit(self.path).query),
                        "headers": dict(self.headers),
                        "body": self.rfile.read(length).decode(),
                    }
                )
                status, body, delay, headers = recorder.answers.get(path, (200, b"ok", 0, {}))
                time.sleep(delay)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller gave up waiting (the timeout test)

            do_GET = do_POST = _answer  # noqa: N815 - http.server's names

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def pbx() -> Iterator[Recorder]:
    recorder = Recorder()
    yield recorder
    recorder.server.shutdown()
    recorder.server.server_close()


def gateway_of(**settings: str) -> Gateway:
    return Gateway.from_settings(Settings.load(settings, environ={}))


def test_a_get_gateway_takes_the_numbers_in_its_query_and_its_own_auth_header(pbx):
    gw = gateway_of(
        CALL_GATEWAY_URL=pbx.base + "/dial?from={caller}&to={callee}&auto=1",
        CALL_GATEWAY_METHOD="get",
        CALL_GATEWAY_AUTH_HEADER="X-Api-Key: k3y",
    )
    outcome = place(gw, "+8651265001234", "13800001111")
    assert outcome.ok and outcome.status == 200
    (seen,) = pbx.seen
    assert seen["method"] == "GET" and seen["body"] == ""
    assert seen["query"] == {"from": ["+8651265001234"], "to": ["13800001111"], "auto": ["1"]}
    assert seen["headers"]["X-Api-Key"] == "k3y"


def test_a_form_post_gateway_gets_its_body_template_filled(pbx):
    gw = gateway_of(
        CALL_GATEWAY_URL=pbx.base + "/call",
        CALL_GATEWAY_BODY="ext={caller}&dest={callee}",
        CALL_GATEWAY_CONTENT_TYPE="application/x-www-form-urlencoded",
    )
    assert place(gw, "8001", "051265001234").ok
    (seen,) = pbx.seen
    assert seen["method"] == "POST" and seen["body"] == "ext=8001&dest=051265001234"
    assert seen["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


def test_a_refusal_a_silent_gateway_a_redirect_and_a_wrong_answer_are_failures_in_words(pbx):
    pbx.answers["/busy"] = (503, b"down", 0, {})
    pbx.answers["/slow"] = (200, b"ok", 2.0, {})
    pbx.answers["/moved"] = (302, b"", 0, {"Location": pbx.base + "/elsewhere"})
    pbx.answers["/code"] = (200, '{"code":17,"msg":"分机离线"}'.encode(), 0, {})
    busy = place(gateway_of(CALL_GATEWAY_URL=pbx.base + "/busy"), "8001", "110")
    assert (busy.ok, busy.reason, busy.status) == (False, "网关拒绝呼叫（HTTP 503）", 503)
    slow = place(
        gateway_of(CALL_GATEWAY_URL=pbx.base + "/slow", CALL_GATEWAY_TIMEOUT_S="0.5"), "8001", "110"
    )
    assert (slow.ok, slow.reason) == (False, "网关无应答（0.5 秒超时）")
    moved = place(gateway_of(CALL_GATEWAY_URL=pbx.base + "/moved"), "8001", "110")
    assert not moved.ok and moved.status == 302
    wrong = place(
        gateway_of(CALL_GATEWAY_URL=pbx.base + "/code", CALL_GATEWAY_OK_MATCH='"code":0'),
        "8001",
        "110",
    )
    assert not wrong.ok and wrong.reason == '网关未接通：{"code":17,"msg":"分机离线"}'
    assert "/elsewhere" not in [s["path"] for s in pbx.seen]  # the redirect was not followed


def test_a_number_that_is_not_only_digits_plus_dash_and_space_never_reaches_the_gateway(pbx):
    gw = gateway_of(CALL_GATEWAY_URL=pbx.base + "/dial")
    for number in ("138&to=999", "13800001111\r\nX: y", "{callee}", "abc", "12"):
        _, _, outcome = call(gw, "8001", number)
        assert not outcome.ok and outcome.reason.startswith("号码无效"), number
    assert call(gw, "", "110")[2].reason == "请先填写本机分机号"
    assert call(gw, "80;01", "110")[2].reason == "本机分机号无效"
    assert call(None, "8001", "110")[2].reason == "未配置融合通信网关"
    assert pbx.seen == []
    caller, callee, outcome = call(gw, " 8001 ", "+86 512-6500 1234")
    assert outcome.ok and (caller, callee) == ("8001", "+8651265001234")
    assert pbx.seen[0]["body"] == '{"caller": "8001", "callee": "+8651265001234"}'
