"""The base map in real headless Chromium: the offline one (water, town names) on the wall,
and TILE_FILE's tiles served by the app, lined up with what is drawn over them in both
datums."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from geo.gcj02 import wgs84_to_gcj02
from tests.helpers import MARK, api_post, web_mercator_pixel, write_mbtiles

pytestmark = pytest.mark.browser

TOKEN = "basemap-test-token-0123456789"
GUSU = (120.62, 31.31)  # WGS-84, in 姑苏区
MUDU = (120.52, 31.26)  # 木渎, by Lake Taihu


def post_alarm(server, alarm_id: str, lon: float, lat: float) -> int:  # noqa: ANN001
    body = {
        "id": alarm_id,
        "source": "hazchem",
        "level": "red",
        "category": "测试",
        "title": f"测试警情 {alarm_id}",
        "occurred_at": datetime.now(UTC).isoformat(),
        "lon": lon,
        "lat": lat,
    }
    return api_post(server.url, "/api/v1/alarms", body, TOKEN)


def wall(make_app, serve, redis_url, reference_url, **settings):  # noqa: ANN001, ANN003, ANN201
    app = make_app(
        REDIS_URL=redis_url,
        WAREHOUSE_URL=reference_url,
        INGEST_TOKENS=f"hazchem:{TOKEN}",
        WALL_ROTATE_S=0,
        **settings,
    )
    return serve(app)


LABELS = """() => [...document.querySelectorAll('#main-map .place-label')].map(el => {
  const r = el.firstChild.getBoundingClientRect();
  return {text: el.textContent, shown: !el.classList.contains('label-hidden'),
          box: [r.left, r.top, r.right, r.bottom]};
})"""


def shown_labels(page) -> list[dict]:  # noqa: ANN001
    m = page.locator("#main-map").bounding_box()
    inside = [m["x"], m["y"], m["x"] + m["width"], m["y"] + m["height"]]
    return [
        lb
        for lb in page.evaluate(LABELS)
        if lb["shown"]
        and lb["box"][2] > inside[0]
        and lb["box"][0] < inside[2]
        and lb["box"][3] > inside[1]
        and lb["box"][1] < inside[3]
    ]


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    clashes = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            (al, at, ar, ab), (bl, bt, br, bb) = a["box"], b["box"]
            if al < br and ar > bl and at < bb and ab > bt:
                clashes.append((a["text"], b["text"]))
    return clashes


def test_the_offline_wall_shows_the_lakes_the_yangtze_and_town_names_that_never_overlap(
    make_app, serve, redis_url, reference_url, page_factory
):  # noqa: ANN001
    server = wall(make_app, serve, redis_url, reference_url)
    page = page_factory(3840, 2160)
    page.goto(f"{server.url}/wall")
    # A 4K wall on two shared cores: its first draw may take a while.
    page.wait_for_selector("#main-map path.basemap-water.water-taihu", timeout=120_000)
    for water in ("changjiang", "yangchenghu", "dianshanhu"):
        assert page.locator(f"#main-map path.basemap-water.water-{water}").count() == 1, water
    # A lake is filled, not only outlined: its path covers a large part of the map.
    taihu = page.locator("#main-map path.water-taihu").bounding_box()
    assert taihu["width"] > 200 and taihu["height"] > 200
    page.wait_for_function(
        "[...document.querySelectorAll('#main-map .place-label')].some(l => l.textContent === '苏州')"
    )
    page.wait_for_timeout(500)  # the names are sorted out a frame after they are added
    labels = shown_labels(page)
    names = {lb["text"] for lb in labels}
    assert {"苏州", "昆山", "太湖", "阳澄湖"} <= names
    assert len(labels) >= 25, names
    assert overlapping(labels) == []

    # A takeover zooms in: more names fit, and still none overlaps another.
    assert post_alarm(server, "basemap-red-1", *MUDU) == 201
    page.locator("#wall-takeover").wait_for(state="visible", timeout=15_000)
    page.wait_for_timeout(3000)  # the fly-to animation
    zoomed = shown_labels(page)
    assert "木渎" in {lb["text"] for lb in zoomed}
    assert overlapping(zoomed) == []
    assert page.console_errors == []
    assert page.outside_requests == []


# Where the red alarm's marker is on screen, the tile image under that spot, and the colour
# of that tile's pixel there (read back from the image the browser loaded); null until the
# takeover has flown in (the marker at the map's centre) and that tile has loaded.
UNDER_MARKER = """() => {
  const marker = document.querySelector('#main-map path.alarm-marker.level-red');
  if (!marker) return null;
  const r = marker.getBoundingClientRect(), m = document.querySelector('#main-map').getBoundingClientRect();
  const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
  if (Math.hypot(cx - (m.left + m.width / 2), cy - (m.top + m.height / 2)) > 30) return null;
  for (const img of document.querySelectorAll('#main-map img.leaflet-tile-loaded')) {
    const t = img.getBoundingClientRect();
    if (cx < t.left || cx >= t.right || cy < t.top || cy >= t.bottom) continue;
    const z = Number(new URL(img.src).pathname.split('/')[2]);
    if (z < 11) return null;  // the tiles of before the zoom, still shown
    const px = Math.floor((cx - t.left) * 256 / t.width), py = Math.floor((cy - t.top) * 256 / t.height);
    const c = document.createElement('canvas'); c.width = 256; c.height = 256;
    const g = c.getContext('2d'); g.drawImage(img, 0, 0);
    const rgb = Array.from(g.getImageData(px, py, 1, 1).data.slice(0, 3));
    return {src: new URL(img.src).pathname, px: px, py: py, rgb: rgb};
  }
  return null;
}"""


# What the map shows when UNDER_MARKER never found it: for the failure's message.
WHERE = """() => {
  const m = document.querySelector('#main-map').getBoundingClientRect();
  const markers = [...document.querySelectorAll('#main-map path.alarm-marker')].map(p => {
    const r = p.getBoundingClientRect();
    return {cls: p.getAttribute('class'), dx: Math.round(r.left + r.width / 2 - m.left - m.width / 2),
            dy: Math.round(r.top + r.height / 2 - m.top - m.height / 2)};
  });
  const zooms = [...document.querySelectorAll('#main-map img.leaflet-tile')].map(
    i => new URL(i.src).pathname.split('/')[2] + (i.classList.contains('leaflet-tile-loaded') ? '' : '?'));
  const takeover = document.querySelector('#wall-takeover');
  return {markers: markers, tiles: [...new Set(zooms)], takeover: takeover && takeover.innerText};
}"""


@pytest.mark.parametrize("crs", ["wgs84", "gcj02"])
def test_tile_file_tiles_line_up_with_an_alarm_in_either_datum(
    crs, make_app, serve, redis_url, reference_url, page_factory, tmp_path
):  # noqa: ANN001
    # The tiles draw Gusu where tiles of that datum would: Amap's (GCJ-02) a few hundred
    # metres off the WGS-84 position, so an overlay that is not shifted misses the mark.
    drawn = GUSU if crs == "wgs84" else wgs84_to_gcj02(*GUSU)
    tiles = tmp_path / "city.mbtiles"
    write_mbtiles(tiles, *drawn, range(8, 16))
    server = wall(make_app, serve, redis_url, reference_url, TILE_FILE=str(tiles), TILE_CRS=crs)
    page = page_factory(1920, 1080)
    page.goto(f"{server.url}/wall?canvas=1920x1080")
    page.wait_for_selector("#main-map img.leaflet-tile-loaded", timeout=120_000)
    assert page.locator("#main-map path.basemap-water").count() == 0  # tiles instead

    assert post_alarm(server, f"tiles-{crs}", *GUSU) == 201
    page.locator("#wall-takeover").wait_for(state="visible", timeout=60_000)
    try:
        page.wait_for_function(UNDER_MARKER, timeout=60_000)  # the takeover has zoomed in
    except PlaywrightTimeout:
        pytest.fail(f"the marker never stood centred on a loaded tile: {page.evaluate(WHERE)}")
    page.wait_for_timeout(1500)  # and settled: the end of the fly-to, the last tiles
    found = page.wait_for_function(UNDER_MARKER, timeout=30_000).json_value()
    z, x, y = (int(v) for v in found["src"].removeprefix("/tiles/").split("/"))
    gx, gy = web_mercator_pixel(*drawn, z)
    assert (x, y) == (int(gx // 256), int(gy // 256)), found
    assert abs(found["px"] - gx % 256) <= 2 and abs(found["py"] - gy % 256) <= 2, found
    assert tuple(found["rgb"]) == MARK, found
    assert page.console_errors == []
