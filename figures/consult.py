"""Charts of the consultation room: the alarm trend by level and ranked bars (districts,
categories, source systems). Every bar carries its filter key in `customdata`, so a click on
it tells the page what to filter to; the modebar offers only the PNG download."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from figures.stats import COLOURS, GRID, TEXT
from layouts.common import SHANGHAI
from layouts.i18n import level_name, t
from security.text import plotly_text
from vocabulary import LEVELS

FONT = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, sans-serif"
DIM_OPACITY = 0.3  # bars of values outside the current selection

# (longest span, bucket): the trend keeps between about 12 and 60 bars whatever the window.
BUCKETS = [
    (pd.Timedelta(hours=1), "5min"),
    (pd.Timedelta(hours=6), "15min"),
    (pd.Timedelta(days=1), "1h"),
    (pd.Timedelta(days=7), "6h"),
    (pd.Timedelta(days=62), "1D"),
]


def bucket(since: pd.Timestamp, until: pd.Timestamp) -> str:
    """The bar width of the trend for a window from `since` to `until`."""
    span = until - since
    return next((freq for limit, freq in BUCKETS if span <= limit), "7D")


def trend_counts(alarms: pd.DataFrame, since: pd.Timestamp, until: pd.Timestamp) -> pd.DataFrame:
    """Alarms per bucket and level in [since, until). Index: bucket start (UTC)."""
    freq = bucket(since, until)
    # Buckets follow the Shanghai calendar (days start at local midnight).
    start = since.tz_convert(SHANGHAI).floor(freq) if freq != "7D" else since.tz_convert(SHANGHAI)
    index = pd.date_range(start=start, end=until.tz_convert(SHANGHAI), freq=freq, inclusive="left")
    if not len(index):
        index = pd.DatetimeIndex([start])
    local = alarms["occurred_at"].dt.tz_convert(SHANGHAI)
    slot = index.searchsorted(local, side="right") - 1
    frame = pd.DataFrame({"slot": slot, "level": alarms["level"].to_numpy()})
    frame = frame[frame["slot"] >= 0]
    counts = (
        pd.crosstab(frame["slot"], frame["level"])
        .reindex(index=range(len(index)), columns=list(LEVELS), fill_value=0)
        .astype(int)
    )
    counts.index = index
    return counts


def _layout(fig: go.Figure, *, left: int = 48, bottom: int = 36) -> go.Figure:
    fig.update_layout(
        margin={"l": left, "r": 12, "t": 8, "b": bottom},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": TEXT, "size": 14, "family": FONT},
        showlegend=False,
        bargap=0.2,
        hoverlabel={"font": {"family": FONT}},
        clickmode="event",
        dragmode=False,
    )
    fig.update_xaxes(gridcolor=GRID, fixedrange=True)
    fig.update_yaxes(gridcolor=GRID, fixedrange=True)
    return fig


def trend_figure(counts: pd.DataFrame, lang: str) -> go.Figure:
    """Stacked bars by level over the window, most severe on top; a click filters the level."""
    step = counts.index[1] - counts.index[0] if len(counts) > 1 else pd.Timedelta(hours=1)
    span = counts.index[-1] - counts.index[0] if len(counts) > 1 else pd.Timedelta(0)
    if step >= pd.Timedelta(days=1):
        fmt = "%m-%d"
    elif span >= pd.Timedelta(days=1):
        fmt = "%m-%d %H:%M"
    else:
        fmt = "%H:%M"
    labels = [ts.strftime(fmt) for ts in counts.index]
    fig = go.Figure(
        [
            go.Bar(
                x=labels,
                y=counts[level],
                name=level_name(level, lang),
                marker_color=COLOURS[level],
                customdata=[level] * len(counts),
                hovertemplate="%{x} · %{fullData.name} %{y}<extra></extra>",
            )
            for level in reversed(LEVELS)
        ]
    )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(nticks=12, type="category")
    return _layout(fig)


def ranked_figure(
    rows: list[tuple[str, str, dict[str, int]]], selected: list[str], lang: str
) -> go.Figure:
    """Horizontal bars, largest on top, stacked by level in the wall's colours (most severe
    nearest the axis): (key, label, {level: count}); keys in `selected` stay bright."""
    if not rows:
        return empty_figure(t("alarms.none", lang))
    rows = sorted(rows, key=lambda r: sum(r[2].values()))
    keys = [r[0] for r in rows]
    # Names of districts, categories and systems come from upstream: plotly draws text only.
    labels = [plotly_text(r[1]) for r in rows]
    totals = [sum(r[2].values()) for r in rows]
    opacity = [1.0 if not selected or k in selected else DIM_OPACITY for k in keys]
    fig = go.Figure(
        [
            go.Bar(
                x=[r[2].get(level, 0) for r in rows],
                y=labels,
                orientation="h",
                name=level_name(level, lang),
                marker={"color": COLOURS[level], "opacity": opacity},
                customdata=keys,
                hovertemplate="%{y} · %{fullData.name} %{x}<extra></extra>",
            )
            for level in LEVELS
        ]
    )
    # The total at the end of each bar (an annotation: a stack has no one bar to label).
    for label, total in zip(labels, totals):
        fig.add_annotation(
            x=total,
            y=label,
            text=str(total),
            showarrow=False,
            xanchor="left",
            xshift=4,
            font={"size": 12, "color": TEXT},
        )
    fig.update_layout(barmode="stack")
    # Every bar keeps its label (plotly would skip some to avoid overlap).
    fig.update_yaxes(
        type="category", automargin=True, tickmode="array", tickvals=labels, tickfont={"size": 12}
    )
    fig.update_xaxes(range=[0, max(totals) * 1.15], automargin=True)
    return _layout(fig, left=8, bottom=24)


def empty_figure(text: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=text, showarrow=False, font={"size": 16, "color": TEXT})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig)
