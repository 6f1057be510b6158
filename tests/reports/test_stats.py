"""Dashboard statistics over the fixture month and hand-made days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import stats
from kiosk.timeutil import from_db, local_day_bounds, to_db
from kiosk.visit_window import visit_window

from .conftest import HELSINKI, add_visit, at

NOW = datetime(2026, 11, 12, 14, 30, tzinfo=HELSINKI)  # during the fixture's workshop


def test_occupancy_levels(db) -> None:
    for hour in range(8):
        add_visit(db, checked_in_at=at(2026, 11, 12, 8, hour))
    add_visit(db, checked_in_at=at(2026, 11, 12, 9), checked_out_at=at(2026, 11, 12, 10))
    assert stats.occupancy_now(db, NOW, 10) == stats.Occupancy(8, 10, 0.8, "warning")
    assert stats.occupancy_now(db, NOW, 8).level == "full"
    assert stats.occupancy_now(db, NOW, 40).level == "ok"
    assert stats.occupancy_now(db, NOW, 0).level == "ok"


def test_visit_counts_and_unique_visitors(month_db) -> None:
    counts = stats.visit_counts(month_db, NOW, HELSINKI)
    # Today: visits 2, 3 and 4; the week from Monday 9 Nov adds nothing; the month adds 1.
    assert counts == stats.VisitCounts(today=3, this_week=3, this_month=4)
    month = stats.unique_visitors(month_db, NOW, HELSINKI, "month")
    # Member 2 visited in October, so returns; member 1 and guest 1 are new this month.
    assert (month.unique, month.new, month.returning) == (3, 2, 1)
    today = stats.unique_visitors(month_db, NOW, HELSINKI, "day")
    assert (today.unique, today.new, today.returning) == (3, 1, 2)
    with pytest.raises(stats.StatsError):
        stats.unique_visitors(month_db, NOW, HELSINKI, "year")


def test_unique_visitors_count_people_with_a_named_visit_new_by_any_first_visit(db) -> None:
    # Each person is counted once however many visits; one whose every visit in the period is
    # anonymised is not counted; a first visit makes a person new even if that visit itself
    # was anonymised (the summary counts it so too), and a first visit before the period not.
    created = at(2026, 10, 1, 9)
    db["members"].insert_all(
        dict(id=n, name=f"Jäsen {n}", first_name="Jäsen", created_at=created, updated_at=created)
        for n in (1, 2, 3)
    )
    db["guests"].insert_all(
        dict(id=n, name=f"Vieras {n}", first_name="Vieras", consent_version="2026-11",
             consent_at=created, created_at=created) for n in (1, 2, 3)
    )  # fmt: skip
    add_visit(db, member_id=1, first_visit=1, checked_in_at=at(2026, 11, 2, 9),
              anonymised_at=at(2026, 11, 3, 9))  # fmt: skip
    add_visit(db, member_id=1, first_visit=0, checked_in_at=at(2026, 11, 5, 9))
    add_visit(db, member_id=2, first_visit=1, checked_in_at=at(2026, 11, 6, 9),
              anonymised_at=at(2026, 11, 7, 9))  # fmt: skip
    add_visit(db, member_id=3, first_visit=1, checked_in_at=at(2026, 10, 30, 9))
    add_visit(db, member_id=3, first_visit=0, checked_in_at=at(2026, 11, 9, 9))
    add_visit(db, member_id=3, checked_in_at=at(2026, 11, 10, 9))  # first_visit unknown
    add_visit(db, guest_id=1, first_visit=1, checked_in_at=at(2026, 11, 10, 10))
    add_visit(db, guest_id=2, first_visit=1, checked_in_at=at(2026, 11, 11, 10))
    add_visit(db, guest_id=2, first_visit=0, checked_in_at=at(2026, 11, 12, 10))
    add_visit(db, guest_id=3, first_visit=1, checked_in_at=at(2026, 11, 12, 15))  # after NOW
    month = stats.unique_visitors(db, NOW, HELSINKI, "month")
    assert (month.unique, month.new, month.returning) == (4, 3, 1)
    week = stats.unique_visitors(db, NOW, HELSINKI, "week")  # from Monday 9 November
    assert (week.unique, week.new, week.returning) == (3, 2, 1)


def test_hourly_curve_today(month_db) -> None:
    curve = stats.hourly_occupancy(month_db, NOW, HELSINKI)
    assert len(curve) == 24
    by_hour = {point.start.hour: point.peak for point in curve}
    assert by_hour[11] == 0 and by_hour[12] == 2 and by_hour[13] == 3 and by_hour[14] == 2
    assert by_hour[15] is None  # not yet


def test_hourly_curve_has_25_hours_on_the_autumn_night(db) -> None:
    add_visit(db, checked_in_at=at(2026, 10, 25, 3, 15, fold=1))  # still open
    now = datetime(2026, 10, 25, 23, 30, tzinfo=HELSINKI)
    curve = stats.hourly_occupancy(db, now, HELSINKI)
    assert len(curve) == 25
    assert [p.start.hour for p in curve[:5]] == [0, 1, 2, 3, 3]
    assert [p.peak for p in curve[:5]] == [0, 0, 0, 0, 1]
    assert all(p.peak == 1 for p in curve[4:])


def test_heatmap_averages_people_present(db) -> None:
    # Two Mondays, one person 9:00-11:30 each; over 2 weeks Monday 9-10 averages 1.
    for day in (2, 9):
        add_visit(db, checked_in_at=at(2026, 11, day, 9), checked_out_at=at(2026, 11, day, 11, 30))
    heat = stats.weekday_hour_heatmap(db, NOW, HELSINKI, weeks=2)
    assert (heat.first_day, heat.last_day) == (date(2026, 10, 29), date(2026, 11, 11))
    assert heat.cells[0][9] == 1.0 and heat.cells[0][10] == 1.0 and heat.cells[0][11] == 0.5
    assert sum(map(sum, heat.cells)) == pytest.approx(2 * 2.5 / 2)


def test_visits_per_month(month_db) -> None:
    months = stats.visits_per_month(month_db, NOW, HELSINKI, months=3)
    assert [(m.month, m.visits) for m in months] == [(9, 0), (10, 1), (11, 7)]


@pytest.mark.parametrize("answers", [4, 5])
def test_mood_trend_is_hidden_below_the_minimum_group(db, answers: int) -> None:
    # Last week (NOW is Thursday 12 November): the week still running is never shown.
    db["mood_answers"].insert_all(
        {"answered_at": at(2026, 11, 3, 10), "mood": 1} for _ in range(answers)
    )
    (point,) = stats.mood_trend(db, NOW, HELSINKI, weeks=1, min_group_size=5)
    assert point.week_start == date(2026, 11, 2)
    if answers < 5:
        assert point.suppressed and point.answers is None and point.index is None
    else:
        assert not point.suppressed
        assert (point.answers, point.mean, point.index) == (5, 1.0, 100.0)


def test_mood_trend_weeks(month_db) -> None:
    now = datetime(2026, 12, 7, 0, 5, tzinfo=HELSINKI)  # the week of 30 November just ended
    points = stats.mood_trend(month_db, now, HELSINKI, weeks=4, min_group_size=5)
    assert [p.week_start.day for p in points] == [9, 16, 23, 30]
    assert [p.suppressed for p in points] == [False, True, True, False]
    assert points[0].mean == pytest.approx(10 / 7, abs=0.01)
    # The whole week of 30 November: six answers on the 30th and five on 1 December.
    assert points[3].answers == 11
    assert points[3].index == pytest.approx((5 - 50 / 11) / 4 * 100, abs=0.1)


def test_the_running_week_never_shows_so_one_answer_cannot_be_worked_out(db) -> None:
    # Five answers this week, then a sixth: the running week's figure would move with it.
    db["mood_answers"].insert_all(
        {"answered_at": at(2026, 11, 10, 10), "mood": 1} for _ in range(6)
    )
    points = stats.mood_trend(db, NOW, HELSINKI, weeks=2, min_group_size=5)
    assert [p.week_start for p in points] == [date(2026, 10, 26), date(2026, 11, 2)]
    assert all(p.suppressed for p in points)


def test_the_dashboard_and_the_summary_agree_on_first_time_visitors(month_db) -> None:
    from datetime import datetime

    from kiosk.reports import Month, build_report

    # At the month's last minute the dashboard's month is the summary's month.
    end = datetime(2026, 11, 30, 23, 59, 59, tzinfo=HELSINKI)
    month = stats.unique_visitors(month_db, end, HELSINKI, "month")
    (row,) = build_report(month_db, "summary", Month(2026, 11), HELSINKI, "en").rows
    assert (month.unique, month.new, month.returning) == (row[1], row[10], row[11]) == (4, 3, 1)


def reference_hours_present(visits, window_start: int, window_end: int) -> list[list[float]]:
    """The plain hour-by-hour walk the heatmap is defined by."""
    from kiosk.reports.presence import MAX_STAY_SECONDS

    sums = [[0.0] * 24 for _ in range(7)]
    for arrived, left in visits:
        day_end = (arrived // 86_400 + 1) * 86_400
        finish = min(day_end if left is None else left, arrived + MAX_STAY_SECONDS, window_end)
        moment = max(arrived, window_start)
        while moment < finish:
            hour_end = min((moment // 3600 + 1) * 3600, finish)
            sums[(moment // 86_400 + 3) % 7][(moment % 86_400) // 3600] += (
                hour_end - moment
            ) / 3600
            moment = hour_end
    return sums


@given(
    st.lists(
        st.tuples(
            st.integers(0, 15 * 86_400),
            st.one_of(st.none(), st.integers(-3600, 30 * 3600)),  # some past the 24 h cap
        ),
        max_size=60,
    )
)
@settings(max_examples=200, deadline=None)
def test_hours_present_matches_the_hour_by_hour_walk(stays) -> None:
    window_start = 20_000 * 86_400  # a midnight, wall-clock seconds
    window_end = window_start + 14 * 86_400
    visits = [
        (
            window_start - 86_400 + arrived,
            None if length is None else window_start - 86_400 + arrived + length,
        )
        for arrived, length in stays
    ]
    fast = stats.hours_present(visits, window_start, window_end)
    slow = reference_hours_present(visits, window_start, window_end)
    for fast_row, slow_row in zip(fast, slow, strict=True):
        assert fast_row == pytest.approx(slow_row, abs=1e-9)


@pytest.mark.parametrize(
    ("saturday", "sunday", "monday"),
    [
        ((2026, 3, 28), (2026, 3, 29), (2026, 3, 30)),
        ((2026, 10, 24), (2026, 10, 25), (2026, 10, 26)),
    ],
    ids=["spring", "autumn"],
)
def test_heatmap_puts_visits_in_the_hours_on_the_clock_either_side_of_a_change(
    db, saturday, sunday, monday
) -> None:
    # 5:00-7:00 on the clock on the Saturday before the change and on the Sunday after it:
    # different UTC offsets, the same cells.
    for day in (saturday, sunday):
        add_visit(db, checked_in_at=at(*day, 5), checked_out_at=at(*day, 7))
    heat = stats.weekday_hour_heatmap(db, datetime(*monday, 12, tzinfo=HELSINKI), HELSINKI, 1)
    busy = {(d, h): v for d, row in enumerate(heat.cells) for h, v in enumerate(row) if v}
    assert busy == {(5, 5): 1.0, (5, 6): 1.0, (6, 5): 1.0, (6, 6): 1.0}


def wall_seconds(text: str) -> int:
    """Whole seconds since 1970 on Helsinki's wall clock at a stored time, by zoneinfo."""
    local = from_db(text).astimezone(HELSINKI).replace(tzinfo=None)
    return (local - datetime(1970, 1, 1)) // timedelta(seconds=1)


