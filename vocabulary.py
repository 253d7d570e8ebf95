"""The words every layer shares: alarm levels, incident levels, sensor kinds, alarm columns.

Defined once here and imported by data sources, workers, figures and layouts alike. It is a
top-level module with no imports of its own, so that a layout can use it without importing a
data source.
"""

from __future__ import annotations

# Alarm levels, most severe first (the contract's `level`: red/orange/yellow/blue).
LEVELS = ("red", "orange", "yellow", "blue")
LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}
LEVEL_NAMES = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}

# Incident levels I–IV (Ⅰ级 特别重大 … Ⅳ级 一般): numeral, severity name, colour, colour in
# Chinese. Level 1 is the most severe and is shown red.
INCIDENT_LEVELS: dict[int, tuple[str, str, str, str]] = {
    1: ("Ⅰ级", "特别重大", "red", "红"),
    2: ("Ⅱ级", "重大", "orange", "橙"),
    3: ("Ⅲ级", "较大", "yellow", "黄"),
    4: ("Ⅳ级", "一般", "blue", "蓝"),
}

INCIDENT_LEVEL_UNKNOWN = ("—", "", "none", "")


def incident_level(level: object) -> tuple[str, str, str, str]:
    """(numeral, severity name, colour, colour in Chinese) of an incident level: 1 or "1" is
    ("Ⅰ级", "特别重大", "red", "红"). Every screen takes an incident's colour from here, so a
    Ⅳ级 incident is blue on all of them; a level outside I–IV gives no colour ("none")."""
    try:
        return INCIDENT_LEVELS.get(int(level), INCIDENT_LEVEL_UNKNOWN)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return INCIDENT_LEVEL_UNKNOWN


def title_colour(title: object) -> str | None:
    """The alarm level a title names by its colour word (`…发布雷电黄色预警` → "yellow"), or
    None when it names none or several."""
    named = {lv for lv, word in LEVEL_NAMES.items() if isinstance(title, str) and word in title}
    return named.pop() if len(named) == 1 else None


def title_disagrees(title: object, level: str) -> str | None:
    """The colour word of `title` when it names another level than `level`, else None."""
    named = title_colour(title)
    return LEVEL_NAMES[named] if named is not None and named != level else None


# The colours each weather warning signal (气象灾害预警信号) is issued in: there is no blue
# heat, lightning or fog warning. The demo feed and the reference data pick the hazard of a
# 气象预警 from those that exist at its level, so the title's colour is the alarm's level.
WEATHER_WARNING_LEVELS: dict[str, tuple[str, ...]] = {
    "台风": ("red", "orange", "yellow", "blue"),
    "暴雨": ("red", "orange", "yellow", "blue"),
    "暴雪": ("red", "orange", "yellow", "blue"),
    "寒潮": ("red", "orange", "yellow", "blue"),
    "大风": ("red", "orange", "yellow", "blue"),
    "高温": ("red", "orange", "yellow"),
    "雷电": ("red", "orange", "yellow"),
    "大雾": ("red", "orange", "yellow"),
    "道路结冰": ("red", "orange", "yellow"),
    "冰雹": ("red", "orange"),
}


