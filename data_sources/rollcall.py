"""The roll call (点名) of the district duty rooms: live in Redis, so that every screen sees the
answers within a pulse (`keys.ROLLCALL*`), and recorded in the warehouse (`rollcall`,
`rollcall_answers`). Times in and out are UTC.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import redis
from sqlalchemy.exc import IntegrityError

from data_sources import keys
from data_sources.warehouse import Warehouse, utc

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    outcome: str  # answered / duplicate / not-called / none
    rollcall_id: str | None
    late: bool = False


class RollCall:
    """Start, answer and read the roll call; its history from the warehouse."""

    def __init__(self, client: redis.Redis, warehouse: Warehouse) -> None:
        self.r = client
        self.warehouse = warehouse
        self._answer = client.register_script(self._ANSWER_ROLLCALL)

    def start(
        self, units: list[str], deadline_s: int, started_by: str, now: float | None = None
    ) -> str:
        """Start a roll call of `units`: recorded in the warehouse, then live in Redis."""
        now = time.time() if now is None else now
        started = datetime.fromtimestamp(now, UTC)
        rollcall_id = f"RC{started:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
        self.warehouse.execute(
            "INSERT INTO rollcall (id, started_at, started_by, deadline_s, units) "
            "VALUES (:id, :at, :by, :deadline_s, :units)",
            {
                "id": rollcall_id,
                "at": started,
                "by": started_by,
                "deadline_s": int(deadline_s),
                "units": json.dumps(units),
            },
        )
        self._start_live(rollcall_id, units, deadline_s, started_by, at=now)
        return rollcall_id

    def answer(
        self, unit: str, via: str, recorded_by: str | None = None, now: float | None = None
    ) -> Answer:
        """Record `unit`'s answer to the running roll call: live first (the screens), then the
        warehouse; a repeated answer fills in a record an earlier failure left out."""
        now = time.time() if now is None else now
        outcome, rollcall_id = self._answer_live(unit, at=now)
        if outcome not in ("answered", "duplicate"):
            return Answer(outcome, rollcall_id)
        state = self.state() or {}
        answered_at = state.get("answers", {}).get(unit, now)
        try:
            self.warehouse.execute(
                "INSERT INTO rollcall_answers (rollcall_id, unit, answered_at, via, recorded_by) "
                "VALUES (:id, :unit, :at, :via, :by)",
                {
                    "id": rollcall_id,
                    "unit": unit,
                    "at": datetime.fromtimestamp(answered_at, UTC),
                    "via": via,
                    "by": recorded_by,
                },
            )
        except IntegrityError:
            pass  # recorded before
        except Exception:  # noqa: BLE001 - the live answer stands; the record can be filled later
            log.exception("roll call %s: could not record the answer of %s", rollcall_id, unit)
        late = answered_at > state.get("deadline_at", float("inf"))
        return Answer(outcome, rollcall_id, late)

    def history(self, limit: int = 5) -> list[dict[str, Any]]:
        """The latest roll calls, newest first: id, started_at (UTC), started_by, deadline_s,
        units (list), on_time, late, missing (lists of units)."""
        frame = self.warehouse.query(
            "SELECT r.id, r.started_at, r.started_by, r.deadline_s, r.units, a.unit, a.answered_at "
            "FROM (SELECT id, started_at, started_by, deadline_s, units FROM rollcall "
            "ORDER BY started_at DESC LIMIT :limit) r "
            "LEFT JOIN rollcall_answers a ON a.rollcall_id = r.id",
            {"limit": int(limit)},
        )
        frame = utc(frame, "started_at", "answered_at")
        calls = []
        for (rid, started, by, deadline_s, units), group in frame.groupby(
            ["id", "started_at", "started_by", "deadline_s", "units"], sort=False
        ):
            deadline = started + pd.Timedelta(seconds=int(deadline_s))
            answered = group.dropna(subset=["unit"])
            on_time = list(answered.loc[answered["answered_at"] <= deadline, "unit"])
            late = list(answered.loc[answered["answered_at"] > deadline, "unit"])
            called = json.loads(units)
            calls.append(
                {
                    "id": rid,
                    "started_at": started,
                    "started_by": by,
                    "deadline_s": int(deadline_s),
                    "units": called,
                    "on_time": on_time,
                    "late": late,
                    "missing": [u for u in called if u not in set(on_time) | set(late)],
                }
            )
        return sorted(calls, key=lambda c: c["started_at"], reverse=True)

    # KEYS: rollcall, units, answers, version. ARGV: unit, at. Returns {code, roll call id}:
    # 1 answered, 2 had already answered, -1 not called in this roll call, 0 no roll call.
    _ANSWER_ROLLCALL = """
