"""Local wall-clock seconds inside SQL (kiosk.reports.localtime) against zoneinfo, across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.reports.localtime import LocalTimeSql, epoch_sql
from kiosk.timeutil import to_db

from .conftest import HELSINKI

# Helsinki's changes in 2026: 29 March and 25 October, both at 01:00 UTC.
SPRING = datetime(2026, 3, 29, 1, tzinfo=UTC)
AUTUMN = datetime(2026, 10, 25, 1, tzinfo=UTC)


def wall_seconds(moment: datetime) -> int:
    """Whole seconds since 1970 on Helsinki's wall clock: what the clock on the wall shows."""
    local = moment.astimezone(HELSINKI).replace(tzinfo=None)
    return (local - datetime(1970, 1, 1)) // timedelta(seconds=1)


def test_epoch_is_the_seconds_strftime_gave(db) -> None:
    # The same integer as before the change, SQLite's rounding to the millisecond included
    # (.9995 s goes up to the next second): the dashboard's figures stay as they were.
    texts = [
        "2026-10-25T00:59:59.999499+00:00",
        "2026-10-25T00:59:59.999500+00:00",
        "2026-10-25T00:59:59.999999+00:00",
        "2026-10-25T01:00:00.000000+00:00",
        "2026-03-29T00:59:59.999999+00:00",
        "2026-12-31T23:59:59.999999+00:00",
        "1970-01-01T00:00:00.000000+00:00",
        "2038-01-19T03:14:08.000001+00:00",
        None,
    ]
    for text in texts:
        new, old = db.execute(
            f"SELECT {epoch_sql(':t')}, CAST(strftime('%s', :t) AS INTEGER)", {"t": text}
        ).fetchone()
        assert new == old, text
    assert db.execute(f"SELECT {epoch_sql(':t')}", {"t": texts[0]}).fetchone() == (1792889999,)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    )
)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_epoch_matches_strftime_for_any_stored_time(db, moment: datetime) -> None:
    new, old = db.execute(
        f"SELECT {epoch_sql(':t')}, CAST(strftime('%s', :t) AS INTEGER)", {"t": to_db(moment)}
    ).fetchone()
    assert new == old
    # The second it falls in, or the next when its milliseconds round up to it.
    assert moment.timestamp() - 1 < new <= moment.timestamp() + 0.001


@given(
    st.sampled_from([SPRING, AUTUMN]),
    st.integers(-4 * 86_400, 4 * 86_400),
    st.integers(0, 999_499),
)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_local_epoch_is_the_wall_clock_on_both_sides_of_a_change(
    db, change: datetime, seconds: int, micros: int
) -> None:
    # The window covers a day either side of the change; times further out take the
    # fallback through zoneinfo, and must come out the same.
    moment = change + timedelta(seconds=seconds, microseconds=micros)
    local = LocalTimeSql(db.conn, HELSINKI, change - timedelta(days=1), change + timedelta(days=1))
    (got,) = db.execute(
        f"SELECT {local.epoch(':t')}", {**local.params, "t": to_db(moment)}
    ).fetchone()
    assert got == wall_seconds(moment)


def test_the_wall_clock_around_the_autumn_change(db) -> None:
    local = LocalTimeSql(db.conn, HELSINKI, AUTUMN - timedelta(days=1), AUTUMN + timedelta(days=1))
    shown = []
    for moment in (AUTUMN - timedelta(seconds=1), AUTUMN, AUTUMN + timedelta(hours=1)):
        (seconds,) = db.execute(
            f"SELECT {local.epoch(':t')}", {**local.params, "t": to_db(moment)}
        ).fetchone()
        shown.append(datetime(1970, 1, 1) + timedelta(seconds=seconds))
    # 03:59:59 summer time, then the clock goes back to 03:00 winter time.
    assert [t.strftime("%H:%M:%S") for t in shown] == ["03:59:59", "03:00:00", "04:00:00"]
    (empty,) = db.execute(f"SELECT {local.epoch(':t')}", {**local.params, "t": None}).fetchone()
    assert empty is None
