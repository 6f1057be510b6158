"""Times and dates as written in Finland, in each language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import session

from kiosk.web import create_app
from kiosk.web.i18n import clock_text, day_and_clock_text, day_text

MOMENT = datetime(2026, 3, 29, 7, 5, 9, tzinfo=UTC)  # 10.05 in Helsinki, the first summer day


@pytest.mark.parametrize(
    ("language", "clock", "day"),
    [("fi", "10.05", "29.3.2026"), ("sv", "10:05", "2026-03-29"), ("en", "10:05", "29 Mar 2026")],
)
def test_clock_and_date_follow_the_language_and_the_kiosks_zone(tmp_path, language, clock, day):
    app = create_app({"INSTANCE_PATH": tmp_path, "DEMO_DATA": False})
    with app.test_request_context("/"):
        session["lang"] = language
        assert clock_text(MOMENT) == clock
        assert day_text(MOMENT) == day
        assert day_and_clock_text(MOMENT) == f"{day} {clock}"
        assert clock_text(MOMENT, seconds=True).endswith("09")


def test_times_in_the_repeated_autumn_hour_carry_their_utc_offset(tmp_path):
    # 25 Oct 2026: 03:30 in Helsinki happens at 00:30 UTC (summer) and again at 01:30 (winter).
    app = create_app({"INSTANCE_PATH": tmp_path, "DEMO_DATA": False})
    with app.test_request_context("/"):
        session["lang"] = "fi"
        assert clock_text(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "3.30 (UTC+3)"
        assert clock_text(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == "3.30 (UTC+2)"
        assert clock_text(datetime(2026, 10, 25, 2, 30, tzinfo=UTC)) == "4.30"
        assert clock_text(datetime(2026, 10, 24, 23, 59, tzinfo=UTC)) == "2.59"
