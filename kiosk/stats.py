"""Statistics for the staff dashboard's charts: plain functions returning plain data.

Every function takes the database, ``now`` (an aware datetime, from the clock) and the kiosk's
time zone, and reads only a bounded window of recent rows through the ``checked_in_at``,
``member_id`` and ``answered_at`` indexes, so it costs the same on a month of data as on ten
years. Counting rules match the reports (:mod:`kiosk.reports`): a visit belongs to the local
day of its check-in; presence follows :mod:`kiosk.reports.presence`; anonymised visits count
as visits but not as unique visitors. Nothing here names a person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.errors import KioskError
from kiosk.reports.localtime import LocalTimeSql, epoch_sql
from kiosk.reports.month import Month
from kiosk.reports.presence import MAX_STAY_SECONDS, peaks_per_slot, presence_interval
from kiosk.timeutil import local_day_bounds, to_db
from kiosk.visit_window import visit_window

WARNING_RATIO = 0.8


class StatsError(KioskError, ValueError):
    """A statistic was asked for with arguments it cannot use."""


@dataclass(frozen=True, slots=True)
class Occupancy:
    """How many are present now against the capacity; ``level`` is ok, warning or full."""

    present: int
    capacity: int
    ratio: float
    level: str


@dataclass(frozen=True, slots=True)
class VisitCounts:
    """Visits checked in so far today, this ISO week and this month (local time)."""

    today: int
    this_week: int
    this_month: int


@dataclass(frozen=True, slots=True)
class UniqueVisitors:
    """Distinct people who visited from ``start`` until now; new ones had never visited before."""

    start: datetime
    unique: int
    new: int
    returning: int


@dataclass(frozen=True, slots=True)
class HourPoint:
    """The most people present at once during one local hour (None: the hour has not come)."""

    start: datetime  # local, aware
    peak: int | None


@dataclass(frozen=True, slots=True)
class Heatmap:
    """Average people present per weekday (0 = Monday) and local hour, over whole past days."""

    first_day: date
    last_day: date
    weeks: int
    cells: list[list[float]]  # cells[weekday][hour]


@dataclass(frozen=True, slots=True)
class MonthCount:
    """Visits checked in during one local month."""

    year: int
    month: int
    visits: int


@dataclass(frozen=True, slots=True)
class MoodPoint:
    """The mood of one ISO week; hidden (None) when fewer than the minimum group answered.

    ``index`` runs from 0 (everyone "Tosi raskasta") to 100 (everyone "Loistavaa").
    """

    week_start: date
    answers: int | None
    mean: float | None
    index: float | None
    suppressed: bool


def _count(db: sqlite_utils.Database, start: datetime, end: datetime) -> int:
    (count,) = db.conn.execute(
        "SELECT count(*) FROM visits WHERE checked_in_at >= ? AND checked_in_at < ?",
        (to_db(start), to_db(end)),
    ).fetchone()
    return int(count)


def _today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def occupancy_now(db: sqlite_utils.Database, now: datetime, capacity: int) -> Occupancy:
    """People checked in and not yet out at ``now``, against ``capacity`` (warning at 80 %)."""
    # The partial index visits_open holds only open visits, so this never scans history.
    (present,) = db.conn.execute(
        "SELECT count(*) FROM visits WHERE checked_out_at IS NULL AND checked_in_at <= ?",
        (to_db(now),),
    ).fetchone()
    ratio = present / capacity if capacity > 0 else 0.0
    level = "full" if ratio >= 1 else "warning" if ratio >= WARNING_RATIO else "ok"
    return Occupancy(present, capacity, ratio, level if capacity > 0 else "ok")


def visit_counts(db: sqlite_utils.Database, now: datetime, tz: ZoneInfo) -> VisitCounts:
    """Visits today, this week (from Monday) and this month, up to ``now``."""
    today = _today(now, tz)
    day_start = local_day_bounds(today, tz)[0]
    week_start = local_day_bounds(today - timedelta(days=today.weekday()), tz)[0]
    month_start = Month(today.year, today.month).utc_bounds(tz)[0]
    end = now + timedelta(microseconds=1)
    return VisitCounts(
        _count(db, day_start, end), _count(db, week_start, end), _count(db, month_start, end)
    )


def unique_visitors(
    db: sqlite_utils.Database, now: datetime, tz: ZoneInfo, period: str = "month"
) -> UniqueVisitors:
    """Distinct visitors since the start of this ``period`` (day, week or month), new and not.

    New ones made their first visit ever in the period: the mark decided at check-in, which
    the summary report's ``first_time_visitors`` counts too, so the two always agree.
    """
    today = _today(now, tz)
    if period == "day":
        first = today
    elif period == "week":
        first = today - timedelta(days=today.weekday())
    elif period == "month":
        first = today.replace(day=1)
    else:
        raise StatsError(f"period must be day, week or month, not {period!r}")
    start = local_day_bounds(first, tz)[0]
    window = visit_window(db, to_db(start), to_db(now + timedelta(microseconds=1)))
    unique = new = 0
    # One pass over the period's visits per kind of person, grouped by person: someone counts
    # if any of their visits is not anonymised, and is new if any of them is their first.
    # (Probing each person's first visit apart read the same rows a second time.)
    for column in ("member_id", "guest_id"):
        count, fresh = db.conn.execute(
            f"""
            SELECT count(*), total(fresh) FROM (
                SELECT max(anonymised_at IS NULL) AS named, max(first_visit = 1) AS fresh
                FROM {window.source} AND {column} IS NOT NULL
                GROUP BY {column})
            WHERE named
            """,  # noqa: S608 - the column name is one of our two constants
            window.params,
        ).fetchone()
        unique += int(count)
        new += int(fresh)
    return UniqueVisitors(start.astimezone(tz), unique, new, unique - new)


def hourly_occupancy(db: sqlite_utils.Database, now: datetime, tz: ZoneInfo) -> list[HourPoint]:
    """Today's curve: the peak number present in each local hour (23 or 25 on DST days)."""
    today = _today(now, tz)
    day_start, day_end = local_day_bounds(today, tz)
    first, last = day_start.timestamp(), day_end.timestamp()
    bounds = [first + 3600 * n for n in range(round((last - first) / 3600) + 1)]
    intervals = _intervals(db, day_start - timedelta(seconds=MAX_STAY_SECONDS), now, tz)
    peaks = peaks_per_slot(intervals, bounds)
    moment = now.timestamp()
    return [
        HourPoint(
            datetime.fromtimestamp(start, UTC).astimezone(tz), peak if start <= moment else None
        )
        for start, peak in zip(bounds, peaks, strict=False)
    ]


