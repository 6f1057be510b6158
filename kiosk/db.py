"""Opening the SQLite database with the pragmas the kiosk relies on."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from kiosk.errors import KioskError
from kiosk.files import private_dir, private_file, tighten

BUSY_TIMEOUT_SECONDS = 5.0

log = logging.getLogger(__name__)


class DatabaseUnavailable(KioskError):
    """The database file cannot be opened or written (locked too long, disk full, no access)."""


def connect(path: str | Path, *, migrate: bool = False) -> sqlite_utils.Database:
    """Open the database at ``path`` with WAL, foreign keys and a busy timeout.

    sqlite-utils sets no busy timeout of its own, so the connection is made here and wrapped.
    ``check_same_thread`` is off because waitress may finish a request on another thread than
    the one that opened it; each connection is still used by one request at a time.
    """
    path = Path(path)
    if str(path) != ":memory:":
        if not path.parent.is_dir():
            private_dir(path.parent)
        # Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the
        # database file's own mode, so they are private too.
        try:
            private_file(path)
            for suffix in ("-wal", "-shm"):
                tighten(f"{path}{suffix}")
        except OSError:
            pass  # a read-only or foreign file: SQLite's own error says more below
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


def checkpoint(db: sqlite_utils.Database, *, passive: bool = False) -> bool:
    """Copy the write-ahead log into the database file and empty it (``TRUNCATE``).

    Erased data stays readable in the ``-wal`` file until a checkpoint; this ends that. A
    reader holding an old snapshot makes the checkpoint incomplete, which is reported (False)
    but not an error: the next one finishes the job.

    A ``passive`` one copies what it can without emptying the file and, unlike ``TRUNCATE``,
    never keeps a writer waiting: work that writes in batches runs one between batches.
    """
    mode = "PASSIVE" if passive else "TRUNCATE"
    try:
        busy, _log_frames, _copied = db.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
    except sqlite3.Error as exc:
        log.warning("WAL checkpoint failed: %s", exc)
        return False
    return busy == 0


@contextmanager
def checkpoints_by_hand(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Turn ``db``'s automatic checkpoints off for the block, and back on after it.

    SQLite checkpoints inside the COMMIT that makes the log long, so the committing code still
    holds the app's write lock (:mod:`kiosk.transactions`) while pages are copied and synced.
    Work that writes in many batches turns that off and calls :func:`checkpoint` (passive)
    between them, when no one waits for it.
    """
    previous = db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    db.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield db
    finally:
        db.execute(f"PRAGMA wal_autocheckpoint = {int(previous)}")


def database_file(db: sqlite_utils.Database) -> Path | None:
    """The file behind ``db``'s main schema, or None for an in-memory database."""
    for _seq, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    return None


def free_disk_bytes(db: sqlite_utils.Database) -> int | None:
    """Free bytes on the file system that holds the database (None for an in-memory one)."""
    path = database_file(db)
    if path is None:
        return None
    return shutil.disk_usage(path.parent).free
