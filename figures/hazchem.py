"""Charts of the hazardous-chemicals screen: how close each reading is to its limit, the
last 24 hours of each sensor, and the four-colour distribution of the hazard sources."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from layouts.common import SHANGHAI
from layouts.i18n import level_name, t
from security.text import plotly_text
from vocabulary import LEVELS, reading_fault

# The palette of figures/stats.py (not imported from there: figures.stats imports layouts,
# and layouts imports figures, so importing it first from here closes an import cycle).
COLOURS = {"red": "#ff3b30", "orange": "#ff9500", "yellow": "#ffd60a", "blue": "#2f8cff"}
TEXT = "#e6f0ff"
GRID = "rgba(143, 176, 214, 0.25)"
FONT = "Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"
STATE_COLOURS = {"normal": "#30d158", "alarm": COLOURS["orange"], "trip": COLOURS["red"], "none": "#6d7f99", "fault": "#ff9f0a"}  # fmt: skip
ROW_PX = 74


def _finite(*values: float | None) -> list[float]:
    return [
        float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))
    ]


def gauge_range(row: pd.Series | dict) -> tuple[float, float]:
    """An axis that shows the normal value, every limit and the reading (not a faulty one),
    with a margin."""
    value = None if row.get("state") == "fault" else row["value"]
    values = _finite(row["low_low"], row["low"], row["normal"], row["high"], row["high_high"], value)  # fmt: skip
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.12 or max(abs(hi), 1.0) * 0.1
    lo = 0.0 if lo >= 0 and lo - pad < 0 else lo - pad
    return lo, hi + pad


def _steps(row, lo: float, hi: float) -> list[dict]:  # noqa: ANN001
    """Bands of the bullet: red beyond the trip limits, amber between alarm and trip."""
    bands = []
    edges = [("low_low", "low", "lo"), ("high", "high_high", "hi")]
    for inner, outer, side in edges:
        a, b = _finite(row[inner]), _finite(row[outer])
        end = lo if side == "lo" else hi
        if a and b:
            bands.append({"range": sorted([a[0], b[0]]), "color": "rgba(255,149,0,.35)"})
            bands.append({"range": sorted([b[0], end]), "color": "rgba(255,59,48,.45)"})
        elif a or b:
            bands.append({"range": sorted([(a or b)[0], end]), "color": "rgba(255,59,48,.45)"})
    return bands


def _number(value: float) -> str:
    """Three significant digits, as the screen reads them (46.7, 0.118, 1.5e+03 → 1500)."""
    text = f"{value:.3g}"
    return f"{value:.0f}" if "e" in text else text


def _axis(name: str, k: int) -> str:
    return name if k == 1 else f"{name}{k}"


def _local(ts: pd.Series) -> list[str]:
    # Plotly shows naive times as given: send Asia/Shanghai wall-clock time.
    return list(
        pd.to_datetime(ts, utc=True).dt.tz_convert(SHANGHAI).dt.strftime("%Y-%m-%d %H:%M:%S")
    )


def sensors_figure(sensors: pd.DataFrame, history: pd.DataFrame, lang: str = "zh") -> dict:
    """One row per sensor: a bullet of the live value against its limits, and the last
    24 hours (history from the warehouse, the live value joined as the last point).

    `sensors`: id, kind, name, unit, normal, low_low, low, high, high_high, value, ts, state.
    `history`: sensor_id, ts, value. A live value in state `fault`, and any past value outside
    the physical range of the kind (vocabulary.reading_fault), is not drawn as a reading: the
    gauge says 传感器故障 and the line has a gap. The name and the value text sit left of the
    bullet, so a long value never runs into it. Built as a plain dict: plotly's validating
    objects cost ~1 s for a dozen sensors, the dict a few milliseconds.
    """
    n = max(len(sensors), 1)
    band = 1 / n
    by_sensor = dict(tuple(history.groupby("sensor_id"))) if len(history) else {}
    data: list[dict] = []
    layout: dict = {
        "height": ROW_PX * n + 30,
        "margin": {"l": 130, "r": 10, "t": 8, "b": 22},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"color": TEXT, "family": FONT, "size": 12},
        "showlegend": False,
        "shapes": [],
        "annotations": [],
    }
    for i, row in enumerate(sensors.to_dict("records")):
        k = i + 1
        top = 1 - i * band
        value = row["value"]
        fault = row.get("state") == "fault"
        has_value = value is not None and value == value and not fault
        lo, hi = gauge_range(row)
        colour = STATE_COLOURS.get(row["state"], STATE_COLOURS["none"])
        trip = _finite(row["high_high"]) or _finite(row["high"])
        gauge = {
            "shape": "bullet",
            "axis": {"range": [lo, hi], "tickfont": {"size": 10}, "nticks": 5},
            "bar": {"color": colour, "thickness": 0.45},
            "bgcolor": "rgba(255,255,255,.06)",
            "steps": _steps(row, lo, hi),
        }
        if trip:
            gauge["threshold"] = {"line": {"color": "#fff", "width": 2}, "thickness": 0.9, "value": trip[0]}  # fmt: skip
        data.append(
            {
                "type": "indicator",
                "mode": "gauge",
                "value": float(value) if has_value else None,
                "domain": {"x": [0, 0.44], "y": [top - band * 0.78, top - band * 0.22]},
                "gauge": gauge,
            }
        )
        mid = top - band / 2
        label = {"xref": "paper", "yref": "paper", "x": 0, "xanchor": "right", "xshift": -8, "showarrow": False}  # fmt: skip
        text = t("sensor.fault", lang) if fault else (
            f"{_number(float(value))} {plotly_text(row['unit'])}" if has_value else t("sensor.none", lang)
        )  # fmt: skip
        name = {**label, "y": mid, "yanchor": "bottom", "font": {"size": 12}}
        reading = {**label, "y": mid, "yanchor": "top", "font": {"size": 14, "color": colour}}
        layout["annotations"] += [name | {"text": plotly_text(row["name"])}, reading | {"text": text}]  # fmt: skip
        past = by_sensor.get(row["id"])
        xs = _local(past["ts"]) if past is not None else []
        ys = [
            None if reading_fault(row.get("kind", ""), row["unit"], float(v)) else float(v)
            for v in (past["value"] if past is not None else [])
        ]
        if has_value and row.get("ts") is not None:
            xs, ys = (
                [*xs, *_local(pd.Series([row["ts"]]))],
                [*ys, float(value)],
            )  # live joins history
        x, y = _axis("x", k), _axis("y", k)
        line = {"color": "#7cc4ff", "width": 1.5}
        data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "line": line, "xaxis": x, "yaxis": y, "hoverinfo": "x+y"})  # fmt: skip
        if xs:
            data.append({"type": "scatter", "x": xs[-1:], "y": ys[-1:], "mode": "markers", "marker": {"color": colour, "size": 7}, "xaxis": x, "yaxis": y, "hoverinfo": "y"})  # fmt: skip
        layout[_axis("xaxis", k)] = {
            "domain": [0.54, 1], "anchor": y, "type": "date", "showgrid": False, "fixedrange": True,
            "tickformat": "%H:%M", "tickfont": {"size": 10}, "showticklabels": k == n,
        }  # fmt: skip
        if k > 1:
            layout[_axis("xaxis", k)]["matches"] = "x"
        layout[_axis("yaxis", k)] = {
            "domain": [top - band * 0.9, top - band * 0.1], "anchor": x, "range": [lo, hi],
            "nticks": 3, "gridcolor": GRID, "tickfont": {"size": 10}, "fixedrange": True,
        }  # fmt: skip
        for limit, dash in (
            ("high", "dot"),
            ("high_high", "dash"),
            ("low", "dot"),
            ("low_low", "dash"),
        ):
            for v in _finite(row[limit]):
                colour_line = "rgba(255,149,0,.8)" if dash == "dot" else "rgba(255,59,48,.9)"
                layout["shapes"].append({"type": "line", "xref": f"{x} domain", "yref": y, "x0": 0, "x1": 1, "y0": v, "y1": v, "line": {"color": colour_line, "width": 1, "dash": dash}})  # fmt: skip
    return {"data": data, "layout": layout}


def distribution_figure(counts: pd.DataFrame, lang: str = "zh") -> dict:
    """Stacked bars of hazard sources by risk colour; `counts`: index labels, columns LEVELS."""
    labels = [plotly_text(v) for v in counts.index]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": labels,
            "x": [int(v) for v in (counts[level] if level in counts else np.zeros(len(labels)))],
            "name": level_name(level, lang),
            "marker": {"color": COLOURS[level]},
            "hovertemplate": "%{y} " + level_name(level, lang) + " %{x}<extra></extra>",
        }
        for level in LEVELS
    ]
    layout = {
        "barmode": "stack",
        "height": max(150, 24 * len(labels) + 40),
        "margin": {"l": 10, "r": 10, "t": 6, "b": 24},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"color": TEXT, "family": FONT, "size": 12},
        "showlegend": False,
        "xaxis": {"gridcolor": GRID, "fixedrange": True, "tickfont": {"size": 11}},
        "yaxis": {
            "autorange": "reversed",
            "fixedrange": True,
            "automargin": True,
            "tickfont": {"size": 12},
        },  # fmt: skip
        "bargap": 0.25,
    }
    return {"data": data, "layout": layout}
