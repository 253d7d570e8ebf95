"""What the alert tone (assets/alert.js) needs from the server: the levels that sound
(ALERT_SOUND_LEVELS) and the tone's address, on a hidden element of the shell."""

from __future__ import annotations

from collections.abc import Iterable

from dash import html

CONFIG_ID = "alert-config"
TONE = "/assets/alert-tone.wav"


def config(levels: Iterable[str]) -> html.Div:
    return html.Div(
        id=CONFIG_ID,
        hidden=True,
        **{"data-levels": ",".join(levels), "data-tone": TONE},
    )
