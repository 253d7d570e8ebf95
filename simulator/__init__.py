"""The demo feed (`DEMO_FEED=1`): simulated upstream systems that keep the live state moving.

It posts through the ingest API, over the same HTTP handling, token check and validation
that real upstream systems go through (in-process, via the Flask test client), so `make run`
exercises the real path. One feed runs per Redis (a lease), however many workers start.
"""

from __future__ import annotations

from flask import Flask

from data_sources import Sources
from simulator.feed import DemoFeed


def start(server: Flask, sources: Sources) -> DemoFeed:
    feed = DemoFeed(server, sources)
    feed.start()
    return feed
