"""The state that devices (scanner, printer) report, and the health summary built from it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from kiosk.db import free_disk_bytes
from kiosk.timeutil import from_db, to_db

HEARTBEAT_STALE_AFTER = timedelta(seconds=60)
DEVICE_STATES = ("ok", "no_camera", "error", "offline", "paper_out", "unknown")


def record_device_state(
    db: sqlite_utils.Database, device: str, kind: str, state: str, detail: str, now: datetime
) -> None:
    """Store the latest state a device reported."""
    db["device_status"].upsert(
        {
            "device": device,
            "kind": kind,
            "state": state,
            "detail": detail,
            "updated_at": to_db(now),
        },
        pk="device",
    )


def device_states(db: sqlite_utils.Database, now: datetime) -> list[dict[str, Any]]:
    """Return every device's last state, marking scanners whose heartbeat stopped as stale."""
    rows = list(db.query("SELECT * FROM device_status ORDER BY kind, device"))
    for row in rows:
        age = now - from_db(row["updated_at"])
        row["age_seconds"] = int(age.total_seconds())
        row["stale"] = row["kind"] == "scanner" and age > HEARTBEAT_STALE_AFTER
    return rows


def _worst_scanner_state(scanners: list[dict[str, Any]]) -> str:
    # With several doors, one dead scanner must show even while another is fine.
    if not scanners:
        return "missing"
    if any(s["stale"] for s in scanners):
        return "stale"
    problems = [s["state"] for s in scanners if s["state"] != "ok"]
    return problems[0] if problems else "ok"


# A check-in writes a few pages; below this much free space SQLite soon answers "disk full".
DEFAULT_MIN_FREE_BYTES = 20 * 1024 * 1024


def health(
    db: sqlite_utils.Database, now: datetime, *, min_free_bytes: int = DEFAULT_MIN_FREE_BYTES
) -> dict[str, Any]:
    """Summarise the database, scanners and printer; ``ok`` is whether check-in works.

    A database that answers but sits on a full disk cannot take a check-in, so the free
    space of its file system counts too.
    """
    database: dict[str, Any] = {"ok": True}
    try:
        db.execute("SELECT count(*) FROM visits WHERE checked_out_at IS NULL").fetchone()
        free = free_disk_bytes(db)
    except Exception as exc:
        database = {"ok": False, "error": str(exc)}
    else:
        if free is not None and free < min_free_bytes:
            database = {"ok": False, "error": "disk full", "free_bytes": free}
    states = device_states(db, now) if database["ok"] else []
    scanners = [s for s in states if s["kind"] == "scanner"]
    printers = [s for s in states if s["kind"] == "printer"]
    return {
        "ok": database["ok"],
        "database": database,
        "scanner": {"state": _worst_scanner_state(scanners), "devices": scanners},
        "printer": {"state": printers[0]["state"] if printers else "unknown", "devices": printers},
    }
