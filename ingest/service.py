"""Apply validated ingest requests to the live state and the warehouse.

The HTTP layer (`ingest.api`) and the demo feed both come through here, so the demo
exercises the path real upstream systems use. `caller` is the system whose token made the
request (ingest/credentials.py holds the rules); None is a trusted in-process caller.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import ops
from data_sources import Sources
from data_sources.boundaries import district_of
from data_sources.caching import Unavailable
from geo.gcj02 import gcj02_to_wgs84
from ingest import credentials, restoring
from ingest.models import AlarmIn, HeartbeatIn, IncidentIn, ReadingIn, TransitionIn
from vocabulary import title_disagrees

if TYPE_CHECKING:
    from ingest.credentials import Caller

log = logging.getLogger(__name__)


class Rejected(ValueError):
    """The request is well-formed but names something that does not exist."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.status = status


def _wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    if crs == "gcj02":
        lon, lat = gcj02_to_wgs84(lon, lat)
    return round(float(lon), 6), round(float(lat), 6)


def _registry(read):  # noqa: ANN001, ANN202
    # A cold start during a warehouse outage has no copy of the registry: 503, retry later.
    try:
        return read()
    except Unavailable:
        raise Rejected("body", "the registry is unavailable (warehouse down); retry", 503) from None


def put_alarm(sources: Sources, alarm: AlarmIn, caller: Caller | None = None) -> tuple[str, str]:
    """Store an alarm; return ("new" | "merged" | "duplicate", the id it lives under)."""
    credentials.as_source(sources, caller, alarm.source, "alarms")
    record: dict[str, Any] = alarm.model_dump(exclude={"crs"})
    # `detail.demo` is what makes screens show 演示: only the demo credentials may set it, and
    # what they post always carries it.
    detail = record.get("detail") or {}
    if caller is not None and caller.is_demo:
        record["detail"] = {**detail, "demo": True}
    elif "demo" in detail:
        raise Rejected("detail.demo", "is reserved for the built-in demo feed")
    if alarm.site_id is not None:
        sites = _registry(sources.registry.sites)
        if alarm.site_id not in sites.index:
            raise Rejected("site_id", f"unknown site {alarm.site_id!r}")
        site = sites.loc[alarm.site_id]
        if alarm.lon is None:
            record["lon"], record["lat"] = float(site["lon"]), float(site["lat"])
        record["district"] = site["district"]
    if alarm.lon is not None:
        record["lon"], record["lat"] = _wgs84(alarm.lon, alarm.lat, alarm.crs)
        record.setdefault("district", None)
        record["district"] = record["district"] or district_of(record["lon"], record["lat"])
    record["occurred_at"] = alarm.occurred_at.astimezone(UTC)
    record["received_at"] = datetime.now(UTC).isoformat()
    restoring.known_alarm(sources, alarm.id)
    outcome, target = sources.alarms.put(record)
    # The upstream system owns both its level and its title, so a title whose colour word
    # names another level is stored as sent (refusing it would lose a real alarm); the log
    # tells its integrators, and the detail panel shows the disagreement to the duty officer.
    said = title_disagrees(alarm.title, alarm.level)
    if said is not None and outcome == "new":
        log.warning(
            "ingest: alarm %r from %s is %s but its title says %s",
            alarm.id,
            alarm.source,
            alarm.level,
            said,
        )
    late_s = (datetime.now(UTC) - record["occurred_at"]).total_seconds()
    ops.message(sources, alarm.source, "alarms", outcome, late_s)
    return outcome, target


def put_readings(sources: Sources, readings: list[ReadingIn], caller: Caller | None = None) -> int:
    """Store a batch of readings (all known sensors, or nothing); return how many became latest."""
    credentials.may_send(sources, caller, "readings")
    known = set(_registry(sources.registry.sensors)["id"])
    for i, reading in enumerate(readings):
        if reading.sensor_id not in known:
            raise Rejected(f"[{i}].sensor_id", f"unknown sensor {reading.sensor_id!r}")
    updated = sources.readings.put((r.sensor_id, r.ts.timestamp(), r.value) for r in readings)
    if caller is not None:
        ops.message(sources, caller.system, "readings", "accepted")
    return updated


def transition(
    sources: Sources, alarm_id: str, to: str, body: TransitionIn, caller: Caller | None = None
) -> dict[str, Any]:
    """Acknowledge or close an alarm; return its state.

    `by` stays the name the caller gave; the record also carries `via` (system:token id).
    """
    at = (body.at or datetime.now(UTC)).timestamp()
    current = sources.alarms.get(sources.alarms.resolve(alarm_id))
    if current is None:
        # Redis may have lost it (restarted empty): the warehouse knows, never a 404 then.
        found = restoring.missing_alarm(sources, alarm_id)
        if found == "unavailable":
            raise Rejected("id", "the live state is being restored; try again shortly", 503)
        if found == "restored":
            current = sources.alarms.get(sources.alarms.resolve(alarm_id))
    if caller is not None and current is not None:
        credentials.may_transition(sources, caller, current["source"])
    via = caller.via if caller is not None else ""
    outcome = sources.alarms.transition(alarm_id, to, body.by, at, body.note, via=via)
    if outcome == "missing":
        raise Rejected("id", f"no active alarm {alarm_id!r}", status=404)
    if outcome == "closed" and to != "closed":
        raise Rejected("id", f"alarm {alarm_id!r} is already closed", status=409)
    return sources.alarms.get(sources.alarms.resolve(alarm_id)) or {}


def heartbeat(sources: Sources, beat: HeartbeatIn, caller: Caller | None = None) -> None:
    credentials.as_source(sources, caller, beat.source, "heartbeats")
    sources.status.heartbeat(beat.source, (beat.at or datetime.now(UTC)).timestamp())
    ops.message(sources, beat.source, "heartbeats", "ok")


def put_incident(sources: Sources, incident: IncidentIn, caller: Caller | None = None) -> str:
    """Open or update an incident in the warehouse; return "new" or "updated"."""
    credentials.may_send(sources, caller, "incidents")
    lon, lat = _wgs84(incident.lon, incident.lat, incident.crs)
    district = district_of(lon, lat)
    if district is None:
        raise Rejected("lon", "position is outside Suzhou's districts")
    now = datetime.now(UTC)
    row = {
        "id": incident.id,
        "title": incident.title,
        "category": incident.category,
        "level": incident.level,
        "status": incident.status,
        "district": district,
        "lon": lon,
        "lat": lat,
        "opened_at": incident.opened_at.astimezone(UTC),
        "closed_at": now if incident.status == "closed" else None,
        "casualties": incident.casualties,
        "summary": incident.summary,
        "wind_from_deg": incident.wind_from_deg,
        "wind_speed_ms": incident.wind_speed_ms,
    }
    author = caller.via if caller is not None else "api"
    outcome = sources.incidents.put(row, incident.note, author, now)
    sources.versions.bump()
    return outcome
