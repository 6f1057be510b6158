"""Fixtures for the trust tests: an app with CSRF on, invariant checks, the printer emulator."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kiosk.clock import FixedClock
from kiosk.web import create_app

# The emupos fixtures of the printer tests, shared rather than copied.
from tests.printer.conftest import emu, emulator  # noqa: F401


def make_app(tmp_path: Path, clock: FixedClock, **config: object) -> Flask:
    """A kiosk app (CSRF on) on a fresh database, with the friendly database-error pages."""
    settings: dict[str, object] = {
        "DATABASE": str(tmp_path / "kiosk.db"),
        "CLOCK": clock,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DEMO_DATA": False,
        "PRINTER": "none",
    }
    settings.update(config)
    app = create_app(settings)
    return app


@pytest.fixture
def app(tmp_path: Path, clock: FixedClock) -> Flask:
    """The kiosk app over a temporary database."""
    return make_app(tmp_path, clock)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of :func:`app`."""
    return app.test_client()


def auth(app: Flask, token: str | None = None) -> dict[str, str]:
    """The Authorization header of a device."""
    return {"Authorization": f"Bearer {token or app.config['DEVICE_TOKEN']}"}


def check_database(path: str | Path) -> list[str]:
    """Return every broken invariant of the database at ``path`` (empty when all is well).

    SQLite's own checks (integrity, foreign keys), then the kiosk's: at most one open visit
    per person, every visit's check-out after its check-in, every scan that names a visit
    naming an existing one.
    """
    problems: list[str] = []
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity[:5]}")
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
        if foreign:
            problems.append(f"foreign_key_check: {foreign[:5]}")
        for column in ("member_id", "guest_id"):
            doubles = conn.execute(
                f"SELECT {column}, count(*) FROM visits WHERE checked_out_at IS NULL "  # noqa: S608
                f"AND {column} IS NOT NULL GROUP BY {column} HAVING count(*) > 1"
            ).fetchall()
            if doubles:
                problems.append(f"several open visits per {column}: {doubles[:5]}")
        disordered = conn.execute(
            "SELECT id, checked_in_at, checked_out_at FROM visits "
            "WHERE checked_out_at IS NOT NULL AND checked_out_at < checked_in_at"
        ).fetchall()
        if disordered:
            problems.append(f"check-out before check-in: {disordered[:5]}")
        orphans = conn.execute(
            "SELECT count(*) FROM scans WHERE visit_id IS NOT NULL "
            "AND visit_id NOT IN (SELECT id FROM visits)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} scan(s) name a missing visit")
    finally:
        conn.close()
    return problems
