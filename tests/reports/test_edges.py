"""Month and day edges in local time, in summer and winter time, and the DST nights."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from kiosk.reports import BadMonth, Month, build_report, parse_month, write_report
from kiosk.reports.daily import daily_rows
from kiosk.reports.summary import summary_rows
from kiosk.reports.visits import visits_rows

from .conftest import HELSINKI, add_visit, at

# The last day of a month: summer time (UTC+3), winter time (UTC+2), and the change days.
LAST_DAYS = [
    date(2026, 3, 31),  # two days after the spring change: summer time
    date(2026, 8, 31),  # summer time
    date(2026, 10, 31),  # a week after the autumn change: winter time
    date(2026, 11, 30),  # winter time
    date(2027, 1, 31),  # winter time, year end just behind
    date(2027, 10, 31),  # the autumn change happens that very morning
    date(2026, 12, 31),  # the year's end
]


@pytest.mark.parametrize("last_day", LAST_DAYS, ids=str)
def test_late_visit_on_last_day_belongs_to_that_month(db, last_day: date) -> None:
    late = add_visit(
        db,
        member_id=None,
        checked_in_at=at(last_day.year, last_day.month, last_day.day, 23, 30),
        checked_out_at=at(last_day.year, last_day.month, last_day.day, 23, 50),
    )
    nxt = last_day + timedelta(days=1)
    early = add_visit(db, checked_in_at=at(nxt.year, nxt.month, nxt.day, 0, 10))
    this_month, next_month = Month(last_day.year, last_day.month), Month(nxt.year, nxt.month)

    rows = list(visits_rows(db, this_month, HELSINKI, "en"))
    assert [(row[0], row[1], row[2]) for row in rows] == [(late, last_day.isoformat(), "23:30")]
    assert [row[0] for row in visits_rows(db, next_month, HELSINKI, "en")] == [early]
    daily = {row[0]: row[2] for row in daily_rows(db, this_month, HELSINKI, "en")}
    assert daily[last_day.isoformat()] == 1 and sum(daily.values()) == 1
    assert next(summary_rows(db, this_month, HELSINKI, "en"))[5] == 1


def test_repeated_hour_of_the_autumn_night_shows_both_times_right(db) -> None:
    # 25 Oct 2026: 04:00 summer time becomes 03:00 winter time, so 03:30 happens twice.
    first = add_visit(db, checked_in_at=at(2026, 10, 25, 3, 30, fold=0))
    second = add_visit(db, checked_in_at=at(2026, 10, 25, 3, 30, fold=1))
    assert at(2026, 10, 25, 3, 30, fold=0) != at(2026, 10, 25, 3, 30, fold=1)
    rows = {row[0]: row[2] for row in visits_rows(db, Month(2026, 10), HELSINKI, "en")}
    # The same clock time twice: each carries its UTC offset, so neither is ambiguous.
    assert rows == {first: "03:30 (UTC+3)", second: "03:30 (UTC+2)"}
    plain = add_visit(db, checked_in_at=at(2026, 10, 25, 2, 59))
    later = add_visit(db, checked_in_at=at(2026, 10, 25, 4, 0))
    rows = {row[0]: row[2] for row in visits_rows(db, Month(2026, 10), HELSINKI, "en")}
    assert rows[plain] == "02:59" and rows[later] == "04:00"
    # The CSV writer's fast path (lines built in SQL) writes the same marks.
    stream = io.BytesIO()
    write_report(build_report(db, "visits", Month(2026, 10), HELSINKI, "en"), stream)
    text = stream.getvalue().decode("utf-8-sig")
    assert "03:30 (UTC+3)" in text and "03:30 (UTC+2)" in text and "04:00," in text


def test_spring_night_and_a_stay_across_the_change(db) -> None:
    # 29 Mar 2026: 03:00 winter time jumps to 04:00 summer time; a stay 02:30-04:30 is 1 h.
    visit = add_visit(
        db, checked_in_at=at(2026, 3, 29, 2, 30), checked_out_at=at(2026, 3, 29, 4, 30)
    )
    (row,) = visits_rows(db, Month(2026, 3), HELSINKI, "en")
    assert row[:6] == (visit, "2026-03-29", "02:30", "2026-03-29", "04:30", 60)


def test_hour_long_days_have_a_daily_row_each(db) -> None:
    add_visit(db, checked_in_at=at(2026, 10, 25, 1), checked_out_at=at(2026, 10, 25, 23))
    rows = list(daily_rows(db, Month(2026, 10), HELSINKI, "fi"))
    assert len(rows) == 31
    day = next(row for row in rows if row[0] == "2026-10-25")
    assert day[2:] == [1, 0, 1, 22 * 60 + 60, 0]  # the 25-hour day: 23 h of stay


def test_checkout_long_after_the_window_still_converts(db) -> None:
    # A stay closed half a year later leaves the fast SQL window: the fallback converts it.
    add_visit(db, checked_in_at=at(2026, 1, 5, 9), checked_out_at=at(2026, 7, 1, 12))
    (row,) = visits_rows(db, Month(2026, 1), HELSINKI, "fi")
    assert (row[3], row[4]) == ("2026-07-01", "12:00")


def test_stay_across_midnight_counts_on_both_days_for_occupancy_only(db) -> None:
    add_visit(db, member_id=None, checked_in_at=at(2026, 11, 10, 22),
              checked_out_at=at(2026, 11, 11, 2))  # fmt: skip
    rows = {row[0]: row for row in daily_rows(db, Month(2026, 11), HELSINKI, "en")}
    assert rows["2026-11-10"][2] == 1 and rows["2026-11-10"][4] == 1
    assert rows["2026-11-11"][2] == 0 and rows["2026-11-11"][4] == 1


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-11", "2026/11", "november", ""])
def test_bad_months_are_refused(text: str) -> None:
    with pytest.raises(BadMonth):
        parse_month(text)


def test_month_bounds_are_local_midnights() -> None:
    start, end = Month(2026, 7).utc_bounds(HELSINKI)
    assert (start.hour, end.hour) == (21, 21)  # 00:00 at UTC+3
    start, end = Month(2026, 12).utc_bounds(HELSINKI)
    assert (start.isoformat(), end.isoformat()) == (
        "2026-11-30T22:00:00+00:00",
        "2026-12-31T22:00:00+00:00",
    )


def test_empty_month_still_writes_a_header(db) -> None:
    stream = io.BytesIO()
    write_report(build_report(db, "visits", Month(2030, 1), HELSINKI, "sv"), stream)
    assert stream.getvalue().decode("utf-8-sig").startswith("Besök,Datum")