def _intervals(
    db: sqlite_utils.Database, start: datetime, now: datetime, tz: ZoneInfo
) -> list[tuple[float, float]]:
    """Presence intervals (UTC epoch seconds) of visits checked in from ``start`` until now."""
    today = _today(now, tz)
    first_day = start.astimezone(tz).date() - timedelta(days=1)
    midnights = [
        local_day_bounds(first_day + timedelta(days=n), tz)[0].timestamp()
        for n in range((today - first_day).days + 2)
    ]
    cursor = db.conn.execute(
        f"SELECT {epoch_sql('checked_in_at')}, {epoch_sql('checked_out_at')} FROM visits"  # noqa: S608
        " WHERE checked_in_at >= ? AND checked_in_at <= ?",
        (to_db(start), to_db(now)),
    )
    moment = now.timestamp()
    return [
        presence_interval(
            arrived, left if left is None or left <= moment else None, midnights, moment
        )
        for arrived, left in cursor
    ]


# hours_present()'s rule for each visit, in SQL, and the visits grouped by the hours in which
# their counted stays begin and end: Python then receives some 4,000 groups rather than 30,000
# visits (on the ten-year database), and making a Python row of each visit was a third of the
# chart's time. Each LIMIT -1 keeps its subquery a co-routine, so that a value is worked out
# once per visit rather than at every use.
_STAYS_BY_HOURS = """
SELECT moment / 3600, finish / 3600, count(*), sum(moment), sum(finish) FROM (
    SELECT max(arrived, :window_start) AS moment,
           min(coalesce(gone, (arrived / 86400 + 1) * 86400), arrived + :max_stay, :window_end)
               AS finish
    FROM (SELECT {arrived} AS arrived, {gone} AS gone FROM {source} LIMIT -1)
    LIMIT -1)
WHERE moment < finish
GROUP BY 1, 2
"""


def weekday_hour_heatmap(
    db: sqlite_utils.Database, now: datetime, tz: ZoneInfo, weeks: int = 8
) -> Heatmap:
    """Average people present per weekday and local hour over the last ``weeks`` whole weeks.

    The window ends at today's local midnight, so every weekday appears exactly ``weeks``
    times and a half-finished today does not drag its weekday down. The visits count as
    :func:`hours_present` counts them; SQLite works the rule out for each visit.
    """
    if weeks < 1:
        raise StatsError("weeks must be at least 1")
    today = _today(now, tz)
    first_day = today - timedelta(days=7 * weeks)
    start, end = local_day_bounds(first_day, tz)[0], local_day_bounds(today, tz)[0]
    local = LocalTimeSql(db.conn, tz, start - timedelta(seconds=MAX_STAY_SECONDS), end)
    window_start = _wall_seconds(first_day)
    window_end = _wall_seconds(today)
    window = visit_window(db, to_db(start), to_db(end))
    sql = _STAYS_BY_HOURS.format(
        arrived=local.epoch("checked_in_at"),
        gone=local.epoch("checked_out_at"),
        source=window.source,
    )
    stays = db.conn.execute(
        sql,
        {
            **local.params,
            **window.params,
            "window_start": window_start,
            "window_end": window_end,
            "max_stay": MAX_STAY_SECONDS,
        },
    )
    sums = _hours_of_stays(stays, window_start, window_end)
    cells = [[round(value / weeks, 2) for value in row] for row in sums]
    return Heatmap(first_day, today - timedelta(days=1), weeks, cells)


