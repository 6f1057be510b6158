"""The database connection of a request.

Under the production server (``kiosk serve``) each waitress thread keeps one connection open
for its lifetime: opening and closing SQLite per request cost about half of a scan's time,
and closing the last connection of a WAL database checkpoints and deletes the WAL file each
time. Elsewhere (tests, ``flask run``) a connection is opened per request and closed at
teardown, so nothing outlives the app.
"""

from __future__ import annotations

import threading

import sqlite_utils
from flask import Flask, g

from kiosk.db import connect
from kiosk.web.views.context import app_settings

_per_thread = threading.local()


def _thread_connection(path: str) -> sqlite_utils.Database:
    connections: dict[str, sqlite_utils.Database] = _per_thread.__dict__.setdefault("dbs", {})
    db = connections.get(path)
    if db is None:
        db = connections[path] = connect(path)
    return db


def get_db() -> sqlite_utils.Database:
    """Return this request's database connection."""
    if "db" not in g:
        path = app_settings().database
        if app_settings().persistent_connections:
            g.db = _thread_connection(path)
            g.db_persistent = True
        else:
            g.db = connect(path)
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's connection, unless it belongs to the thread."""
    db = g.pop("db", None)
    if db is None:
        return
    if g.pop("db_persistent", False):
        if db.conn.in_transaction:  # never hand a half-done transaction to the next request
            db.conn.execute("ROLLBACK")
        return
    db.close()


def init_app(app: Flask) -> None:
    """Register the teardown that closes (or releases) connections."""
    app.teardown_appcontext(close_db)
