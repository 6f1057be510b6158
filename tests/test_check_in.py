"""One pipeline after every check-in: badge policy and event attendance, whatever the way in."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.check_in import check_in_by_code, check_in_by_hand, check_in_guest
from kiosk.events import EventInput, create_event, register
from kiosk.guests import GuestForm
from kiosk.settings import Settings
from kiosk.visits import ScanResult, ScanRules
from tests.conftest import HELSINKI
from tests.factories import gen_member


@pytest.fixture
def workshop(db, clock):
    """A workshop running 9:00–12:00 today; the clock stands at 10:00."""
    return create_event(
        db,
        EventInput(title="Työpaja", kind="työpaja", day="2026-11-26", starts="09:00", ends="12:00"),
        datetime(2026, 11, 25, 12, 0, tzinfo=HELSINKI),
        HELSINKI,
    )


def attended(db, event_id: int) -> list[int | None]:
    return [
        row["member_id"]
        for row in db.query(
            "SELECT member_id FROM event_registrations"
            " WHERE event_id = ? AND attended_at IS NOT NULL",
            [event_id],
        )
    ]


def badge_kinds(db) -> list[str]:
    return [row["kind"] for row in db.query("SELECT kind FROM print_jobs ORDER BY id")]


@pytest.mark.parametrize("way", ["card", "hand"])
def test_every_way_in_marks_event_attendance(db, clock, workshop, way):
    member_id, token = gen_member(db, clock.now(), "Anna Virtanen")
    register(db, workshop, clock.now(), member_id=member_id)
    settings = Settings()
    if way == "card":
        outcome = check_in_by_code(db, token, clock.now(), settings, ScanRules(), device="t")
        assert outcome.result is ScanResult.CHECKED_IN
    else:
        check_in_by_hand(db, member_id, clock.now(), settings)
    assert attended(db, workshop) == [member_id]


def test_badge_policy_applies_to_a_card_but_not_to_a_host_check_in(db, clock):
    settings = Settings(member_badge_policy="first_visit_of_day")
    first_id, first_token = gen_member(db, clock.now(), "Anna Virtanen")
    second_id, _token = gen_member(db, clock.now(), "Mikko Korhonen")
    check_in_by_code(db, first_token, clock.now(), settings, ScanRules(), device="t")
    check_in_by_hand(db, second_id, clock.now(), settings)
    assert badge_kinds(db) == ["member_badge"]


def test_a_replayed_scan_follows_up_once(db, clock):
    settings = Settings(member_badge_policy="first_visit_of_day")
    _id, token = gen_member(db, clock.now(), "Anna Virtanen")
    for _ in range(2):
        check_in_by_code(
            db, token, clock.now(), settings, ScanRules(), device="t", idempotency_key="k-1"
        )
    assert badge_kinds(db) == ["member_badge"]


def test_a_guest_gets_a_badge_and_the_house_attendance_is_settled(db, clock, workshop):
    # Anna registered, came in before the workshop began and never scanned again: a guest
    # signing in during it is the tick that marks her as attended, as a card scan would be.
    member_id, _token = gen_member(db, clock.now(), "Anna Virtanen")
    register(db, workshop, clock.now(), member_id=member_id)
    check_in_by_hand(db, member_id, datetime(2026, 11, 26, 8, 30, tzinfo=HELSINKI), Settings())
    db.execute("UPDATE event_registrations SET attended_at = NULL")
    signed_in = check_in_guest(
        db, GuestForm(name="Greta Gästsson", consent=True), clock.now(), Settings()
    )
    assert signed_in.visit_id
    assert badge_kinds(db) == ["guest_badge"]
    assert attended(db, workshop) == [member_id]
