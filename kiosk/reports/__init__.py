"""Monthly reports: the kinds, and writing one as CSV or xlsx to a file, a stream or HTTP.

Every kind is a plain function ``(db, month, tz, language) -> rows`` in its own module; this
module pairs each with its columns and writes CSV through :mod:`kiosk.reports.csvout` (or
xlsx through :mod:`kiosk.reports.xlsxout`). A report may cover a range of months: the rows of
each month follow one another under one header.

The time rule, for every kind: a month is cut at local midnight in the kiosk's time zone, and
a visit belongs to the local day, and so the month, of its check-in. A visit at 23:30 on the
last day of a month belongs to that month, in summer and in winter time alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.reports import columns as cols
from kiosk.reports.csvout import DEFAULT_DELIMITER, iter_csv_bytes, parse_delimiter, write_csv
from kiosk.reports.daily import daily_rows
from kiosk.reports.errors import (
    BadDelimiter,
    BadMonth,
    ReportError,
    UnknownKind,
    UnknownLanguage,
)
from kiosk.reports.events import events_rows
from kiosk.reports.indicators import indicators_rows
from kiosk.reports.month import Month, parse_month
from kiosk.reports.moods import DEFAULT_MIN_GROUP_SIZE, DEFAULT_TOPICS, moods_columns, moods_rows
from kiosk.reports.people import people_rows
from kiosk.reports.summary import summary_rows
from kiosk.reports.visits import visits_rows
from kiosk.reports.xlsxout import write_xlsx

__all__ = [
    "KINDS",
    "BadDelimiter",
    "BadMonth",
    "Month",
    "Report",
    "ReportError",
    "UnknownKind",
    "UnknownLanguage",
    "build_report",
    "iter_report_bytes",
    "parse_delimiter",
    "parse_month",
    "report_filename",
    "write_report",
    "write_report_xlsx",
]

KINDS = ("visits", "daily", "people", "moods", "events", "summary", "indicators")

RowsFunction = Callable[[sqlite_utils.Database, Month, ZoneInfo, str], Iterable[Sequence[Any]]]

_SIMPLE: dict[str, tuple[tuple[cols.Column, ...], RowsFunction]] = {
    "visits": (cols.VISITS, visits_rows),
    "daily": (cols.DAILY, daily_rows),
    "people": (cols.PEOPLE, people_rows),
    "events": (cols.EVENTS, events_rows),
    "summary": (cols.SUMMARY, summary_rows),
}


@dataclass(frozen=True)
class Report:
    """A report ready to write: its columns and a lazy iterable of rows."""

    kind: str
    month: Month
    language: str
    columns: tuple[cols.Column, ...]
    rows: Iterable[Sequence[Any]]
    neutralised: bool  # True when the rows were made formula-safe in SQL already
    last: Month | None = None  # the last month of a range; None for one month

    @property
    def period(self) -> str:
        """``2026-11``, or ``2023-09--2025-08`` for a range."""
        if self.last is None or self.last == self.month:
            return str(self.month)
        return f"{self.month}--{self.last}"

    @property
    def keys(self) -> list[str]:
        """The stable column keys."""
        return [column.key for column in self.columns]

    @property
    def header(self) -> list[str]:
        """The header row in the report's language."""
        return cols.headers(self.columns, self.language)


def build_report(
    db: sqlite_utils.Database,
    kind: str,
    month: Month,
    tz: ZoneInfo,
    language: str = "fi",
    *,
    help_topics: Sequence[str] = DEFAULT_TOPICS,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    project_start: Month | None = None,
    last: Month | None = None,
) -> Report:
    """Prepare the ``kind`` report for ``month`` (to ``last``, for a range of months).

    No rows are read until they are iterated. Raises :class:`UnknownKind`,
    :class:`UnknownLanguage` or :class:`BadMonth` before touching the database.
    """
    cols.check_language(language)
    if last is not None and last != month:
        if last < month:
            raise BadMonth(f"the range must run forwards: {month} is after {last}")
        months = list(_months(month, last))
        parts = [
            build_report(db, kind, each, tz, language, help_topics=help_topics,
                         min_group_size=min_group_size, project_start=project_start)
            for each in months
        ]  # fmt: skip
        rows = _chain(parts)
        return Report(kind, month, language, parts[0].columns, rows, parts[0].neutralised, last)
    if kind == "indicators":
        rows = indicators_rows(
            db, month, tz, language, project_start=project_start, min_group_size=min_group_size
        )
        return Report(kind, month, language, cols.INDICATORS, rows, False)
    if kind == "moods":
        rows: Iterable[Sequence[Any]] = moods_rows(
            db, month, tz, language, topics=help_topics, min_group_size=min_group_size
        )
        return Report(kind, month, language, moods_columns(help_topics), rows, False)
    if kind not in _SIMPLE:
        raise UnknownKind(f"report kind must be one of {', '.join(KINDS)}, not {kind!r}")
    columns, function = _SIMPLE[kind]
    return Report(
        kind, month, language, columns, function(db, month, tz, language), kind == "visits"
    )


def _months(first: Month, last: Month) -> Iterator[Month]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield Month(year, month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _chain(parts: list[Report]) -> Iterator[Sequence[Any]]:
    for part in parts:
        yield from part.rows


def write_report(report: Report, stream: IO[bytes], *, delimiter: str = DEFAULT_DELIMITER) -> None:
    """Write ``report`` as CSV (BOM, header, rows) to the binary ``stream``, streaming."""
    write_csv(
        stream, report.header, report.rows, delimiter=delimiter, neutralised=report.neutralised
    )


def write_report_xlsx(report: Report, stream: IO[bytes]) -> None:
    """Write ``report`` as an Excel workbook (one sheet, typed cells) to ``stream``."""
    write_xlsx(
        stream,
        f"{report.kind} {report.period}",
        report.columns,
        report.header,
        report.rows,
        neutralised=report.neutralised,
    )


def iter_report_bytes(report: Report, *, delimiter: str = DEFAULT_DELIMITER) -> Iterator[bytes]:
    """Yield ``report`` as CSV bytes in chunks, for a streamed HTTP response."""
    return iter_csv_bytes(
        report.header, report.rows, delimiter=delimiter, neutralised=report.neutralised
    )


def report_filename(
    kind: str,
    month: Month,
    language: str = "fi",
    *,
    last: Month | None = None,
    extension: str = "csv",
) -> str:
    """A download name such as ``tankkaamo-visits-2026-11-fi.csv``."""
    if kind not in KINDS:
        raise UnknownKind(f"report kind must be one of {', '.join(KINDS)}, not {kind!r}")
    period = str(month) if last is None or last == month else f"{month}--{last}"
    return f"tankkaamo-{kind}-{period}-{cols.check_language(language)}.{extension}"
