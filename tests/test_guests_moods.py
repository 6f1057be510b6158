"""Guest sign-in, the guest card, mood answers and host alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.errors import InvalidInput
from kiosk.guests import GuestForm, sign_in_guest
from kiosk.moods import mark_handled, open_alerts, record_mood, request_host
from kiosk.visits import ScanResult, ScanRules, process_scan
from tests.factories import gen_member, visit_rows

TOPICS = ["rahoitus", "markkinointi", "jaksaminen"]


def test_guest_signs_in_and_the_badge_card_checks_them_out_once(db, clock):
    signed = sign_in_guest(
        db, GuestForm(name="  Åsa   Öörni ", company="Testi Oy", consent=True), clock.now(), "v1"
    )
    assert signed.first_name == "Åsa"
    [visit] = visit_rows(db)
    assert visit["checkin_method"] == "guest" and visit["guest_id"] == signed.guest_id
    clock.advance(hours=1)
    out = process_scan(db, signed.card_token, clock.now(), ScanRules())
    assert out.result == ScanResult.CHECKED_OUT
    clock.advance(hours=1)
    # The guest card is good for one visit only.
    assert process_scan(db, signed.card_token, clock.now(), ScanRules()).result == "revoked"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (GuestForm(name="", consent=True), "name"),
        (GuestForm(name="   ", consent=True), "name"),
        (GuestForm(name="Anna", consent=False), "consent"),
        (GuestForm(name="A" * 121, consent=True), "name"),
        (GuestForm(name="Anna", company="x" * 201, consent=True), "company"),
        (GuestForm(name="Anna", language="de", consent=True), "language"),
    ],
)
def test_guest_form_rejects_bad_input_and_writes_nothing(db, clock, form, field):
    with pytest.raises(InvalidInput) as excinfo:
        sign_in_guest(db, form, clock.now(), "v1")
    assert excinfo.value.field == field
    assert visit_rows(db) == [] and db["guests"].count == 0


def test_guest_name_control_characters_are_removed(db, clock):
    signed = sign_in_guest(
        db, GuestForm(name="Eve\u0000\u202e Mallory", consent=True), clock.now(), "v"
    )
    assert signed.name == "Eve Mallory"


def test_mood_attaches_to_visit_and_a_second_tap_replaces_it(db, clock):
    _id, token = gen_member(db, clock.now())
    visit_id = process_scan(db, token, clock.now()).visit_id
    record_mood(db, visit_id, 2, clock.now())
    record_mood(db, visit_id, 1, clock.now())
    assert [r["mood"] for r in db.query("SELECT mood FROM mood_answers")] == [1]
    with pytest.raises(InvalidInput):
        record_mood(db, visit_id, 6, clock.now())


def test_help_request_alerts_the_host_until_handled(db, clock):
    _id, token = gen_member(db, clock.now())
    visit_id = process_scan(db, token, clock.now()).visit_id
    assert (
        request_host(db, visit_id, clock.now(), wants_chat=False, topics=[], allowed_topics=TOPICS)
        is None
    )
    alert_id = request_host(
        db, visit_id, clock.now(), wants_chat=True, topics=["rahoitus"], allowed_topics=TOPICS
    )
    [alert] = open_alerts(db)
    assert alert["id"] == alert_id and alert["topics"] == ["rahoitus"] and alert["wants_chat"]
    assert alert["name"] == "Anna Virtanen"
    mark_handled(db, alert_id, clock.now(), "host")
    assert open_alerts(db) == []
    with pytest.raises(InvalidInput):
        request_host(
            db, visit_id, clock.now(), wants_chat=False, topics=["x"], allowed_topics=TOPICS
        )


def test_low_mood_alerts_host_only_with_the_members_permission(db, clock):
    _a, agreed = gen_member(db, clock.now(), "Anna Virtanen", approach_ok=True)
    _b, private = gen_member(db, clock.now(), "Mikko Korhonen", email="m@example.fi")
    visit_agreed = process_scan(db, agreed, clock.now()).visit_id
    visit_private = process_scan(db, private, clock.now()).visit_id
    record_mood(db, visit_agreed, 5, clock.now())
    record_mood(db, visit_private, 5, clock.now())
    alerts = open_alerts(db)
    assert [a["name"] for a in alerts] == ["Anna Virtanen"]
    assert alerts[0]["kind"] == "low_mood" and alerts[0]["mood"] == 5
    # Changing the answer to a good one withdraws the notice.
    record_mood(db, visit_agreed, 1, clock.now())
    assert open_alerts(db) == []


def test_alerts_stay_open_after_the_person_leaves(db, clock):
    _id, token = gen_member(db, clock.now())
    visit_id = process_scan(db, token, clock.now()).visit_id
    alert_id = request_host(
        db, visit_id, clock.now(), wants_chat=True, topics=[], allowed_topics=TOPICS
    )
    clock.advance(minutes=5)
    process_scan(db, token, clock.now(), ScanRules(min_stay=timedelta(minutes=1)))
    [alert] = open_alerts(db)
    assert alert["id"] == alert_id and alert["present"] is False
    mark_handled(db, alert_id, clock.now(), "hanna")
    assert open_alerts(db) == []
