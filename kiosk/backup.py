"""Online backups of the kiosk database, restores that check before they replace, and rotation.

The backup uses SQLite's online backup API, so it can run while the kiosk is writing: the copy is
one read transaction, a consistent snapshot that holds every transaction committed before it
began. The restore works on a copy of the backup, checks it (``PRAGMA integrity_check`` and the
schema's migration history), and only then swaps it in, keeping the old file beside it.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlite_utils

from kiosk.db import BUSY_TIMEOUT_SECONDS
from kiosk.errors import KioskError
from kiosk.files import private_dir, private_file
from kiosk.migrations import migrations, schema_version

# Names of the files the rotation manages; anything else in the folder is left alone.
BACKUP_PREFIX = "kiosk-"
BACKUP_SUFFIX = ".db"
_STAMP_FORMAT = "%Y%m%d-%H%M%S"
_BACKUP_NAME = re.compile(r"^kiosk-(\d{8}-\d{6})\.db$")
_SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(KioskError):
    """The backup could not be written (no database, no access, disk full…)."""


class RestoreRefused(KioskError):
    """The restore was refused before anything was replaced; the message says why."""


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: where the previous database went and the restored schema."""

    database: Path
    previous: Path | None
    steps: list[str]
    pending_steps: list[str]


def _open_existing(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    # mode=rw / mode=ro never creates a file, so a mistyped path fails instead of backing up
    # (or restoring) an empty database that SQLite would helpfully create.
    mode = "ro" if readonly else "rw"
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode={mode}",
        uri=True,
        timeout=BUSY_TIMEOUT_SECONDS,
        isolation_level=None,
    )
    conn.text_factory = _lenient_text
    return conn


def _lenient_text(raw: bytes) -> str:
    # A damaged file yields damaged text (in integrity_check messages, in table names); it must
    # end in a clear refusal, not a UnicodeDecodeError.
    return raw.decode("utf-8", errors="replace")


def _copy_database(source: sqlite3.Connection, dest: Path) -> None:
    """Copy ``source`` into a new single-file database at ``dest`` (which must not exist)."""
    private_file(dest)  # a backup holds everything the database does: 0600, like it
    target = sqlite3.connect(str(dest), isolation_level=None)
    target.text_factory = _lenient_text
    try:
        # pages=-1 copies everything in one step, under one read transaction: a consistent
        # snapshot. Copying in slices would restart whenever the kiosk commits in between.
        source.backup(target, pages=-1)
        # A backup is meant to be one file that can be copied anywhere, so no -wal beside it.
        target.execute("PRAGMA journal_mode = DELETE")
        _check_integrity(target, dest)
    finally:
        target.close()
    _fsync(dest)


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    try:
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
    except UnicodeDecodeError as exc:
        # SQLite's own error message can quote damaged bytes, and Python fails to decode it.
        message = exc.object.decode("utf-8", errors="replace") if exc.object else str(exc)
        raise RestoreRefused(f"{path} is damaged: {message}") from exc
    if rows != ["ok"]:
        details = "; ".join(str(row) for row in rows[:5])
        raise RestoreRefused(f"{path} fails the integrity check: {details}")


def _fsync(path: Path) -> None:
    # The nightly backup is what people fall back on after a power cut, so it must be on disk
    # before the rename makes it look complete.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_if_exists(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def backup_database(db_path: str | Path, dest: str | Path) -> Path:
    """Write a consistent copy of the database at ``db_path`` to ``dest`` and return ``dest``.

    Safe while the kiosk runs: the copy sees every transaction committed before it started and
    none of those that commit during it. The copy is written beside ``dest`` and renamed into
    place, so ``dest`` is never a half-written file. Raises :class:`BackupError`.
    """
    db_path, dest = Path(db_path), Path(dest)
    if not db_path.is_file():
        raise BackupError(f"there is no database at {db_path}")
    if dest.exists() and dest.resolve() == db_path.resolve():
        raise BackupError("the backup file must not be the database itself")
    if dest.is_dir():
        raise BackupError(f"{dest} is a folder; give a file name for the backup")
    if not dest.parent.is_dir():
        private_dir(dest.parent)
    partial = dest.with_name(f".{dest.name}.partial")
    _remove_if_exists(partial)
    try:
        source = _open_existing(db_path)
        try:
            _copy_database(source, partial)
        finally:
            source.close()
        os.replace(partial, dest)
    except RestoreRefused as exc:
        _remove_if_exists(partial)
        raise BackupError(f"the copy of {db_path} is damaged: {exc}") from exc
    except (sqlite3.Error, OSError) as exc:
        _remove_if_exists(partial)
        raise BackupError(f"cannot back up {db_path} to {dest}: {exc}") from exc
    return dest


