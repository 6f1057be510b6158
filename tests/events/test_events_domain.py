"""Events in the domain: validation, today's list, capacity, attendance, name tags."""

from __future__ import annotations

import json

import pytest

from kiosk import events
from kiosk.errors import FormInvalid
from kiosk.guests import GuestForm, sign_in_guest
from kiosk.privacy.erasure import forget_member
from kiosk.timeutil import from_db, to_db
from kiosk.visits import close_visit, manual_check_in, process_scan
from printer.jobs import parse_payload
from tests.events.conftest import HELSINKI, at, make_event, member


def form(**changes: str) -> events.EventInput:
    values = {
        "title": "Työpaja",
        "kind": "työpaja",
        "day": "2026-11-26",
        "starts": "13:00",
        "ends": "15:00",
        "capacity": "",
    }
    values.update(changes)
    return events.EventInput(**values)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"kind": "juhlat"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"day": "26.11.2026"}, "day"),
        ({"starts": "25:00"}, "starts"),
        ({"ends": ""}, "ends"),
        ({"ends": "13:00"}, "ends"),
        ({"ends": "12:00"}, "ends"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "-3"}, "capacity"),
        ({"capacity": "kaksi"}, "capacity"),
        ({"capacity": "2.5"}, "capacity"),
    ],
)
def test_invalid_events_are_refused_with_the_field(db, clock, changes, field) -> None:
    with pytest.raises(FormInvalid) as caught:
        events.create_event(db, form(**changes), clock.now(), HELSINKI)
    assert field in caught.value.errors
    assert db["events"].count == 0


@pytest.mark.parametrize("kind", events.KINDS)
def test_every_kind_is_accepted_and_times_are_stored_in_utc(db, clock, kind) -> None:
    event_id = events.create_event(db, form(kind=kind, capacity="8"), clock.now(), HELSINKI)
    event = events.get_event(db, event_id)
    assert event["kind"] == kind and event["capacity"] == 8
    assert from_db(event["starts_at"]) == at(13) and from_db(event["ends_at"]) == at(15)
    assert event["starts_at"].endswith("+00:00")


def test_empty_capacity_means_no_limit(db, clock) -> None:
    event_id = events.create_event(db, form(capacity=""), clock.now(), HELSINKI)
    for n in range(30):
        member_id, _ = member(db, clock.now(), f"Jäsen Numero{n}")
        events.register(db, event_id, clock.now(), member_id=member_id)
    assert events.get_event(db, event_id)["registered"] == 30
    assert events.get_event(db, event_id)["full"] is False


def test_edit_and_cancel(db, clock) -> None:
    event_id = events.create_event(db, form(), clock.now(), HELSINKI)
    events.update_event(db, event_id, form(title="Uusi nimi", room="Sali"), HELSINKI)
    assert events.get_event(db, event_id)["title"] == "Uusi nimi"
    assert events.form_from_event(events.get_event(db, event_id), HELSINKI).starts == "13:00"
    assert events.cancel_event(db, event_id, clock.now()) is True
    assert events.cancel_event(db, event_id, clock.now()) is False
    assert events.get_event(db, event_id)["cancelled_at"] is not None


def test_capacity_is_respected_and_registering_twice_is_not_an_error(db, clock) -> None:
    event_id = make_event(db, clock.now(), capacity="2")
    anna, _ = member(db, clock.now(), "Anna Virtanen")
    mikko, _ = member(db, clock.now(), "Mikko Korhonen")
    elsa, _ = member(db, clock.now(), "Elsa Lindqvist")
    first = events.register(db, event_id, clock.now(), member_id=anna)
    assert first.created is True
    again = events.register(db, event_id, clock.now(), member_id=anna)
    assert again.created is False and again.id == first.id
    events.register(db, event_id, clock.now(), member_id=mikko)
    assert events.get_event(db, event_id)["full"] is True
    with pytest.raises(events.EventFull):
        events.register(db, event_id, clock.now(), member_id=elsa)
    # Someone already in keeps their place even when the event is full.
    assert events.register(db, event_id, clock.now(), member_id=mikko).created is False
    assert db["event_registrations"].count == 2


def test_cancelled_and_finished_events_take_no_registrations(db, clock) -> None:
    anna, _ = member(db, clock.now(), "Anna Virtanen")
    cancelled = make_event(db, clock.now())
    events.cancel_event(db, cancelled, clock.now())
    with pytest.raises(events.EventClosed):
        events.register(db, cancelled, clock.now(), member_id=anna)
    morning = make_event(db, clock.now(), starts="08:00", ends="09:30")
    with pytest.raises(events.EventClosed):
        events.register(db, morning, clock.now(), member_id=anna)


