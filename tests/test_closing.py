"""Automatic check-out at closing time, across the DST nights and month ends."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from kiosk.closing import check_out_everyone_at_closing, closing_moment
from kiosk.timeutil import from_db
from kiosk.visits import process_scan
from tests.factories import gen_member, visit_rows

HELSINKI = ZoneInfo("Europe/Helsinki")
CLOSING = time(22, 0)


@pytest.mark.parametrize(
    ("checked_in_local", "expected_utc"),
    [
        # Winter time (UTC+2)
        (datetime(2026, 1, 15, 9, 0), datetime(2026, 1, 15, 20, 0, tzinfo=UTC)),
        # The spring-forward day: 03:00 -> 04:00 on Sunday 29 March 2026; 22:00 is UTC+3
        (datetime(2026, 3, 29, 1, 30), datetime(2026, 3, 29, 19, 0, tzinfo=UTC)),
        # The day before it, still winter time
        (datetime(2026, 3, 28, 12, 0), datetime(2026, 3, 28, 20, 0, tzinfo=UTC)),
        # The fall-back day: 04:00 -> 03:00 on Sunday 25 October 2026; 22:00 is UTC+2
        (datetime(2026, 10, 25, 10, 0), datetime(2026, 10, 25, 20, 0, tzinfo=UTC)),
        # Summer time (UTC+3), last day of a month
        (datetime(2026, 8, 31, 21, 0), datetime(2026, 8, 31, 19, 0, tzinfo=UTC)),
        # A check-in after closing closes at the next day's closing time
        (datetime(2026, 12, 31, 23, 0), datetime(2027, 1, 1, 20, 0, tzinfo=UTC)),
    ],
)
def test_closing_moment_is_local_wall_clock_time(checked_in_local, expected_utc):
    checked_in = checked_in_local.replace(tzinfo=HELSINKI)
    assert closing_moment(checked_in, CLOSING, HELSINKI) == expected_utc


@pytest.mark.parametrize(
    "day", [datetime(2026, 3, 29, 10, 0), datetime(2026, 10, 25, 10, 0)], ids=["spring", "fall"]
)
def test_everyone_still_present_is_checked_out_at_22_local_on_dst_nights(db, clock, day):
    clock.set(day.replace(tzinfo=HELSINKI))
    _id, token = gen_member(db, clock.now())
    process_scan(db, token, clock.now())
    clock.set(datetime(day.year, day.month, day.day, 21, 59, tzinfo=HELSINKI))
    assert check_out_everyone_at_closing(db, clock.now(), CLOSING, HELSINKI) == []
    clock.set(datetime(day.year, day.month, day.day, 22, 1, tzinfo=HELSINKI))
    closed = check_out_everyone_at_closing(db, clock.now(), CLOSING, HELSINKI)
    [visit] = visit_rows(db)
    assert closed == [visit["id"]]
    assert visit["checkout_method"] == "automatic"
    out_local = from_db(visit["checked_out_at"]).astimezone(HELSINKI)
    assert (out_local.hour, out_local.minute) == (22, 0)


def test_server_started_next_morning_closes_last_nights_visits_at_closing_time(db, clock):
    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=HELSINKI))
    _id, token = gen_member(db, clock.now())
    process_scan(db, token, clock.now())
    clock.set(datetime(2026, 12, 1, 8, 0, tzinfo=HELSINKI))
    check_out_everyone_at_closing(db, clock.now(), CLOSING, HELSINKI)
    [visit] = visit_rows(db)
    assert from_db(visit["checked_out_at"]) == datetime(2026, 11, 30, 22, 0, tzinfo=HELSINKI)