def hours_present(
    visits: Iterable[tuple[int, int | None]], window_start: int, window_end: int
) -> list[list[float]]:
    """Person-hours present per weekday (Monday first) and hour, from wall-clock visits.

    ``visits`` are (arrived, left) in wall-clock epoch seconds (the hour a person sees on the
    clock is the row), ``left`` None while still in; a stay counts until it ends, the end of its
    day or ``MAX_STAY_SECONDS``, whichever is first, and only within the window.

    This is the rule in plain Python; :func:`weekday_hour_heatmap` works it out in SQL, and
    the tests hold the two equal. The stays are grouped by the hours in which they begin and
    end, and each group adds its partial first and last hours directly and marks its whole
    hours in between in a difference array, so the cost is constant per visit however long
    the stay.
    """
    groups: dict[tuple[int, int], list[int]] = {}
    for arrived, left in visits:
        day_end = (arrived // 86_400 + 1) * 86_400
        finish = min(day_end if left is None else left, arrived + MAX_STAY_SECONDS, window_end)
        moment = max(arrived, window_start)
        if moment >= finish:
            continue
        group = groups.setdefault((moment // 3600, finish // 3600), [0, 0, 0])
        group[0] += 1
        group[1] += moment
        group[2] += finish
    stays = ((begin, end, *sums) for (begin, end), sums in groups.items())
    return _hours_of_stays(stays, window_start, window_end)


def _hours_of_stays(
    stays: Iterable[tuple[int, int, int, int, int]], window_start: int, window_end: int
) -> list[list[float]]:
    # ``stays``: (hour of the start, hour of the end, how many, sum of starts, sum of ends), in
    # wall-clock seconds and hours since 1970, each stay already cut to the window.
    first_hour = window_start // 3600
    span = max(0, (window_end - window_start) // 3600) + 1
    # Whole seconds, summed exactly: a float per piece would make the order of the visits
    # show in the last decimal.
    partial = [0] * span
    whole = [0] * (span + 1)
    for begin_hour, end_hour, count, starts, ends in stays:
        if begin_hour == end_hour:
            partial[begin_hour - first_hour] += ends - starts
            continue
        partial[begin_hour - first_hour] += count * (begin_hour + 1) * 3600 - starts
        whole[begin_hour + 1 - first_hour] += count
        whole[end_hour - first_hour] -= count
        partial[end_hour - first_hour] += ends - count * end_hour * 3600
    seconds = [[0] * 24 for _ in range(7)]
    running = 0
    for offset in range(span):
        running += whole[offset]
        present = running * 3600 + partial[offset]
        if present:
            hour = first_hour + offset
            # 1970-01-01 was a Thursday: hour 0 of the epoch is weekday 3 (Monday is 0).
            seconds[(hour // 24 + 3) % 7][hour % 24] += present
    return [[value / 3600 for value in row] for row in seconds]


def _wall_seconds(day: date) -> int:
    return (day - date(1970, 1, 1)).days * 86_400


def visits_per_month(
    db: sqlite_utils.Database, now: datetime, tz: ZoneInfo, months: int = 12
) -> list[MonthCount]:
    """Visits per local month for the last ``months`` months, the current one (so far) last."""
    today = _today(now, tz)
    year, month = today.year, today.month
    wanted: list[Month] = []
    for _ in range(months):
        wanted.append(Month(year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return [MonthCount(m.year, m.month, _count(db, *m.utc_bounds(tz))) for m in reversed(wanted)]


def mood_trend(
    db: sqlite_utils.Database,
    now: datetime,
    tz: ZoneInfo,
    weeks: int = 12,
    min_group_size: int = 5,
) -> list[MoodPoint]:
    """The mood index per ISO week for the last ``weeks`` complete weeks, last week last.

    A week with fewer than ``min_group_size`` answers is suppressed: its answers, mean and
    index are None, so a chart cannot show (or let anyone work out) a few people's moods.
    The week still running is never shown: watching its figure change as one person answers
    would reveal that person's mood, however many answered before.
    """
    today = _today(now, tz)
    monday = today - timedelta(days=today.weekday())
    points = []
    for back in range(weeks, 0, -1):
        first = monday - timedelta(days=7 * back)
        start = local_day_bounds(first, tz)[0]
        end = local_day_bounds(first + timedelta(days=6), tz)[1]
        answers, total = db.conn.execute(
            "SELECT count(*), total(mood) FROM mood_answers"
            " WHERE answered_at >= ? AND answered_at < ?",
            (to_db(start), to_db(min(end, now + timedelta(microseconds=1)))),
        ).fetchone()
        if answers < min_group_size:
            points.append(MoodPoint(first, None, None, None, True))
            continue
        mean = total / answers
        points.append(
            MoodPoint(first, answers, round(mean, 2), round((5 - mean) / 4 * 100, 1), False)
        )
    return points
