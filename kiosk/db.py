"""Opening the SQLite database with the pragmas the kiosk relies on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from kiosk.errors import KioskError

BUSY_TIMEOUT_SECONDS = 5.0


class DatabaseUnavailable(KioskError):
    """The database file cannot be opened or written (locked too long, disk full, no access)."""


def connect(path: str | Path, *, migrate: bool = False) -> sqlite_utils.Database:
    """Open the database at ``path`` with WAL, foreign keys and a busy timeout.

    sqlite-utils sets no busy timeout of its own, so the connection is made here and wrapped.
    ``check_same_thread`` is off because waitress may finish a request on another thread than
    the one that opened it; each connection is still used by one request at a time.
    """
    path = Path(path)
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False, isolation_level=None
        )
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    except sqlite3.Error as exc:
        raise DatabaseUnavailable(f"cannot open the database {path}: {exc}") from exc
    db = sqlite_utils.Database(conn)
    if migrate:
        from kiosk.migrations import apply_migrations

        apply_migrations(db)
    return db
