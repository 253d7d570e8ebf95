"""Presenter control (issue 7): what the wall and consultation displays follow now, in the
live state (`keys.FOCUS`), so that every display follows it within one refresh."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import redis

from data_sources import keys


class Focus:
    """The focus of the wall and consultation displays: an incident or a district, or none."""

    def __init__(self, client: redis.Redis) -> None:
        self.r = client

    def set(
        self,
        kind: str,
        ident: str,
        by: str,
        at: float,
        *,
        label: str = "",
        by_user: str = "",
        district: str | None = None,
        lon: float | None = None,
        lat: float | None = None,
        bounds: list[list[float]] | None = None,
    ) -> dict[str, Any]:
        """Point the wall and consultation displays at an incident or a district until
        released (replacing any focus); return the new focus as `current()` gives it."""
        if kind not in {"incident", "district"}:
            raise ValueError(f"unknown focus kind {kind!r}")
        fields = {"kind": kind, "id": ident, "label": label, "by": by, "by_user": by_user}
        fields["at"] = f"{at:.3f}"
        if district:
            fields["district"] = district
        if lon is not None and lat is not None:
            fields |= {"lon": repr(float(lon)), "lat": repr(float(lat))}
        if bounds is not None:
            fields["bounds"] = json.dumps(bounds)
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(keys.FOCUS)
        pipe.hset(keys.FOCUS, mapping=fields)
        pipe.incr(keys.VERSION)
        pipe.publish(keys.CHANGED, "s")
        pipe.execute()
        return _focus_row(fields)

    def release(self, by: str, at: float) -> dict[str, Any] | None:
        """End the focus (whoever set it); return the focus that was released, or None.
        `by` and `at` are the caller's record for the audit trail; the hash is removed."""
        pipe = self.r.pipeline(transaction=True)
        pipe.hgetall(keys.FOCUS)
        pipe.delete(keys.FOCUS)
        previous, removed = pipe.execute()
        if removed:
            self.r.pipeline(transaction=True).incr(keys.VERSION).publish(
                keys.CHANGED, "s"
            ).execute()
        return _focus_row(previous) if previous else None

    def current(self) -> dict[str, Any] | None:
        """The current focus, or None: kind ('incident'/'district'), id (incident id or
        district adcode), label, by (display name), by_user (login), at (epoch s, float),
        district (adcode the focus lies in, or None), lon, lat (WGS-84 floats or None),
        bounds ([[south, west], [north, east]] in WGS-84, or None)."""
        state = self.r.hgetall(keys.FOCUS)
        return _focus_row(state) if state else None


def _focus_row(state: Mapping[str, str]) -> dict[str, Any]:
    return {
        "kind": state["kind"],
        "id": state["id"],
        "label": state.get("label", ""),
        "by": state.get("by", ""),
        "by_user": state.get("by_user", ""),
        "at": float(state["at"]),
        "district": state.get("district") or None,
        "lon": float(state["lon"]) if state.get("lon") else None,
        "lat": float(state["lat"]) if state.get("lat") else None,
        "bounds": json.loads(state["bounds"]) if state.get("bounds") else None,
    }
