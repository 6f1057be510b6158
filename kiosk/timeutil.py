"""Timestamps: stored as UTC ISO-8601 text with an offset, shown in the local zone.

All stored timestamps have the same fixed width (``2026-11-26T22:21:30.000000+00:00``), so
that text comparison in SQL orders them correctly and range queries can use indexes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def to_db(moment: datetime) -> str:
    """Format an aware datetime as the stored UTC text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; give a time zone")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    """Parse a stored timestamp back into an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """Convert an aware datetime to the given zone."""
    return moment.astimezone(tz)


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the UTC start and end of a local calendar day (23, 24 or 25 hours long)."""
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the UTC start and end of a local calendar month."""
    start = datetime(year, month, 1, tzinfo=tz)
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    end = datetime(next_year, next_month, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def repeated_hour_mark(moment: datetime, tz: ZoneInfo) -> str:
    """`` (UTC+3)`` when ``moment``'s local clock time happens twice (autumn), else ``""``.

    When the clocks go back, 03:30 in Helsinki happens once at UTC+3 and again at UTC+2; the
    offset tells the two apart wherever such a time is shown.
    """
    local = moment.astimezone(tz)
    twin = local.replace(fold=1 - local.fold)
    offset, other = local.utcoffset(), twin.utcoffset()
    if offset is None or other is None or offset == other:
        return ""
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f" (UTC{sign}{hours}:{rest:02d})" if rest else f" (UTC{sign}{hours})"
