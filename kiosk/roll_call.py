"""The fire roll call: everyone present now, with check-in times, for a page and the printer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.timeutil import from_db
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