def check_backup(path: str | Path) -> tuple[list[str], list[str]]:
    """Check that ``path`` is a sound kiosk backup this code can run on.

    Returns the applied migration steps and the steps still to apply. Raises
    :class:`RestoreRefused` for a damaged file, a file that is not a kiosk database, or a
    backup from a newer version of the kiosk (its steps are not a prefix of the known ones).
    """
    path = Path(path)
    try:
        conn = _open_existing(path, readonly=True)
    except sqlite3.Error as exc:
        raise RestoreRefused(f"cannot open {path}: {exc}") from exc
    try:
        _check_integrity(conn, path)
        steps = schema_version(sqlite_utils.Database(conn))
    except sqlite3.DatabaseError as exc:  # "file is not a database", malformed pages
        raise RestoreRefused(f"{path} is not a readable SQLite database: {exc}") from exc
    finally:
        conn.close()
    known = _known_steps()
    if not steps:
        raise RestoreRefused(f"{path} is not a kiosk database (it has no kiosk migrations)")
    if steps != known[: len(steps)]:
        newer = [step for step in steps if step not in known]
        raise RestoreRefused(
            f"{path} comes from a newer or different version of the kiosk "
            f"(unknown schema steps: {', '.join(newer) or 'in a different order'}); "
            "update the kiosk first, then restore"
        )
    return steps, known[len(steps) :]


def _known_steps() -> list[str]:
    # Same answer as kiosk.migrations.known_steps(), which leaves its in-memory database open;
    # under pytest's filterwarnings=error that ResourceWarning would fail unrelated tests.
    memory = sqlite_utils.Database(memory=True)
    try:
        return [step.name for step in migrations.pending(memory)]
    finally:
        memory.close()


def _release_wal(db_path: Path) -> None:
    """Fold the -wal into the database file and make sure nobody else has it open.

    Leaving WAL mode needs exclusive access, so this fails while the kiosk still runs, which
    is exactly when swapping the file would lose data (open connections keep writing to the
    old file, and their -wal would be replayed onto the new one).
    """
    try:
        conn = _open_existing(db_path)
    except sqlite3.Error as exc:
        raise RestoreRefused(f"cannot open the current database {db_path}: {exc}") from exc
    try:
        conn.execute("PRAGMA busy_timeout = 1000")
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.OperationalError as exc:
        raise RestoreRefused(
            f"the database {db_path} is in use ({exc}); stop the kiosk first "
            "(sudo systemctl stop tankkaamo-kiosk tankkaamo-kiosk-scanner)"
        ) from exc
    except sqlite3.DatabaseError:
        mode = "broken"  # a damaged current file: nothing to fold in, it is kept as it is
    finally:
        conn.close()
    if mode not in {"delete", "broken"}:
        raise RestoreRefused(
            f"the database {db_path} is in use; stop the kiosk first "
            "(sudo systemctl stop tankkaamo-kiosk tankkaamo-kiosk-scanner)"
        )