def test_todays_events_follow_the_local_day(db, clock) -> None:
    # 00:30 local on the 26th is still the 25th in UTC; 23:30 on the 25th is not today.
    early = make_event(db, clock.now(), "Aamuyö", starts="00:30", ends="23:59")
    make_event(db, clock.now(), "Eilen", day="2026-11-25", starts="23:00", ends="23:30")
    make_event(db, clock.now(), "Huomenna", day="2026-11-27")
    later = make_event(db, clock.now(), "Iltapäivä")
    over = make_event(db, clock.now(), "Aamu", starts="08:00", ends="09:00")
    gone = make_event(db, clock.now(), "Peruttu")
    events.cancel_event(db, gone, clock.now())
    assert [e["id"] for e in events.todays_events(db, clock.now(), HELSINKI)] == [early, later]
    with_past = events.todays_events(db, clock.now(), HELSINKI, include_past=True)
    assert [e["id"] for e in with_past] == [early, over, later]


def test_running_events(db, clock) -> None:
    now_on = make_event(db, clock.now(), "Nyt", starts="09:30", ends="11:00")
    make_event(db, clock.now(), "Myöhemmin", starts="12:00", ends="13:00")
    assert [e["id"] for e in events.running_events(db, clock.now())] == [now_on]
    assert events.running_events(db, at(11)) == []  # the end is exclusive


def test_joining_a_running_event_while_present_marks_attendance(db, clock) -> None:
    event_id = make_event(db, clock.now(), starts="09:30", ends="11:00")
    anna, _ = member(db, clock.now(), "Anna Virtanen")
    visit_id = manual_check_in(db, anna, clock.now())
    registration = events.register(db, event_id, clock.now(), member_id=anna, visit_id=visit_id)
    assert registration.attended is True
    row = db["event_registrations"].get(registration.id)
    assert row["attended_at"] == to_db(clock.now()) and row["visit_id"] == visit_id
    assert db["visits"].get(visit_id)["event_id"] == event_id


def test_registering_ahead_does_not_mark_attendance(db, clock) -> None:
    event_id = make_event(db, clock.now())  # 13–16
    anna, _ = member(db, clock.now(), "Anna Virtanen")
    visit_id = manual_check_in(db, anna, clock.now())
    registration = events.register(db, event_id, clock.now(), member_id=anna, visit_id=visit_id)
    assert registration.attended is False
    assert db["event_registrations"].get(registration.id)["attended_at"] is None


def test_a_scan_during_the_event_records_attendance_of_the_registered_only(db, clock) -> None:
    event_id = make_event(db, clock.now())  # 13–16
    anna, anna_card = member(db, clock.now(), "Anna Virtanen")
    mikko, mikko_card = member(db, clock.now(), "Mikko Korhonen")
    registration = events.register(db, event_id, clock.now(), member_id=anna)
    # Before the event a check-in records nothing.
    early = process_scan(db, mikko_card, clock.now())
    assert events.record_arrival(db, mikko, None, early.visit_id, clock.now(), HELSINKI) == []
    clock.set(at(13, 5))
    scan = process_scan(db, anna_card, clock.now())
    marked = events.record_arrival(db, anna, None, scan.visit_id, clock.now(), HELSINKI)
    assert marked == [registration.id]
    row = db["event_registrations"].get(registration.id)
    assert row["attended_at"] == to_db(at(13, 5)) and row["visit_id"] == scan.visit_id
    assert db["visits"].get(scan.visit_id)["event_id"] == event_id
    # The walk-in (Mikko, here since 10:00, not registered) is not registered by it.
    assert events.find_registration(db, event_id, member_id=mikko) is None
    # A second pass marks nothing new.
    assert events.record_arrival(db, anna, None, scan.visit_id, clock.now(), HELSINKI) == []


def test_arrival_settles_the_registered_people_already_in_the_house(db, clock) -> None:
    event_id = make_event(db, clock.now())  # 13–16
    anna, _ = member(db, clock.now(), "Anna Virtanen")
    elsa, _ = member(db, clock.now(), "Elsa Lindqvist")
    _sam, sam_card = member(db, clock.now(), "Sam Okafor")
    anna_visit = manual_check_in(db, anna, clock.now())  # here from 10:00 on
    elsa_visit = manual_check_in(db, elsa, clock.now())
    events.register(db, event_id, clock.now(), member_id=anna, visit_id=anna_visit)
    events.register(db, event_id, clock.now(), member_id=elsa, visit_id=elsa_visit)
    close_visit(db, elsa_visit, at(12), "card")  # Elsa left before it began
    clock.set(at(13, 20))
    scan = process_scan(db, sam_card, clock.now())
    events.record_arrival(db, _sam, None, scan.visit_id, clock.now(), HELSINKI)
    anna_row = events.find_registration(db, event_id, member_id=anna)
    assert anna_row["attended_at"] == to_db(at(13))  # present when it began
    assert events.find_registration(db, event_id, member_id=elsa)["attended_at"] is None