@given(
    st.sampled_from([datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)]),
    st.lists(
        st.tuples(
            st.integers(-9 * 86_400, 9 * 86_400),
            st.integers(0, 999_499),
            st.one_of(st.none(), st.integers(0, 30 * 3600)),
        ),
        max_size=25,
    ),
)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_heatmap_over_a_change_is_the_zoneinfo_wall_clock(db, change, stays) -> None:
    # Two weeks with the change in the middle; visits from a day before to a day after, some
    # open, some longer than a day. The heatmap must be hours_present() over the times
    # zoneinfo shows on the wall clock, for the visits checked in within the window.
    db.execute("DELETE FROM visits")
    for offset, micros, length in stays:
        arrived = change + timedelta(seconds=offset, microseconds=micros)
        left = None if length is None else to_db(arrived + timedelta(seconds=length))
        add_visit(db, checked_in_at=to_db(arrived), checked_out_at=left)
    now = datetime.combine(
        change.astimezone(HELSINKI).date() + timedelta(days=7), time(9), HELSINKI
    )
    heat = stats.weekday_hour_heatmap(db, now, HELSINKI, 2)
    start = local_day_bounds(heat.first_day, HELSINKI)[0]
    end = local_day_bounds(heat.last_day, HELSINKI)[1]
    rows = db.execute(
        "SELECT checked_in_at, checked_out_at FROM visits"
        " WHERE checked_in_at >= ? AND checked_in_at < ?",
        (to_db(start), to_db(end)),
    ).fetchall()
    visits = [(wall_seconds(a), None if b is None else wall_seconds(b)) for a, b in rows]
    first = (heat.first_day - date(1970, 1, 1)).days * 86_400
    last = (heat.last_day - date(1970, 1, 1)).days * 86_400 + 86_400
    expected = [[round(v / 2, 2) for v in row] for row in stats.hours_present(visits, first, last)]
    assert heat.cells == expected


