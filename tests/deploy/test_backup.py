"""Backups taken while the kiosk writes, restores that check first, and the rotation."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.backup import (
    BackupError,
    RestoreRefused,
    backup_database,
    backup_name,
    backups_to_keep,
    check_backup,
    restore_database,
    rotate_backups,
)
from kiosk.backup import _known_steps as known_steps
from kiosk.db import connect
from kiosk.migrations import schema_version


def _insert_visit(db, member_id: int) -> int:
    cursor = db.execute(
        "INSERT INTO visits (member_id, checked_in_at, checkin_method) VALUES (?, ?, 'card')",
        [member_id, datetime.now(UTC).isoformat()],
    )
    return cursor.lastrowid


def _add_member(db) -> int:
    now = datetime.now(UTC).isoformat()
    return db.execute(
        "INSERT INTO members (name, first_name, created_at, updated_at) VALUES (?, ?, ?, ?)",
        ["Aino Laine", "Aino", now, now],
    ).lastrowid


class ScanWriter(threading.Thread):
    """Inserts visits one committed transaction at a time, as the kiosk does for each scan."""

    def __init__(self, db_path: Path, member_id: int) -> None:
        super().__init__(daemon=True)
        self.db_path = db_path
        self.member_id = member_id
        self.committed: list[int] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.enough = threading.Event()
        self.target = 0

    def run(self) -> None:
        db = connect(self.db_path)
        try:
            while not self.stop.is_set():
                db.execute("BEGIN IMMEDIATE")
                row_id = _insert_visit(db, self.member_id)
                db.execute("COMMIT")
                # Only a committed row counts as acknowledged, like a scan the API answered.
                with self.lock:
                    self.committed.append(row_id)
                    if len(self.committed) >= self.target:
                        self.enough.set()
        except BaseException as exc:  # reported to the test thread below
            self.error = exc
            self.enough.set()
        finally:
            db.close()

    def wait_for(self, count: int) -> None:
        with self.lock:
            self.target = count
            self.enough.clear()
            if len(self.committed) >= count:
                self.enough.set()
        assert self.enough.wait(timeout=60), "the writer stopped committing"
        assert self.error is None, self.error

    def snapshot(self) -> list[int]:
        with self.lock:
            return list(self.committed)


def test_backup_while_scans_are_written_restores_every_acknowledged_visit(
    db_path: Path, tmp_path: Path
) -> None:
    setup = connect(db_path)
    member_id = _add_member(setup)
    setup.close()
    writer = ScanWriter(db_path, member_id)
    writer.start()
    try:
        writer.wait_for(200)
        acknowledged_before = writer.snapshot()
        backup = backup_database(db_path, tmp_path / "backups" / "mid-stream.db")
        # The writer must still be going after the backup, or the backup was not mid-stream.
        writer.wait_for(len(writer.snapshot()) + 50)
    finally:
        writer.stop.set()
        writer.join(timeout=30)
    assert writer.error is None, writer.error
    all_committed = writer.snapshot()

    restored = tmp_path / "restored" / "kiosk.db"
    result = restore_database(backup, restored)
    assert result.previous is None
    conn = sqlite3.connect(restored)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        ids = {row[0] for row in conn.execute("SELECT id FROM visits")}
    finally:
        conn.close()
    missing = set(acknowledged_before) - ids
    assert not missing, f"{len(missing)} acknowledged visits missing from the backup"
    # Nothing invented, and the snapshot really was taken mid-stream.
    assert ids <= set(all_committed)
    assert len(ids) < len(all_committed)


def test_backup_is_one_self_contained_file(db_path: Path, tmp_path: Path) -> None:
    db = connect(db_path)
    _insert_visit(db, _add_member(db))  # still in the -wal while db is open
    dest = backup_database(db_path, tmp_path / "copy.db")
    db.close()
    assert not (tmp_path / "copy.db-wal").exists()
    conn = sqlite3.connect(dest)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert conn.execute("SELECT count(*) FROM visits").fetchone() == (1,)
    finally:
        conn.close()
    assert not list(tmp_path.glob(".*partial"))


def test_backup_of_a_missing_database_fails_without_creating_one(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no database"):
        backup_database(tmp_path / "nothing.db", tmp_path / "b.db")
    assert not (tmp_path / "nothing.db").exists()
    assert not (tmp_path / "b.db").exists()


def test_restore_keeps_the_previous_database_and_moves_stray_wal_aside(
    db_path: Path, tmp_path: Path
) -> None:
    db = connect(db_path)
    _insert_visit(db, _add_member(db))
    db.close()
    backup = backup_database(db_path, tmp_path / "one-visit.db")
    db = connect(db_path)
    _insert_visit(db, 1)
    db.close()
    when = datetime(2026, 11, 26, 3, 0)
    result = restore_database(backup, db_path, now=when)
    assert result.previous == db_path.with_name("kiosk.db.before-restore-20261126-030000")
    assert result.steps == known_steps()
    assert result.pending_steps == []
    old = sqlite3.connect(result.previous)
    try:
        assert old.execute("SELECT count(*) FROM visits").fetchone() == (2,)
    finally:
        old.close()
    restored = connect(db_path)
    assert restored.execute("SELECT count(*) FROM visits").fetchone() == (1,)
    restored.close()


def test_restore_refuses_while_the_database_is_in_use(db_path: Path, tmp_path: Path) -> None:
    backup = backup_database(db_path, tmp_path / "b.db")
    running = connect(db_path)  # the kiosk, still running
    try:
        _insert_visit(running, _add_member(running))
        with pytest.raises(RestoreRefused, match="stop the kiosk"):
            restore_database(backup, db_path)
        assert running.execute("SELECT count(*) FROM visits").fetchone() == (1,)
    finally:
        running.close()
    assert not list(tmp_path.glob("kiosk.db.before-restore-*"))


def _original_bytes_and_listing(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def test_restore_refuses_a_corrupt_file_and_changes_nothing(db_path: Path, tmp_path: Path) -> None:
    good = backup_database(db_path, tmp_path / "good.db")
    data = bytearray(good.read_bytes())
    # Keep the header (so it still opens as SQLite) and scribble over the schema and tables.
    for offset in range(200, len(data), 97):
        data[offset] = (data[offset] + 91) % 256
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(bytes(data))
    before = _original_bytes_and_listing(tmp_path)
    with pytest.raises(RestoreRefused):
        restore_database(corrupt, db_path)
    assert _original_bytes_and_listing(tmp_path) == before


def test_restore_refuses_a_file_that_is_not_sqlite(db_path: Path, tmp_path: Path) -> None:
    junk = tmp_path / "photo.db"
    junk.write_bytes(b"\x89PNG not a database at all" * 100)
    with pytest.raises(RestoreRefused, match="not a readable SQLite database|cannot open"):
        restore_database(junk, db_path)
    db = connect(db_path)
    assert schema_version(db) == known_steps()
    db.close()


def test_restore_refuses_a_database_that_is_not_the_kiosks(db_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(RestoreRefused, match="not a kiosk database"):
        restore_database(other, db_path)


def test_restore_refuses_a_backup_from_a_newer_schema(db_path: Path, tmp_path: Path) -> None:
    newer = backup_database(db_path, tmp_path / "newer.db")
    db = connect(newer)
    db["_sqlite_migrations"].insert(
        {"migration_set": "kiosk", "name": "m999_from_the_future", "applied_at": "2030-01-01"}
    )
    db.close()
    before = db_path.read_bytes()
    with pytest.raises(RestoreRefused, match="newer") as refused:
        restore_database(newer, db_path)
    assert "m999_from_the_future" in str(refused.value)
    assert db_path.read_bytes() == before
    assert not list(db_path.parent.glob("*.before-restore-*"))


def test_a_backup_from_an_older_version_restores_and_reports_the_pending_steps(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = backup_database(db_path, tmp_path / "older.db")
    today = known_steps()
    # This code, one release later: it knows one more step than the backup has.
    monkeypatch.setattr("kiosk.backup._known_steps", lambda: [*today, "m999_next_release"])
    steps, pending = check_backup(older)
    assert steps == today
    assert pending == ["m999_next_release"]
    result = restore_database(older, tmp_path / "fresh" / "kiosk.db")
    assert result.pending_steps == ["m999_next_release"]


def _stamp(day: int, hour: int = 2) -> datetime:
    return datetime(2026, 11, 1, hour) + timedelta(days=day)


def test_rotation_keeps_the_newest_of_each_day() -> None:
    stamps = [_stamp(day) for day in range(30)] + [_stamp(29, hour=14)]
    keep = backups_to_keep(stamps, keep_daily=3, keep_weekly=0)
    # 30 November twice: only its later backup counts for that day.
    assert keep == {_stamp(29, hour=14), _stamp(28), _stamp(27)}


def test_rotation_weekly_reaches_back_past_the_dailies() -> None:
    stamps = [_stamp(day) for day in range(30)]  # 1 to 30 November 2026
    keep = backups_to_keep(stamps, keep_daily=2, keep_weekly=4)
    # Daily: Mon 30 and Sun 29 November. Weekly (ISO weeks end on Sunday): week 49 and week 48
    # are covered by those, then Sun 22 and Sun 15 November.
    assert keep == {_stamp(29), _stamp(28), _stamp(21), _stamp(14)}
    assert {stamp.isocalendar().week for stamp in keep} == {46, 47, 48, 49}


def test_rotation_refuses_to_keep_nothing() -> None:
    with pytest.raises(ValueError, match="at least one"):
        backups_to_keep([_stamp(1)], keep_daily=0, keep_weekly=4)


def test_rotate_backups_deletes_only_its_own_old_files(tmp_path: Path) -> None:
    for day in range(10):
        (tmp_path / backup_name(_stamp(day))).write_bytes(b"x")
    (tmp_path / "kiosk-handmade.db").write_bytes(b"keep me")
    (tmp_path / "notes.txt").write_text("keep me")
    deleted = rotate_backups(tmp_path, keep_daily=3, keep_weekly=0)
    assert len(deleted) == 7
    left = sorted(path.name for path in tmp_path.iterdir())
    assert left == sorted(
        [backup_name(_stamp(day)) for day in (7, 8, 9)] + ["kiosk-handmade.db", "notes.txt"]
    )
