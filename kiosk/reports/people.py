"""The ``people`` report: per person, visits and hours in the month.

Visits count on their local check-in day. Hours add up the closed visits (open ones have no
length yet) except stays closed automatically at closing time, whose length is unknown: those
are counted in ``auto_checkouts`` instead. People are told apart as
:mod:`kiosk.reports.facts` says: a person whose visits were anonymised keeps a row of their
own, with the same figures and no name; visits that belong to no one the figures can tell
apart share one last row, so the column totals still match the ``visits`` and ``summary``
reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.reports.columns import check_language, decimal, label
from kiosk.reports.facts import visit_facts
from kiosk.reports.month import Month


@dataclass
class _Tally:
    visits: int = 0
    minutes: float = 0.0
    automatic: int = 0


def _named(db: sqlite_utils.Database, person: str) -> tuple[str, Any, Any, Any] | None:
    # A live key names its member (m12) or guest (g5); an anonymous one names no one.
    kind, number = person[0], person[1:]
    if kind == "m" and number.isdigit():
        row = db.conn.execute(
            "SELECT CASE WHEN forgotten_at IS NULL THEN name END, company, business_id "
            "FROM members WHERE id = ?",
            [int(number)],
        ).fetchone()
        return ("member", *row) if row else None
    if kind == "g" and number.isdigit():
        row = db.conn.execute(
            "SELECT CASE WHEN anonymised_at IS NULL THEN name END, company FROM guests "
            "WHERE id = ?",
            [int(number)],
        ).fetchone()
        return ("guest", row[0], row[1], None) if row else None
    return None


def people_rows(
    db: sqlite_utils.Database, month: Month, tz: ZoneInfo, language: str
) -> Iterator[list[Any]]:
    """Yield one row of :data:`kiosk.reports.columns.PEOPLE` per person who visited."""
    check_language(language)
    tallies: dict[str | None, _Tally] = {}
    for fact in visit_facts(db, *month.db_bounds(tz), tz):
        tally = tallies.setdefault(fact.person, _Tally())
        tally.visits += 1
        tally.automatic += int(fact.automatic)
        tally.minutes += fact.timed_minutes or 0.0

    rows = []
    for person, tally in tallies.items():
        named = _named(db, person) if person is not None else None
        if named is None:
            rank, person_id, kind = 2, None, "anonymised"
            name = company = business_id = None
        else:
            kind, name, company, business_id = named
            rank, person_id = (0 if kind == "member" else 1), person
        rows.append((rank, person is None, (name or "").casefold(), person or "", person_id,
                     kind, name, company, business_id, tally))  # fmt: skip
    rows.sort(key=lambda row: row[:4])
    for *_order, person_id, kind, name, company, business_id, tally in rows:
        whole_minutes = round(tally.minutes)
        yield [
            person_id,
            label(kind, language),
            name,
            company,
            business_id,
            tally.visits,
            whole_minutes,
            decimal(whole_minutes / 60, language),
            tally.automatic,
        ]
