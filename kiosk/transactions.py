"""Write transactions that take the write lock up front.

sqlite-utils' ``atomic()`` starts a deferred transaction. With several waitress threads, two
deferred transactions that both read and then write can deadlock on the lock upgrade, and
SQLite answers one of them with SQLITE_BUSY at once, ignoring the busy timeout. BEGIN
IMMEDIATE waits (up to the busy timeout) for the lock instead, so the check-in path either
gets the lock or fails with a clear error.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils

from kiosk.db import BUSY_TIMEOUT_SECONDS, DatabaseUnavailable

# The web app is the single writer, so its threads queue for the write lock here, in
# Python, where a released lock wakes the next thread at once. Left to SQLite, waiting
# threads poll with growing sleeps (up to 100 ms each), which made the slowest scans slow.
_WRITE_LOCK = threading.Lock()


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run the block in one IMMEDIATE transaction; commit on success, roll back on error."""
    conn = db.conn
    if conn.in_transaction:  # already inside one: join it
        yield db
        return
    if not _WRITE_LOCK.acquire(timeout=BUSY_TIMEOUT_SECONDS):
        raise DatabaseUnavailable("the database is busy: another write is taking too long")
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise DatabaseUnavailable(f"the database is busy or unavailable: {exc}") from exc
        try:
            yield db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise DatabaseUnavailable(f"could not save to the database: {exc}") from exc
    finally:
        _WRITE_LOCK.release()


@contextmanager
def read_snapshot(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run the block's reads on one snapshot of the database, taking no write lock.

    In WAL mode a reader neither waits for the writer nor holds it up, so several counts can
    be made to agree with each other while the door goes on checking people in.
    """
    conn = db.conn
    if conn.in_transaction:  # already inside one: its snapshot serves
        yield db
        return
    conn.execute("BEGIN DEFERRED")
    try:
        yield db
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # nothing was written; ending the read is all
