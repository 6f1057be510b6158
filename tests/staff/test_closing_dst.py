"""Automatic check-out at 22:00 local time on the nights the clocks change (Europe/Helsinki)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from kiosk.closing import check_out_everyone_at_closing
from kiosk.timeutil import to_db
from tests.conftest import HELSINKI

CLOSING = time(22, 0)


@pytest.mark.parametrize(
    ("day", "utc_closing"),
    [
        # Last Sunday of March 2026: summer time began at 03:00 that morning (UTC+3 by 22:00).
        ("2026-03-29", datetime(2026, 3, 29, 19, 0, tzinfo=UTC)),
        # Last Sunday of October 2026: winter time began at 04:00 that morning (UTC+2).
        ("2026-10-25", datetime(2026, 10, 25, 20, 0, tzinfo=UTC)),
    ],
)
def test_closing_on_the_dst_sundays(db, day: str, utc_closing: datetime) -> None:
    morning = datetime.fromisoformat(f"{day}T09:00").replace(tzinfo=HELSINKI)
    member = (
        db["members"]
        .insert(
            {
                "name": "Anna V",
                "first_name": "Anna",
                "created_at": to_db(morning),
                "updated_at": to_db(morning),
            }
        )
        .last_pk
    )
    visit = (
        db["visits"]
        .insert({"member_id": member, "checked_in_at": to_db(morning), "checkin_method": "card"})
        .last_pk
    )

    minute_before = utc_closing - timedelta(minutes=1)
    assert check_out_everyone_at_closing(db, minute_before, CLOSING, HELSINKI) == []
    assert db["visits"].get(visit)["checked_out_at"] is None

    assert check_out_everyone_at_closing(db, utc_closing, CLOSING, HELSINKI) == [visit]
    row = db["visits"].get(visit)
    assert row["checked_out_at"] == to_db(utc_closing)
    assert row["checkout_method"] == "automatic"
    local = datetime.fromisoformat(row["checked_out_at"]).astimezone(HELSINKI)
    assert (local.hour, local.minute) == (22, 0)


def test_a_check_in_in_the_dst_gap_closes_the_same_evening(db) -> None:
    # 03:30 local did not exist on 29 March 2026; a check-in at 00:30 UTC is 03:30 EEST.
    arrived = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    member = (
        db["members"]
        .insert(
            {
                "name": "Yö K",
                "first_name": "Yö",
                "created_at": to_db(arrived),
                "updated_at": to_db(arrived),
            }
        )
        .last_pk
    )
    visit = (
        db["visits"]
        .insert({"member_id": member, "checked_in_at": to_db(arrived), "checkin_method": "card"})
        .last_pk
    )
    check_out_everyone_at_closing(db, datetime(2026, 3, 30, 6, 0, tzinfo=UTC), CLOSING, HELSINKI)
    assert db["visits"].get(visit)["checked_out_at"] == to_db(
        datetime(2026, 3, 29, 19, 0, tzinfo=UTC)
    )
