"""Which failures are outages (retry later, unchanged) and how a failure reads in the log."""

from __future__ import annotations

import redis
from sqlalchemy import exc as sa_exc

from data_sources.warehouse import WarehouseTimeout


def transient(exc: BaseException) -> bool:
    """True for an outage (retry later, unchanged), False for a fault of the entry itself."""
    if isinstance(exc, WarehouseTimeout):
        return False
    return isinstance(
        exc,
        redis.ConnectionError
        | redis.TimeoutError
        | sa_exc.OperationalError
        | sa_exc.InterfaceError
        | sa_exc.DisconnectionError
        | ConnectionError,
    )


def describe(exc: BaseException) -> str:
    """One line naming the failure: its type and the first line of its message."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:2000]
