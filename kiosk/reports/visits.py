"""The ``visits`` report: one row per visit that checked in during the month.

Rule for time: a visit belongs to the local calendar day (and so the month) of its check-in.
A visit that spans midnight or a month end stays whole on its check-in day; its check-out date
is shown beside the check-out time. A time in the hour that happens twice when clocks go
back in autumn carries its UTC offset, ``03:30 (UTC+3)`` then ``03:30 (UTC+2)``. An open
visit (no check-out yet) has empty out and duration cells; a visit closed automatically at
closing time shows that time and the method ``automatic`` but an empty duration, since
nobody knows when the person really left.

Iterating :class:`VisitsRows` yields tuples: labels, neutralising and durations computed in
SQL, local times through a per-hour cache in Python; the ``csv`` module writes them. A month of
a busy space (15,000 visits) takes about 0.1 s with flat memory (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.reports.columns import check_language, label
from kiosk.reports.csvout import sql_neutralise
from kiosk.reports.localtime import LocalSplitter, RepeatedHours
from kiosk.reports.month import Month

# Check-outs normally fall on the check-in day; the local-time window reaches a month past
# the end so that a late check-out is still converted in SQL rather than by the fallback.
_CHECKOUT_MARGIN = timedelta(days=32)


_LABEL_WORDS = ("member", "guest", "anonymised", "card", "manual", "automatic", "guest_form")

_NAME = (
    "CASE WHEN v.anonymised_at IS NOT NULL THEN NULL "
    "WHEN v.member_id IS NOT NULL THEN (CASE WHEN m.forgotten_at IS NULL THEN m.name END) "
    "ELSE (CASE WHEN g.anonymised_at IS NULL THEN g.name END) END"
)
_COMPANY = (
    "CASE WHEN v.anonymised_at IS NOT NULL THEN NULL "
    "WHEN v.member_id IS NOT NULL THEN m.company ELSE g.company END"
)
_BUSINESS_ID = "CASE WHEN v.anonymised_at IS NULL THEN m.business_id END"
# A stay closed automatically at closing time has no known length (the person left at some
# unknown moment before): its duration stays empty unless the person told us when they left.
_DURATION = (
    "CASE WHEN v.checkout_method = 'automatic' AND NOT v.checkout_self_reported THEN NULL "
    "ELSE CAST(round((julianday(v.checked_out_at) - julianday(v.checked_in_at)) * 1440) "
    "AS INTEGER) END"
)
_PERSON_TYPE = (
    "CASE WHEN v.member_id IS NOT NULL THEN :member WHEN v.guest_id IS NOT NULL THEN :guest "
    "ELSE :anonymised END"
)
_CHECKIN = (
    "CASE v.checkin_method WHEN 'card' THEN :card WHEN 'guest' THEN :guest_form "
    "WHEN 'manual' THEN :manual ELSE v.checkin_method END"
)
_CHECKOUT = (
    "CASE v.checkout_method WHEN 'card' THEN :card WHEN 'manual' THEN :manual "
    "WHEN 'automatic' THEN :automatic ELSE v.checkout_method END"
)
_FROM = """
        FROM visits AS v
        LEFT JOIN members AS m ON m.id = v.member_id
        LEFT JOIN guests AS g ON g.id = v.guest_id
        LEFT JOIN events AS e ON e.id = v.event_id
"""
_MONTH = "v.checked_in_at >= :start AND v.checked_in_at < :end"


def visits_sql(where: str = _MONTH) -> str:
    """The reference SELECT; parameters: ``start``, ``end`` (or those of ``where``), labels."""
    # Built only from our own constants and expressions; values travel as parameters.
    return f"""
        SELECT
            v.id,
            v.checked_in_at,
            v.checked_out_at,
            {_DURATION},
            {_PERSON_TYPE},
            {sql_neutralise(_NAME)},
            {sql_neutralise(_COMPANY)},
            {sql_neutralise(_BUSINESS_ID)},
            {_CHECKIN},
            {_CHECKOUT},
            {sql_neutralise("e.title")}
        {_FROM}
        WHERE {where}
        ORDER BY v.checked_in_at, v.id
    """


class VisitsRows:
    """The month's visits: iterate for rows of :data:`kiosk.reports.columns.VISITS`.

    Text cells are already neutralised against formula injection. Each iteration runs its own
    query on a cursor of its own, read lazily.
    """

    def __init__(
        self, db: sqlite_utils.Database, month: Month, tz: ZoneInfo, language: str
    ) -> None:
        self.db, self.month, self.tz = db, month, tz
        self.language = check_language(language)
        start, end = month.utc_bounds(tz)
        self._window: tuple[datetime, datetime] = (start, end + _CHECKOUT_MARGIN)
        self._repeated = RepeatedHours.between(tz, *self._window)
        start_text, end_text = month.db_bounds(tz)
        self.params: dict[str, Any] = {"start": start_text, "end": end_text}
        self.params |= {word: label(word, language) for word in _LABEL_WORDS}

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return self._rows(visits_sql(), self.params)

    def _rows(self, sql: str, params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        split = LocalSplitter(self.tz, *self._window).split
        mark = self._repeated.mark
        for visit_id, checked_in, checked_out, *rest in self.db.conn.execute(sql, params):
            day_in, time_in = split(checked_in)
            day_out, time_out = split(checked_out)
            if time_in is not None:
                time_in += mark(checked_in)
            if time_out is not None:
                time_out += mark(checked_out)
            yield (visit_id, day_in, time_in, day_out, time_out, *rest)


def visits_rows(db: sqlite_utils.Database, month: Month, tz: ZoneInfo, language: str) -> VisitsRows:
    """The month's visits (see :class:`VisitsRows`); raises UnknownLanguage straight away."""
    return VisitsRows(db, month, tz, language)
