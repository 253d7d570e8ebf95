"""Incident command mode: time of its spatial queries at 10k and 100k registry points, and
the time to open /incident/<id> in Chromium with 10,000 registry points around it.

1. In process, on synthetic points around Suzhou (a third spread over the city, two thirds
   in towns, one of them the incident's): projecting the registry to EPSG:4549 and building
   its spatial indexes, the incident-mode queries (rings, downwind sector, nearest teams,
   depots, shelters: `callbacks.incident_page.surroundings`), and the whole answer of the
   page's analysis callback (queries, map layers, lists, JSON). A brute-force scan of every
   point is timed beside the indexed queries for comparison.
2. In Chromium (skipped without /usr/bin/chromium or with --no-browser): the generated
   Suzhou warehouse plus synthetic enterprises and sensitive targets up to 10,000 points,
   an incident in the middle of them; the page is opened several times and the time from
   navigation to rings, lists and teams on screen is reported.

    .venv/bin/python benchmarks/incident_spatial.py [--sizes 10000 100000] [--no-browser]

Prints numbers; asserts nothing. Results are kept in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import layouts  # noqa: E402,F401 - import the pages first (figures <-> layouts import order)
from callbacks.incident_page import ring_rows, surroundings  # noqa: E402
from geo import nearby  # noqa: E402
from layouts import incident_lists as lists  # noqa: E402
from layouts import incident_map  # noqa: E402

INCIDENT = {"lon": 120.62, "lat": 31.31, "category": "危化品泄漏", "title": "基准测试事件"}
TOWNS = [(120.62, 31.31), (120.58, 31.88), (120.75, 31.65), (120.98, 31.38), (121.10, 31.45),
         (120.64, 31.16), (120.43, 31.30), (120.78, 31.95), (120.52, 31.05)]  # fmt: skip
# Share of the registry by layer (roughly the generated Suzhou data's proportions).
SHARES = {"enterprise": 0.42, "hazard": 0.04, "target": 0.44, "team": 0.03, "depot": 0.01, "shelter": 0.06}  # fmt: skip
ITEMS = ("sandbags", "life_jackets", "tents", "pumps", "generators", "booms", "suits", "lights")


def synthetic_points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` lon/lat points: a third uniform over the city, the rest around the towns."""
    spread = n // 3
    lon = [rng.uniform(119.95, 121.35, spread)]
    lat = [rng.uniform(30.80, 32.00, spread)]
    towns = rng.integers(0, len(TOWNS), n - spread)
    centres = np.array(TOWNS)[towns]
    lon.append(centres[:, 0] + rng.normal(0, 0.06, n - spread))
    lat.append(centres[:, 1] + rng.normal(0, 0.05, n - spread))
    return np.concatenate(lon), np.concatenate(lat)


def synthetic_registry(n: int, seed: int = 5) -> tuple[dict[str, gpd.GeoDataFrame], pd.DataFrame]:
    """WGS-84 frames with the columns the registry guarantees, `n` points in all."""
    rng = np.random.default_rng(seed)
    frames = {}
    for layer, share in SHARES.items():
        m = max(3, int(n * share))
        lon, lat = synthetic_points(rng, m)
        ids = [f"{layer[:2].upper()}{i:06d}" for i in range(m)]
        frame = pd.DataFrame(
            {"id": ids, "name": [f"{layer} {i}" for i in range(m)], "lon": lon, "lat": lat}
        )
        if layer == "enterprise":
            frame = frame.assign(hazchem=rng.random(m) < 0.12, risk=rng.choice(["red", "orange", "yellow", "blue"], m), employees=rng.integers(10, 2000, m))  # fmt: skip
        elif layer == "hazard":
            frame = frame.assign(
                enterprise=frame["name"], grade=rng.integers(1, 5, m), chemicals="液氯"
            )
        elif layer == "target":
            frame = frame.assign(kind=rng.choice(["school", "hospital", "residential", "elderly"], m, p=[0.36, 0.05, 0.54, 0.05]), population=rng.integers(100, 9000, m))  # fmt: skip
        elif layer == "team":
            frame = frame.assign(kind=rng.choice(list(nearby.SPEED_KMH), m))
        elif layer == "shelter":
            frame = frame.assign(kind="indoor", capacity=rng.integers(500, 20000, m), occupancy=0, is_open=False)  # fmt: skip
        frames[layer] = gpd.GeoDataFrame(
            frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326"
        )
    depots = frames["depot"]["id"]
    stock = pd.DataFrame(
        [(d, item, item, "件", int(rng.integers(0, 5000))) for d in depots for item in ITEMS],
        columns=["depot_id", "item", "item_name", "unit", "quantity"],
    )
    return frames, stock


