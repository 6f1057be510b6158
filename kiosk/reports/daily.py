"""The ``daily`` report: per local day, visits, unique people, peak occupancy, average stay.

Visits, unique people and average stay count each visit on its local check-in day (the same
rule as the ``visits`` report). Peak occupancy is physical: it counts everyone present at the
busiest moment of the day, so a visit that spans midnight is present on both days (see
:mod:`kiosk.reports.presence`). People are told apart as :mod:`kiosk.reports.facts` says, so
anonymising a visit changes no figure. A stay closed automatically at closing time has no
known length: it is left out of the average and counted in ``auto_checkouts`` instead. Every
day of the month has a row, quiet days too.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.reports.columns import WEEKDAYS, check_language
from kiosk.reports.facts import visit_facts
from kiosk.reports.month import Month
from kiosk.reports.presence import MAX_STAY_SECONDS, peaks_per_slot, presence_interval
from kiosk.timeutil import local_day_bounds, to_db

_SQL = """
    SELECT CAST(strftime('%s', checked_in_at) AS INTEGER),
           CAST(strftime('%s', checked_out_at) AS INTEGER)
    FROM visits
    WHERE checked_in_at >= :start AND checked_in_at < :end
"""


def day_bounds(month: Month, tz: ZoneInfo) -> list[float]:
    """Epoch seconds of every local midnight from the month's first day to the next month's."""
    days = month.days()
    return [local_day_bounds(day, tz)[0].timestamp() for day in days] + [
        local_day_bounds(days[-1], tz)[1].timestamp()
    ]


def daily_rows(
    db: sqlite_utils.Database, month: Month, tz: ZoneInfo, language: str
) -> Iterator[list[Any]]:
    """Yield one row of :data:`kiosk.reports.columns.DAILY` per day of the month."""
    check_language(language)
    days = month.days()
    bounds = day_bounds(month, tz)
    # One day of look-back finds the visits still present at the month's first midnight; the
    # midnights before it let open visits from then end at the end of their own day.
    before = [local_day_bounds(days[0] - timedelta(days=n), tz)[0].timestamp() for n in (2, 1)]
    lookback_bounds = [*before, *bounds]
    start, end = month.utc_bounds(tz)
    params = {"start": to_db(start - timedelta(seconds=MAX_STAY_SECONDS)), "end": to_db(end)}

    visits = [0] * len(days)
    people: list[set[str]] = [set() for _ in days]
    stay_total = [0.0] * len(days)
    stay_count = [0] * len(days)
    automatic = [0] * len(days)
    intervals = [
        presence_interval(checked_in, checked_out, lookback_bounds)
        for checked_in, checked_out in db.conn.execute(_SQL, params)
    ]
    for fact in visit_facts(db, *month.db_bounds(tz), tz):
        index = bisect_right(bounds, fact.checked_in.timestamp()) - 1
        visits[index] += 1
        if fact.person is not None:
            people[index].add(fact.person)
        automatic[index] += int(fact.automatic)
        minutes = fact.timed_minutes
        if minutes is not None:
            stay_total[index] += minutes * 60
            stay_count[index] += 1
    peaks = peaks_per_slot(intervals, bounds)

    names = WEEKDAYS[language]
    for index, day in enumerate(days):
        average = round(stay_total[index] / 60 / stay_count[index]) if stay_count[index] else None
        yield [
            day.isoformat(),
            names[day.weekday()],
            visits[index],
            len(people[index]),
            peaks[index],
            average,
            automatic[index],
        ]
