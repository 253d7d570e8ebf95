"""Camera tiles in real headless Chromium, playing real streams: a live HLS stream (H.264,
played by hls.js through Media Source Extensions) and an MJPEG stream, both made by Debian's
ffmpeg and served from loopback (tests/video_streams.py). A camera that goes dark, or answers
but sends no new picture, shows 信号中断 and comes back by itself; one whose picture the page
cannot check says so; a screen plays at most VIDEO_MAX_STREAMS streams."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.helpers import seed_minimal_registry, sources_of
from tests.video_streams import FFMPEG, SOURCE, HlsCamera, MjpegCamera

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
HLS_TILE = 'figure[data-camera="CAM-T1"]'
MJPEG_TILE = 'figure[data-camera="CAM-T2"]'
ELSEWHERE_TILE = 'figure[data-camera="CAM-T3"]'


@pytest.fixture
def cameras():
    if not FFMPEG:
        pytest.fail("ffmpeg not found: run `make test`, which installs Debian's ffmpeg")
    hls, mjpeg = HlsCamera(), MjpegCamera()
    hls.start()
    mjpeg.start()
    deadline = time.monotonic() + 60
    while not hls.ready():
        assert time.monotonic() < deadline, "ffmpeg wrote no HLS playlist within 60 s"
        time.sleep(0.2)
    yield hls, mjpeg
    hls.close()
    mjpeg.close()


def _app(make_app, serve, sqlite_url, redis_url, cameras, **settings):  # noqa: ANN001, ANN202
    hls, mjpeg = cameras
    app = make_app(
        WAREHOUSE_URL=sqlite_url,
        REDIS_URL=redis_url,
        CAMERA_ORIGINS=f"{hls.origin},{mjpeg.origin}",
        **settings,
    )
    sources = sources_of(app)
    mini = seed_minimal_registry(sources.warehouse)
    for n, (kind, url) in enumerate(
        [("hls", hls.url), ("mjpeg", mjpeg.url), ("hls", "http://127.0.0.9:1/live.m3u8")], 1
    ):
        sources.cameras.put(
            {"id": f"CAM-T{n}", "name": f"测试摄像头{n}", "owner": "苏州姑苏测试化工有限公司",
             "site_id": mini.enterprise_id, "kind": kind, "url": url,
             "lon": mini.lon + 0.0002 * n, "lat": mini.lat}
        )  # fmt: skip
    return serve(app), sources, mini


def _state(page, tile: str) -> str:  # noqa: ANN001
    return page.get_attribute(tile, "data-state")


def _wait_state(page, tile: str, state: str, timeout_s: float) -> None:  # noqa: ANN001
    page.wait_for_function(
        "([sel, st]) => { const f = document.querySelector(sel); return f && f.dataset.state === st; }",
        arg=[tile, state],
        timeout=timeout_s * 1000,
    )


def _video_time(page) -> float:  # noqa: ANN001
    return page.evaluate(f"document.querySelector('{HLS_TILE} video').currentTime")


def _assert_playing(page) -> None:  # noqa: ANN001
    """The <video>'s clock moves; the MJPEG <img> has a picture, and the picture changes."""
    _wait_state(page, HLS_TILE, "playing", 60)
    _wait_state(page, MJPEG_TILE, "playing", 60)
    first = _video_time(page)
    image = page.locator(f"{MJPEG_TILE} img")
    before = image.screenshot()
    time.sleep(2.5)
    assert _video_time(page) > first + 1.0
    assert page.evaluate(f"document.querySelector('{MJPEG_TILE} img').naturalWidth") == 320
    assert image.screenshot() != before, "the MJPEG picture stood still"
    assert page.is_hidden(f"{HLS_TILE} .video-overlay")


def test_the_enterprise_cameras_play_go_dark_show_the_break_and_recover(
    make_app, serve, sqlite_url, redis_url, cameras, page_factory
):  # noqa: ANN001
    hls, mjpeg = cameras
    server, _sources, _mini = _app(make_app, serve, sqlite_url, redis_url, cameras)
    page = page_factory(1920, 1080)
    page.goto(server.url + "/hazchem")
    _assert_playing(page)
    # A camera whose origin CAMERA_ORIGINS does not list is not played (nor fetched).
    assert page.text_content(ELSEWHERE_TILE).startswith("地址未获准")
    assert page.console_errors == []

    hls.stop()
    mjpeg.stop()
    for tile in (HLS_TILE, MJPEG_TILE):
        _wait_state(page, tile, "down", 30)
        assert page.text_content(f"{tile} .video-overlay") == "信号中断"
        assert page.is_visible(f"{tile} .video-overlay")

    hls.start()
    mjpeg.start()
    _assert_playing(page)


def _mjpeg_moves(page) -> bool:  # noqa: ANN001
    image = page.locator(f"{MJPEG_TILE} img")
    before = image.screenshot()
    time.sleep(1.5)
    return image.screenshot() != before


