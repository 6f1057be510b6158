"""Shared fixtures: real SQLite files in temporary folders and a clock the test controls."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from kiosk.clock import FixedClock
from kiosk.db import connect

HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's own KIOSK_* settings and instance folder out of every test."""
    import os

    for key in list(os.environ):
        if key.startswith("KIOSK_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("KIOSK_INSTANCE", str(tmp_path / "instance"))


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at Thursday 26 November 2026, 10:00 in Helsinki."""
    return FixedClock(datetime(2026, 11, 26, 10, 0, tzinfo=HELSINKI))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The path of a fresh, migrated SQLite file."""
    path = tmp_path / "kiosk.db"
    connect(path, migrate=True).close()
    return path


@pytest.fixture
def db(db_path: Path) -> sqlite_utils.Database:
    """A migrated database on a real file."""
    database = connect(db_path)
    yield database
    database.close()
