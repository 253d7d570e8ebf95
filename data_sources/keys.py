"""Every Redis key and stream of the live state, in one place.

| key | type | holds |
|---|---|---|
| `se:version` | string (int) | bumped on every change of alarms, incidents, teams, duty; screens poll it |
| `se:version:readings` | string (int) | bumped when a sensor's latest value changes |
| `se:changed` | pub/sub channel | published with every bump of a version (`a` an alarm changed and the stream says how, `s` other state, `r` readings): wakes the push hubs (push/hub.py) |
| `se:alarm:<id>` | hash | one alarm: `id`, `body` (JSON as ingested), `status`, `count`, `last_at`, `last_id`, `dedupe`, `ack_by`, `ack_at`, `closed_by`, `closed_at`, `close_note`, `escalation`, `escalated_at`, `rev` |
| `se:alarms:dedupe` | hash | dedupe key (source, site, category) → id of the open alarm repeats merge into |
| `se:seen:<id>` | string | upstream id → the id it lives under (7 days): idempotent ingest |
| `se:stream:dead` | stream | no longer written: dead letters before the quarantine table (`python -m archiver quarantine import-dead` moves them there) |
| `se:restored` | string | set once the live state holds what the warehouse knows; absent after Redis lost its data |
| `se:thresholds:state` | hash | sensor id → the threshold engine's state (JSON) |
| `se:alarms:active` | sorted set | ids of alarms not closed, scored by `occurred_at` (epoch s) |
| `se:alarms:closed` | sorted set | ids of closed alarms, scored by closing time; trimmed to a day |
| `se:stream:alarms` | stream | every alarm change: `op` (new/repeat/acknowledged/closed/escalate) and the alarm's hash fields; the archiver's input |
| `se:stream:readings` | stream | every accepted batch of readings (`batch` JSON) |
| `se:sensor:latest` | hash | sensor id → `"<ts ms>|<value>"`, the newest reading by event time |
| `se:heartbeat` | hash | upstream system code → last heartbeat (epoch s) |
| `se:team:status` | hash | rescue team id → `ready` / `dispatched` / `returning` / `off` |
| `se:stream:teams` | stream | every team status change: `team_id`, `status`, `at` (epoch s), `by`, `via`; the archiver's input (`team_status_history`) |
| `se:duty:checkin` | hash | duty unit (`city` or adcode) → last check-in (epoch s); the archiver keeps one a minute in `duty_checkin_history` |
| `se:lock:<name>` | string | leases of singleton workers (demo feed, archiver) |
| `se:demo:alarms` | set | ids of the alarms the demo feed created and has not closed: the only ones it may change |
| `se:focus` | hash | presenter control: what the wall and consultation displays follow now: `kind` (incident/district), `id`, `label`, `by`, `by_user`, `at` (epoch s), `district`, `lon`, `lat`, `bounds` (JSON); absent when released |
| `se:rollcall` | hash | the latest roll call of the district duty rooms: `id`, `started_at`, `deadline_at` (epoch s), `deadline_s`, `started_by` |
| `se:rollcall:units` | set | the units that roll call called |
| `se:rollcall:answers` | hash | unit → when it answered (epoch s); first answer only |
| `se:connectors` | hash | connector name (`mqtt:iot`, `dbpull:emergency`) → its last status (JSON, data_sources/connector_status.py) |
| `se:hall:shown:<day>:<display>` | string (bitmap) | minutes of an Asia/Shanghai day an enrolled wall display was showing (bit per minute) |
| `se:hall:days` | set | `<day>|<display>` of every bitmap above |

Alarm ids are upstream ids: they go into key names as they are (Redis keys are binary-safe).
"""

PREFIX = "se:"
VERSION = PREFIX + "version"
READINGS_VERSION = PREFIX + "version:readings"
CHANGED = PREFIX + "changed"  # pub/sub: a version moved (Lua scripts name it literally)
ALARMS_ACTIVE = PREFIX + "alarms:active"
ALARMS_CLOSED = PREFIX + "alarms:closed"
ALARM_STREAM = PREFIX + "stream:alarms"
READING_STREAM = PREFIX + "stream:readings"
TEAM_STREAM = PREFIX + "stream:teams"
SENSOR_LATEST = PREFIX + "sensor:latest"
HEARTBEATS = PREFIX + "heartbeat"
TEAM_STATUS = PREFIX + "team:status"
DUTY_CHECKIN = PREFIX + "duty:checkin"
DEMO_ALARMS = PREFIX + "demo:alarms"

# Streams are capped: the archiver drains them within seconds; the cap only guards memory
# when the archiver is down for a long time (about a day of a busy feed).
STREAM_MAXLEN = 500_000


ALARM_PREFIX = PREFIX + "alarm:"  # + alarm id: the alarm's hash


def alarm(alarm_id: str) -> str:
    return ALARM_PREFIX + alarm_id


def lock(name: str) -> str:
    return f"{PREFIX}lock:{name}"


# Added for the archiver (issue 4): its dead letters, and the restore of lost live state.
ALARMS_DEDUPE = PREFIX + "alarms:dedupe"  # hash: dedupe key → id of the active alarm it merges into
SEEN = PREFIX + "seen:"  # + upstream id → id the alarm lives under (7 days): idempotent ingest
# + a random token per ingest request → "outcome|id" (60 s): a retried script answers as its first run
PUT_REQUEST = PREFIX + "put:"
DEAD_STREAM = PREFIX + "stream:dead"  # legacy dead letters; the quarantine table replaced it
DEAD_STREAM_MAXLEN = 100_000
# Set once the live state holds what the warehouse knows; absent after Redis lost its data.
RESTORED = PREFIX + "restored"
THRESHOLD_STATE = PREFIX + "thresholds:state"  # hash: sensor id → engine state (JSON)

# Added for the duty room (issue 6): the roll call (点名) of the district duty rooms.
ROLLCALL = PREFIX + "rollcall"  # hash: id, started_at, deadline_at, deadline_s, started_by
ROLLCALL_UNITS = PREFIX + "rollcall:units"  # set: the units called
ROLLCALL_ANSWERS = PREFIX + "rollcall:answers"  # hash: unit → answered at (epoch s)

# Added for presenter control (issue 7): the focus the wall and consultation displays follow.
# Hash: kind, id, label, by, by_user, at, district, lon, lat, bounds (JSON).
FOCUS = PREFIX + "focus"

# Added for governance (issue 12): connector lag, and command-hall usage days.
CONNECTORS = PREFIX + "connectors"  # hash: connector name → status JSON
HALL_DAYS = PREFIX + "hall:days"  # set: "<YYYY-MM-DD>|<display id>"


def hall_shown(day: str, display: str) -> str:
    return f"{PREFIX}hall:shown:{day}:{display}"
