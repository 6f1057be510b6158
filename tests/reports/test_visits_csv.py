"""The visits report as CSV: local times across DST and local mean time, hostile and odd text.

The rows go through the ``csv`` module (the SQL-built line path was removed: a month of a busy
space writes in about 0.1 s with flat memory). These pin what the bytes must be.
"""

from __future__ import annotations

import csv
import io

import pytest

from kiosk.reports import Month, build_report, write_report
from kiosk.reports.columns import VISITS
from kiosk.reports.visits import VisitsRows

from .conftest import HELSINKI, add_visit, at

DELIMITERS = [",", ";", "\t", "|"]


def render(db, month: Month, language: str = "en", delimiter: str = ",") -> str:
    stream = io.BytesIO()
    report = build_report(db, "visits", month, HELSINKI, language)
    write_report(report, stream, delimiter=delimiter)
    return stream.getvalue().decode("utf-8")


def test_dst_instants_to_the_microsecond(db) -> None:
    # 25 Oct 2026 01:00 UTC: 04:00 summer time becomes 03:00 winter time.
    last_summer = add_visit(db, checked_in_at="2026-10-25T00:59:59.999999+00:00")
    first_winter = add_visit(db, checked_in_at="2026-10-25T01:00:00.000000+00:00")
    # 29 Mar 2026 01:00 UTC: 03:00 winter time jumps to 04:00 summer time.
    last_winter = add_visit(db, checked_in_at="2026-03-29T00:59:59.999999+00:00")
    first_summer = add_visit(db, checked_in_at="2026-03-29T01:00:00.000000+00:00")
    october = render(db, Month(2026, 10))
    # Both fall in the hour that happens twice, so each carries its UTC offset.
    assert f"\r\n{last_summer},2026-10-25,03:59 (UTC+3),,,,anonymised," in october
    assert f"\r\n{first_winter},2026-10-25,03:00 (UTC+2),,,,anonymised," in october
    march = render(db, Month(2026, 3))
    assert f"\r\n{last_winter},2026-03-29,02:59,,,,anonymised," in march
    assert f"\r\n{first_summer},2026-03-29,04:00,,,,anonymised," in march


def test_seconds_are_cut_not_rounded(db) -> None:
    # SQLite keeps milliseconds: 59.9999 s would round into the next minute, even the next day.
    visit = add_visit(
        db,
        checked_in_at="2026-11-30T21:59:59.999900+00:00",  # 23:59 local on the 30th
        checked_out_at="2026-11-30T22:59:59.999900+00:00",  # 00:59 local on 1 December
    )
    assert f"\r\n{visit},2026-11-30,23:59,2026-12-01,00:59,60," in render(db, Month(2026, 11))


def test_checkout_far_outside_the_window_and_open_visits(db) -> None:
    late = add_visit(db, checked_in_at=at(2026, 1, 5, 9), checked_out_at=at(2026, 7, 1, 12))
    open_visit = add_visit(db, checked_in_at=at(2026, 1, 6, 9))
    text = render(db, Month(2026, 1))
    assert f"\r\n{late},2026-01-05,09:00,2026-07-01,12:00,255000,anonymised," in text
    assert f"\r\n{open_visit},2026-01-06,09:00,,,,anonymised,,,,card,,\r\n" in text


@pytest.mark.parametrize("delimiter", DELIMITERS)
@pytest.mark.parametrize("value", ["=1+1", "+358401234567", "-2", "@SUM(A1:A9)", "\t=1", "\r=1"])
def test_injection_is_neutralised_with_every_delimiter(db, value: str, delimiter: str) -> None:
    db["members"].insert(
        dict(id=1, name=value, first_name="x", company=value, business_id=value,
             created_at=at(2026, 1, 1, 9), updated_at=at(2026, 1, 1, 9))
    )  # fmt: skip
    db["events"].insert(
        dict(id=1, title=value, starts_at=at(2026, 11, 3, 9), ends_at=at(2026, 11, 3, 10),
             created_at=at(2026, 1, 1, 9))
    )  # fmt: skip
    add_visit(db, member_id=1, checked_in_at=at(2026, 11, 3, 9), event_id=1)
    assert render(db, Month(2026, 11), delimiter=delimiter).count("'" + value) == 4


@pytest.mark.parametrize(
    "name",
    ["a\x1fb", 'say "hi"', "line\nbreak", "cr\rhere", "a,b;c\td|e", ""],
    ids=["unit-separator", "quote", "lf", "cr", "delimiters", "empty"],
)
@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_odd_text_reads_back_as_written(db, name: str, delimiter: str) -> None:
    db["guests"].insert(
        dict(id=1, name=name, first_name="x", company=name, consent_version="1",
             consent_at=at(2026, 1, 1, 9), created_at=at(2026, 1, 1, 9))
    )  # fmt: skip
    add_visit(db, guest_id=1, checked_in_at=at(2026, 11, 2, 9), checkin_method="guest")
    text = render(db, Month(2026, 11), delimiter=delimiter).removeprefix("\ufeff")
    _header, row = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    keys = [column.key for column in VISITS]
    assert row[keys.index("name")] == name
    assert row[keys.index("company")] == name


def test_local_mean_time_seconds_decide_the_minute(db) -> None:
    # Helsinki until May 1921 ran UTC+1:39:49: 22:21:10.999999 UTC is 00:00:59.999999 local
    # and 22:21:11 UTC is 00:01:00, in the same UTC minute (a minute cache got this wrong).
    first = add_visit(db, checked_in_at="1921-03-31T22:21:10.999999+00:00")
    second = add_visit(db, checked_in_at="1921-03-31T22:21:11.000000+00:00")
    rows = VisitsRows(db, Month(1921, 4), HELSINKI, "en")
    assert [row[:3] for row in rows] == [
        (first, "1921-04-01", "00:00"),
        (second, "1921-04-01", "00:01"),
    ]
