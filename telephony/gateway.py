"""One click-to-dial request to the converged-communications gateway, shaped by settings.

Gateways differ in method, where the two numbers go and how they authenticate; the
CALL_GATEWAY_* settings say it for one gateway (README: Click-to-call), e.g.

    CALL_GATEWAY_URL=http://10.0.8.5/api/click2dial   CALL_GATEWAY_METHOD=POST
    CALL_GATEWAY_BODY={"caller": "{caller}", "callee": "{callee}"}
    CALL_GATEWAY_AUTH_HEADER=Authorization: Bearer s3cret

or `CALL_GATEWAY_URL=http://pbx/dial?from={caller}&to={callee}` with `METHOD=GET`. The
placeholders are replaced by numbers `telephony.numbers.dialable` has passed (digits and a
leading +), URL-encoded in the URL. The request goes straight to the gateway: no proxy from the
environment, no redirect followed, a time limit on connecting and on each read.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from catalogue import t
from telephony.numbers import dialable

REASON_CHARS = 80


@dataclass(frozen=True)
class Gateway:
    url: str
    method: str = "POST"
    body: str = ""
    content_type: str = "application/json"
    auth_header: tuple[str, str] | None = None
    timeout_s: float = 5.0
    ok_match: str | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> Gateway | None:
        """The configured gateway, or None when CALL_GATEWAY_URL is unset (tel: links only)."""
        if not settings.CALL_GATEWAY_URL:
            return None
        return cls(
            url=settings.CALL_GATEWAY_URL,
            method=settings.CALL_GATEWAY_METHOD,
            body=settings.CALL_GATEWAY_BODY or "",
            content_type=settings.CALL_GATEWAY_CONTENT_TYPE,
            auth_header=settings.CALL_GATEWAY_AUTH_HEADER,
            timeout_s=settings.CALL_GATEWAY_TIMEOUT_S,
            ok_match=settings.CALL_GATEWAY_OK_MATCH,
        )

    def request(self, caller: str, callee: str) -> urllib.request.Request:
        """The HTTP request that asks the gateway to ring `caller` and connect `callee`."""
        numbers = {"{caller}": caller, "{callee}": callee}
        url = _fill(self.url, {k: quote(v, safe="") for k, v in numbers.items()})
        headers = {"User-Agent": "smart-emergency-click-to-call"}
        if self.auth_header:
            headers[self.auth_header[0]] = self.auth_header[1]
        data = None
        if self.method != "GET" and self.body:
            data = _fill(self.body, numbers).encode("utf-8")
            headers["Content-Type"] = self.content_type
        return urllib.request.Request(url, data=data, headers=headers, method=self.method)


@dataclass(frozen=True)
class Outcome:
    """What a call did: `key` is the catalogue's `call.why.<key>` ("" when connected), with
    its `values`; `reason` is its Chinese words (as the audit trail records them)."""

    ok: bool
    key: str = ""
    status: int | None = None  # the gateway's HTTP status, when it answered
    values: tuple[tuple[str, object], ...] = ()

    def said(self, lang: str = "zh") -> str:
        return t(f"call.why.{self.key}", lang, **dict(self.values)) if self.key else ""

    @property
    def reason(self) -> str:
        return self.said("zh")


def _failed(key: str, status: int | None = None, **values: object) -> Outcome:
    return Outcome(False, key, status, tuple(values.items()))


def _fill(template: str, values: Mapping[str, str]) -> str:
    for placeholder, value in values.items():
        template = template.replace(placeholder, value)
    return template


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx stays an answer (and a failure): the call goes nowhere else


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def _excerpt(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    return "".join(c if c.isprintable() else " " for c in text).strip()[:REASON_CHARS]


def place(gateway: Gateway, caller: str, callee: str) -> Outcome:
    """Ask `gateway` to connect `caller` (the desk's extension) to `callee`; never raises."""
    try:
        with _OPENER.open(gateway.request(caller, callee), timeout=gateway.timeout_s) as answer:
            status, body = answer.status, answer.read(4096)
    except urllib.error.HTTPError as exc:
        return _failed("refused", exc.code, code=exc.code)
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        if isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError):
            return _failed("timeout", s=f"{gateway.timeout_s:g}")
        return _failed("unreachable")
    if not 200 <= status < 300:
        return _failed("refused", status, code=status)
    if gateway.ok_match and gateway.ok_match not in body.decode("utf-8", errors="replace"):
        excerpt = _excerpt(body)
        return (
            _failed("not_connected", status, said=excerpt) if excerpt else _failed("unsaid", status)
        )
    return Outcome(True, "", status)


def call(gateway: Gateway | None, extension: object, number: object) -> tuple[str, str, Outcome]:
    """Check what the browser sent, then place the call: (caller, callee, outcome), the two
    numbers as dialled or, when refused, as received (cut short) for the audit trail."""
    caller, callee = dialable(extension), dialable(number)
    shown_caller = caller or str(extension or "")[:24]
    shown_callee = callee or str(number or "")[:24]
    if gateway is None:
        return shown_caller, shown_callee, _failed("no_gateway")
    if callee is None:
        return shown_caller, shown_callee, _failed("bad_number")
    if caller is None:
        return shown_caller, shown_callee, _failed("bad_extension" if extension else "no_extension")
    return caller, callee, place(gateway, caller, callee)