@pytest.mark.parametrize(
    ("check_in", "check_out", "attended"),
    [
        ((10, 0), (12, 59), False),  # left before the start
        ((10, 0), (13, 30), True),  # there at the start
        ((15, 0), (17, 0), True),  # came during it
        ((16, 0), (17, 0), False),  # came after the end
        ((10, 0), None, True),  # still here
    ],
)
def test_settle_attendance_by_overlap(db, clock, check_in, check_out, attended) -> None:
    event_id = make_event(db, clock.now())  # 13–16
    anna, _ = member(db, clock.now(), "Anna Virtanen")
    events.register(db, event_id, clock.now(), member_id=anna)
    visit_id = (
        db["visits"]
        .insert(
            {"member_id": anna, "checked_in_at": to_db(at(*check_in)), "checkin_method": "card"}
        )
        .last_pk
    )
    if check_out:
        close_visit(db, visit_id, at(*check_out), "card")
    marked = events.settle_attendance(db, at(18))
    assert marked == int(attended)
    row = events.find_registration(db, event_id, member_id=anna)
    assert (row["attended_at"] is not None) is attended
    assert events.settle_attendance(db, at(18)) == 0  # idempotent


def test_settle_ignores_cancelled_and_future_events(db, clock) -> None:
    cancelled = make_event(db, clock.now(), starts="09:00", ends="11:00")
    future = make_event(db, clock.now(), starts="13:00", ends="14:00")
    anna, _ = member(db, clock.now(), "Anna Virtanen")
    manual_check_in(db, anna, at(9))
    events.register(db, cancelled, at(9), member_id=anna)
    events.register(db, future, at(9), member_id=anna)
    events.cancel_event(db, cancelled, at(9, 30))
    assert events.settle_attendance(db, clock.now()) == 0


def test_a_guest_registers_and_attends(db, clock) -> None:
    event_id = make_event(db, clock.now(), starts="09:00", ends="12:00")
    guest = sign_in_guest(db, GuestForm(name="Åsa Öörni", consent=True), clock.now(), "2026-11")
    registration = events.register(
        db, event_id, clock.now(), guest_id=guest.guest_id, visit_id=guest.visit_id
    )
    assert registration.attended is True
    [row] = events.registrations(db, event_id)
    assert row["kind"] == "guest" and row["first_name"] == "Åsa" and row["present"] == 1


def test_name_tags_for_everyone_registered(db, clock) -> None:
    event_id = make_event(db, clock.now(), "Somemarkkinoinnin työpaja")
    people = [
        member(
            db, clock.now(), "Anna Virtanen", company="Virtasen Puutarha", interests="puutarhat"
        ),
        member(db, clock.now(), "Elsa Lindqvist", language="sv", can_help_with="grafisk design"),
        member(db, clock.now(), "Mikko Korhonen"),
    ]
    for member_id, _ in people:
        events.register(db, event_id, clock.now(), member_id=member_id)
    forget_member(db, people[2][0], clock.now(), "test")  # erased: nothing left to print
    jobs = events.queue_name_tags(db, event_id, clock.now(), HELSINKI)
    assert len(jobs) == 2
    rows = list(db.query("SELECT kind, payload FROM print_jobs ORDER BY id"))
    payloads = [json.loads(row["payload"]) for row in rows]
    assert {row["kind"] for row in rows} == {"name_tag"}
    assert [p["first_name"] for p in payloads] == ["Anna", "Elsa"]
    assert all(p["title"] == "Somemarkkinoinnin työpaja" for p in payloads)
    assert payloads[0]["ask_me"] == "puutarhat" and payloads[0]["company"] == "Virtasen Puutarha"
    assert payloads[1]["ask_me"] == "grafisk design" and payloads[1]["language"] == "sv"
    assert (
        payloads[0]["date_text"] == "to 26.11.2026" and payloads[1]["date_text"] == "tor 26.11.2026"
    )
    assert all("token" not in p for p in payloads)  # no card token on a sticker
    for payload in payloads:
        parse_payload("name_tag", payload)  # the printer accepts it
    only = events.queue_name_tags(
        db,
        event_id,
        clock.now(),
        HELSINKI,
        registration_ids=[db["event_registrations"].get(1)["id"]],
    )
    assert len(only) == 1


def test_seed_demo_events(db, clock) -> None:
    ids = events.seed_demo_events(db, clock.now(), HELSINKI)
    assert len(ids) == 2
    today = events.todays_events(db, clock.now(), HELSINKI)
    assert [e["kind"] for e in today] == ["työpaja"]
    peer = events.get_event(db, ids[1])
    assert peer["kind"] == "vertaisryhmä"
    days = (from_db(peer["starts_at"]) - clock.now()).days
    assert 0 < days < 7
