"""The ``visits`` report: one row per visit that checked in during the month.

Rule for time: a visit belongs to the local calendar day (and so the month) of its check-in.
A visit that spans midnight or a month end stays whole on its check-in day; its check-out date
is shown beside the check-out time. A time in the hour that happens twice when clocks go
back in autumn carries its UTC offset, ``03:30 (UTC+3)`` then ``03:30 (UTC+2)``. An open
visit (no check-out yet) has empty out and duration cells; a visit closed automatically at
closing time shows that time and the method ``automatic`` but an empty duration, since
nobody knows when the person really left.

Two ways to read the same rows:

* Iterating :class:`VisitsRows` yields tuples (labels, neutralising and durations computed in
  SQL, local times through a per-hour cache in Python). This is the reference path.
* :meth:`VisitsRows.csv_chunks` is what the CSV writer uses: SQL builds each whole row as one
  line, local times included, so per row only one bytes object crosses into Python. Python
  then checks a few hundred lines at a time with C-speed counts and writes them unchanged;
  only a line holding a quote, a line break or the delimiter is split and quoted by the
  ``csv`` module, so the bytes are those of the reference path (tests compare the two).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.reports.columns import VISITS, check_language, label
from kiosk.reports.csvout import LINE_END, csv_writer, sql_neutralise
from kiosk.reports.localtime import LocalMinuteSql, LocalSplitter, RepeatedHours
from kiosk.reports.month import Month

# Check-outs normally fall on the check-in day; the local-time window reaches a month past
# the end so that a late check-out is still converted in SQL rather than by the fallback.
_CHECKOUT_MARGIN = timedelta(days=32)

# SQL separates the cells of a line with this control character, so the lines do not depend
# on the delimiter; a chunk holding none of the characters that need quoting is written with
# one ``bytes.replace``. A cell that itself holds it sends its row to the reference path.
SEPARATOR = "\x1f"
_FAST_DELIMITERS = frozenset(",;\t|")
# Speed is the same from 250 to 2000 lines a chunk; 250 keeps the peak near 0.3 MB.
_ROWS_PER_FETCH = 250
_CELLS = len(VISITS)

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


def _cell(expression: str) -> str:
    # User text goes through || rather than printf(), which would stop at a NUL character.
    return f"coalesce({sql_neutralise(expression)}, '')"


def visits_lines_sql(local: LocalMinuteSql, repeated: RepeatedHours | None = None) -> str:
    """The SELECT that yields each row as one line (bytes), cells separated by ``SEPARATOR``.

    Parameters: those of :func:`visits_sql`, ``local.params`` and :func:`lines_params`.

    * A member's three cells (name, company, business ID) are built once per member, not
      once per visit: ``people`` is materialised from the whole members table (small by
      nature: hundreds or a few thousand rows) and joined through an automatic index.
      Guests mostly come once, so theirs are built per visit.
    * The inner query evaluates every value once; ``LIMIT -1 OFFSET 0`` keeps SQLite from
      flattening it into the outer query (which would repeat each expression wherever the
      outer one names it), so it runs as a co-routine and the rows stream in index order.
    """
    sep = ":lines_sep"
    none = f"{sep} || {sep}"  # three empty cells
    member = (
        f"(CASE WHEN m.forgotten_at IS NULL THEN {_cell('m.name')} ELSE '' END) || {sep} || "
        f"{_cell('m.company')} || {sep} || {_cell('m.business_id')}"
    )
    guest = (
        f"(CASE WHEN g.anonymised_at IS NULL THEN {_cell('g.name')} ELSE '' END) || {sep} || "
        f"{_cell('g.company')} || {sep}"
    )
    people = (
        f"CASE WHEN v.anonymised_at IS NOT NULL THEN {none} "
        f"WHEN v.member_id IS NOT NULL THEN coalesce(p.cells, {none}) ELSE {guest} END"
    )
    repeated = repeated or RepeatedHours(())
    mark_in, _ = repeated.sql("v.checked_in_at", "rhi")
    mark_out, _ = repeated.sql("v.checked_out_at", "rho")
    return f"""
        WITH people AS MATERIALIZED (SELECT m.id AS id, {member} AS cells FROM members AS m)
        SELECT CAST(
            printf(:lines_format, id, lin, substr(lin, 12, 5) || min, lout,
                   substr(lout, 12, 5) || mout, dur, ptype)
            || people || methods || {_cell("title")} || :lines_end
        AS BLOB)
        FROM (
            SELECT
                v.id AS id,
                {local.expression("v.checked_in_at")} AS lin,
                {local.expression("v.checked_out_at")} AS lout,
                {mark_in} AS min,
                {mark_out} AS mout,
                {_DURATION} AS dur,
                {_PERSON_TYPE} AS ptype,
                {people} AS people,
                {_methods_sql()} AS methods,
                e.title AS title
            FROM visits AS v
            LEFT JOIN people AS p ON p.id = v.member_id
            LEFT JOIN guests AS g ON g.id = v.guest_id
            LEFT JOIN events AS e ON e.id = v.event_id
            WHERE {_MONTH}
            ORDER BY v.checked_in_at, v.id
            LIMIT -1 OFFSET 0
        )
    """  # noqa: S608


# The two method cells, and the separators around them, as one parameter per pair of codes
# the schema allows: a lookup instead of a printf() per row. Anything else takes printf().
_CHECKIN_CODES = {"card": "card", "guest": "guest_form", "manual": "manual"}
_CHECKOUT_CODES = {"card": "card", "manual": "manual", "automatic": "automatic", "": None}


def _methods_sql() -> str:
    fallback = f"printf(:lines_methods, {_CHECKIN}, {_CHECKOUT})"
    outer = []
    for i, checkin in enumerate(_CHECKIN_CODES):
        inner = " ".join(
            f"WHEN '{checkout}' THEN :lines_m{i}_{j}" for j, checkout in enumerate(_CHECKOUT_CODES)
        )
        outer.append(
            f"WHEN '{checkin}' THEN "
            f"(CASE coalesce(v.checkout_method, '') {inner} ELSE {fallback} END)"
        )
    return f"(CASE v.checkin_method {' '.join(outer)} ELSE {fallback} END)"


def lines_params(language: str) -> dict[str, str]:
    """The parameters of :func:`visits_lines_sql` that shape the line."""
    sep = SEPARATOR
    methods = {
        f"lines_m{i}_{j}": sep.join(
            ("", label(checkin, language), label(checkout, language) if checkout else "", "")
        )
        for i, checkin in enumerate(_CHECKIN_CODES.values())
        for j, checkout in enumerate(_CHECKOUT_CODES.values())
    }
    return methods | {
        # id, date in, time in, date out, time out, duration, person type, then the name.
        "lines_format": sep.join(("%d", "%.10s", "%s", "%.10s", "%s", "%s", "%s")) + sep,
        "lines_methods": f"{sep}%s{sep}%s{sep}",
        "lines_sep": sep,
        "lines_end": LINE_END,
    }


class VisitsRows:
    """The month's visits: iterate for rows of :data:`kiosk.reports.columns.VISITS`.

    Text cells are already neutralised against formula injection. Each iteration (and each
    :meth:`csv_chunks`) runs its own query on a cursor of its own, read lazily.
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

    def lines_query(self) -> tuple[str, dict[str, Any]]:
        """The line-building SELECT and its parameters (registers the fallback functions)."""
        local = LocalMinuteSql(self.db.conn, self.tz, *self._window)
        _, marks_in = self._repeated.sql("v.checked_in_at", "rhi")
        _, marks_out = self._repeated.sql("v.checked_out_at", "rho")
        return (
            visits_lines_sql(local, self._repeated),
            self.params | local.params | lines_params(self.language) | marks_in | marks_out,
        )

    def csv_chunks(self, delimiter: str) -> Iterator[bytes]:
        """The CSV lines of every row (no BOM, no header) as bytes, a few hundred at a time.

        Equal, byte for byte, to the ``csv`` module writing the rows of ``iter(self)``.
        """
        if delimiter not in _FAST_DELIMITERS:
            yield from _csv_lines(self, delimiter)
            return
        cursor = self.db.conn.execute(*self.lines_query())
        sep, wanted = SEPARATOR.encode(), delimiter.encode()
        try:
            while lines := cursor.fetchmany(_ROWS_PER_FETCH):
                chunk = b"".join([line for (line,) in lines])
                count = len(lines)
                if (
                    chunk.count(sep) == (_CELLS - 1) * count
                    and chunk.count(b"\n") == count
                    and chunk.count(b"\r") == count
                    and b'"' not in chunk
                    and wanted not in chunk
                ):
                    yield chunk.replace(sep, wanted)
                else:
                    yield b"".join(self._careful(line, delimiter) for (line,) in lines)
        finally:
            cursor.close()

    def _careful(self, line: bytes, delimiter: str) -> bytes:
        """One line of a chunk that needs a closer look: quote its cells as csv would."""
        sep, wanted = SEPARATOR.encode(), delimiter.encode()
        if line.count(sep) != _CELLS - 1:
            # A cell holds the separator itself: take the row again by the reference path.
            visit_id = int(line.split(sep, 1)[0])
            rows = self._rows(visits_sql("v.id = :visit_id"), self.params | {"visit_id": visit_id})
            return b"".join(_csv_lines(rows, delimiter))
        if line.count(b"\n") == 1 and line.count(b"\r") == 1 and b'"' not in line:
            if wanted not in line:
                return line.replace(sep, wanted)
        cells = line[: -len(LINE_END)].decode("utf-8").split(SEPARATOR)
        return b"".join(_csv_lines([cells], delimiter))


def _csv_lines(rows: Any, delimiter: str) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv_writer(buffer, delimiter)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


def visits_rows(db: sqlite_utils.Database, month: Month, tz: ZoneInfo, language: str) -> VisitsRows:
    """The month's visits (see :class:`VisitsRows`); raises UnknownLanguage straight away."""
    return VisitsRows(db, month, tz, language)
