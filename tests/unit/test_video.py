"""Camera addresses on the way in and out, the policy's media sources, the tiles' markup, and
the registry's nearest cameras (a real SQLite warehouse)."""

from __future__ import annotations

import dash
import pytest

from data_sources.cameras import Cameras
from data_sources.warehouse import Warehouse, make_engine, upgrade
from layouts.video import tile
from security.headers import policy
from settings import Settings, SettingsError
from video.addresses import camera_url, shown

HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "//evil.example/x.m3u8",
    "http://user:pw@10.0.0.7/live.m3u8",
    'http://10.0.0.7/"><img src=x onerror=alert(1)>',
    "http://10.0.0.7/live .m3u8",
    "http://10.0.0.7/live\n.m3u8",
    "ftp://10.0.0.7/live.m3u8",
    "",
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_an_address_that_is_not_http_or_a_local_path_is_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        camera_url(raw)
    assert not shown(raw, ("http://10.0.0.7",))


def test_http_https_and_local_paths_are_taken_and_shown_only_from_allowed_origins() -> None:
    assert (
        camera_url("https://nvr.example:8443/cam/7.m3u8") == "https://nvr.example:8443/cam/7.m3u8"
    )
    assert camera_url("/demo-video/mjpeg") == "/demo-video/mjpeg"
    assert shown("https://nvr.example:8443/cam/7.m3u8", ("https://nvr.example:8443",))
    assert not shown("https://nvr.example/cam/7.m3u8", ("https://nvr.example:8443",))
    assert shown("/demo-video/mjpeg", ())


def test_camera_origins_are_origins_only() -> None:
    settings = Settings.load({"CAMERA_ORIGINS": "https://NVR.example:8443, http://10.0.0.7"})
    assert settings.CAMERA_ORIGINS == ("https://nvr.example:8443", "http://10.0.0.7")
    for bad in ("javascript:alert(1)", "https://nvr.example/path", "https://*.example", "*"):
        with pytest.raises(SettingsError, match="CAMERA_ORIGINS"):
            Settings.load({"CAMERA_ORIGINS": bad})
    assert Settings.load({}).VIDEO_MAX_STREAMS == 4


def test_the_policy_adds_the_camera_origins_to_media_connect_and_images_only() -> None:
    app = dash.Dash(__name__)
    plain = dict(d.split(" ", 1) for d in policy(app).split("; "))
    assert plain["media-src"] == "'self' blob:" and plain["connect-src"] == "'self'"
    with_cams = dict(d.split(" ", 1) for d in policy(app, None, ("http://10.0.0.7",)).split("; "))
    assert with_cams["media-src"] == "'self' blob: http://10.0.0.7"
    assert with_cams["connect-src"] == "'self' http://10.0.0.7"
    assert with_cams["img-src"].endswith(" http://10.0.0.7")
    assert with_cams["script-src"] == plain["script-src"]
    assert with_cams["default-src"] == "'self'"


def test_a_tile_carries_its_address_as_an_attribute_and_its_name_as_text() -> None:
    camera = {"id": "C1", "name": "<b>大门</b>", "owner": "某厂", "kind": "hls",
              "url": "http://10.0.0.7/a.m3u8?x=1&y=<2>"}  # fmt: skip
    figure = tile(camera).to_plotly_json()
    assert figure["props"]["data-src"] == camera["url"]
    caption = figure["props"]["children"][1]
    assert caption.children[0].children == "<b>大门</b>"  # a string child: React escapes it
    assert "dangerouslySetInnerHTML" not in str(figure)
    refused = tile(camera, "origin").to_plotly_json()["props"]
    assert "data-src" not in refused and refused["data-state"] == "unavailable"


@pytest.fixture
def cameras(sqlite_url: str) -> Cameras:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    return Cameras(Warehouse(engine))


def test_the_registry_refuses_a_bad_address_and_finds_the_nearest(cameras: Cameras) -> None:
    base = {"name": "大门", "owner": "某厂", "site_id": "E1", "kind": "hls"}
    with pytest.raises(ValueError, match="http or https"):
        cameras.put({**base, "id": "X", "url": "javascript:alert(1)", "lon": 120.6, "lat": 31.3})
    with pytest.raises(ValueError, match="kind"):
        cameras.put({**base, "id": "X", "kind": "rtsp", "url": "/a", "lon": 120.6, "lat": 31.3})
    for n, lon in enumerate((120.600, 120.610, 120.700), 1):
        cameras.put({**base, "id": f"C{n}", "url": f"http://10.0.0.{n}/a.m3u8", "lon": lon,
                     "lat": 31.3})  # fmt: skip
    # One written around the check is never shown.
    cameras.wh.execute(
        "INSERT INTO cameras (id, name, owner, site_id, kind, url, lon, lat) VALUES "
        "('BAD', 'x', 'x', 'E1', 'hls', 'javascript:alert(1)', 120.6, 31.3)"
    )
    near = cameras.nearest(120.601, 31.3, k=5, within_m=5000)
    assert list(near["id"]) == ["C1", "C2"]
    assert 90 < near["distance_m"].iloc[0] < 100
    assert list(cameras.of_sites(["E1"])["id"]) == ["C1", "C2", "C3"]
