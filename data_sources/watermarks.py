"""Durable watermarks of the pulling connectors (table `connector_state`).

A watermark is a small JSON value (the last row a connector has taken); `put` replaces it
in one statement, so a crash leaves either the old or the new one.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from data_sources.warehouse import Warehouse


def get(warehouse: Warehouse, name: str) -> Any | None:
    """The watermark stored under `name`, or None before the first commit."""
    rows = warehouse.query(
        "SELECT watermark FROM connector_state WHERE name = :name", {"name": name}
    )
    return None if rows.empty else json.loads(rows["watermark"].iloc[0])


def put(warehouse: Warehouse, name: str, value: Any) -> None:
    """Store `value` (JSON-serialisable) as the watermark of `name`."""
    warehouse.execute(
        "INSERT INTO connector_state (name, watermark, updated_at) VALUES (:name, :wm, :at) "
        "ON CONFLICT (name) DO UPDATE SET watermark = excluded.watermark, "
        "updated_at = excluded.updated_at",
        {"name": name, "wm": json.dumps(value, ensure_ascii=False), "at": datetime.now(UTC)},
    )
