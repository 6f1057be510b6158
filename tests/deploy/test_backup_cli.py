"""``kiosk backup`` and ``kiosk restore`` through click's CliRunner, on real files."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.backup import backup_name
from kiosk.cli import cli
from kiosk.db import connect


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "kiosk.db"
    monkeypatch.setenv("KIOSK_DATABASE", str(path))
    db = connect(path, migrate=True)
    db.execute(
        "INSERT INTO audit_log (at, actor, action) VALUES ('2026-11-26T08:00:00+00:00', 't', 'a')"
    )
    db.close()
    return path


def _audit_rows(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    finally:
        conn.close()


def test_backup_then_restore_round_trip(database: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    backup = tmp_path / "kiosk-backup.db"
    result = runner.invoke(cli, ["backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert f"to {backup}" in result.output
    assert _audit_rows(backup) == 1

    db = connect(database)
    db.execute("DELETE FROM audit_log")
    db.close()
    result = runner.invoke(cli, ["restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert "previous database is kept" in result.output
    assert _audit_rows(database) == 1
    assert len(list(database.parent.glob("kiosk.db.before-restore-*"))) == 1


def test_restore_refusal_exits_non_zero_and_says_nothing_changed(
    database: Path, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"definitely not SQLite" * 50)
    before = database.read_bytes()
    result = CliRunner().invoke(cli, ["restore", str(junk)])
    assert result.exit_code == 1
    assert "Restore refused, nothing was changed" in result.output
    assert database.read_bytes() == before


def test_restore_check_only_changes_nothing(database: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    backup = tmp_path / "b.db"
    assert runner.invoke(cli, ["backup", str(backup)]).exit_code == 0
    before = database.read_bytes()
    result = runner.invoke(cli, ["restore", "--check-only", str(backup)])
    assert result.exit_code == 0, result.output
    assert "is sound" in result.output
    assert database.read_bytes() == before
    assert not list(database.parent.glob("*.before-restore-*"))


def test_backup_into_a_folder_rotates(database: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [folder / backup_name(datetime(2020, 1, day)) for day in (1, 2)]
    for path in old:
        path.write_bytes(b"old")
    result = CliRunner().invoke(
        cli, ["backup", "--dir", str(folder), "--keep-daily", "2", "--keep-weekly", "0"]
    )
    assert result.exit_code == 0, result.output
    left = sorted(folder.iterdir())
    assert len(left) == 2
    assert old[0] not in left and old[1] in left
    assert f"Removed old backup {old[0]}" in result.output


def test_backup_needs_a_file_or_a_folder(database: Path) -> None:
    result = CliRunner().invoke(cli, ["backup"])
    assert result.exit_code == 2
    assert "either FILE or --dir" in result.output


def test_backup_without_a_database_fails_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIOSK_DATABASE", str(tmp_path / "missing.db"))
    result = CliRunner().invoke(cli, ["backup", str(tmp_path / "b.db")])
    assert result.exit_code == 1
    assert "no database" in result.output
