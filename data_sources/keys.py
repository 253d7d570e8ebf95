"""Every Redis key and stream of the live state, in one place.

| key | type | holds |
|---|---|---|
| `se:version` | string (int) | bumped on every change of alarms, incidents, teams, duty; screens poll it |
| `se:version:readings` | string (int) | bumped when a sensor's latest value changes |
| `se:alarm:<id>` | hash | one alarm: `id`, `body` (JSON as ingested), `status`, `count`, `last_at`, `last_id`, `dedupe`, `ack_by`, `ack_at`, `closed_by`, `closed_at`, `close_note`, `escalation`, `escalated_at`, `rev` |
| `se:alarms:dedupe` | hash | dedupe key (source, site, category) → id of the open alarm repeats merge into |
| `se:seen:<id>` | string | upstream id → the id it lives under (7 days): idempotent ingest |
| `se:stream:dead` | stream | entries the archiver could not write after N deliveries |
| `se:restored` | string | set once the live state holds what the warehouse knows; absent after Redis lost its data |
| `se:thresholds:state` | hash | sensor id → the threshold engine's state (JSON) |
| `se:alarms:active` | sorted set | ids of alarms not closed, scored by `occurred_at` (epoch s) |
| `se:alarms:closed` | sorted set | ids of closed alarms, scored by closing time; trimmed to a day |
| `se:stream:alarms` | stream | every alarm change: `op` (new/repeat/acknowledged/closed/escalate) and the alarm's hash fields; the archiver's input |
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


# Added for the archiver (issue 4): its dead letters, and the restore of lost live state.
ALARMS_DEDUPE = PREFIX + "alarms:dedupe"  # hash: dedupe key → id of the active alarm it merges into
SEEN = PREFIX + "seen:"  # + upstream id → id the alarm lives under (7 days): idempotent ingest
DEAD_STREAM = PREFIX + "stream:dead"  # entries the archiver could not write after N deliveries
DEAD_STREAM_MAXLEN = 100_000
# Set once the live state holds what the warehouse knows; absent after Redis lost its data.
RESTORED = PREFIX + "restored"
THRESHOLD_STATE = PREFIX + "thresholds:state"  # hash: sensor id → engine state (JSON)