def restore_database(
    backup: str | Path, db_path: str | Path, *, now: datetime | None = None
) -> RestoreResult:
    """Replace the database at ``db_path`` with the backup at ``backup``, checking it first.

    Nothing is replaced unless the backup passes ``PRAGMA integrity_check`` and its schema is
    this version's or an older one (the kiosk applies the missing steps when it starts). The
    previous database is kept as ``<name>.before-restore-<timestamp>``; stray ``-wal``/``-shm``
    files are moved aside with it so they can never be replayed onto the restored file. The
    kiosk must be stopped. Raises :class:`RestoreRefused`.
    """
    backup, db_path = Path(backup), Path(db_path)
    if not backup.is_file():
        raise RestoreRefused(f"there is no backup file at {backup}")
    if db_path.exists() and backup.resolve() == db_path.resolve():
        raise RestoreRefused("the backup file is the database itself")
    steps, pending = check_backup(backup)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    staged = db_path.with_name(f".{db_path.name}.restoring")
    _remove_if_exists(staged)
    try:
        # Work on a copy: the original backup stays untouched and the copy is re-checked, so
        # what is swapped in is exactly what passed the checks.
        source = _open_existing(backup, readonly=True)
        try:
            _copy_database(source, staged)
        finally:
            source.close()
    except (sqlite3.Error, OSError) as exc:
        _remove_if_exists(staged)
        raise RestoreRefused(f"cannot copy {backup}: {exc}") from exc
    except RestoreRefused:
        _remove_if_exists(staged)
        raise

    stamp = (now or datetime.now()).strftime(_STAMP_FORMAT)
    previous: Path | None = None
    try:
        if db_path.exists():
            _release_wal(db_path)
            previous = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
            os.replace(db_path, previous)
            _copy_mode(previous, staged)
        for suffix in _SIDE_FILES:
            side = db_path.with_name(db_path.name + suffix)
            if side.exists():
                os.replace(side, side.with_name(f"{side.name}.before-restore-{stamp}"))
        os.replace(staged, db_path)
    except BaseException:
        _remove_if_exists(staged)
        raise
    return RestoreResult(database=db_path, previous=previous, steps=steps, pending_steps=pending)


def _copy_mode(source: Path, dest: Path) -> None:
    # The restored file should be as private as the one it replaces (mode 640 under systemd).
    os.chmod(dest, source.stat().st_mode & 0o777)


def backup_name(when: datetime) -> str:
    """Return the file name the rotation uses for a backup taken at ``when``."""
    return f"{BACKUP_PREFIX}{when.strftime(_STAMP_FORMAT)}{BACKUP_SUFFIX}"


def backup_into(db_path: str | Path, folder: str | Path, *, now: datetime | None = None) -> Path:
    """Back up into ``folder`` under a time-stamped name (see :func:`backup_name`)."""
    folder = Path(folder)
    return backup_database(db_path, folder / backup_name(now or datetime.now()))


def _stamped_backups(folder: Path) -> list[tuple[datetime, Path]]:
    found = []
    for path in folder.iterdir():
        match = _BACKUP_NAME.match(path.name)
        if match and path.is_file():
            found.append((datetime.strptime(match.group(1), _STAMP_FORMAT), path))
    return sorted(found, reverse=True)


def backups_to_keep(
    stamps: Iterable[datetime], *, keep_daily: int, keep_weekly: int
) -> set[datetime]:
    """Return the stamps a rotation keeps: the newest of each of the last ``keep_daily`` days
    that have a backup, and the newest of each of the last ``keep_weekly`` ISO weeks."""
    if keep_daily < 1:
        raise ValueError("keep at least one daily backup")
    if keep_weekly < 0:
        raise ValueError("the number of weekly backups cannot be negative")
    keep: set[datetime] = set()
    days: set[object] = set()
    weeks: set[object] = set()
    for stamp in sorted(stamps, reverse=True):
        day, week = stamp.date(), stamp.isocalendar()[:2]
        if day not in days and len(days) < keep_daily:
            days.add(day)
            keep.add(stamp)
        if week not in weeks and len(weeks) < keep_weekly:
            weeks.add(week)
            keep.add(stamp)
    return keep


def rotate_backups(folder: str | Path, *, keep_daily: int, keep_weekly: int) -> list[Path]:
    """Delete the time-stamped backups in ``folder`` that the rotation no longer keeps.

    Only files named like :func:`backup_name` are considered; returns the deleted paths.
    """
    found = _stamped_backups(Path(folder))
    keep = backups_to_keep(
        (stamp for stamp, _ in found), keep_daily=keep_daily, keep_weekly=keep_weekly
    )
    deleted = []
    for stamp, path in found:
        if stamp not in keep:
            path.unlink()
            deleted.append(path)
    return deleted
