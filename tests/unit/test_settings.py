"""The settings of the contract: defaults, derived defaults, and bad values refused by name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/0"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/se"


def load(**environ: str) -> Settings:
    return Settings.load(environ=environ)


def test_nothing_set_gives_the_embedded_demo_with_a_token() -> None:
    s = load()
    assert s.embedded
    assert s.REDIS_URL is None and s.WAREHOUSE_URL is None
    assert s.warehouse_url.startswith("sqlite:///") and s.warehouse_url.endswith(".sqlite")
    assert s.AUTH_REQUIRED is False
    assert s.DEMO_FEED is True
    assert s.TILE_URL is None and s.TILE_CRS == "wgs84"
    assert (s.HOST, s.PORT) == ("127.0.0.1", 8050)
    # No fixed token: the app makes a demo token per system at start (ingest/credentials.py).
    assert s.INGEST_TOKENS == () and s.values["_DEMO_TOKEN"] is True


def test_empty_variables_count_as_unset() -> None:
    s = load(REDIS_URL="", WAREHOUSE_URL="", PORT="")
    assert s.embedded and s.PORT == 8050


@pytest.mark.parametrize(
    "environ",
    [
        {"REDIS_URL": REDIS},
        {"WAREHOUSE_URL": POSTGRES},
        {"REDIS_URL": REDIS, "WAREHOUSE_URL": POSTGRES},
    ],
    ids=["redis", "warehouse", "both"],
)
def test_a_real_server_turns_auth_on_and_the_demo_feed_off(environ: dict[str, str]) -> None:
    s = load(**environ)
    assert not s.embedded
    assert s.AUTH_REQUIRED is True
    assert s.DEMO_FEED is False


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "10.20.1.5", "wall.example.gov.cn", "192.168.1.10", "[::]"]
)
def test_off_loopback_the_embedded_demo_needs_a_login_and_runs_no_demo_feed(host: str) -> None:
    s = load(HOST=host)
    assert s.embedded
    assert s.AUTH_REQUIRED is True
    assert s.DEMO_FEED is False


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.1.1", "::1", "[::1]", "localhost"])
def test_on_loopback_the_embedded_demo_is_open_and_runs_the_demo_feed(host: str) -> None:
    s = load(HOST=host)
    assert s.AUTH_REQUIRED is False
    assert s.DEMO_FEED is True


def test_explicit_flags_win_off_loopback_too() -> None:
    s = load(HOST="0.0.0.0", AUTH_REQUIRED="0", DEMO_FEED="1")
    assert s.AUTH_REQUIRED is False and s.DEMO_FEED is True


def test_explicit_flags_win_over_the_derived_defaults() -> None:
    s = load(REDIS_URL=REDIS, AUTH_REQUIRED="0", DEMO_FEED="1")
    assert s.AUTH_REQUIRED is False and s.DEMO_FEED is True
    s = load(AUTH_REQUIRED="1", DEMO_FEED="0")
    assert s.AUTH_REQUIRED is True and s.DEMO_FEED is False


def test_valid_values_are_parsed() -> None:
    s = load(
        WAREHOUSE_URL=POSTGRES,
        TILE_URL="https://tiles.example.gov.cn/{z}/{x}/{y}.png",
        TILE_CRS="GCJ02",
        INGEST_TOKENS="hazchem:" + "a" * 16 + ", emergency:abc",
        PORT="9000",
        REFRESH_MS="2000",
    )
    assert s.warehouse_url == POSTGRES
    assert s.TILE_CRS == "gcj02"
    assert s.INGEST_TOKENS == (("hazchem", "a" * 16), ("emergency", "abc"))
    assert s.PORT == 9000 and s.REFRESH_MS == 2000
    assert s.values["_DEMO_TOKEN"] is False


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WAREHOUSE_URL", "nonsense://"),
        ("WAREHOUSE_URL", "mysql://root@localhost/se"),
        ("WAREHOUSE_URL", "postgresql+psycopg2://u@h/db"),
        ("WAREHOUSE_URL", "not a url"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("PORT", "eighty"),
        ("PORT", "0"),
        ("PORT", "70000"),
        ("TILE_CRS", "bd09"),
        ("TILE_URL", "https://tiles.example.gov.cn/{x}/{y}.png"),
        ("TILE_URL", "file:///{z}/{x}/{y}.png"),
        ("INGEST_TOKENS", "a" * 20),
        ("INGEST_TOKENS", "hazchem:" + "a" * 20 + ",short"),
        ("INGEST_TOKENS", " , "),
        ("INGEST_TOKENS", "hazchem:"),
        ("INGEST_TOKENS", "HazChem:abc"),
        ("INGEST_TOKENS", "hazchem:abc,iot:abc"),
        ("REFRESH_MS", "2001"),
        ("REFRESH_MS", "0"),
        ("AUTH_REQUIRED", "maybe"),
        ("DEMO_FEED", "2"),
        ("SQL_TIMEOUT_S", "inf"),
    ],
)
def test_a_bad_value_is_refused_naming_the_setting(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load(**{name: value})
    assert name in str(caught.value)
    assert "\n" not in str(caught.value)


def test_overrides_are_validated_like_the_environment() -> None:
    with pytest.raises(SettingsError, match="PORT"):
        Settings.load({"PORT": -1}, environ={})
    s = Settings.load({"PORT": 8123, "DEMO_FEED": False}, environ={"PORT": "9000"})
    assert s.PORT == 8123 and s.DEMO_FEED is False


def test_an_unknown_override_is_refused_by_name() -> None:
    with pytest.raises(SettingsError, match="REDIS_ULR"):
        Settings.load({"REDIS_ULR": REDIS}, environ={})


def _run_app(**extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "WAREHOUSE_URL"}}
    env.update(extra)
    return subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_python_app_py_stops_with_one_line_naming_a_bad_warehouse_url() -> None:
    done = _run_app(WAREHOUSE_URL="nonsense://")
    assert done.returncode != 0
    output = (done.stdout + done.stderr).strip()
    assert "WAREHOUSE_URL" in output
    assert len(output.splitlines()) == 1, output
    assert "Traceback" not in output


def test_a_read_replica_without_its_primary_is_refused_at_start() -> None:
    replica = "postgresql+psycopg://reader@10.0.0.2/warehouse"
    with pytest.raises(SettingsError, match="WAREHOUSE_READ_URL"):
        Settings.load({"WAREHOUSE_READ_URL": replica}, environ={})
    both = Settings.load(
        {
            "WAREHOUSE_URL": "postgresql+psycopg://app@10.0.0.1/warehouse",
            "WAREHOUSE_READ_URL": replica,
        },
        environ={},
    )
    assert replica == both.WAREHOUSE_READ_URL


def test_sentinels_replace_redis_url_and_count_as_a_real_server() -> None:
    s = load(REDIS_SENTINELS="10.0.0.1:26379, 10.0.0.2:26380", REDIS_MASTER_NAME="se-live")
    assert s.REDIS_SENTINELS == (("10.0.0.1", 26379), ("10.0.0.2", 26380))
    assert s.redis_server and not s.embedded
    assert s.AUTH_REQUIRED is True and s.DEMO_FEED is False and s.INPROCESS_WORKERS is False
    assert s.REDIS_WAIT_REPLICAS == 0


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"REDIS_SENTINELS": "10.0.0.1"}, "REDIS_SENTINELS"),
        ({"REDIS_SENTINELS": "10.0.0.1:26379"}, "REDIS_MASTER_NAME"),
        ({"REDIS_MASTER_NAME": "se-live"}, "REDIS_SENTINELS"),
        (
            {"REDIS_SENTINELS": "h:26379", "REDIS_MASTER_NAME": "m", "REDIS_URL": REDIS},
            "REDIS_URL",
        ),
        ({"REDIS_WAIT_REPLICAS": "-1"}, "REDIS_WAIT_REPLICAS"),
    ],
)
def test_bad_sentinel_settings_are_refused_naming_them(environ: dict, named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load(**environ)
