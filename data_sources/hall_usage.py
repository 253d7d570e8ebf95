"""Command-hall usage days (指挥大厅使用天数): days of this year on which an enrolled wall display
was showing `/wall` for at least HALL_USAGE_HOURS.

Presence comes from the wall's own pulse: each pulse of an enrolled display's session sets the
bit of the current minute in that display's bitmap of the day (Asia/Shanghai), so several tabs
of one display, or several workers answering it, count a minute once. Kept in Redis, which
runs with AOF in production: durable across restarts of the app and of Redis.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from data_sources import keys
from system_health import HallUsage

if TYPE_CHECKING:
    from data_sources import Sources

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A bitmap outlives the year it counts in.
KEEP_S = 400 * 86400

log = logging.getLogger(__name__)


def _local(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(SHANGHAI)


def record(sources: Sources, display: str, now: datetime | None = None) -> None:
    """Note that `display` is showing the wall at `now` (its minute of the local day)."""
    local = _local(now)
    day = local.strftime("%Y-%m-%d")
    key = keys.hall_shown(day, display)
    pipe = sources.redis.pipeline(transaction=False)
    pipe.setbit(key, local.hour * 60 + local.minute, 1)
    pipe.expire(key, KEEP_S)
    pipe.sadd(keys.HALL_DAYS, f"{day}|{display}")
    pipe.execute()


def note_display(sources: Sources, user: object | None) -> None:
    """Record the wall's presence for `user` when it is an enrolled display's session (role
    "display", name "display:<name>"); never raises (Redis down: the pulse shows it)."""
    if user is None or getattr(user, "role", None) != "display":
        return
    try:
        record(sources, str(user.name).removeprefix("display:"))
    except Exception:  # noqa: BLE001 - the wall's own pulse says Redis is down
        log.debug("hall usage not recorded", exc_info=True)


def usage(sources: Sources, hours: float, target: int, now: datetime | None = None) -> HallUsage:
    """This year's usage days, counted from the displays' minute bitmaps."""
    local = _local(now)
    year, today = local.year, local.strftime("%Y-%m-%d")
    members = sorted(m for m in sources.redis.smembers(keys.HALL_DAYS) if m.startswith(f"{year}-"))
    pipe = sources.redis.pipeline(transaction=False)
    for member in members:
        day, display = member.split("|", 1)
        pipe.bitcount(keys.hall_shown(day, display))
    minutes = dict(zip(members, pipe.execute(), strict=True)) if members else {}
    best: dict[str, int] = {}
    for member, n in minutes.items():
        day = member.split("|", 1)[0]
        best[day] = max(best.get(day, 0), int(n))
    return HallUsage(
        year=year,
        days=sum(n >= hours * 60 for n in best.values()),
        target=target,
        hours=hours,
        displays=len({m.split("|", 1)[1] for m in members}),
        today_hours=best.get(today, 0) / 60,
    )
