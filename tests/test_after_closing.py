"""After the door checks everyone out at closing time: a late scan, and the next check-in."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.closing import check_out_everyone_at_closing, parse_closing_time
from kiosk.visits import ScanResult, process_scan
from kiosk.web import create_app
from tests.factories import gen_member, visit_rows
from tests.web_helpers import csrf_token, visible_text

HELSINKI = ZoneInfo("Europe/Helsinki")
HELSINKI_CLOSING = parse_closing_time("22:00")


@pytest.fixture
def app(tmp_path, clock, db_path):
    return create_app(
        {
            "INSTANCE_PATH": tmp_path / "instance",
            "DATABASE": str(db_path),
            "CLOCK": clock,
            "DEMO_DATA": False,
            "PRINTER": f"preview:{tmp_path / 'badges'}",
        }
    )


def _forgotten_checkout(db, clock, token):
    """Check in at 10:00 (the fixture clock), never out; the door closes the visit at 22:00."""
    assert process_scan(db, token, clock.now()).result == ScanResult.CHECKED_IN
    clock.advance(hours=12, minutes=5)
    closed = check_out_everyone_at_closing(db, clock.now(), HELSINKI_CLOSING, HELSINKI)
    assert len(closed) == 1
    return closed[0]


def _scan(client, token):
    response = client.post("/scan", data={"code": token, "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    return response.location


def test_a_late_scan_after_the_closing_check_out_starts_no_new_visit(app, db, clock):
    client = app.test_client()
    _id, token = gen_member(db, clock.now(), "Anna Virtanen")
    _forgotten_checkout(db, clock, token)
    clock.advance(hours=1, minutes=15)  # 23:20
    screen = client.get(_scan(client, token))
    text = visible_text(screen.text)
    assert "Sinut kirjattiin ulos sulkemisaikaan klo 22.00." in text
    assert "Uutta käyntiä ei aloitettu." in text
    assert len(visit_rows(db)) == 1  # not a new 1,300-minute visit


def test_the_next_morning_is_a_new_visit_that_asks_once_when_they_left(app, db, clock):
    client = app.test_client()
    _id, token = gen_member(db, clock.now(), "Anna Virtanen")
    first_visit = _forgotten_checkout(db, clock, token)
    clock.advance(hours=11)  # 09:05 the next day
    location = _scan(client, token)
    question = client.get(location)
    text = visible_text(question.text)
    assert "Milloin lähdit viimeksi?" in text
    choices = re.findall(r'name="left_at" value="([^"]*)"', question.text)
    assert len(choices) == 5 and choices[-1] == ""  # four hours and "I don't remember"
    assert "noin klo 11.00" in text and "En muista" in text
    action = re.search(r'action="([^"]+/left)"', question.text).group(1)
    answer = client.post(
        action, data={"left_at": choices[1], "csrf_token": csrf_token(client, location)}
    )
    greeting = client.get(answer.location)
    assert "Mitä kuuluu?" in visible_text(greeting.text)
    row = db["visits"].get(first_visit)
    assert row["checkout_self_reported"] == 1 and row["checkout_method"] == "automatic"
    assert datetime.fromisoformat(row["checked_out_at"]) == datetime.fromisoformat(choices[1])
    # Asked once: the same screen does not ask again.
    assert "Milloin lähdit" not in visible_text(client.get(location).text)


def test_i_dont_remember_leaves_the_visit_as_it_was(app, db, clock):
    client = app.test_client()
    _id, token = gen_member(db, clock.now(), "Anna Virtanen")
    first_visit = _forgotten_checkout(db, clock, token)
    before = db["visits"].get(first_visit)
    clock.advance(hours=11)
    location = _scan(client, token)
    question = client.get(location)
    action = re.search(r'action="([^"]+/left)"', question.text).group(1)
    answer = client.post(action, data={"left_at": "", "csrf_token": csrf_token(client, location)})
    assert "Mitä kuuluu?" in visible_text(client.get(answer.location).text)
    assert db["visits"].get(first_visit) == before


def test_a_time_outside_the_visit_is_refused(app, db, clock):
    client = app.test_client()
    _id, token = gen_member(db, clock.now(), "Anna Virtanen")
    _forgotten_checkout(db, clock, token)
    clock.advance(hours=11)
    location = _scan(client, token)
    action = re.search(r'action="([^"]+/left)"', client.get(location).text).group(1)
    refused = client.post(
        action,
        data={"left_at": "2026-11-26T23:30:00+02:00", "csrf_token": csrf_token(client, location)},
    )
    assert refused.status_code == 400


def test_the_choices_are_whole_hours_between_arriving_and_closing() -> None:
    from kiosk.self_reported import leaving_choices

    def hours(arrive: int, close: int, minute: int = 0) -> list[str]:
        day = datetime(2026, 11, 26, tzinfo=HELSINKI)
        chosen = leaving_choices(
            day.replace(hour=arrive, minute=minute), day.replace(hour=close), HELSINKI
        )
        return [moment.strftime("%H:%M") for moment in chosen]

    assert hours(10, 22) == ["11:00", "14:00", "18:00", "21:00"]  # spread, first and last kept
    assert hours(19, 22) == ["20:00", "21:00"]
    assert hours(21, 22, 40) == []  # nothing useful to ask: no question
