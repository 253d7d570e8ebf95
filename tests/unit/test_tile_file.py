"""TILE_FILE: the settings check, and /tiles/z/x/y serving an MBTiles file's tiles."""

from __future__ import annotations

import sqlite3

import pytest

from settings import Settings, SettingsError
from tests.helpers import web_mercator_pixel, write_mbtiles

GUSU = (120.62, 31.31)


@pytest.fixture
def mbtiles(tmp_path):  # noqa: ANN001, ANN201
    path = tmp_path / "city.mbtiles"
    write_mbtiles(path, *GUSU, range(11, 13), around=1)
    return path


def test_a_missing_or_wrong_tile_file_stops_start_up(tmp_path, mbtiles):  # noqa: ANN001
    with pytest.raises(SettingsError, match="TILE_FILE=.*no such file"):
        Settings.load({"TILE_FILE": str(tmp_path / "none.mbtiles")}, environ={})
    text = tmp_path / "notes.mbtiles"
    text.write_text("not sqlite")
    with pytest.raises(SettingsError, match="not an MBTiles file"):
        Settings.load({"TILE_FILE": str(text)}, environ={})
    vector = tmp_path / "vector.mbtiles"
    vector.write_bytes(mbtiles.read_bytes())
    with sqlite3.connect(vector) as db:
        db.execute("UPDATE metadata SET value = 'pbf' WHERE name = 'format'")
    with pytest.raises(SettingsError, match="only raster tiles"):
        Settings.load({"TILE_FILE": str(vector)}, environ={})
    with pytest.raises(SettingsError, match="both set"):
        Settings.load(
            {"TILE_FILE": str(mbtiles), "TILE_URL": "https://t.example.cn/{z}/{x}/{y}.png"},
            environ={},
        )
    loaded = Settings.load({"TILE_FILE": str(mbtiles)}, environ={})
    assert loaded.values["TILE_FILE"] == str(mbtiles)


def test_tiles_are_served_by_xyz_row_and_a_missing_tile_is_empty(make_app, mbtiles):  # noqa: ANN001
    client = make_app(TILE_FILE=str(mbtiles)).server.test_client()
    gx, gy = web_mercator_pixel(*GUSU, 12)
    x, y = int(gx // 256), int(gy // 256)
    found = client.get(f"/tiles/12/{x}/{y}")
    assert found.status_code == 200 and found.mimetype == "image/png"
    assert found.data.startswith(b"\x89PNG")
    with sqlite3.connect(mbtiles) as db:  # the XYZ row is the TMS row flipped
        (stored,) = db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = 12 AND tile_column = ? "
            "AND tile_row = ?",
            (x, 2**12 - 1 - y),
        ).fetchone()
    assert found.data == stored
    empty = client.get(f"/tiles/12/{x + 5}/{y}")  # beyond what the file covers
    assert empty.status_code == 204 and empty.data == b""
    for impossible in ("/tiles/40/0/0", f"/tiles/12/{x}/{2**12}"):
        assert client.get(impossible).status_code == 404, impossible
    assert client.get("/tiles/a/b/c").status_code < 500
    assert client.post(f"/tiles/12/{x}/{y}").status_code == 405


def test_tiles_need_the_screens_login(make_app, mbtiles):  # noqa: ANN001
    client = make_app(TILE_FILE=str(mbtiles), AUTH_REQUIRED=True).server.test_client()
    assert client.get("/tiles/12/0/0").status_code == 401


def test_without_tile_file_every_tile_is_a_404(make_app):  # noqa: ANN001
    assert make_app().server.test_client().get("/tiles/12/3425/1667").status_code == 404
