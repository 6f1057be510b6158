"""The visits report's SQL-built lines against the reference path (tuples through ``csv``).

The CSV writer takes the fast path (:meth:`VisitsRows.csv_chunks`); iterating the same object
gives the reference rows. Both must give the same bytes for any data, month, language and
delimiter: summer and winter time, the DST nights, local mean time before 1921, check-outs
long after the month, hostile and odd text (quotes, line breaks, delimiters, NUL, U+001F).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.db import connect
from kiosk.reports import Month, build_report, iter_report_bytes, write_report
from kiosk.reports.columns import LANGUAGES, VISITS, headers
from kiosk.reports.csvout import CsvLines, write_csv
from kiosk.reports.visits import SEPARATOR, VisitsRows

from .conftest import HELSINKI, add_visit, at

DELIMITERS = [",", ";", "\t", "|"]
# The spring and autumn changes, an ordinary month, and the switch from Helsinki mean time
# (UTC+1:39:49, not a whole minute) to UTC+2 on 1 May 1921.
MONTHS = [Month(2026, 3), Month(2026, 10), Month(2026, 11), Month(1921, 4), Month(1921, 5)]


def reference(rows: VisitsRows, language: str, delimiter: str) -> bytes:
    """The bytes of the reference path: the rows as tuples, through the csv module."""
    stream = io.BytesIO()
    header = headers(VISITS, language)
    write_csv(stream, header, list(rows), delimiter=delimiter, neutralised=True)
    return stream.getvalue()


def fast(rows: VisitsRows, language: str, delimiter: str) -> bytes:
    stream = io.BytesIO()
    write_csv(stream, headers(VISITS, language), rows, delimiter=delimiter, neutralised=True)
    return stream.getvalue()


def render(db, month: Month, language: str = "en", delimiter: str = ",") -> str:
    stream = io.BytesIO()
    report = build_report(db, "visits", month, HELSINKI, language)
    write_report(report, stream, delimiter=delimiter)
    return stream.getvalue().decode("utf-8")


def test_the_writer_takes_the_sql_path(db) -> None:
    report = build_report(db, "visits", Month(2026, 11), HELSINKI, "fi")
    assert isinstance(report.rows, CsvLines) and report.neutralised


@pytest.mark.parametrize("delimiter", DELIMITERS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_fixture_month_is_the_same_both_ways(month_db, language: str, delimiter: str) -> None:
    rows = VisitsRows(month_db, Month(2026, 11), HELSINKI, language)
    produced = fast(rows, language, delimiter)
    assert produced == reference(rows, language, delimiter)
    report = build_report(month_db, "visits", Month(2026, 11), HELSINKI, language)
    assert b"".join(iter_report_bytes(report, delimiter=delimiter)) == produced


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
    rows = VisitsRows(db, Month(2026, 11), HELSINKI, "en")
    produced = fast(rows, "en", delimiter)
    assert produced == reference(rows, "en", delimiter)
    assert produced.decode("utf-8").count("'" + value) == 4


@pytest.mark.parametrize(
    "name",
    [f"a{SEPARATOR}b", "nul\x00inside", 'say "hi"', "line\nbreak", "cr\rhere", "a,b;c\td|e", ""],
    ids=["separator", "nul", "quote", "lf", "cr", "delimiters", "empty"],
)
@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_odd_text_is_the_same_both_ways(db, name: str, delimiter: str) -> None:
    db["guests"].insert(
        dict(id=1, name=name, first_name="x", company=name, consent_version="1",
             consent_at=at(2026, 1, 1, 9), created_at=at(2026, 1, 1, 9))
    )  # fmt: skip
    for day in range(1, 4):
        add_visit(db, guest_id=1, checked_in_at=at(2026, 11, day, 9), checkin_method="guest")
        add_visit(db, checked_in_at=at(2026, 11, day, 10))  # a clean row in the same chunk
    rows = VisitsRows(db, Month(2026, 11), HELSINKI, "sv")
    assert fast(rows, "sv", delimiter) == reference(rows, "sv", delimiter)


# --- Random data -------------------------------------------------------------------------

ODD = "\"\r\n,;\t|=+-@'\x00\x1f äöåÄÖÅ€😀"
texts = st.text(st.sampled_from(ODD) | st.characters(codec="utf-8", exclude_categories=["Cs"]),
                max_size=8)  # fmt: skip
SECONDS = st.sampled_from([0, 0.0, 59.999999, 59.9999, 0.5]) | st.floats(0, 59.999999)


@st.composite
def instants(draw, month: Month) -> str:
    """Stored UTC text near and inside the month, often right at a DST change."""
    start, end = month.utc_bounds(HELSINKI)
    span = int((end - start).total_seconds()) // 60
    minute = draw(st.integers(-200, span + 200) | st.sampled_from([0, span - 1]))
    second = draw(SECONDS)
    moment = start + timedelta(minutes=minute, seconds=second)
    if draw(st.booleans()):  # around 01:00 UTC, when Helsinki's clocks change
        moment = moment.replace(hour=draw(st.sampled_from([0, 1])))
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@st.composite
def months_of_visits(draw) -> tuple[Month, list[dict[str, object]], list[tuple[str, ...]]]:
    month = draw(st.sampled_from(MONTHS))
    people = draw(st.lists(st.tuples(texts, st.none() | texts, st.none() | texts), max_size=3))
    visits = []
    for index in range(draw(st.integers(0, 12))):
        checked_in = draw(instants(month))
        stay = draw(st.sampled_from(["open", "short", "far"]))
        if stay == "open":
            checked_out = None
        else:
            minutes = draw(st.integers(0, 600) if stay == "short" else st.integers(1, 400_000))
            moment = datetime.fromisoformat(checked_in) + timedelta(minutes=minutes)
            checked_out = moment.isoformat(timespec="microseconds")
        who = draw(st.sampled_from(["member", "guest", "nobody"])) if people else "nobody"
        visits.append(
            dict(
                id=index + 1,
                checked_in_at=checked_in,
                checked_out_at=checked_out,
                member_id=draw(st.integers(1, len(people))) if who == "member" else None,
                guest_id=draw(st.integers(1, len(people))) if who == "guest" else None,
                event_id=draw(st.none() | st.just(1)),
                checkin_method=draw(st.sampled_from(["card", "guest", "manual"])),
                checkout_method=None
                if checked_out is None
                else draw(st.sampled_from(["card", "manual", "automatic"])),
                anonymised_at=draw(st.none() | st.just("2027-01-01T00:00:00.000000+00:00")),
            )
        )
    return month, visits, people


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory):
    database = connect(Path(tmp_path_factory.mktemp("lines")) / "kiosk.db", migrate=True)
    yield database
    database.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=months_of_visits(), title=texts, language=st.sampled_from(LANGUAGES),
       delimiter=st.sampled_from(DELIMITERS), forgotten=st.booleans())  # fmt: skip
def test_random_months_are_the_same_both_ways(
    shared_db, data, title: str, language: str, delimiter: str, forgotten: bool
) -> None:
    month, visits, people = data
    db = shared_db
    for table in ("visits", "events", "members", "guests"):
        db.conn.execute(f"DELETE FROM {table}")  # noqa: S608
    created = "2020-01-01T00:00:00.000000+00:00"
    for number, (name, company, business_id) in enumerate(people, start=1):
        db["members"].insert(
            dict(id=number, name=name, first_name="x", company=company,
                 business_id=business_id, created_at=created, updated_at=created,
                 forgotten_at=created if forgotten and number == 1 else None)
        )  # fmt: skip
        db["guests"].insert(
            dict(id=number, name=name, first_name="x", company=company, consent_version="1",
                 consent_at=created, created_at=created,
                 anonymised_at=created if forgotten and number == 2 else None)
        )  # fmt: skip
    db["events"].insert(
        dict(id=1, title=title, starts_at=created, ends_at=created, created_at=created)
    )
    db["visits"].insert_all(visits)
    rows = VisitsRows(db, month, HELSINKI, language)
    produced, expected = fast(rows, language, delimiter), reference(rows, language, delimiter)
    assert produced.split(b"\r\n") == expected.split(b"\r\n"), (month, visits)


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
    assert fast(rows, "en", ",") == reference(rows, "en", ",")


def test_many_chunks_with_odd_rows_here_and_there(db) -> None:
    db["events"].insert(
        dict(id=1, title='Työpaja; "A", B', starts_at=at(2026, 11, 3, 9),
             ends_at=at(2026, 11, 3, 10), created_at=at(2026, 1, 1, 9))
    )  # fmt: skip
    start = datetime(2026, 10, 31, 22, 0, tzinfo=UTC)
    db["visits"].insert_all(
        dict(
            checked_in_at=(start + timedelta(minutes=47 * n, seconds=n % 60)).isoformat(
                timespec="microseconds"
            ),
            checkin_method="card",
            event_id=1 if n % 97 == 0 else None,
        )
        for n in range(900)
    )
    rows = VisitsRows(db, Month(2026, 11), HELSINKI, "fi")
    for delimiter in DELIMITERS:
        produced = fast(rows, "fi", delimiter)
        assert produced == reference(rows, "fi", delimiter)
        assert produced.count(b"\r\n") == 901
