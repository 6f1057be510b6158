"""The ``people`` report: per person, visits and hours in the month.

Visits count on their local check-in day; hours add up the closed visits (open ones have no
length yet). Visits whose person was anonymised share one last row, so the column totals
still match the ``visits`` and ``summary`` reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.reports.columns import check_language, decimal, label
from kiosk.reports.month import Month

_SQL = """
    SELECT p.member_id, p.guest_id, p.visits, p.minutes,
           CASE WHEN p.member_id IS NOT NULL
                THEN (CASE WHEN m.forgotten_at IS NULL THEN m.name END)
                ELSE (CASE WHEN g.anonymised_at IS NULL THEN g.name END) END AS person_name,
           CASE WHEN p.member_id IS NOT NULL THEN m.company ELSE g.company END,
           m.business_id
    FROM (
        SELECT CASE WHEN anonymised_at IS NULL THEN member_id END AS member_id,
               CASE WHEN anonymised_at IS NULL THEN guest_id END AS guest_id,
               count(*) AS visits,
               total((julianday(checked_out_at) - julianday(checked_in_at)) * 1440) AS minutes
        FROM visits
        WHERE checked_in_at >= :start AND checked_in_at < :end
        GROUP BY 1, 2
    ) AS p
    LEFT JOIN members AS m ON m.id = p.member_id
    LEFT JOIN guests AS g ON g.id = p.guest_id
    ORDER BY p.member_id IS NULL AND p.guest_id IS NULL, p.member_id IS NULL,
             lower(person_name), p.member_id, p.guest_id
"""


def people_rows(
    db: sqlite_utils.Database, month: Month, tz: ZoneInfo, language: str
) -> Iterator[list[Any]]:
    """Yield one row of :data:`kiosk.reports.columns.PEOPLE` per person who visited."""
    check_language(language)
    start, end = month.db_bounds(tz)
    for member_id, guest_id, visits, minutes, name, company, business_id in db.conn.execute(
        _SQL, {"start": start, "end": end}
    ):
        whole_minutes = round(minutes)
        if member_id is not None:
            person_id, kind = f"m{member_id}", label("member", language)
        elif guest_id is not None:
            person_id, kind, business_id = f"g{guest_id}", label("guest", language), None
        else:
            person_id, kind = None, label("anonymised", language)
            name = company = business_id = None
        yield [
            person_id,
            kind,
            name,
            company,
            business_id,
            visits,
            whole_minutes,
            decimal(whole_minutes / 60, language),
        ]