def test_an_mjpeg_camera_that_answers_but_sends_no_new_picture_shows_the_break(
    make_app, serve, sqlite_url, redis_url, cameras, page_factory
):  # noqa: ANN001
    """The picture that looks live but is not: the camera keeps the connection open and sends
    nothing, or sends its last picture again and again. Either way 信号中断, and back by
    itself when the picture moves again."""
    _hls, mjpeg = cameras
    server, _sources, _mini = _app(make_app, serve, sqlite_url, redis_url, cameras)
    page = page_factory(1920, 1080)
    page.goto(server.url + "/hazchem")
    _wait_state(page, MJPEG_TILE, "playing", 60)
    assert page.get_attribute(MJPEG_TILE, "data-live") == "checked"
    assert _mjpeg_moves(page)
    for fault in (mjpeg.freeze, mjpeg.repeat):
        fault()
        _wait_state(page, MJPEG_TILE, "down", 30)
        assert page.text_content(f"{MJPEG_TILE} .video-overlay") == "信号中断"
        assert page.is_visible(f"{MJPEG_TILE} .video-overlay")
        mjpeg.resume()
        _wait_state(page, MJPEG_TILE, "playing", 60)
        assert _mjpeg_moves(page), f"after {fault.__name__}, the picture stood still"
    assert page.console_errors == []


def test_an_mjpeg_camera_without_cors_plays_and_says_it_cannot_be_checked(
    make_app, serve, sqlite_url, redis_url, cameras, page_factory
):  # noqa: ANN001
    hls, _mjpeg = cameras
    plain = MjpegCamera(cors=False)
    plain.start()
    try:
        server, _sources, _mini = _app(make_app, serve, sqlite_url, redis_url, (hls, plain))
        page = page_factory(1024, 1366, has_touch=True)
        page.goto(server.url + "/hazchem?lang=en")
        _wait_state(page, MJPEG_TILE, "playing", 60)
        assert page.get_attribute(MJPEG_TILE, "data-live") == "unchecked"
        assert page.text_content(f"{MJPEG_TILE} .video-unchecked") == (
            "Cannot check the picture is live"
        )
        assert page.is_visible(f"{MJPEG_TILE} .video-unchecked")
        assert _mjpeg_moves(page)
        page.locator(".video-grid").first.screenshot(path=str(SHOTS / "video-unchecked-en.png"))
        # What it can still tell: a camera that stops answering.
        plain.stop()
        _wait_state(page, MJPEG_TILE, "down", 30)
        assert page.text_content(f"{MJPEG_TILE} .video-overlay") == "Signal lost"
    finally:
        plain.close()


def test_the_demo_s_own_mjpeg_stream_is_read_picture_by_picture(
    make_app, serve, sqlite_url, redis_url, tmp_path, page_factory
):  # noqa: ANN001
    """`make run`'s tank-farm camera: this server's stream, read by the page with its session
    (no CORS needed), so the page can tell its picture is live."""
    from video import demo

    if not FFMPEG:
        pytest.fail("ffmpeg not found: run `make test`, which installs Debian's ffmpeg")
    data_dir = tmp_path / "demo-var"
    assert demo.make(data_dir)
    # The registry first (an app that only migrates the warehouse): the demo feed reads it
    # as it starts.
    settings = {"WAREHOUSE_URL": sqlite_url, "REDIS_URL": redis_url, "DATA_DIR": str(data_dir)}
    sources = sources_of(make_app(**settings))
    mini = seed_minimal_registry(sources.warehouse)
    sources.cameras.put(
        {"id": "CAM-D1", "name": "演示罐区", "owner": "苏州姑苏测试化工有限公司",
         "site_id": mini.enterprise_id, "kind": "mjpeg", "url": demo.DEMO_MJPEG,
         "lon": mini.lon, "lat": mini.lat}
    )  # fmt: skip
    sources.redis.flushdb()  # nothing cached of the empty registry
    server = serve(make_app(DEMO_FEED=True, **settings))
    page = page_factory(1920, 1080)
    page.goto(server.url + "/hazchem")
    tile = 'figure[data-camera="CAM-D1"]'
    page.wait_for_selector(tile, timeout=60_000)
    assert page.get_attribute(tile, "data-state") != "unavailable", page.inner_text(tile)
    _wait_state(page, tile, "playing", 60)
    assert page.get_attribute(tile, "data-live") == "checked"
    image = page.locator(f"{tile} img")
    before = image.screenshot()
    time.sleep(1.5)
    assert image.screenshot() != before, "the demo's MJPEG picture stood still"
    assert page.evaluate(f"document.querySelector('{tile} img').naturalWidth") == 640


def _mpjpeg_parts(body: bytes) -> list[bytes]:
    """The JPEGs of ffmpeg's mpjpeg output, by each part's Content-Length (not by markers, as
    the page cuts them)."""
    parts, at = [], 0
    header = re.compile(rb"content-length: *(\d+)\r\n", re.IGNORECASE)
    while found := header.search(body, at):
        start = body.index(b"\r\n\r\n", found.start()) + 4
        length = int(found.group(1))
        parts.append(body[start : start + length])
        at = start + length
    return parts