local id = redis.call('HGET', KEYS[1], 'id')
if not id then return {0, ''} end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return {-1, id} end
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2]) == 0 then return {2, id} end
redis.call('INCR', KEYS[4])
redis.call('PUBLISH', 'se:changed', 's')
return {1, id}
"""

    def _start_live(
        self,
        rollcall_id: str,
        units: Iterable[str],
        deadline_s: float,
        started_by: str = "",
        at: float | None = None,
    ) -> None:
        """Start a roll call of `units` (replacing the previous one): each must answer within
        `deadline_s` seconds of `at`."""
        units = list(units)
        if not units:
            raise ValueError("a roll call needs at least one unit")
        at = time.time() if at is None else at
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(keys.ROLLCALL, keys.ROLLCALL_UNITS, keys.ROLLCALL_ANSWERS)
        pipe.hset(
            keys.ROLLCALL,
            mapping={
                "id": rollcall_id,
                "started_at": f"{at:.3f}",
                "deadline_at": f"{at + deadline_s:.3f}",
                "deadline_s": f"{deadline_s:g}",
                "started_by": started_by,
            },
        )
        pipe.sadd(keys.ROLLCALL_UNITS, *units)
        pipe.incr(keys.VERSION)
        pipe.publish(keys.CHANGED, "s")
        pipe.execute()

    def _answer_live(self, unit: str, at: float | None = None) -> tuple[str, str | None]:
        """Record that `unit` answered the running roll call (its first answer counts).

        Returns (outcome, roll call id): outcome is "answered", "duplicate" (had already
        answered), "not-called" (not part of this roll call) or "none" (no roll call).
        """
        at = time.time() if at is None else at
        code, rollcall_id = self._answer(
            keys=[keys.ROLLCALL, keys.ROLLCALL_UNITS, keys.ROLLCALL_ANSWERS, keys.VERSION],
            args=[unit, f"{at:.3f}"],
        )
        outcome = {1: "answered", 2: "duplicate", -1: "not-called", 0: "none"}[int(code)]
        return outcome, rollcall_id or None

    def state(self) -> dict[str, Any] | None:
        """The latest roll call, or None: id, started_at, deadline_at (epoch s), deadline_s,
        started_by, units (sorted list), answers (unit → epoch s)."""
        pipe = self.r.pipeline(transaction=False)
        pipe.hgetall(keys.ROLLCALL)
        pipe.smembers(keys.ROLLCALL_UNITS)
        pipe.hgetall(keys.ROLLCALL_ANSWERS)
        call, units, answers = pipe.execute()
        if not call:
            return None
        return {
            "id": call["id"],
            "started_at": float(call["started_at"]),
            "deadline_at": float(call["deadline_at"]),
            "deadline_s": float(call["deadline_s"]),
            "started_by": call.get("started_by", ""),
            "units": sorted(units),
            "answers": {unit: float(at) for unit, at in answers.items()},
        }


def answer_state(state: dict[str, Any], unit: str, now: float) -> str:
    """answered / late (answered after the deadline) / waiting / not-answered (deadline passed)."""
    at = state["answers"].get(unit)
    if at is not None:
        return "late" if at > state["deadline_at"] else "answered"
    return "not-answered" if now > state["deadline_at"] else "waiting"
