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


def _say(zh: str, en: str) -> list[html.Span]:
    """Both languages: the shell is drawn once for every page, so CSS (assets/alert.css) shows
    the English one on a page drawn in English (a `[lang="en"]` root) and the Chinese elsewhere."""
    return [
        html.Span(zh, className="say-zh"),
        html.Span(en, className="say-en"),
    ]


def _button(text: list, ident: str, css: str = "") -> html.Button:
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
            html.Span(
                _say(
                    "有待确认的警情：是否播放警报声？",
                    "Alarms await acknowledgement: sound the alert?",
                )
            ),
            html.Button(
                _say("开启警报声音", "Sound on"),
                id="alert-enable",
                className="alert-btn primary",
                type="button",
            ),
            html.Button(
                _say("不需要", "No thanks"),
                id="alert-decline",
                className="alert-btn",
                type="button",
            ),
        ],
        id="alert-ask",
        className="alert-ask",
        hidden=True,
    )
    return html.Div(
        [
            ask,
            _button(
                _say("点击开启警报声音", "Click to sound the alert"), "alert-resume", "primary"
            ),
            _button(_say("静音", "Mute"), "alert-mute", "mute"),
            html.Button(
                [
                    html.Span(_say("警报声：开", "Alert sound: on"), className="on"),
                    html.Span(_say("警报声：关", "Alert sound: off"), className="off"),
                ],
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
