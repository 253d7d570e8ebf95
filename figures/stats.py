"""Charts of the statistics panel. Sizes are in canvas units (`u` px = canvas height / 1080)
so the wall's text never falls below 1/90 of its height."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from layouts.common import SHANGHAI
from layouts.i18n import level_name
from vocabulary import LEVELS

COLOURS = {"red": "#ff3b30", "orange": "#ff9500", "yellow": "#ffd60a", "blue": "#2f8cff"}
TEXT = "#e6f0ff"
GRID = "rgba(143, 176, 214, 0.25)"


def hourly_counts(alarms: pd.DataFrame, end: pd.Timestamp, hours: int = 24) -> pd.DataFrame:
    """Alarms per hour and level over the `hours` before `end` (index: hour start, UTC)."""
    end = end.floor("h") + pd.Timedelta(hours=1)
    index = pd.date_range(end=end - pd.Timedelta(hours=1), periods=hours, freq="h", tz="UTC")
    window = alarms[(alarms["occurred_at"] >= index[0]) & (alarms["occurred_at"] < end)]
    counts = (
        window.assign(hour=window["occurred_at"].dt.floor("h"))
        .pivot_table(index="hour", columns="level", values="id", aggfunc="count", fill_value=0)
        .reindex(index=index, columns=list(LEVELS), fill_value=0)
    )
    return counts.astype(int)


def trend_figure(counts: pd.DataFrame, u: float, lang: str = "zh") -> go.Figure:
    """Stacked bars of the last 24 hours, most severe on top ('14时' / '14:00')."""
    hour = "%H:00" if lang == "en" else "%H时"
    hours = [ts.astimezone(SHANGHAI).strftime(hour) for ts in counts.index]
    fig = go.Figure(
        [
            go.Bar(
                x=hours,
                y=counts[level],
                name=level_name(level, lang),
                marker_color=COLOURS[level],
            )
            for level in reversed(LEVELS)
        ]
    )
    font = max(12 * u, 12)
    fig.update_layout(
        barmode="stack",
        margin={"l": 4 * font, "r": font, "t": font, "b": 3 * font},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={
            "color": TEXT,
            "size": font,
            "family": "Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif",
        },
        showlegend=False,
        bargap=0.15,
        xaxis={"tickfont": {"size": font}, "nticks": 8, "fixedrange": True},
        yaxis={"tickfont": {"size": font}, "gridcolor": GRID, "fixedrange": True},
    )
    return fig
