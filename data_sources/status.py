"""Small live facts in Redis: the state version the screens poll, upstream heartbeats, rescue
team status and duty-room check-ins."""

from __future__ import annotations

import time

import redis

from data_sources import keys
from vocabulary import TEAM_DEFAULT, TEAM_STATUS, TEAM_TRANSITIONS, team_transition

# Move one team, checked and written in one step: KEYS team-status hash, team stream, version;
# ARGV team id, new status, the states it may be reached from (space-separated), the status of
# a team with none, the stream's length, the change channel, then the stream entry's fields.
# 0: already there (nothing written); 1: moved; an error reply "TRANSITION <current>" when the
# team may not go there from where it is.
_MOVE_TEAM = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw == ARGV[2] then return 0 end
local current = raw or ARGV[4]
if current ~= ARGV[2] then
  local allowed = false
  for from in string.gmatch(ARGV[3], '%S+') do
    if from == current then allowed = true end
  end
  if not allowed then return redis.error_reply('TRANSITION ' .. current) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', unpack(ARGV, 7))
redis.call('INCR', KEYS[3])
redis.call('PUBLISH', ARGV[6], 's')
return 1
"""


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
        self._move_team = client.register_script(_MOVE_TEAM)

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

        The check and the change are one Lua script (two writers moving one team cannot both
        pass the check, and nothing retries): the new state, its entry on `se:stream:teams`,
        the version and the change signal. The archiver drains that stream into
        `team_status_history`: the warehouse keeps every change (replay, restore), as it does
        for alarms. False when the team was already in `status` (nothing written)."""
        if status not in TEAM_STATUS:
            team_transition(None, status)  # raises: an unknown status, named
        when = time.time() if at is None else at
        entry = {"team_id": team_id, "status": status, "at": f"{when:.3f}"}
        entry |= {k: v for k, v in (("by", by), ("via", via)) if v}
        reached_from = " ".join(s for s, targets in TEAM_TRANSITIONS.items() if status in targets)
        fields = [x for pair in entry.items() for x in pair]
        try:
            moved = self._move_team(
                keys=[keys.TEAM_STATUS, keys.TEAM_STREAM, keys.VERSION],
                args=[team_id, status, reached_from, TEAM_DEFAULT, keys.STREAM_MAXLEN,
                      keys.CHANGED, *fields],
            )  # fmt: skip
        except redis.ResponseError as exc:
            if "TRANSITION" not in str(exc):
                raise
            current = str(exc).split("TRANSITION", 1)[1].strip()
            team_transition(current, status)  # raises, with the words of the rule
            raise
        return bool(moved)

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
