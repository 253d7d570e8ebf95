"""Small live facts in Redis: the state version the screens poll, upstream heartbeats, rescue
team status and duty-room check-ins."""

from __future__ import annotations

import time

import redis

from data_sources import keys
from vocabulary import team_transition


class Versions:
    """The numbers screens poll: they move whenever what the screens show changes."""

    def __init__(self, client: redis.Redis) -> None:
        self.r = client

    def ping(self) -> None:
        self.r.ping()

    def current(self) -> int:
        """A number that changes whenever alarms, incidents, teams or duty change (one GET)."""
        return int(self.r.get(keys.VERSION) or 0)

    def both(self) -> tuple[int, int]:
        """(state version, readings version) in one round trip."""
        state, readings = self.r.mget(keys.VERSION, keys.READINGS_VERSION)
        return int(state or 0), int(readings or 0)

    def bump(self) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.incr(keys.VERSION)
        pipe.publish(keys.CHANGED, "s")
        pipe.execute()


class Status:
    """Heartbeats of upstream systems, status of rescue teams, check-ins of duty rooms."""

    def __init__(self, client: redis.Redis) -> None:
        self.r = client

    def heartbeat(self, source: str, at: float | None = None) -> None:
        self.r.hset(keys.HEARTBEATS, source, f"{time.time() if at is None else at:.3f}")

    def heartbeats(self) -> dict[str, float]:
        """Upstream system code → last heartbeat (epoch s)."""
        return {k: float(v) for k, v in self.r.hgetall(keys.HEARTBEATS).items()}

    def set_team_status(
        self,
        team_id: str,
        status: str,
        by: str | None = None,
        via: str | None = None,
        at: float | None = None,
    ) -> bool:
        """Move a team to `status` along vocabulary.TEAM_TRANSITIONS (ValueError otherwise):
        a team is in one state at a time, and `dispatched` only by being sent. `by`: who
        changed it; `via`: the path it came by (e.g. `demo`).

        The change goes onto `se:stream:teams` in the same transaction as the new state, and
        the archiver drains that stream into `team_status_history`: the warehouse keeps every
        change (replay, restore), as it does for alarms. False when the team was already in
        `status` (nothing written)."""
        when = time.time() if at is None else at
        changed = False

        def move(pipe: redis.client.Pipeline) -> None:
            nonlocal changed
            current = pipe.hget(keys.TEAM_STATUS, team_id)
            team_transition(current, status)
            changed = current != status
            if not changed:
                return
            entry = {"team_id": team_id, "status": status, "at": f"{when:.3f}"}
            entry |= {k: v for k, v in (("by", by), ("via", via)) if v}
            pipe.multi()
            pipe.hset(keys.TEAM_STATUS, team_id, status)
            pipe.xadd(keys.TEAM_STREAM, entry, maxlen=keys.STREAM_MAXLEN, approximate=True)
            pipe.incr(keys.VERSION)
            pipe.publish(keys.CHANGED, "s")

        # WATCH: two writers moving one team cannot both pass the transition check.
        self.r.transaction(move, keys.TEAM_STATUS)
        return changed

    def team_status(self) -> dict[str, str]:
        return self.r.hgetall(keys.TEAM_STATUS)

    def checkin(self, unit: str, at: float | None = None) -> None:
        pipe = self.r.pipeline(transaction=False)
        pipe.hset(keys.DUTY_CHECKIN, unit, f"{time.time() if at is None else at:.3f}")
        pipe.incr(keys.VERSION)
        pipe.publish(keys.CHANGED, "s")
        pipe.execute()

    def checkins(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.r.hgetall(keys.DUTY_CHECKIN).items()}