def window_rows(db, start: str, end: str) -> tuple[str, list]:
    window = visit_window(db, start, end)
    sql = f"SELECT id FROM {window.source} ORDER BY id"  # noqa: S608 - our own SQL
    rows = db.execute(sql, window.params).fetchall()
    return window.source, [row[0] for row in rows]


def test_stats_window_reads_the_run_of_rowids_or_else_the_index(db) -> None:
    start, end = at(2026, 11, 2, 0), at(2026, 11, 9, 0)
    before = add_visit(db, checked_in_at=at(2026, 11, 1, 12))
    inside = [add_visit(db, checked_in_at=at(2026, 11, day, 12)) for day in range(2, 9)]
    after = add_visit(db, checked_in_at=at(2026, 11, 9, 12))
    source, ids = window_rows(db, start, end)
    assert "NOT INDEXED" in source and ids == inside
    # One added late with an earlier time, one moved into the window and one out of it: the
    # run of rowids grows to hold them, and the check-in time still decides.
    late = add_visit(db, checked_in_at=at(2026, 11, 3, 7))
    db.execute("UPDATE visits SET checked_in_at = ? WHERE id = ?", (at(2026, 11, 4, 8), before))
    db.execute("UPDATE visits SET checked_in_at = ? WHERE id = ?", (at(2026, 10, 1, 8), after))
    source, ids = window_rows(db, start, end)
    assert "NOT INDEXED" in source and ids == [before, *inside, late]
    # A run that is mostly other visits: the index instead, the same rows.
    for _ in range(20):
        add_visit(db, checked_in_at=at(2026, 11, 20, 12))
    moved = add_visit(db, checked_in_at=at(2026, 11, 5, 9))
    source, ids = window_rows(db, start, end)
    assert "NOT INDEXED" not in source and ids == [before, *inside, late, moved]
    assert window_rows(db, at(2027, 1, 1, 0), at(2027, 2, 1, 0))[1] == []


