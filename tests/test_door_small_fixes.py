"""Small door fixes: the night's greeting, one open visit a guest, friendly error pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.greetings import Greeting, choose_greeting
from kiosk.guests import GuestForm, sign_in_guest
from kiosk.visits import ScanResult, ScanRules, process_scan
from tests.factories import visit_rows

HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.mark.parametrize(
    ("clock_time", "expected"),
    [
        ((0, 10), Greeting.DAY),
        ((3, 23), Greeting.DAY),  # never "good evening" at 03:23
        ((4, 59), Greeting.DAY),
        ((5, 0), Greeting.MORNING),
        ((12, 0), Greeting.DAY),
        ((17, 0), Greeting.EVENING),
        ((23, 59), Greeting.EVENING),
    ],
)
def test_greeting_by_the_local_hour(clock_time, expected) -> None:
    at = datetime(2026, 11, 30, *clock_time, tzinfo=HELSINKI)
    assert choose_greeting(at.astimezone(ZoneInfo("UTC")), HELSINKI) == expected


def test_a_guest_sent_twice_holds_one_open_visit(db, clock) -> None:
    form = GuestForm(name="Pekka Mäkinen", company="Mehu Oy", consent=True)
    first = sign_in_guest(db, form, clock.now(), "v1")
    again = sign_in_guest(
        db, GuestForm(name="pekka mäkinen", company="MEHU OY", consent=True), clock.now(), "v1"
    )
    assert again.already_in and not first.already_in
    assert (again.visit_id, again.guest_id, again.card_token) == (
        first.visit_id,
        first.guest_id,
        first.card_token,
    )
    assert len(visit_rows(db)) == 1
    # Another guest of the same name from another company is another person.
    other = sign_in_guest(db, GuestForm(name="Pekka Mäkinen", consent=True), clock.now(), "v1")
    assert not other.already_in and len(visit_rows(db)) == 2
    # Checked out, the same guest may come again the same day.
    clock.advance(hours=1)
    assert process_scan(db, first.card_token, clock.now(), ScanRules()).result == (
        ScanResult.CHECKED_OUT
    )
    later = sign_in_guest(db, form, clock.now(), "v1")
    assert not later.already_in and len(visit_rows(db)) == 3


@pytest.fixture
def client(tmp_path, clock, db_path):
    from kiosk.web import create_app

    app = create_app(
        {
            "INSTANCE_PATH": tmp_path / "instance",
            "DATABASE": str(db_path),
            "CLOCK": clock,
            "DEMO_DATA": False,
        }
    )
    return app.test_client()


def test_error_pages_are_styled_translated_and_lead_back(client) -> None:
    from tests.web_helpers import visible_text

    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "Sivua ei löytynyt" in visible_text(missing.text)
    assert 'href="/?reset=1"' in missing.text and "kiosk.css" in missing.text
    client.get("/language/sv")
    assert "Sidan hittades inte" in visible_text(client.get("/no-such-page").text)
    staff = client.get("/staff/no-such-page")
    assert staff.status_code == 404 and 'href="/staff/"' in staff.text
    # The API keeps answering machines in JSON.
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json


def test_a_favicon_is_served_and_linked(client) -> None:
    page = client.get("/")
    assert 'rel="icon"' in page.text
    with client.get("/static/img/favicon.svg") as icon:
        assert icon.status_code == 200 and b"<svg" in icon.data