def weather_hazards(level: str, among: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The weather hazards (of `among`, default all) whose warning exists at `level`."""
    pool = tuple(WEATHER_WARNING_LEVELS) if among is None else among
    return tuple(h for h in pool if level in WEATHER_WARNING_LEVELS.get(h, ()))


# The 16 points of the compass, clockwise from north, in Chinese (meteorological usage:
# 东北偏北 is NNE) and English.
COMPASS_ZH = (
    "北", "东北偏北", "东北", "东北偏东", "东", "东南偏东", "东南", "东南偏南",
    "南", "西南偏南", "西南", "西南偏西", "西", "西北偏西", "西北", "西北偏北",
)  # fmt: skip
COMPASS_EN = (
    "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
    "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW",
)  # fmt: skip


def wind_direction(degrees: float, lang: str = "zh") -> str:
    """The compass point of a wind that comes from `degrees` (meteorological, true north):
    22.5 → "东北偏北风" in Chinese, "NNE" in English."""
    point = round((degrees % 360) / 22.5) % 16
    return COMPASS_EN[point] if lang == "en" else f"{COMPASS_ZH[point]}风"


# Rescue teams (`se:team:status`): one state at a time, moved only along these transitions.
# A team sent to an incident is `dispatched` (on its way or on scene) until it is released.
TEAM_STATUS = {"ready": "在岗待命", "dispatched": "出动中", "returning": "返回途中", "off": "休整"}
TEAM_STATUS_EN = {"ready": "Ready", "dispatched": "Dispatched", "returning": "Returning", "off": "Resting"}  # fmt: skip
TEAM_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "ready": ("dispatched", "off"),
    "dispatched": ("returning",),
    "returning": ("ready", "dispatched"),
    "off": ("ready",),
}
TEAM_DEFAULT = "ready"  # a team with no recorded status
# A district duty room is 在岗 while its last check-in is at most this old, 未应答 after.
CHECKIN_WINDOW_S = 600


def team_transition(current: str | None, new: str) -> str:
    """`new` when a team in `current` (None: no status yet) may move to it; else ValueError."""
    if new not in TEAM_STATUS:
        raise ValueError(f"unknown team status {new!r} (known: {', '.join(TEAM_STATUS)})")
    current = current or TEAM_DEFAULT
    if new != current and new not in TEAM_TRANSITIONS.get(current, ()):
        raise ValueError(f"a team cannot go from {current!r} to {new!r}")
    return new


# Sensor kinds at hazard sources (`sensors.kind`), with their Chinese names. The threshold
# rules (thresholds/rules.toml) have one section per kind.
SENSOR_KINDS = {
    "level": "液位",
    "temperature": "温度",
    "pressure": "压力",
    "gas_lel": "可燃气体",
    "toxic_ppm": "有毒气体",
    "oxygen": "氧含量",
}

# The physical range of each kind's quantity, as (unit, lowest, highest) in that unit (the
# kind's `unit` in thresholds/rules.toml; None: no bound). A reading outside it is no reading
# but a faulty sensor (传感器故障): a concentration is never negative nor past 100 %LEL, a
# temperature never below absolute zero, a gauge pressure never below full vacuum. These are
# facts of the quantity, not tuning, so they live with the kind's name and not in the rules.
# The screens and the threshold engine (its `fault` rule) both judge readings by them.
SENSOR_RANGES: dict[str, tuple[str, float | None, float | None]] = {
    "level": ("%", 0.0, 100.0),
    "temperature": ("°C", -273.15, 2000.0),
    "pressure": ("MPa", -0.101325, None),
    "gas_lel": ("%LEL", 0.0, 100.0),
    "toxic_ppm": ("ppm", 0.0, 1_000_000.0),
    "oxygen": ("%VOL", 0.0, 100.0),
}
SENSOR_FAULT = "传感器故障"
# Other units a sensor may report a kind in: (the range's unit, factor, offset) such that
# value_in_range_unit = value * factor + offset.
_RANGE_UNITS = {
    "kPa": ("MPa", 1e-3, 0.0),
    "Pa": ("MPa", 1e-6, 0.0),
    "bar": ("MPa", 0.1, 0.0),
    "℃": ("°C", 1.0, 0.0),
    "K": ("°C", 1.0, -273.15),
}


def sensor_range(kind: str, unit: str | None = None) -> tuple[float | None, float | None]:
    """(lowest, highest) a sensor of `kind` reporting in `unit` can physically read, in its
    own unit; (None, None) when the kind or the unit is not known here."""
    known = SENSOR_RANGES.get(kind)
    if known is None:
        return None, None
    base, lo, hi = known
    unit = base if unit is None else unit.strip()
    if unit == base:
        return lo, hi
    to = _RANGE_UNITS.get(unit)
    if to is None or to[0] != base:
        return None, None
    _, factor, offset = to
    return tuple(None if b is None else (b - offset) / factor for b in (lo, hi))  # type: ignore[return-value]


def reading_fault(kind: str, unit: str | None, value: float | None) -> bool:
    """Whether `value` lies outside what a sensor of `kind` in `unit` can read (a fault)."""
    if value is None or value != value:
        return False
    lo, hi = sensor_range(kind, unit)
    return (lo is not None and value < lo) or (hi is not None and value > hi)


# Categories of the duty log (值班日志).
LOG_CATEGORIES = {
    "report": "接报",
    "inspection": "检查",
    "notice": "通知",
    "handover": "交接班",
    "other": "其他",
}
# A roll call's deadline: the bureau's rule is five minutes; the screen allows 1-60.
ROLLCALL_DEADLINE_S = 300

# The columns of an alarm in the live state (`Alarms.active_alarms` and friends).
ALARM_COLUMNS = [
    "id",
    "source",
    "level",
    "category",
    "title",
    "occurred_at",
    "lon",
    "lat",
    "site_id",
    "district",
    "detail",
    "status",
    "count",
    "last_at",
    "ack_by",
    "ack_at",
    "closed_by",
    "closed_at",
    "close_note",
    "rev",
    "escalation",
    "escalated_at",
]

# The columns of an alarm in the warehouse (`alarm_history`), as the archiver writes them.
ARCHIVED_ALARM_COLUMNS = (
    "id",
    "source",
    "level",
    "category",
    "title",
    "occurred_at",
    "received_at",
    "lon",
    "lat",
    "site_id",
    "district",
    "status",
    "count",
    "ack_by",
    "ack_at",
    "closed_by",
    "closed_at",
    "close_note",
    "detail",
    "rev",
    "last_at",
    "dedupe",
)
# What the screens read back of an archived alarm (the archiver's own columns left out).
ARCHIVED_ALARM_READ = ARCHIVED_ALARM_COLUMNS[:19]
