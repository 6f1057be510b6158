"""The fire roll call: everyone present now, with check-in times, for a page and the printer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.timeutil import from_db, to_db
from kiosk.visits import present_visits


@dataclass(frozen=True)
class RollCallRow:
    """One person inside: name, company, check-in time (aware, local), member or guest."""

    visit_id: int
    name: str
    company: str
    checked_in: datetime
    kind: str
    host_name: str


def roll_call(db: sqlite_utils.Database, tz: ZoneInfo) -> list[RollCallRow]:
    """Return everyone checked in and not out, by name (the order a roll call is read in)."""
    rows = [
        RollCallRow(
            visit_id=row["visit_id"],
            name=row["name"] or "?",
            company=row["company"] or "",
            checked_in=from_db(row["checked_in_at"]).astimezone(tz),
            kind=row["kind"],
            host_name=row["host_name"] or "",
        )
        for row in present_visits(db)
    ]
    return sorted(rows, key=lambda row: (row.name.casefold(), row.checked_in))


def print_payload(
    rows: list[RollCallRow], now: datetime, tz: ZoneInfo, language: str = "fi"
) -> dict[str, Any]:
    """The payload of a ``roll_call`` print job (see :mod:`printer.rollcall`)."""
    made = now.astimezone(tz)
    return {
        "generated_text": made.strftime("%-d.%-m.%Y %H:%M"),
        "language": language if language in {"fi", "sv", "en"} else "fi",
        "people": [
            {
                "name": row.name,
                "checked_in": row.checked_in.strftime("%H:%M"),
                "company": row.company,
                "role": row.kind,
                "host": row.host_name,
            }
            for row in rows
        ],
    }


# A roll call belongs to one evacuation: after this long, ticking starts a new one.
ROLL_CALL_LIFETIME = timedelta(hours=3)


def start_roll_call(db: sqlite_utils.Database, now: datetime, by: str) -> int:
    """Begin a new roll call (nobody ticked yet); return its id."""
    return db["roll_calls"].insert({"started_at": to_db(now), "started_by": by}).last_pk


def current_roll_call(db: sqlite_utils.Database, now: datetime) -> int | None:
    """The roll call under way: the newest one started within ``ROLL_CALL_LIFETIME``."""
    rows = db.execute(
        "SELECT id FROM roll_calls WHERE started_at >= ? ORDER BY id DESC LIMIT 1",
        [to_db(now - ROLL_CALL_LIFETIME)],
    ).fetchall()
    return rows[0][0] if rows else None


def set_accounted(
    db: sqlite_utils.Database,
    roll_call_id: int,
    visit_id: int,
    accounted: bool,
    now: datetime,
    by: str,
) -> None:
    """Tick a person as accounted for, or take the tick away (idempotent either way)."""
    if accounted:
        db.execute(
            "INSERT OR IGNORE INTO roll_call_ticks (roll_call_id, visit_id, ticked_at, ticked_by)"
            " VALUES (?, ?, ?, ?)",
            [roll_call_id, visit_id, to_db(now), by],
        )
    else:
        db.execute(
            "DELETE FROM roll_call_ticks WHERE roll_call_id = ? AND visit_id = ?",
            [roll_call_id, visit_id],
        )


def accounted_visits(db: sqlite_utils.Database, roll_call_id: int | None) -> set[int]:
    """The visits ticked as accounted for in a roll call."""
    if roll_call_id is None:
        return set()
    rows = db.execute(
        "SELECT visit_id FROM roll_call_ticks WHERE roll_call_id = ?", [roll_call_id]
    ).fetchall()
    return {row[0] for row in rows}
