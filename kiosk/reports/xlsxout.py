"""Reports as Excel workbooks (.xlsx), written with XlsxWriter.

A CSV file makes a Finnish coordinator answer a delimiter question; an .xlsx file does not.
Cells get real types: dates are dates, clock times are times, counts and hours are numbers,
so sums and filters work at once. Text is always written as text (``write_string``), never
as a formula, whatever it starts with. Marks of hidden cells (``<5``, ``–``) stay text.
Columns get widths from their contents, the header is bold and stays in view.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import IO, Any

import xlsxwriter

from kiosk.reports.columns import Column
from kiosk.reports.csvout import neutralise

DATE_KEYS = frozenset({"date", "date_out", "from", "to"})
TIME_KEYS = frozenset({"time_in", "time_out", "time_start", "time_end"})
DECIMAL_KEYS = frozenset({"hours"})
MAX_WIDTH = 60

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
_DECIMAL = re.compile(r"-?\d+[.,]\d+")


def typed(key: str, value: Any) -> Any:
    """The value as the spreadsheet should hold it: date, time, datetime, number or text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    text = str(value)
    if key in DATE_KEYS and _DATE.fullmatch(text):
        return date.fromisoformat(text)
    if key in TIME_KEYS:
        if _TIME.fullmatch(text):
            return time.fromisoformat(text)
        if _DATE_TIME.fullmatch(text):
            return datetime.fromisoformat(text)
    if key in DECIMAL_KEYS and _DECIMAL.fullmatch(text):
        return float(text.replace(",", "."))
    return text


def _shown_length(value: Any) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, time):
        return 5
    return len(str(value)) if value is not None else 0


def write_xlsx(
    stream: IO[bytes],
    title: str,
    columns: tuple[Column, ...],
    header: list[str],
    rows: Any,
    *,
    neutralised: bool = False,
) -> None:
    """Write one worksheet named ``title`` with ``header`` and ``rows`` to ``stream``.

    Text that a spreadsheet would run as a formula gets the same visible apostrophe as in the
    CSV (unless ``neutralised`` says the rows have it already), so both files read alike.
    """
    workbook = xlsxwriter.Workbook(stream, {"in_memory": True})
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#E5F0EA", "bottom": 1})
    formats = {
        date: workbook.add_format({"num_format": "yyyy-mm-dd"}),
        time: workbook.add_format({"num_format": "hh:mm"}),
        datetime: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        float: workbook.add_format({"num_format": "0.0"}),
    }
    keys = [column.key for column in columns]
    widths = [len(text) for text in header]
    for index, text in enumerate(header):
        sheet.write_string(0, index, text, bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        for index, (key, raw) in enumerate(zip(keys, row, strict=True)):
            value = typed(key, raw if neutralised else neutralise(raw))
            widths[index] = max(widths[index], _shown_length(value))
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(count, index, value, formats[datetime])
            elif isinstance(value, date):
                sheet.write_datetime(count, index, value, formats[date])
            elif isinstance(value, time):
                sheet.write_datetime(count, index, value, formats[time])
            elif isinstance(value, float):
                sheet.write_number(count, index, value, formats[float])
            elif isinstance(value, int | bool):
                sheet.write_number(count, index, int(value))
            else:
                sheet.write_string(count, index, value)
    for index, width in enumerate(widths):
        sheet.set_column(index, index, min(MAX_WIDTH, width + 2))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(count, 1), len(header) - 1)
    workbook.close()
