"""CSV shape: BOM, RFC 4180 quoting, delimiters, formula neutralising, a round trip."""

from __future__ import annotations

import csv
import io
import sqlite3
from contextlib import closing

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.reports import BadDelimiter, Month, build_report, parse_delimiter, write_report
from kiosk.reports.csvout import iter_csv_bytes, neutralise, sql_neutralise, write_csv

from .conftest import HELSINKI, add_visit, at

DANGEROUS = ["=1+1", "+358401234567", "-2", "@SUM(A1:A9)", "\t=1", "\r=1", '=HYPERLINK("x")']
HARMLESS = ["Äijälä", "1234567-8", "a=b", " =1", "", "'=already"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_cells_get_an_apostrophe(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", HARMLESS)
def test_ordinary_cells_stay_as_they_are(value: str) -> None:
    assert neutralise(value) == value


EDGES = ["A", "a=1", "[=1", "0=1", "ä=1", "\x00=1", "=", "-", "@"]


@pytest.mark.parametrize("value", [*DANGEROUS, *HARMLESS, *EDGES, None])
def test_sql_and_python_neutralise_agree(value: str | None) -> None:
    with closing(sqlite3.connect(":memory:")) as conn:
        (result,) = conn.execute(f"SELECT {sql_neutralise(':v')}", {"v": value}).fetchone()
        # A column's collation must not change the rule (the SQL pre-filters with '<').
        conn.execute("CREATE TABLE t (x TEXT COLLATE NOCASE)")
        conn.execute("INSERT INTO t VALUES (?)", (value,))
        (collated,) = conn.execute(f"SELECT {sql_neutralise('x')} FROM t").fetchone()  # noqa: S608
    assert result == collated == neutralise(value)


def test_numbers_are_not_touched() -> None:
    assert neutralise(-5) == -5


@pytest.mark.parametrize("value", DANGEROUS)
def test_injection_through_the_whole_visits_report(db, value: str) -> None:
    db["members"].insert(
        dict(id=1, name=value, first_name="x", company=value, business_id=value,
             created_at=at(2026, 1, 1, 9), updated_at=at(2026, 1, 1, 9))
    )  # fmt: skip
    db["events"].insert(
        dict(id=1, title=value, starts_at=at(2026, 11, 3, 9), ends_at=at(2026, 11, 3, 10),
             created_at=at(2026, 1, 1, 9))
    )  # fmt: skip
    add_visit(db, member_id=1, checked_in_at=at(2026, 11, 3, 9), event_id=1)
    for kind in ("visits", "people", "events"):
        stream = io.BytesIO()
        write_report(build_report(db, kind, Month(2026, 11), HELSINKI, "en"), stream)
        rows = list(csv.reader(io.StringIO(stream.getvalue().decode("utf-8-sig"), newline="")))
        cells = [cell for row in rows[1:] for cell in row]
        assert "'" + value in cells, kind
        assert all(not cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells), kind


def test_bom_crlf_and_quoting() -> None:
    stream = io.BytesIO()
    write_csv(stream, ["a", "b"], [["x;y", 'say "hi"'], ["line\nbreak", "ok"]], delimiter=";")
    assert stream.getvalue() == (b'\xef\xbb\xbfa;b\r\n"x;y";"say ""hi"""\r\n"line\nbreak";ok\r\n')


@pytest.mark.parametrize(
    ("text", "expected"), [(",", ","), (";", ";"), ("tab", "\t"), ("\\t", "\t"), ("|", "|")]
)
def test_delimiter_names(text: str, expected: str) -> None:
    assert parse_delimiter(text) == expected


@pytest.mark.parametrize("text", ['"', "", ";;", "a", "\n"])
def test_bad_delimiters_are_refused(text: str) -> None:
    with pytest.raises(BadDelimiter):
        parse_delimiter(text)


cells = st.text(st.characters(exclude_categories=["Cs"]), max_size=12) | st.integers()


@given(rows=st.lists(st.lists(cells, min_size=3, max_size=3), max_size=6),
       delimiter=st.sampled_from([",", ";", "\t", "|"]))  # fmt: skip
def test_round_trip_through_pythons_csv_module(rows: list[list[object]], delimiter: str) -> None:
    header = ["key", "Äänestys", "Ö"]
    stream = io.BytesIO()
    write_csv(stream, header, rows, delimiter=delimiter)
    data = stream.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"".join(iter_csv_bytes(header, rows, delimiter=delimiter)) == data
    back = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))
    expected = [[str(neutralise(cell)) for cell in row] for row in rows]
    assert back == [header, *expected]


def test_fixture_month_round_trips(month_db) -> None:
    for kind in ("visits", "people", "summary"):
        report = build_report(month_db, kind, Month(2026, 11), HELSINKI, "fi")
        stream = io.BytesIO()
        write_report(report, stream, delimiter=";")
        text = stream.getvalue().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
        again = build_report(month_db, kind, Month(2026, 11), HELSINKI, "fi")
        assert rows[0] == again.header
        assert all(len(row) == len(again.keys) for row in rows)
        expected = [["" if c is None else str(neutralise(c)) for c in r] for r in again.rows]
        assert rows[1:] == expected
