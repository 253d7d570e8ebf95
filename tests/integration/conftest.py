"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from data_sources import Sources
from tests.helpers import open_sources


@pytest.fixture
def sources(tmp_path: Path, redis_url: str, warehouse_url: str) -> Iterator[Sources]:
    """The whole data layer as the app builds it, on the worker's Redis db and a fresh
    warehouse (SQLite and PostgreSQL: `warehouse_url` is parametrised); a module that needs
    another one defines its own `sources`."""
    with open_sources(redis_url, warehouse_url, tmp_path) as built:
        yield built