def projected(frames: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """What callbacks.incident_page.registry_frames does: project, then build the indexes."""
    firms = frames["enterprise"]
    out = {
        "hazard": nearby.to_metric_points(frames["hazard"]),
        "enterprise": nearby.to_metric_points(firms[firms["hazchem"]]),
        "firm": nearby.to_metric_points(firms[~firms["hazchem"]]),
        "target": nearby.to_metric_points(frames["target"]),
        "team": nearby.to_metric_points(frames["team"]),
        "depot": nearby.to_metric_points(frames["depot"]),
        "shelter": nearby.to_metric_points(frames["shelter"]),
    }
    for frame in out.values():
        frame.sindex  # noqa: B018 - built lazily; build it here so it is timed here
    return out


def brute_force(frames: dict[str, gpd.GeoDataFrame], radius_m: float) -> int:
    """The ring search without an index: measure every point (numpy, no frames built)."""
    centre = nearby.metric_point(INCIDENT["lon"], INCIDENT["lat"])
    found = 0
    for frame in frames.values():
        xy = np.column_stack([frame.geometry.x, frame.geometry.y])
        found += int((np.hypot(xy[:, 0] - centre.x, xy[:, 1] - centre.y) <= radius_m).sum())
    return found


def timed(fn, repeat: int) -> tuple[float, object]:  # noqa: ANN001
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def page_answer(metric, stock) -> int:  # noqa: ANN001
    """The analysis callback's work, serialised as Dash would send it; returns its bytes."""
    s = surroundings(metric, stock, INCIDENT, (1.0, 3.0, 5.0), 45.0, 2.0)
    shapes, points, forces, viewport = incident_map.layers(s, INCIDENT, gcj02=False)
    answer = [
        shapes, points, forces, viewport,
        lists.ring_summary(ring_rows(s)),
        lists.hazards_list(s.found["hazard"], s.found["enterprise"]),
        lists.targets_list(s.found["target"]),
        lists.depots_list(s.depots, s.items),
        lists.shelters_list(s.shelters),
    ]  # fmt: skip
    return len(json.dumps(answer, cls=plotly.utils.PlotlyJSONEncoder))


def measure(n: int, repeat: int) -> str:
    frames, stock = synthetic_registry(n)
    incident = {**INCIDENT, "id": "bench"}
    centre = nearby.metric_point(INCIDENT["lon"], INCIDENT["lat"])
    t_index, metric = timed(lambda: projected(frames), max(3, repeat // 4))
    t_rings, _ = timed(lambda: [nearby.within_rings(f, centre, (1.0, 3.0, 5.0)) for f in metric.values()], repeat)  # fmt: skip
    t_scan, _ = timed(lambda: brute_force(metric, 5000.0), repeat)
    t_all, s = timed(lambda: surroundings(metric, stock, incident, (1.0, 3.0, 5.0), 45.0, 2.0), repeat)  # fmt: skip
    t_page, size = timed(lambda: page_answer(metric, stock), max(3, repeat // 4))
    inside = sum(len(f) for f in s.found.values())
    return f"{n:>8,} {t_index:>11.1f} ms {t_rings:>11.1f} ms {t_scan:>8.1f} ms {t_all:>8.1f} ms {t_page:>9.1f} ms {inside:>8,} {size / 1024:>6.0f} kB"  # fmt: skip


def in_process(sizes: list[int], repeat: int) -> None:
    print(f"{'points':>8} {'project+index':>14} {'rings (index)':>14} {'rings (scan)':>11} {'all queries':>11} {'page answer':>12} {'in 5 km':>8} {'answer':>9}")  # fmt: skip
    for n in sizes:
        print(measure(n, repeat))


# --- the page in Chromium ---------------------------------------------------------------------


def warehouse_with_points(path: Path, total: int) -> str:
    """The generated Suzhou warehouse plus synthetic enterprises and targets (in Suzhou's
    districts) up to `total` registry points, and one open incident among them."""
    from data_sources.boundaries import district_of
    from data_sources.warehouse import Warehouse, make_engine, upgrade
    from refdata.build import build

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    wh = Warehouse(engine, timeout_s=120)
    build(wh)
    have = sum(wh.count(t) for t in ("enterprises", "hazard_sources", "sensitive_targets", "rescue_teams", "depots", "shelters"))  # fmt: skip
    rng = np.random.default_rng(7)
    extra = max(0, total - have)
    lon, lat = synthetic_points(rng, extra * 2)
    district = district_of(lon, lat)
    keep = pd.notna(district) & (district != None)  # noqa: E711 - object array
    lon, lat, district = lon[keep][:extra], lat[keep][:extra], district[keep][:extra]
    half = len(lon) // 2
    wh.execute(
        "INSERT INTO enterprises (id, name, district, park_id, industry, hazchem, risk, employees, "
        "contact, phone, lon, lat) VALUES (:id, :name, :district, NULL, '制造业', :hazchem, 'blue', "
        ":employees, '联系人', '0512-00000000', :lon, :lat)",
        [
            {
                "id": f"XE{i:06d}",
                "name": f"基准企业{i}",
                "district": d,
                "hazchem": bool(i % 8 == 0),
                "employees": 50,
                "lon": float(x),
                "lat": float(y),
            }  # fmt: skip
            for i, (x, y, d) in enumerate(zip(lon[:half], lat[:half], district[:half]))
        ],
    )
    kinds = ("school", "residential", "residential", "hospital", "elderly")
    wh.execute(
        "INSERT INTO sensitive_targets (id, name, kind, population, district, lon, lat) "
        "VALUES (:id, :name, :kind, :population, :district, :lon, :lat)",
        [
            {
                "id": f"XT{i:06d}",
                "name": f"基准目标{i}",
                "kind": kinds[i % 5],
                "population": 800,
                "district": d,
                "lon": float(x),
                "lat": float(y),
            }  # fmt: skip
            for i, (x, y, d) in enumerate(zip(lon[half:], lat[half:], district[half:]))
        ],
    )
    wh.execute(
        "INSERT INTO incidents (id, title, category, level, status, district, lon, lat, opened_at, "
        "casualties, summary) VALUES ('BENCH-1', '基准测试 危化品泄漏', '危化品泄漏', 3, 'open', "
        "'320508', :lon, :lat, :at, 0, '基准测试')",
        {
            "lon": INCIDENT["lon"],
            "lat": INCIDENT["lat"],
            "at": pd.Timestamp.now(tz="UTC").to_pydatetime(),
        },
    )
    total_now = have + len(lon)
    engine.dispose()
    print(f"warehouse: {total_now:,} registry points ({have:,} generated + {len(lon):,} synthetic)")
    return url


def in_browser(total: int, loads: int) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        print("browser: skipped (no /usr/bin/chromium)")
        return
    from playwright.sync_api import sync_playwright

    from app import create_app, shutdown
    from tests.conftest import CHROMIUM_ARGS, LiveServer

    with tempfile.TemporaryDirectory() as tmp:
        url = warehouse_with_points(Path(tmp) / "bench.sqlite", total)
        app = create_app({"WAREHOUSE_URL": url, "DATA_DIR": tmp, "DEMO_FEED": False, "INPROCESS_WORKERS": False, "AUTH_REQUIRED": False, "LOG_LEVEL": "WARNING"})  # fmt: skip
        server = LiveServer(app).start()
        ready = (
            "document.querySelectorAll('#main-map path.incident-ring').length === 3"
            " && document.querySelector('#incident-hazards tr.hazard-row, #incident-hazards tr.enterprise-row')"
            " && document.querySelector('#incident-targets tr.target-row')"
            " && document.querySelector('#incident-teams tr.team-row')"
        )
        times = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1920, "height": 1080})
                for i in range(loads + 1):
                    page.goto(f"{server.url}/incident/BENCH-1?wind=45", wait_until="commit")
                    page.wait_for_function(ready, timeout=30_000, polling=20)
                    ms = page.evaluate("performance.now()")
                    rows = page.locator("#incident-hazards tr, #incident-targets tr").count()
                    if i:  # the first load warms the server's caches
                        times.append(ms)
                    else:
                        print(f"browser: first load {ms:.0f} ms (cold caches), {rows} list rows")
                browser.close()
        finally:
            server.stop()
            shutdown(app)
    print(f"browser: load average {os.getloadavg()[0]:.1f} at the end")
    print(f"browser: /incident/<id> with {total:,} registry points, navigation to rings, lists and teams on screen: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms over {loads} loads")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--browser-points", type=int, default=10_000)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    # Times on a busy machine are not times on an idle one: say which this was.
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    in_process(args.sizes, args.repeat)
    if not args.no_browser:
        in_browser(args.browser_points, args.loads)


if __name__ == "__main__":
    main()
