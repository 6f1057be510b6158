"""The database connection of a request.

Under the production server (``kiosk serve``) connections stay open between requests:
opening and closing SQLite per request cost about half of a scan's time, and closing the last
connection of a WAL database checkpoints and deletes the WAL file each time. They wait in a
small pool, and a request takes the one returned most recently. Each connection keeps its own
page cache (up to 2 MB), so one connection per waitress thread, as before, held about 30 MB
once all 32 threads had served a dashboard page of the ten-year database; requests rarely
overlap, so the pool holds a connection or two, and never more than ``IDLE_CONNECTIONS``
idle. Elsewhere (tests, ``flask run``) a connection is opened per request and closed at
teardown, so nothing outlives the app.
"""

from __future__ import annotations

import threading

import sqlite_utils
from flask import Flask, g

from kiosk.db import connect
from kiosk.web.views.context import app_settings

# Idle connections kept open per database; more requests at once than this open connections
# of their own, closed when they finish.
IDLE_CONNECTIONS = 4


class ConnectionPool:
    """Open connections to one database file, lent to one request at a time.

    The most recently returned connection is lent first, so its page cache is warm and the
    ones below it are only used (and only grow) when requests overlap.
    """

    def __init__(self, path: str, idle_limit: int = IDLE_CONNECTIONS) -> None:
        self.path = path
        self.idle_limit = idle_limit
        self._idle: list[sqlite_utils.Database] = []
        self._lock = threading.Lock()

    def take(self) -> sqlite_utils.Database:
        """A connection for the caller alone until it is given back."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return connect(self.path)

    def give_back(self, db: sqlite_utils.Database) -> None:
        """Return ``db`` for the next request; close it if enough are idle already."""
        if db.conn.in_transaction:  # never hand a half-done transaction to the next request
            db.conn.execute("ROLLBACK")
        with self._lock:
            if len(self._idle) < self.idle_limit:
                self._idle.append(db)
                return
        db.close()

    def idle(self) -> int:
        """How many connections wait in the pool."""
        with self._lock:
            return len(self._idle)


_pools: dict[str, ConnectionPool] = {}
_pools_lock = threading.Lock()


def pool_for(path: str) -> ConnectionPool:
    """The process's pool of connections to ``path``."""
    with _pools_lock:
        pool = _pools.get(path)
        if pool is None:
            pool = _pools[path] = ConnectionPool(path)
        return pool


def get_db() -> sqlite_utils.Database:
    """Return this request's database connection."""
    if "db" not in g:
        path = app_settings().database
        if app_settings().persistent_connections:
            g.db_pool = pool_for(path)
            g.db = g.db_pool.take()
        else:
            g.db = connect(path)
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's connection, or give it back to the pool it came from."""
    db = g.pop("db", None)
    if db is None:
        return
    pool = g.pop("db_pool", None)
    if pool is not None:
        pool.give_back(db)
        return
    db.close()


def init_app(app: Flask) -> None:
    """Register the teardown that closes (or releases) connections."""
    app.teardown_appcontext(close_db)
