"""The ``moods`` report: per ISO week, how people said they were and what help they asked for.

Anonymous by construction: it reads only ``mood_answers`` and ``host_alerts``, never a person.
A week that crosses the month's edge counts only the answers given inside the month, so
adding up the months gives the year. Any cell below ``min_group_size`` (5) is shown as
``<5``; when one hidden mood cell could be worked out from the week's total, the smallest
shown mood cell is hidden too, and reads ``–`` (hidden to protect another cell; it may be
any size, so it must not read as small).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.reports.columns import MOODS_FIXED, TOPIC_OTHER, Column, check_language, topic_column
from kiosk.reports.month import Month
from kiosk.reports.suppression import COMPLEMENTARY, COMPLEMENTARY_MARK, SMALL, protect
from kiosk.settings import Settings
from kiosk.timeutil import local_day_bounds, to_db

DEFAULT_MIN_GROUP_SIZE = Settings().min_group_size
DEFAULT_TOPICS: tuple[str, ...] = Settings().help_topics
MOODS = (1, 2, 3, 4, 5)


def moods_columns(topics: Sequence[str] = DEFAULT_TOPICS) -> tuple[Column, ...]:
    """The columns of the moods report for the configured help ``topics``."""
    return (*MOODS_FIXED, *(topic_column(topic) for topic in topics), TOPIC_OTHER)


def week_windows(month: Month) -> list[tuple[date, date, date]]:
    """Per ISO week touching the month: its Monday, and the first and last day inside the month."""
    days = month.days()
    monday = days[0] - timedelta(days=days[0].weekday())
    windows = []
    while monday <= days[-1]:
        first = max(monday, days[0])
        last = min(monday + timedelta(days=6), days[-1])
        windows.append((monday, first, last))
        monday += timedelta(days=7)
    return windows


def _hide_small(counts: list[int], threshold: int) -> list[str | None]:
    """Per cell: None (shown), ``"small"`` or ``"complementary"`` (see :mod:`.suppression`)."""
    return protect(counts, threshold)


def moods_rows(
    db: sqlite_utils.Database,
    month: Month,
    tz: ZoneInfo,
    language: str,
    *,
    topics: Sequence[str] = DEFAULT_TOPICS,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> Iterator[list[Any]]:
    """Yield one row of :func:`moods_columns` per ISO week that touches the month."""
    check_language(language)
    hidden_text = f"<{min_group_size}"
    for monday, first, last in week_windows(month):
        start, end = to_db(local_day_bounds(first, tz)[0]), to_db(local_day_bounds(last, tz)[1])
        by_mood = dict(
            db.conn.execute(
                "SELECT mood, count(*) FROM mood_answers "
                "WHERE answered_at >= ? AND answered_at < ? GROUP BY mood",
                (start, end),
            ).fetchall()
        )
        moods = [by_mood.get(mood, 0) for mood in MOODS]
        answers = sum(moods)
        wants_chat = 0
        asked: Counter[str] = Counter()
        for chat, topic_json in db.conn.execute(
            "SELECT wants_chat, topics FROM host_alerts WHERE created_at >= ? AND created_at < ?",
            (start, end),
        ):
            wants_chat += 1 if chat else 0
            try:
                chosen = json.loads(topic_json or "[]")
            except ValueError:
                chosen = []  # a damaged row must not stop the month's report
            chosen = chosen if isinstance(chosen, list) else []
            for topic in {item for item in chosen if isinstance(item, str)}:
                asked[topic if topic in topics else "\x00other"] += 1

        if answers < min_group_size:
            mood_cells: list[Any] = [hidden_text] * (1 + len(MOODS))
        else:
            hidden = _hide_small(moods, min_group_size)
            shown_as = {None: None, SMALL: hidden_text, COMPLEMENTARY: COMPLEMENTARY_MARK}
            mood_cells = [answers] + [
                shown_as[h] or count for count, h in zip(moods, hidden, strict=True)
            ]
        others = [wants_chat, *(asked[t] for t in topics), asked["\x00other"]]
        iso_year, iso_week, _ = monday.isocalendar()
        yield [
            f"{iso_year}-W{iso_week:02d}",
            first.isoformat(),
            last.isoformat(),
            *mood_cells,
            *(hidden_text if count < min_group_size else count for count in others),
        ]
