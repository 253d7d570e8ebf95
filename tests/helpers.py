"""Shared test helpers: a minimal registry in the warehouse, bodies and snapshots for the
ingest API.

`seed_minimal_registry` writes the smallest registry that the ingest API can check against
(one real district, one enterprise, one hazard source, three sensors), so that tests need
not wait for the generated Suzhou reference data (`refdata/`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import shapely

from data_sources import keys
from data_sources.boundaries import load_districts

# 姑苏区 (Gusu), the old town: every seeded position lies inside it.
GUSU = "320508"

# In a page: hover every interactive shape of the map under `sel` (each opens its tooltip).
HOVER_ALL = """(sel) => {
  const shapes = document.querySelectorAll(sel + " .leaflet-interactive");
  shapes.forEach(function (el) { el.dispatchEvent(new MouseEvent("mouseover", {bubbles: true})); });
  return shapes.length;
}"""
GUSU_LON, GUSU_LAT = 120.62, 31.31


@dataclass(frozen=True)
class MiniRegistry:
    district: str
    enterprise_id: str
    hazard_source_id: str
    sensor_ids: tuple[str, ...]
    lon: float
    lat: float


def seed_minimal_registry(warehouse: Any) -> MiniRegistry:
    """Insert one district (姑苏区, its real boundary), a source system, an enterprise, one
    hazard source and three sensors, through `warehouse.execute` (bound parameters)."""
    districts = load_districts()
    gusu = districts[districts["adcode"] == GUSU].iloc[0]
    warehouse.execute(
        "INSERT INTO districts (adcode, name, name_en, geojson, population) "
        "VALUES (:adcode, :name, :name_en, :geojson, :population)",
        {
            "adcode": GUSU,
            "name": gusu["name"],
            "name_en": gusu["name_en"],
            "geojson": json.dumps(shapely.geometry.mapping(gusu.geometry)),
            "population": 920_000,
        },
    )
    warehouse.execute(
        "INSERT INTO source_systems (code, name, heartbeat_s) VALUES (:code, :name, :hb)",
        {"code": "hazchem", "name": "危险化学品安全生产风险监测预警系统", "hb": 60},
    )
    warehouse.execute(
        "INSERT INTO enterprises (id, name, district, park_id, industry, hazchem, risk, "
        "employees, contact, phone, lon, lat) VALUES (:id, :name, :district, NULL, :industry, "
        ":hazchem, :risk, :employees, :contact, :phone, :lon, :lat)",
        {
            "id": "E0001",
            "name": "苏州姑苏测试化工有限公司",
            "district": GUSU,
            "industry": "化学原料和化学制品制造业",
            "hazchem": True,
            "risk": "orange",
            "employees": 120,
            "contact": "王建国",
            "phone": "0512-65000001",
            "lon": GUSU_LON,
            "lat": GUSU_LAT,
        },
    )
    warehouse.execute(
        "INSERT INTO hazard_sources (id, enterprise_id, name, grade, chemicals, capacity_t, "
        "district, lon, lat) VALUES (:id, :ent, :name, :grade, :chem, :cap, :district, :lon, :lat)",
        {
            "id": "H0001",
            "ent": "E0001",
            "name": "甲醇储罐区",
            "grade": 2,
            "chem": "甲醇",
            "cap": 500.0,
            "district": GUSU,
            "lon": GUSU_LON + 0.001,
            "lat": GUSU_LAT + 0.001,
        },
    )
    sensors = [
        ("H0001-L1", "level", "1号罐液位", "%", 55.0, 10.0, 20.0, 85.0, 95.0),
        ("H0001-T1", "temperature", "1号罐温度", "°C", 25.0, None, None, 45.0, 60.0),
        ("H0001-G1", "gas_lel", "罐区可燃气体", "%LEL", 0.0, None, None, 20.0, 50.0),
    ]
    warehouse.execute(
        "INSERT INTO sensors (id, hazard_source_id, kind, name, unit, normal, low_low, low, "
        "high, high_high) VALUES (:id, 'H0001', :kind, :name, :unit, :normal, :ll, :l, :h, :hh)",
        [
            dict(zip(("id", "kind", "name", "unit", "normal", "ll", "l", "h", "hh"), row))
            for row in sensors
        ],
    )
    return MiniRegistry(
        district=GUSU,
        enterprise_id="E0001",
        hazard_source_id="H0001",
        sensor_ids=tuple(row[0] for row in sensors),
        lon=GUSU_LON,
        lat=GUSU_LAT,
    )


def sources_of(app: Any) -> Any:
    """The Sources object of an app built by `create_app`."""
    return app.server.extensions["smart_emergency_sources"]


def now_iso(delta: timedelta = timedelta(0)) -> str:
    """Now (+ delta) as RFC 3339 with an offset, the way upstream systems send it."""
    return (datetime.now(UTC) + delta).isoformat()


def alarm_body(alarm_id: str = "HC-0001", **fields: Any) -> dict[str, Any]:
    """A valid alarm inside 姑苏区; `fields` override or add (None removes a field)."""
    body: dict[str, Any] = {
        "id": alarm_id,
        "source": "hazchem",
        "level": "orange",
        "category": "可燃气体报警",
        "title": "苏州姑苏测试化工 罐区可燃气体浓度超标",
        "occurred_at": now_iso(timedelta(minutes=-1)),
        "lon": GUSU_LON,
        "lat": GUSU_LAT,
        "detail": {"value": 23.5, "unit": "%LEL"},
    }
    for name, value in fields.items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def live_snapshot(client: Any) -> dict[str, Any]:
    """What a rejected request must leave unchanged in Redis."""
    # A set: SCAN may return a key twice while Redis rehashes a growing keyspace.
    alarm_keys = len(set(client.scan_iter(match=keys.PREFIX + "alarm:*", count=1000)))
    return {
        "alarm_keys": alarm_keys,
        "active": client.zcard(keys.ALARMS_ACTIVE),
        "alarm_stream": client.xlen(keys.ALARM_STREAM),
        "reading_stream": client.xlen(keys.READING_STREAM),
        "latest": client.hgetall(keys.SENSOR_LATEST),
        "versions": client.mget(keys.VERSION, keys.READINGS_VERSION),
    }


# Warehouse tables an ingest call writes to directly (alarms reach it through the archiver).
INGEST_TABLES = ("incidents", "incident_timeline", "rollcall_answers")


def store_snapshot(sources: Any, alarm_ids: Any = None) -> dict[str, Any]:
    """What a rejected request to any ingest endpoint must leave unchanged: the live state
    (alarms with their lifecycle, readings, heartbeats, team status, roll call answers, duty
    room check-ins) and
    the rows of the warehouse tables that ingest writes. Every alarm's hash, or only those of
    `alarm_ids` (a change to any other still moves the version and the stream)."""
    client = sources.redis
    if alarm_ids is None:
        alarms = sorted(set(client.scan_iter(match=keys.PREFIX + "alarm:*", count=1000)))
    else:
        alarms = sorted(keys.alarm(alarm_id) for alarm_id in alarm_ids)
    pipe = client.pipeline(transaction=False)
    for key in alarms:
        pipe.hgetall(key)
    return live_snapshot(client) | {
        "alarms": dict(zip(alarms, pipe.execute(), strict=True)),
        "closed": client.zcard(keys.ALARMS_CLOSED),
        "heartbeats": client.hgetall(keys.HEARTBEATS),
        "teams": client.hgetall(keys.TEAM_STATUS),
        "team_stream": client.xlen(keys.TEAM_STREAM),
        "rollcall_answers": client.hgetall(keys.ROLLCALL_ANSWERS),
        "checkins": client.hgetall(keys.DUTY_CHECKIN),
        "warehouse": {table: sources.warehouse.count(table) for table in INGEST_TABLES},
    }


def live_sources(client: Any, warehouse: Any = None) -> Any:
    """The Redis-backed readers and writers of `Sources` on `client`, without the rest."""
    from types import SimpleNamespace

    from data_sources.alarms import Alarms
    from data_sources.focus import Focus
    from data_sources.readings import Readings
    from data_sources.rollcall import RollCall
    from data_sources.status import Status, Versions
    from data_sources.streams import Streams

    return SimpleNamespace(
        redis=client,
        warehouse=warehouse,
        versions=Versions(client),
        alarms=Alarms(client),
        readings=Readings(client, warehouse, None),
        status=Status(client),
        focus=Focus(client),
        rollcall=RollCall(client, warehouse),
        streams=Streams(client),
    )


def web_mercator_pixel(lon: float, lat: float, z: int) -> tuple[float, float]:
    """Global pixel (x, y) of a lon/lat at zoom `z` on 256-pixel XYZ tiles."""
    import math

    scale = 256 * 2**z
    x = (lon + 180) / 360 * scale
    rad = math.radians(lat)
    y = (1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * scale
    return x, y


MARK = (255, 0, 0)  # the marked pixels of `write_mbtiles`


def write_mbtiles(path: Any, lon: float, lat: float, zooms: range, around: int = 2) -> None:
    """A real MBTiles file of PNG tiles (rows stored TMS, from the south) around lon/lat:
    each tile a flat colour of its own, and in the tile holding lon/lat a 5x5 MARK block
    centred on its pixel, so a browser can tell that the right tile came to the right place."""
    import io
    import sqlite3

    from PIL import Image

    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    db.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
        "tile_data BLOB)"
    )
    meta = {"name": "test", "format": "png", "minzoom": zooms[0], "maxzoom": zooms[-1]}
    db.executemany("INSERT INTO metadata VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
    for z in zooms:
        gx, gy = web_mercator_pixel(lon, lat, z)
        tx, ty = int(gx // 256), int(gy // 256)
        for x in range(tx - around, tx + around + 1):
            for y in range(ty - around, ty + around + 1):
                img = Image.new("RGB", (256, 256), (20 + (x * 37) % 200, 20 + (y * 53) % 200, 90))
                if (x, y) == (tx, ty):
                    px, py = int(gx) % 256, int(gy) % 256
                    for dx in range(-2, 3):
                        for dy in range(-2, 3):
                            if 0 <= px + dx < 256 and 0 <= py + dy < 256:
                                img.putpixel((px + dx, py + dy), MARK)
                buf = io.BytesIO()
                img.save(buf, "PNG")
                db.execute(
                    "INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, 2**z - 1 - y, buf.getvalue())
                )
    db.commit()
    db.close()


def page_language(page: Any, expected: str, timeout_ms: int = 10_000) -> str:
    """The `<html lang>` of the page once it says `expected` (assets/a11y.js sets it from the
    page's root a moment after the page is drawn), else what it said at the end of the wait:
    the caller asserts it, so a page that never says its language fails with what it said."""
    with contextlib.suppress(Exception):  # the caller's assertion names what was found
        page.wait_for_function(
            "lang => document.documentElement.lang === lang", arg=expected, timeout=timeout_ms
        )
    return page.evaluate("document.documentElement.lang")


def api_post(base_url: str, path: str, body: Any, token: str, timeout: float = 10) -> int:
    """POST `body` as JSON to the app's `path` with a bearer token, as an upstream system
    does; the status it answered (4xx and 5xx too, not raised)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        base_url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@contextlib.contextmanager
def open_sources(redis_url: str, warehouse_url: str, data_dir: Any) -> Iterator[Any]:
    """`Sources` built from settings as the app builds them; closed on the way out."""
    from data_sources import build_sources
    from settings import Settings

    settings = Settings.load(
        {"REDIS_URL": redis_url, "WAREHOUSE_URL": warehouse_url, "DATA_DIR": str(data_dir)}
    )
    built = build_sources(settings)
    try:
        yield built
    finally:
        built.redis.close()
        built.warehouse.engine.dispose()
