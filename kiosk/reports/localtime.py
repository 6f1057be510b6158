"""Local time inside SQL, so that large reports never convert timestamps row by row in Python.

SQLite knows nothing of time zones, but within a bounded window a zone is only a handful of
fixed UTC offsets separated by transitions (Helsinki: at most one inside a month). We find
those transitions once, in Python, and hand SQLite a ``CASE`` that picks the offset by
comparing the stored fixed-width UTC text. Timestamps outside the window (a check-out weeks
later, say) fall through to a Python function registered on the connection, so every answer
stays right; only the speed differs.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from kiosk.timeutil import from_db, to_db

OFFSET_FUNCTION = "kiosk_utc_offset_seconds"

# Whole UTC seconds since 1970 of a stored timestamp, or NULL. unixepoch() (SQLite 3.38+) gives
# the same integer as CAST(strftime('%s', …) AS INTEGER) (same rounding to the millisecond, then
# down to the second) without writing it as text and parsing that back: on the dashboard
# heatmap's 30,000 visits the round trip was a sixth of the chart's time.
EPOCH_SQL = (
    "unixepoch({column})"
    if sqlite3.sqlite_version_info >= (3, 38)
    else "CAST(strftime('%s', {column}) AS INTEGER)"
)


def epoch_sql(column: str) -> str:
    """An SQL expression for the whole UTC seconds since 1970 in ``column`` (NULL stays NULL)."""
    # ``column`` is always one of our own trusted column names, never user input.
    return EPOCH_SQL.format(column=column)


@dataclass(frozen=True, slots=True)
class Segment:
    """From ``start`` (inclusive) to ``end`` (exclusive), as stored UTC text, at ``offset``."""

    start: str
    end: str
    offset: int  # seconds east of UTC


def _offset(tz: ZoneInfo, moment: datetime) -> int:
    delta = moment.astimezone(tz).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def offset_segments(tz: ZoneInfo, start: datetime, end: datetime) -> list[Segment]:
    """Split ``[start, end)`` (aware datetimes) into spans of constant UTC offset in ``tz``."""
    first, last = int(start.timestamp()), int(end.timestamp())

    def offset_at(second: int) -> int:
        return _offset(tz, datetime.fromtimestamp(second, UTC))

    cuts: list[int] = []
    current = offset_at(first)
    # Zones change offset at most a few times a year, never twice within a day, so a daily
    # walk finds every transition and a bisection on whole seconds pins it down exactly.
    probe = first
    while probe < last - 1:
        step = min(probe + 86_400, last - 1)
        if offset_at(step) != current:
            low, high = probe, step  # offset_at(low) == current, offset_at(high) differs
            while high - low > 1:
                middle = (low + high) // 2
                if offset_at(middle) == current:
                    low = middle
                else:
                    high = middle
            cuts.append(high)
            current = offset_at(high)
        probe = step
    bounds = [first, *cuts, last]
    return [
        Segment(
            to_db(datetime.fromtimestamp(a, UTC)),
            to_db(datetime.fromtimestamp(b, UTC)),
            offset_at(a),
        )
        for a, b in zip(bounds, bounds[1:], strict=False)
        if b > a
    ]


def offset_mark(offset: int) -> str:
    """`` (UTC+3)`` for an offset in seconds; minutes only when there are any."""
    sign = "+" if offset >= 0 else "-"
    hours, rest = divmod(abs(offset) // 60, 60)
    return f" (UTC{sign}{hours}:{rest:02d})" if rest else f" (UTC{sign}{hours})"


@dataclass(frozen=True, slots=True)
class RepeatedHours:
    """The stored-UTC spans whose local clock time happens twice (autumn), with their marks.

    When clocks go back, 03:30 local happens twice in Helsinki; a time shown from these spans
    carries its UTC offset, `` (UTC+3)`` or `` (UTC+2)``, so it is never ambiguous.
    """

    spans: tuple[tuple[str, str, str], ...]  # (start, end, mark), stored UTC text

    @classmethod
    def between(cls, tz: ZoneInfo, start: datetime, end: datetime) -> RepeatedHours:
        """The repeated spans of ``tz`` in ``[start, end)``."""
        segments = offset_segments(tz, start.astimezone(UTC), end.astimezone(UTC))
        spans = []
        for before, after in zip(segments, segments[1:], strict=False):
            back = before.offset - after.offset
            if back <= 0:
                continue
            turn = from_db(after.start)
            spans.append((to_db(turn - timedelta(seconds=back)), after.start,
                          offset_mark(before.offset)))  # fmt: skip
            spans.append((after.start, to_db(turn + timedelta(seconds=back)),
                          offset_mark(after.offset)))  # fmt: skip
        return cls(tuple(spans))

    def mark(self, text: str | None) -> str:
        """The mark for a stored timestamp: its offset inside a repeated span, else ``""``."""
        if text is None:
            return ""
        for start, end, mark in self.spans:
            if start <= text < end:
                return mark
        return ""


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _offset_of_text(text: str | None, zone_name: str) -> int | None:
    if text is None:
        return None
    return _offset(_zone(zone_name), from_db(text))


def register(conn: sqlite3.Connection) -> None:
    """Register the fallback functions on ``conn`` (harmless to repeat)."""
    conn.create_function(OFFSET_FUNCTION, 2, _offset_of_text, deterministic=True)


class LocalTimeSql:
    """SQL expressions that turn stored UTC text columns into local time, for one window.

    ``params`` must be passed along with any statement that uses the expressions.
    """

    def __init__(
        self, conn: sqlite3.Connection, tz: ZoneInfo, start: datetime, end: datetime
    ) -> None:
        register(conn)
        self.segments = offset_segments(tz, start.astimezone(UTC), end.astimezone(UTC))
        self.params: dict[str, object] = {"lt_zone": tz.key}
        for index, segment in enumerate(self.segments):
            self.params[f"lt_s{index}"] = segment.start
            self.params[f"lt_e{index}"] = segment.end
            self.params[f"lt_o{index}"] = segment.offset

    def offset(self, column: str) -> str:
        """An SQL expression for the UTC offset, in seconds, at the time in ``column``."""
        # ``column`` is always one of our own trusted column names, never user input.
        branches = " ".join(
            f"WHEN {column} >= :lt_s{i} AND {column} < :lt_e{i} THEN :lt_o{i}"
            for i in range(len(self.segments))
        )
        return f"(CASE {branches} ELSE {OFFSET_FUNCTION}({column}, :lt_zone) END)"

    def format(self, column: str, pattern: str) -> str:
        """An SQL expression formatting ``column`` in local time with strftime ``pattern``."""
        return f"strftime('{pattern}', {column}, {self.offset(column)} || ' seconds')"

    def epoch(self, column: str) -> str:
        """Local wall-clock seconds since 1970 (UTC epoch plus the offset), or NULL."""
        return f"({epoch_sql(column)} + {self.offset(column)})"


class LocalSplitter:
    """Turns stored UTC text into local ``(YYYY-MM-DD, HH:MM)`` in Python, fast, for one window.

    Within a window where the zone's offsets are whole hours (Helsinki's always are), the
    local date and hour depend only on the UTC date and hour, and the minutes carry over; so
    one real conversion per UTC hour serves every row in it. Other zones key on the minute,
    and offsets with seconds (local mean time) are converted row by row.
    """

    def __init__(self, tz: ZoneInfo, start: datetime, end: datetime) -> None:
        segments = offset_segments(tz, start.astimezone(UTC), end.astimezone(UTC))
        self._tz = tz
        # Helsinki's local mean time (UTC+1:39:49, until 1921) is not even whole minutes:
        # there the seconds decide the minute, so nothing is cached.
        if all(s.offset % 3600 == 0 for s in segments):
            self._width = 13
        elif all(s.offset % 60 == 0 for s in segments):
            self._width = 16
        else:
            self._width = 0  # no cache: convert every time
        self._cache: dict[str, tuple[str, str]] = {}

    def split(self, text: str | None) -> tuple[str | None, str | None]:
        """The local date and ``HH:MM`` of a stored timestamp (``(None, None)`` for None)."""
        if text is None:
            return None, None
        if not self._width:
            here = from_db(text).astimezone(self._tz)
            return here.date().isoformat(), here.strftime("%H:%M")
        key = text[: self._width]
        known = self._cache.get(key)
        if known is None:
            here = from_db(text).astimezone(self._tz)
            known = (here.date().isoformat(), here.strftime("%H" if self._width == 13 else "%H:%M"))
            self._cache[key] = known
        if self._width == 13:
            return known[0], known[1] + text[13:16]
        return known
