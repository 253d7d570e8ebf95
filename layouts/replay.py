"""Replay of the wall (`/wall?at=<RFC 3339>`): the banner that says 回放 with the replayed time,
its play controls and the way back to live; the stores that hold the replayed moment.

A replayed wall carries no pulse: nothing of the push channel or the poll reaches it
(assets/push.js follows only a page with a `#pulse`), so no live change can overwrite a
replayed panel. Its panels follow `Ids.AT` instead (callbacks: the `replay` callback beside
each panel's live one), and assets/replay.js moves `Ids.AT` while it plays.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from dash import dcc, html
from dash.exceptions import PreventUpdate

from catalogue import t
from layouts.common import SHANGHAI

SPEEDS = (1, 10, 60)  # ×1, ×10, ×60 of real time
STEP_MS = 2000  # while playing, the panels re-read the replayed moment this often


class Ids(StrEnum):
    BANNER = "replay-banner"
    TIME = "replay-time"  # the replayed time, kept current by assets/replay.js
    AT = "replay-at"  # Store: the replayed moment the panels show (ISO 8601, UTC)
    STEP = "replay-step"  # Interval: re-read the panels while playing
    PAUSE = "replay-pause"
    EXIT = "replay-exit"


def speed_id(speed: int) -> str:
    return f"replay-speed-{speed}"


class BadMoment(ValueError):
    """A replay time that cannot be shown: the catalogue's `replay.bad.<key>` says why
    (`text(lang)`; its Chinese words are the exception's message)."""

    def __init__(self, key: str, **values: str) -> None:
        self.key, self.values = key, values
        super().__init__(self.text())

    def text(self, lang: str = "zh") -> str:
        return t(f"replay.bad.{self.key}", lang, **self.values)


def parse_at(value: str | None, now: datetime | None = None) -> datetime:
    """The moment of `?at=` (RFC 3339 with an offset) as UTC; BadMoment when it is not a time,
    has no offset or lies in the future."""
    # An unescaped "+" of the offset arrives as a space ("...T14:05:00 08:00").
    text = re.sub(r"(T[\d:.]+) (\d{2}:?\d{2})$", r"\1+\2", (value or "").strip())
    shown = text[:40]
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadMoment("format", shown=shown) from None
    if at.tzinfo is None:
        raise BadMoment("zone", shown=shown)
    at = at.astimezone(UTC)
    if at > (now or datetime.now(UTC)) + timedelta(seconds=1):
        raise BadMoment("future", at=local(at))
    return at


def replayed(value: str | None) -> datetime:
    """The moment of the `Ids.AT` store, checked again (a browser may send anything)."""
    try:
        return parse_at(value)
    except BadMoment:
        raise PreventUpdate from None


def local(at: datetime) -> str:
    """The replayed time as the hall reads it (Asia/Shanghai)."""
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def parse_speed(value: str | None) -> int:
    """`?speed=` (1, 10 or 60 plays at once); anything else: paused (0)."""
    try:
        speed = int(value or 0)
    except ValueError:
        return 0
    return speed if speed in SPEEDS else 0


def banner(at: datetime, speed: int = 0, lang: str = "zh") -> html.Div:
    """The banner no one can take for live: 回放, the replayed time, play controls, back to
    live (in `lang`; an English wall's way back stays English)."""
    controls = [
        html.Button(
            t("replay.pause", lang),
            id=Ids.PAUSE,
            className="replay-btn" + (" on" if not speed else ""),
        ),
        *(
            html.Button(
                f"×{s}",
                id=speed_id(s),
                className="replay-btn" + (" on" if s == speed else ""),
                **{"data-speed": str(s)},
            )
            for s in SPEEDS
        ),
    ]
    return html.Div(
        [
            html.Span(t("replay.label", lang), className="replay-mark"),
            html.Span(t("replay.note", lang), className="replay-note"),
            html.Span(local(at), id=Ids.TIME, className="replay-time"),
            html.Div(controls, className="replay-controls"),
            # A plain link: live /wall is loaded afresh, with its pulse and push stream.
            html.A(
                t("replay.live", lang),
                id=Ids.EXIT,
                href=live_wall(lang),
                className="replay-btn replay-exit",
            ),
        ],
        id=Ids.BANNER,
        className="replay-banner",
        role="status",
        **{"data-at": at.isoformat(), "data-speed": str(speed)},
    )


def stores(at: datetime, speed: int = 0) -> list:
    """The replayed moment the panels follow, and the step that moves it while playing."""
    return [
        dcc.Store(id=Ids.AT, data=at.isoformat()),
        dcc.Interval(id=Ids.STEP, interval=STEP_MS, disabled=not speed),
    ]


def live_wall(lang: str) -> str:
    return "/wall?lang=en" if lang == "en" else "/wall"


def refused(bad: BadMoment, lang: str = "zh") -> html.Div:
    """What `/wall?at=` shows for a time it cannot replay: the reason and the ways on."""
    consult = "/consult?lang=en" if lang == "en" else "/consult"
    return html.Div(
        html.Div(
            [
                html.Span(t("replay.label", lang), className="replay-mark"),
                html.H1(t("replay.cannot", lang)),
                html.P(bad.text(lang), className="replay-error"),
                html.P(
                    [
                        html.A(
                            t("replay.live_wall", lang),
                            href=live_wall(lang),
                            className="replay-btn",
                        ),
                        " ",
                        html.A(t("replay.consult", lang), href=consult, className="replay-btn"),
                    ]
                ),
            ],
            className="replay-refused-box",
        ),
        id="replay-refused",
        className="replay-refused",
        lang="en" if lang == "en" else "zh-CN",
    )
