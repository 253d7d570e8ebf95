"""The threshold engine's rules: `rules.toml` read with tomllib and checked at start.

A bad file stops start-up with one line naming the key (`kinds.level.deadbnd: unknown key`),
never a KeyError deep inside the engine an hour later.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vocabulary import LEVELS, SENSOR_KINDS

RULES_PATH = Path(__file__).resolve().parent / "rules.toml"

RULES = ("high_high", "high", "low", "low_low", "rate", "silent", "stuck", "fault")
GRADES = (1, 2, 3, 4)
DIRECTIONS = ("rise", "fall", "both")

# Units a rule value may be converted from, as (unit, factor to the base unit of its group).
# A limit given in MPa applies to a sensor in kPa; units outside this table must match exactly.
_UNIT_FACTORS: dict[str, tuple[str, float]] = {
    "MPa": ("pressure", 1.0),
    "kPa": ("pressure", 1e-3),
    "Pa": ("pressure", 1e-6),
    "bar": ("pressure", 0.1),
    "°C": ("temperature", 1.0),
    "℃": ("temperature", 1.0),
    "K": ("temperature", 1.0),  # differences only: rates and deadbands
}


class RulesError(ValueError):
    """The rules file cannot be used; the message names the key."""


@dataclass(frozen=True)
class KindRules:
    """The rules of one sensor kind, defaults already applied."""

    name: str
    unit: str
    deadband: float
    deadband_abs: float | None
    rate_per_min: float | None
    rate_direction: str
    rate_window_s: float
    rate_min_span_s: float
    rate_hysteresis: float
    silent_after_s: float | None
    stuck_readings: int
    stuck_after_s: float
    stuck_tolerance: float
    levels: Mapping[str, tuple[str, str, str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class EscalationRules:
    after_s: tuple[float, ...] = (600.0, 1800.0)
    levels: frozenset[str] = frozenset({"red"})


@dataclass(frozen=True)
class Rules:
    defaults: KindRules
    kinds: Mapping[str, KindRules]
    escalation: EscalationRules = EscalationRules()

    def kind(self, kind: str) -> KindRules:
        """The rules of `kind`; an unknown kind gets the defaults (limits and silence only)."""
        found = self.kinds.get(kind)
        return found if found is not None else replace(self.defaults, name=kind)

    def level(self, rule: str, kind: str, grade: int | None) -> str:
        """The level of `rule` on a sensor of `kind` at a hazard source of `grade` (1-4)."""
        by_grade = self.kind(kind).levels[rule]
        g = int(grade) if grade is not None and grade == grade else 4
        return by_grade[min(max(g, 1), 4) - 1]


def unit_factor(rule_unit: str, sensor_unit: str) -> float | None:
    """How many `sensor_unit` make one `rule_unit` (None: not convertible)."""
    rule_unit, sensor_unit = rule_unit.strip(), sensor_unit.strip()
    if rule_unit == sensor_unit:
        return 1.0
    a, b = _UNIT_FACTORS.get(rule_unit), _UNIT_FACTORS.get(sensor_unit)
    if a is None or b is None or a[0] != b[0]:
        return None
    return a[1] / b[1]


# --- checking --------------------------------------------------------------------------


def _number(low: float, high: float = math.inf, *, low_open: bool = False) -> Callable:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number, got {value!r}")
        value = float(value)
        if not math.isfinite(value) or value < low or (low_open and value == low):
            raise ValueError(
                f"expected a number {'>' if low_open else '>='} {low:g}, got {value!r}"
            )
        if value >= high:
            raise ValueError(f"expected a number < {high:g}, got {value!r}")
        return value

    return check


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a whole number >= 0, got {value!r}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value.strip()


def _direction(value: Any) -> str:
    if value not in DIRECTIONS:
        raise ValueError(f"expected one of {', '.join(DIRECTIONS)}, got {value!r}")
    return value


def _level(value: Any) -> str:
    if value not in LEVELS:
        raise ValueError(f"{value!r} is not a level ({'/'.join(LEVELS)})")
    return value


# key -> (check, allowed in [defaults]); 0 turns rate_per_min and silent_after_s off.
_FIELDS: dict[str, tuple[Callable[[Any], Any], bool]] = {
    "name": (_text, False),
    "unit": (_text, False),
    "deadband": (_number(0.0, 0.5), True),
    "deadband_abs": (_number(0.0), True),
    "rate_per_min": (_number(0.0), True),
    "rate_direction": (_direction, True),
    "rate_window_s": (_number(0.0, low_open=True), True),
    "rate_min_span_s": (_number(0.0, low_open=True), True),
    "rate_hysteresis": (_number(0.0, 1.0), True),
    "silent_after_s": (_number(0.0), True),
    "stuck_readings": (_count, True),
    "stuck_after_s": (_number(0.0), True),
    "stuck_tolerance": (_number(0.0), True),
}
_BUILTIN = {
    "deadband": 0.02,
    "deadband_abs": None,
    "rate_per_min": None,
    "rate_direction": "both",
    "rate_window_s": 60.0,
    "rate_min_span_s": 10.0,
    "rate_hysteresis": 0.2,
    "silent_after_s": 300.0,
    "stuck_readings": 0,
    "stuck_after_s": 900.0,
    "stuck_tolerance": 0.0,
}


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RulesError(f"{where}: expected a table, got {value!r}")
    return value


def _levels(raw: Any, where: str, *, complete: bool) -> dict[str, tuple[str, ...]]:
    table = _table(raw, where)
    out: dict[str, tuple[str, ...]] = {}
    for rule, value in table.items():
        key = f"{where}.{rule}"
        if rule not in RULES:
            raise RulesError(f"{key}: unknown rule (known: {', '.join(RULES)})")
        try:
            if isinstance(value, list):
                if len(value) != len(GRADES):
                    raise ValueError(
                        f"expected {len(GRADES)} levels (grades 1-4), got {len(value)}"
                    )
                out[rule] = tuple(_level(v) for v in value)
            else:
                out[rule] = (_level(value),) * len(GRADES)
        except ValueError as exc:
            raise RulesError(f"{key}: {exc}") from None
    if complete:
        missing = [r for r in RULES if r not in out]
        if missing:
            raise RulesError(f"{where}.{missing[0]}: missing (every rule needs a level)")
    return out


def _fields(table: Mapping[str, Any], where: str, *, in_defaults: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key == "levels":
            continue
        spec = _FIELDS.get(key)
        if spec is None or (in_defaults and not spec[1]):
            raise RulesError(f"{where}.{key}: unknown key (known: {', '.join(_FIELDS)}, levels)")
        try:
            out[key] = spec[0](value)
        except ValueError as exc:
            raise RulesError(f"{where}.{key}: {exc}") from None
    return out


def _kind(values: Mapping[str, Any], levels: Mapping[str, tuple[str, ...]]) -> KindRules:
    values = dict(values)
    for key in ("rate_per_min", "silent_after_s"):
        if not values.get(key):
            values[key] = None
    return KindRules(levels=dict(levels), **values)


def parse_rules(data: Mapping[str, Any]) -> Rules:
    """Check the parsed TOML and build the rules; raise RulesError naming the first bad key."""
    for key in data:
        if key not in ("defaults", "kinds", "escalation"):
            raise RulesError(f"{key}: unknown section (known: defaults, kinds, escalation)")
    defaults_raw = _table(data.get("defaults", {}), "defaults")
    base = _BUILTIN | _fields(defaults_raw, "defaults", in_defaults=True)
    base_levels = _levels(defaults_raw.get("levels", {}), "defaults.levels", complete=True)
    defaults = _kind({"name": "传感器", "unit": ""} | base, base_levels)

    kinds: dict[str, KindRules] = {}
    for kind, raw in _table(data.get("kinds", {}), "kinds").items():
        where = f"kinds.{kind}"
        table = _table(raw, where)
        values = base | _fields(table, where, in_defaults=False)
        if kind in SENSOR_KINDS:  # a known kind's name is the shared vocabulary's
            values.setdefault("name", SENSOR_KINDS[kind])
        for required in ("name", "unit"):
            if required not in values:
                raise RulesError(f"{where}.{required}: missing")
        levels = base_levels | _levels(table.get("levels", {}), f"{where}.levels", complete=False)
        kinds[kind] = _kind(values, levels)

    escalation = EscalationRules()
    if "escalation" in data:
        raw = _table(data["escalation"], "escalation")
        for key in raw:
            if key not in ("after_min", "levels"):
                raise RulesError(f"escalation.{key}: unknown key (known: after_min, levels)")
        after = raw.get("after_min", [10, 30])
        try:
            if not isinstance(after, list) or not after:
                raise ValueError(f"expected a list of minutes, got {after!r}")
            minutes = [_number(0.0, low_open=True)(m) for m in after]
            if minutes != sorted(set(minutes)):
                raise ValueError("expected increasing minutes")
        except ValueError as exc:
            raise RulesError(f"escalation.after_min: {exc}") from None
        levels = raw.get("levels", ["red"])
        try:
            if not isinstance(levels, list):
                raise ValueError(f"expected a list of levels, got {levels!r}")
            chosen = frozenset(_level(v) for v in levels)
        except ValueError as exc:
            raise RulesError(f"escalation.levels: {exc}") from None
        escalation = EscalationRules(tuple(m * 60.0 for m in minutes), chosen)
    return Rules(defaults=defaults, kinds=kinds, escalation=escalation)


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and check the rules file (default: thresholds/rules.toml)."""
    path = Path(path) if path is not None else RULES_PATH
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise RulesError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: not valid TOML: {exc}") from None
    try:
        return parse_rules(data)
    except RulesError as exc:
        raise RulesError(f"{path}: {exc}") from None
