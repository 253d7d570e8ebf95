"""The alert tone's pieces of the shell (assets/alert.js): the levels that sound
(ALERT_SOUND_LEVELS) and the tone's address on a hidden element, and the controls (ask once,
静音, resume, the 警报声 toggle), all hidden until alert.js shows one. They are part of the
Dash tree rather than added by the script: nodes the script adds to <body> while the app
renders stopped Dash's Markdown from rendering on /consult. The script changes only
attributes of these nodes (hidden, data-count, data-state), never their text: React owns it."""

from __future__ import annotations

from collections.abc import Iterable

from dash import html

CONFIG_ID = "alert-config"
TONE = "/assets/alert-tone.wav"


def _button(text: str, ident: str, css: str = "") -> html.Button:
    return html.Button(
        text, id=ident, className=f"alert-btn {css}".strip(), type="button", hidden=True
    )


def config(levels: Iterable[str]) -> html.Div:
    return html.Div(
        id=CONFIG_ID, hidden=True, **{"data-levels": ",".join(levels), "data-tone": TONE}
    )


def controls() -> html.Div:
    ask = html.Div(
        [
            html.Span("有待确认的警情：是否播放警报声？"),
            html.Button(
                "开启警报声音", id="alert-enable", className="alert-btn primary", type="button"
            ),
            html.Button("不需要", id="alert-decline", className="alert-btn", type="button"),
        ],
        id="alert-ask",
        className="alert-ask",
        hidden=True,
    )
    return html.Div(
        [
            ask,
            _button("点击开启警报声音", "alert-resume", "primary"),
            _button("静音", "alert-mute", "mute"),
            html.Button(
                [html.Span("警报声：开", className="on"), html.Span("警报声：关", className="off")],
                id="alert-toggle",
                className="alert-btn toggle",
                type="button",
                hidden=True,
            ),
        ],
        id="alert-controls",
        role="region",
        **{"aria-label": "警报声音"},
        hidden=True,
    )
