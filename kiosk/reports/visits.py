"""The ``visits`` report: one row per visit that checked in during the month.

Rule for time: a visit belongs to the local calendar day (and so the month) of its check-in.
A visit that spans midnight or a month end stays whole on its check-in day; its check-out date
is shown beside the check-out time. An open visit (no check-out yet) has empty out and
duration cells. Labels, neutralising and durations are computed in SQL and local times
through a per-hour cache, so a month of visits streams into the CSV writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.reports.columns import check_language, label
from kiosk.reports.csvout import sql_neutralise
from kiosk.reports.localtime import LocalSplitter
from kiosk.reports.month import Month

# Check-outs normally fall on the check-in day; the local-time window reaches a month past
# the end so that a late check-out is still converted in SQL rather than by the fallback.
_CHECKOUT_MARGIN = timedelta(days=32)


def visits_sql() -> str:
    """The report's SELECT; parameters: ``start``, ``end`` and the labels."""
    name = (
        "CASE WHEN v.anonymised_at IS NOT NULL THEN NULL "
        "WHEN v.member_id IS NOT NULL THEN (CASE WHEN m.forgotten_at IS NULL THEN m.name END) "
        "ELSE (CASE WHEN g.anonymised_at IS NULL THEN g.name END) END"
    )
    company = (
        "CASE WHEN v.anonymised_at IS NOT NULL THEN NULL "
        "WHEN v.member_id IS NOT NULL THEN m.company ELSE g.company END"
    )
    # Built only from our own constants and expressions; values travel as parameters.
    return f"""
        SELECT
            v.id,
            v.checked_in_at,
            v.checked_out_at,
            CAST(round((julianday(v.checked_out_at) - julianday(v.checked_in_at)) * 1440)
                 AS INTEGER),
            CASE WHEN v.member_id IS NOT NULL THEN :member
                 WHEN v.guest_id IS NOT NULL THEN :guest
                 ELSE :anonymised END,
            {sql_neutralise(name)},
            {sql_neutralise(company)},
            {sql_neutralise("CASE WHEN v.anonymised_at IS NULL THEN m.business_id END")},
            CASE v.checkin_method WHEN 'card' THEN :card WHEN 'guest' THEN :guest_form
                 WHEN 'manual' THEN :manual ELSE v.checkin_method END,
            CASE v.checkout_method WHEN 'card' THEN :card WHEN 'manual' THEN :manual
                 WHEN 'automatic' THEN :automatic ELSE v.checkout_method END,
            {sql_neutralise("e.title")}
        FROM visits AS v
        LEFT JOIN members AS m ON m.id = v.member_id
        LEFT JOIN guests AS g ON g.id = v.guest_id
        LEFT JOIN events AS e ON e.id = v.event_id
        WHERE v.checked_in_at >= :start AND v.checked_in_at < :end
        ORDER BY v.checked_in_at, v.id
    """  # noqa: S608


def visits_rows(
    db: sqlite_utils.Database, month: Month, tz: ZoneInfo, language: str
) -> Iterator[tuple[Any, ...]]:
    """Yield the month's visits as rows of :data:`kiosk.reports.columns.VISITS`.

    Text cells are already neutralised against formula injection.
    """
    check_language(language)
    start, end = month.utc_bounds(tz)
    local = LocalSplitter(tz, start, end + _CHECKOUT_MARGIN)
    start_text, end_text = month.db_bounds(tz)
    params: dict[str, Any] = {
        "start": start_text,
        "end": end_text,
        **{
            word: label(word, language)
            for word in ("member", "guest", "anonymised", "card", "manual", "automatic")
        },
        "guest_form": label("guest_form", language),
    }
    split = local.split
    # A cursor of its own, read lazily: rows never pile up in memory.
    for visit_id, checked_in, checked_out, *rest in db.conn.execute(visits_sql(), params):
        yield (visit_id, *split(checked_in), *split(checked_out), *rest)
