"""Every Redis key and stream of the live state, in one place.

| key | type | holds |
|---|---|---|
| `se:version` | string (int) | bumped on every change of alarms, incidents, teams, duty; screens poll it |
| `se:version:readings` | string (int) | bumped when a sensor's latest value changes |
| `se:alarm:<id>` | hash | one alarm: `body` (JSON as ingested), `status`, `count`, `last_at`, `ack_by`, `ack_at`, `closed_by`, `closed_at`, `close_note`, `rev` |
| `se:alarms:active` | sorted set | ids of alarms not closed, scored by `occurred_at` (epoch s) |
| `se:alarms:closed` | sorted set | ids of closed alarms, scored by closing time; trimmed to a day |
| `se:stream:alarms` | stream | every alarm change (`op`, `id`, `state` JSON): the archiver's input |
| `se:stream:readings` | stream | every accepted batch of readings (`batch` JSON) |
| `se:sensor:latest` | hash | sensor id → `"<ts ms>|<value>"`, the newest reading by event time |
| `se:heartbeat` | hash | upstream system code → last heartbeat (epoch s) |
| `se:team:status` | hash | rescue team id → `ready` / `dispatched` / `returning` / `off` |
| `se:duty:checkin` | hash | duty unit (`city` or adcode) → last check-in (epoch s) |
| `se:lock:<name>` | string | leases of singleton workers (demo feed, archiver) |

Alarm ids are upstream ids: they go into key names as they are (Redis keys are binary-safe).
"""

PREFIX = "se:"
VERSION = PREFIX + "version"
READINGS_VERSION = PREFIX + "version:readings"
ALARMS_ACTIVE = PREFIX + "alarms:active"
ALARMS_CLOSED = PREFIX + "alarms:closed"
ALARM_STREAM = PREFIX + "stream:alarms"
READING_STREAM = PREFIX + "stream:readings"
SENSOR_LATEST = PREFIX + "sensor:latest"
HEARTBEATS = PREFIX + "heartbeat"
TEAM_STATUS = PREFIX + "team:status"
DUTY_CHECKIN = PREFIX + "duty:checkin"

# Streams are capped: the archiver drains them within seconds; the cap only guards memory
# when the archiver is down for a long time (about a day of a busy feed).
STREAM_MAXLEN = 500_000


def alarm(alarm_id: str) -> str:
    return f"{PREFIX}alarm:{alarm_id}"


def lock(name: str) -> str:
    return f"{PREFIX}lock:{name}"