def _with_thumbnail(jpeg: bytes, thumbnail: bytes) -> bytes:
    """`jpeg` with an EXIF segment after its SOI that holds a whole JPEG (its own FF D9)."""
    payload = b"Exif\x00\x00" + thumbnail
    app1 = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:2] + app1 + jpeg[2:]


def test_the_page_cuts_every_picture_out_of_an_mjpeg_stream_whatever_its_chunks(
    make_app, serve, sqlite_url, redis_url, page_factory
):  # noqa: ANN001
    """The reader of assets/video.js in Chromium, on a real ffmpeg stream: every picture,
    whole, in order, whether the bytes come in 97-byte pieces or 64 KiB ones; a picture with
    an EXIF thumbnail (a JPEG inside the JPEG) is one picture; an odd boundary and bytes
    between the parts change nothing."""
    import base64
    import subprocess

    if not FFMPEG:
        pytest.fail("ffmpeg not found: run `make test`, which installs Debian's ffmpeg")
    stream = subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", *SOURCE, "-t", "1.5",
         "-q:v", "5", "-f", "mpjpeg", "-boundary_tag", "frame", "-"],
        check=True, capture_output=True, stdin=subprocess.DEVNULL,
    ).stdout  # fmt: skip
    jpegs = _mpjpeg_parts(stream)
    assert len(jpegs) >= 10
    odd = [_with_thumbnail(j, jpegs[0]) if n % 3 == 0 else j for n, j in enumerate(jpegs)]
    other = b"".join(
        b"--\xe2\x80\x94bound\r\nContent-Type: image/jpeg\r\nX-Junk: \xff\xd8\r\n\r\n" + j + b"\r\n"
        for j in odd
    )
    server = serve(make_app(WAREHOUSE_URL=sqlite_url, REDIS_URL=redis_url))
    page = page_factory(1024, 768)
    page.goto(server.url + "/")
    page.wait_for_function("() => window.seVideo")
    cut = """([body, chunk]) => seVideo.pictures(
        Uint8Array.from(atob(body), (c) => c.charCodeAt(0)), chunk
    ).map((p) => btoa(String.fromCharCode.apply(null, Array.from(p))))"""
    for body, expected in ((stream, jpegs), (other, odd)):
        for chunk in (97, 65536):
            found = page.evaluate(cut, [base64.b64encode(body).decode(), chunk])
            assert [base64.b64decode(p) for p in found] == expected, (
                f"chunks of {chunk}: {len(found)} pictures of {len(expected)}"
            )


def test_a_screen_plays_at_most_the_cap_and_a_click_swaps(
    make_app, serve, sqlite_url, redis_url, cameras, page_factory
):  # noqa: ANN001
    server, sources, mini = _app(
        make_app, serve, sqlite_url, redis_url, cameras, VIDEO_MAX_STREAMS=1
    )
    now = datetime.now(UTC)
    sources.incidents.put(
        {"id": "INC-VIDEO-1", "title": "测试化工厂泄漏", "category": "危化品泄漏", "level": 3,
         "status": "open", "district": mini.district, "lon": mini.lon, "lat": mini.lat,
         "opened_at": now, "closed_at": None, "casualties": 0, "summary": "测试",
         "wind_from_deg": None, "wind_speed_ms": None},
        None, "test", now,
    )  # fmt: skip
    page = page_factory(1920, 1080)
    page.goto(server.url + "/incident/INC-VIDEO-1")
    _wait_state(page, HLS_TILE, "playing", 60)  # the nearest camera plays
    assert _state(page, MJPEG_TILE) == "held"
    assert page.text_content(f"{MJPEG_TILE} .video-overlay") == "▶ 点击播放"
    assert page.get_attribute(f"{MJPEG_TILE} img", "src") is None

    page.click(MJPEG_TILE)
    _wait_state(page, MJPEG_TILE, "playing", 30)
    assert _state(page, HLS_TILE) == "held"
    assert page.get_attribute(f"{HLS_TILE} video", "src") is None


def test_the_policy_lets_media_come_from_the_camera_origins_only(
    make_app, serve, sqlite_url, redis_url, cameras
):  # noqa: ANN001
    import urllib.request

    hls, mjpeg = cameras
    server, _sources, _mini = _app(make_app, serve, sqlite_url, redis_url, cameras)
    with urllib.request.urlopen(server.url + "/hazchem", timeout=30) as response:
        policy = dict(
            d.strip().split(" ", 1) for d in response.headers["Content-Security-Policy"].split(";")
        )
    origins = f"{hls.origin} {mjpeg.origin}"
    assert policy["media-src"] == f"'self' blob: {origins}"
    assert policy["connect-src"] == f"'self' {origins}"
    assert policy["img-src"].endswith(origins)
    assert "worker-src" not in policy and "*" not in policy["media-src"]
