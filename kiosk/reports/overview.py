"""The month at a glance, for the steering group's report page: figures, no Flask.

Everything here is read from the same sources as the CSV reports (summary, events,
indicators), so the page and the files always agree. Mood figures follow the moods report's
rule: a week with fewer answers than the minimum group size is hidden, and so is a week not
over yet (its figure would move as each person answered).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.reports import columns as cols
from kiosk.reports.events import events_rows
from kiosk.reports.facts import visit_facts
from kiosk.reports.indicators import indicators_rows
from kiosk.reports.month import Month
from kiosk.reports.moods import week_windows
from kiosk.reports.summary import summary_rows
from kiosk.timeutil import local_day_bounds, to_db


@dataclass(frozen=True)
class WeekVisits:
    """One ISO week of the month (cut at the month's edges)."""

    week: str  # 2026-W45
    first: date
    last: date
    visits: int
    people: int


@dataclass(frozen=True)
class WeekMood:
    """The mood index of one week; None when hidden."""

    week: str
    first: date
    answers: int | None
    index: float | None


@dataclass
class MonthOverview:
    """What the steering group's page shows for one month."""

    month: Month
    summary: dict[str, Any]
    weeks: list[WeekVisits]
    events: list[dict[str, Any]]
    moods: list[WeekMood]
    indicators: list[list[Any]]
    min_group_size: int
    hidden_mood_weeks: int = field(default=0)


def _week_name(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def month_overview(
    db: sqlite_utils.Database,
    month: Month,
    tz: ZoneInfo,
    now: datetime,
    language: str,
    *,
    project_start: Month | None,
    min_group_size: int,
) -> MonthOverview:
    """Gather the month's figures for the report page."""
    summary = dict(zip([c.key for c in cols.SUMMARY], next(summary_rows(db, month, tz, language)),
                       strict=True))  # fmt: skip
    events = [
        dict(zip([c.key for c in cols.EVENTS], row, strict=True))
        for row in events_rows(db, month, tz, language)
    ]
    facts = visit_facts(db, *month.db_bounds(tz), tz)
    weeks, moods = [], []
    for monday, first, last in week_windows(month):
        start, end = local_day_bounds(first, tz)[0], local_day_bounds(last, tz)[1]
        inside = [f for f in facts if start <= f.checked_in < end]
        weeks.append(
            WeekVisits(_week_name(monday), first, last, len(inside),
                       len({f.person for f in inside if f.person is not None}))
        )  # fmt: skip
        answers, total = db.conn.execute(
            "SELECT count(*), total(mood) FROM mood_answers "
            "WHERE answered_at >= ? AND answered_at < ?",
            (to_db(start), to_db(end)),
        ).fetchone()
        if answers < min_group_size or end > now:
            moods.append(WeekMood(_week_name(monday), first, None, None))
        else:
            mean = total / answers
            moods.append(WeekMood(_week_name(monday), first, answers,
                                  round((5 - mean) / 4 * 100, 1)))  # fmt: skip
    indicators = list(
        indicators_rows(db, month, tz, language, project_start=project_start,
                        min_group_size=min_group_size)
    )  # fmt: skip
    return MonthOverview(
        month=month,
        summary=summary,
        weeks=weeks,
        events=events,
        moods=moods,
        indicators=indicators,
        min_group_size=min_group_size,
        hidden_mood_weeks=sum(1 for m in moods if m.index is None),
    )
