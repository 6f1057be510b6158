"""A calendar month in the kiosk's time zone, and its bounds as stored UTC text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.reports.errors import BadMonth
from kiosk.timeutil import local_month_bounds, to_db

_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month; its days are cut at local midnight in the zone it is used with."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise BadMonth(f"month must be 01..12, not {self.month:02d}")
        if not 1900 <= self.year <= 9998:
            raise BadMonth(f"year {self.year} is out of range")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        """The first calendar day of the month."""
        return date(self.year, self.month, 1)

    def days(self) -> list[date]:
        """Every calendar day of the month, in order."""
        day, result = self.first_day, []
        while day.month == self.month:
            result.append(day)
            day += timedelta(days=1)
        return result

    def utc_bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The UTC start (inclusive) and end (exclusive) of the month in ``tz``."""
        return local_month_bounds(self.year, self.month, tz)

    def db_bounds(self, tz: ZoneInfo) -> tuple[str, str]:
        """The same bounds as stored text, for indexed ``>= start AND < end`` comparisons."""
        start, end = self.utc_bounds(tz)
        return to_db(start), to_db(end)

    @classmethod
    def containing(cls, moment: datetime, tz: ZoneInfo) -> Month:
        """The month that ``moment`` falls in, in ``tz``."""
        here = moment.astimezone(tz)
        return cls(here.year, here.month)


def parse_month(text: str) -> Month:
    """Parse ``YYYY-MM`` (as the CLI takes it) into a :class:`Month`; raise :class:`BadMonth`."""
    match = _MONTH_RE.fullmatch(text.strip())
    if not match:
        raise BadMonth(f"month must look like 2026-11 (YYYY-MM), not {text!r}")
    return Month(int(match.group(1)), int(match.group(2)))
