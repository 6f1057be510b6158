"""CSV that opens cleanly in Excel and LibreOffice: UTF-8 with a BOM, RFC 4180, no formulas.

* The BOM makes Excel read the file as UTF-8 (without it, ä/ö/å turn into mojibake).
* Rows end in CRLF, and cells holding the delimiter, a quote or a line break are quoted,
  with quotes doubled, as RFC 4180 says; Python's ``csv`` module does exactly this.
* A text cell starting with ``= + - @``, a tab or a carriage return would be read as a formula
  by spreadsheets (CSV injection). We prefix such a cell with an apostrophe, which spreadsheets
  show as text; the value stays readable and the change is visible, never silent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import IO, Any

from kiosk.reports.errors import BadDelimiter

BOM = "\ufeff"
LINE_END = "\r\n"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"

# Names people can type on a command line, mapped to the character; ``;`` suits Finnish Excel,
# whose list separator is ``;`` because ``,`` is the decimal mark.
DELIMITERS = {",": ",", ";": ";", "\t": "\t", "\\t": "\t", "tab": "\t", "|": "|"}
DEFAULT_DELIMITER = ","

_ROWS_PER_CHUNK = 2000


def parse_delimiter(text: str) -> str:
    """Return the delimiter character for ``text`` (``,`` ``;`` ``|`` ``tab``) or raise."""
    try:
        return DELIMITERS[text if text in DELIMITERS else text.lower()]
    except KeyError:
        choices = ", ".join(repr(name) for name in (",", ";", "tab", "|"))
        raise BadDelimiter(f"delimiter must be one of {choices}, not {text!r}") from None


def neutralise(value: Any) -> Any:
    """Return ``value`` with a leading apostrophe when a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return NEUTRALISER + value
    return value


def sql_neutralise(expression: str) -> str:
    """The same rule as :func:`neutralise`, as SQL, so big reports need no Python per cell."""
    # unicode() gives the first character's code point: one call per cell, no substrings.
    # The trigger list is our own constant; nothing here comes from the user.
    codes = ", ".join(str(ord(c)) for c in FORMULA_TRIGGERS)
    prefix = NEUTRALISER.replace("'", "''")
    # Every trigger sorts before 'A' (in BINARY and NOCASE alike), so a plain comparison,
    # far cheaper than a function call, lets most names (starting with a letter) skip it.
    assert all(trigger < "A" for trigger in FORMULA_TRIGGERS)  # noqa: S101
    return (
        f"(CASE WHEN {expression} < 'A' AND unicode({expression}) IN ({codes}) "
        f"THEN '{prefix}' || {expression} ELSE {expression} END)"
    )


def csv_writer(target: IO[str], delimiter: str) -> Any:
    """The ``csv`` writer every report uses: RFC 4180, minimal quoting, CRLF."""
    return csv.writer(
        target,
        delimiter=delimiter,
        quotechar='"',
        doublequote=True,
        quoting=csv.QUOTE_MINIMAL,
        lineterminator=LINE_END,
    )


def _safe_rows(rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    for row in rows:
        yield [neutralise(cell) for cell in row]


def write_csv(
    stream: IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    delimiter: str = DEFAULT_DELIMITER,
    neutralised: bool = False,
) -> None:
    """Write a BOM, ``header`` and ``rows`` to the binary ``stream`` as CSV.

    ``rows`` is consumed lazily, so memory stays flat however many rows there are. Pass
    ``neutralised=True`` only when the rows were already made safe (in SQL).
    """
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=False)
    try:
        text.write(BOM)
        writer = csv_writer(text, delimiter)
        writer.writerow([neutralise(cell) for cell in header])
        writer.writerows(rows if neutralised else _safe_rows(rows))
        text.flush()
    finally:
        # Hand the caller's stream back open: detach instead of letting close() close it.
        text.detach()


def iter_csv_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    delimiter: str = DEFAULT_DELIMITER,
    neutralised: bool = False,
) -> Iterator[bytes]:
    """Yield the same bytes as :func:`write_csv`, a few thousand rows at a time."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, delimiter)
    buffer.write(BOM)
    writer.writerow([neutralise(cell) for cell in header])
    source = iter(rows if neutralised else _safe_rows(rows))
    while True:
        batch = list(islice(source, _ROWS_PER_CHUNK))
        writer.writerows(batch)
        chunk = buffer.getvalue()
        if chunk:
            yield chunk.encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        if not batch:
            return