def test_stats_are_the_same_whatever_order_the_visits_were_stored_in(tmp_path) -> None:
    # The same visits, stored in time order, in reverse and shuffled: every figure is equal.
    import random

    from kiosk.db import connect

    visits = []
    for day in range(20):
        for n in range(5):
            arrived = datetime(2026, 10, 20, 8 + n, 7 * n, tzinfo=HELSINKI) + timedelta(days=day)
            left = None if (day + n) % 7 == 0 else arrived + timedelta(hours=1 + n, minutes=day)
            visits.append(
                dict(member_id=1 + n % 3, guest_id=None, first_visit=int(day == 0),
                     checked_in_at=to_db(arrived), checked_out_at=left and to_db(left),
                     anonymised_at=to_db(arrived) if (day * n) % 11 == 3 else None)
            )  # fmt: skip
    orders = {
        "time": visits,
        "reverse": visits[::-1],
        "shuffled": random.Random(19).sample(visits, len(visits)),  # noqa: S311 - no secret
    }
    now = datetime(2026, 11, 12, 14, 30, tzinfo=HELSINKI)
    results = {}
    for name, rows in orders.items():
        database = connect(tmp_path / f"{name}.db", migrate=True)
        created = at(2026, 10, 1, 9)
        database["members"].insert_all(
            dict(id=n, name=f"J {n}", first_name="J", created_at=created, updated_at=created)
            for n in (1, 2, 3)
        )
        for row in rows:
            add_visit(database, **row)
        results[name] = (
            stats.weekday_hour_heatmap(database, now, HELSINKI, 2),
            [stats.unique_visitors(database, now, HELSINKI, p) for p in ("day", "week", "month")],
        )
        database.close()
    assert results["time"] == results["reverse"] == results["shuffled"]
    assert results["time"][1][2].unique == 3 and sum(map(sum, results["time"][0].cells)) > 0


def test_mood_weeks_are_counted_from_the_index_alone(db) -> None:
    # m060: the mood is in the time index, so the trend never reads the table, and the
    # index on time alone is gone (one index to write per answer, as before).
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT count(*), total(mood) FROM mood_answers"
        " WHERE answered_at >= ? AND answered_at < ?",
        ("2026-11-02", "2026-11-09"),
    ).fetchall()
    assert "COVERING INDEX mood_answers_at_mood" in " ".join(row[-1] for row in plan)
    indexes = {row[1] for row in db.execute("PRAGMA index_list(mood_answers)")}
    assert indexes == {"mood_answers_at_mood", "mood_answers_visit"}


def test_heatmap_counts_visits_that_share_their_hours_one_by_one(db) -> None:
    # The heatmap groups visits by the hours their stays begin and end: several visits in
    # the same hours must add up as they would one by one. Monday 9 November, winter time.
    stays = [
        ((9, 10), (11, 20)), ((9, 40), (11, 5)), ((9, 59), (11, 59)), ((10, 0), (10, 30)),
        ((10, 15), (10, 45)), ((10, 15), (10, 45)), ((9, 30), None), ((23, 30), None),
    ]  # fmt: skip
    for (hour, minute), left in stays:
        add_visit(db, checked_in_at=at(2026, 11, 9, hour, minute),
                  checked_out_at=left and at(2026, 11, 9, *left))  # fmt: skip
    heat = stats.weekday_hour_heatmap(db, NOW, HELSINKI, 1)
    day = (date(2026, 11, 9) - date(1970, 1, 1)).days * 86_400
    wall = [
        (day + h * 3600 + m * 60, left and day + left[0] * 3600 + left[1] * 60)
        for (h, m), left in stays
    ]
    walk = reference_hours_present(wall, day - 86_400 * 4, day + 86_400 * 3)
    assert heat.cells == [[round(v, 2) for v in row] for row in walk]
    # Open visits count to the day's end: 9:30 to midnight and 23:30 to midnight.
    assert heat.cells[0][15] == 1.0 and heat.cells[0][23] == 1.5
