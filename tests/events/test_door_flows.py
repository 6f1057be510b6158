"""The door screens through Flask's test client, CSRF on: join, "täynnä", the board, guests."""

from __future__ import annotations

import re

from kiosk import events, here_today
from tests.events.conftest import at, csrf, join_action, make_event, post_form, scan_at_door
from tests.web_helpers import visible_text


def test_welcome_shows_todays_events_without_participants(door, appdb, clock, add) -> None:
    event_id = make_event(appdb, clock.now(), "Somemarkkinoinnin työpaja", capacity="1")
    make_event(appdb, clock.now(), "Huomisen valmennus", day="2026-11-27", kind="valmennus")
    anna, _ = add("Anna Virtanen", company="Virtasen Puutarha")
    events.register(appdb, event_id, clock.now(), member_id=anna)
    page = door.get("/")
    text = visible_text(page.text)
    assert "Somemarkkinoinnin työpaja" in text and "13:00–16:00" in text
    assert "Iso neuvotteluhuone" in text and 'class="today-full"' in page.text
    assert "Huomisen valmennus" not in text
    assert "Anna" not in text and "Virtasen" not in text
    listing = door.get("/events/today")
    assert listing.status_code == 200 and "Somemarkkinoinnin työpaja" in listing.text
    assert "Anna" not in visible_text(listing.text)


def test_a_member_joins_from_the_greeting(door, appdb, clock, add) -> None:
    event_id = make_event(appdb, clock.now(), capacity="5")
    anna, card = add("Anna Virtanen")
    url, html = scan_at_door(door, card)
    action = join_action(html, event_id)
    assert action, "the greeting offers the event"
    response = post_form(door, url, action)
    assert response.status_code == 302 and "ev=joined" in response.location
    page = door.get(response.location)
    assert "You&#39;re in" in page.text or "You're in" in visible_text(page.text)
    assert join_action(page.text, event_id) is None  # no second button
    registration = events.find_registration(appdb, event_id, member_id=anna)
    assert registration is not None and registration["visit_id"] is not None


def test_a_full_event_says_taynna(door, appdb, clock, add) -> None:
    event_id = make_event(appdb, clock.now(), capacity="1")
    _anna, anna_card = add("Anna Virtanen")
    mikko, mikko_card = add("Mikko Korhonen")
    url, html = scan_at_door(door, anna_card)
    action = join_action(html, event_id)
    # Mikko takes the last place while Anna's screen is open.
    events.register(appdb, event_id, clock.now(), member_id=mikko)
    response = post_form(door, url, action)
    assert "ev=full" in response.location
    page = door.get(response.location)
    assert "that event is full" in visible_text(page.text)
    assert join_action(page.text, event_id) is None and 'class="today-full"' in page.text
    assert events.get_event(appdb, event_id)["registered"] == 1
    # A fresh greeting for someone else also shows it full, with no button.
    _elsa, elsa_card = add("Elsa Lindqvist")
    _url, elsa_page = scan_at_door(door, elsa_card)
    assert join_action(elsa_page, event_id) is None


def test_join_needs_the_token_and_the_csrf_token(door, app, appdb, clock, add) -> None:
    event_id = make_event(appdb, clock.now())
    _anna, card = add("Anna Virtanen")
    url, html = scan_at_door(door, card)
    action = join_action(html, event_id)
    assert door.post(action).status_code == 400  # no CSRF token
    token = csrf(door.get(url).text)
    forged = door.post(f"/hello/forged.token/join/{event_id}", data={"csrf_token": token})
    assert forged.status_code == 404
    missing = door.post(
        action.replace(f"/join/{event_id}", "/join/999"), data={"csrf_token": token}
    )
    assert missing.status_code == 404
    assert appdb["event_registrations"].count == 0


def test_no_join_after_check_out(door, appdb, clock, add) -> None:
    event_id = make_event(appdb, clock.now())
    _anna, card = add("Anna Virtanen")
    url, html = scan_at_door(door, card)
    action = join_action(html, event_id)
    token = csrf(door.get(url).text)
    clock.advance(minutes=5)
    scan_at_door(door, card)  # checks out
    assert door.post(action, data={"csrf_token": token}).status_code == 400
    assert appdb["event_registrations"].count == 0


def test_only_todays_events_can_be_joined_at_the_door(door, appdb, clock, add) -> None:
    today = make_event(appdb, clock.now())
    tomorrow = make_event(appdb, clock.now(), day="2026-11-27")
    _anna, card = add("Anna Virtanen")
    url, html = scan_at_door(door, card)
    action = join_action(html, today).replace(f"/join/{today}", f"/join/{tomorrow}")
    assert join_action(html, tomorrow) is None
    assert post_form(door, url, action).status_code == 400


def test_board_opt_in_from_the_greeting_and_gone_at_check_out(door, appdb, clock, add) -> None:
    _anna, card = add(
        "Anna Virtanen", company="Virtasen Puutarha", interests="puutarhat, somemarkkinointi"
    )
    assert "Anna" not in visible_text(door.get("/board").text)
    url, html = scan_at_door(door, card)
    action = re.search(r'action="(/hello/[^"]+/board)"', html).group(1)
    # Only the configured help topics: her own profile tags are not shown at the door.
    assert 'value="rahoitus"' in html and 'value="digi"' in html
    assert "puutarhat" not in html and "somemarkkinointi" not in html
    response = post_form(door, url, action, show="1", topic=["digi", "rahoitus"])
    assert "ev=board_on" in response.location
    board = visible_text(door.get("/board").text)
    assert "Anna" in board and "Virtasen Puutarha" in board and "Digital tools" in board
    assert "Virtanen" not in board.replace("Virtasen", "")
    assert "Funding" in board  # a help topic shows with its label
    # Opting out from the same screen works too.
    again = post_form(door, url, action, show="0")
    assert "ev=board_off" in again.location and "Anna" not in visible_text(door.get("/board").text)
    post_form(door, url, action, show="1", topic=["digi"])
    clock.advance(minutes=10)
    scan_at_door(door, card)  # check-out
    assert "Anna" not in visible_text(door.get("/board").text)


def test_board_refuses_topics_that_were_not_offered(door, appdb, clock, add) -> None:
    _anna, card = add("Anna Virtanen")
    url, html = scan_at_door(door, card)
    action = re.search(r'action="(/hello/[^"]+/board)"', html).group(1)
    response = post_form(door, url, action, show="1", topic=["Soita 040 123"])
    assert response.status_code == 400
    assert here_today.board(appdb) == []


def test_the_board_is_for_door_devices_only(app, door) -> None:
    stranger = app.test_client()
    assert stranger.get("/board", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 403
    assert door.get("/board").status_code == 200


def test_a_walk_in_guest_registers_from_the_guest_greeting(door, appdb, clock) -> None:
    event_id = make_event(appdb, clock.now(), starts="09:30", ends="12:00", capacity="3")
    token = csrf(door.get("/guest").text)
    signed = door.post(
        "/guest",
        data={"name": "Åsa Öörni", "company": "Ääkköset Ky", "consent": "1", "csrf_token": token},
    )
    assert signed.status_code == 302
    greeting = door.get(signed.location)
    action = join_action(greeting.text, event_id)
    assert action, "the guest's greeting offers today's events"
    assert "/board" not in re.findall(r'action="([^"]+)"', greeting.text)[-1]  # no board for guests
    response = post_form(door, signed.location, action)
    assert "ev=joined" in response.location
    [row] = events.registrations(appdb, event_id)
    assert row["kind"] == "guest" and row["name"] == "Åsa Öörni"
    assert row["attended_at"] is not None  # the event runs and she is here


def test_a_scan_during_the_event_records_attendance(door, appdb, clock, add) -> None:
    event_id = make_event(appdb, clock.now())  # 13–16
    anna, card = add("Anna Virtanen")
    events.register(appdb, event_id, clock.now(), member_id=anna)
    clock.set(at(13, 10))
    scan_at_door(door, card)
    row = events.find_registration(appdb, event_id, member_id=anna)
    assert row["attended_at"] is not None


def test_scan_api_during_the_event_records_attendance(app, appdb, clock, add) -> None:
    event_id = make_event(appdb, clock.now())
    anna, card = add("Anna Virtanen")
    events.register(appdb, event_id, clock.now(), member_id=anna)
    clock.set(at(14))
    response = app.test_client().post(
        "/api/v1/scans",
        json={"code": card},
        headers={"Authorization": f"Bearer {app.config['DEVICE_TOKEN']}"},
    )
    assert response.json["result"] == "checked_in"
    assert events.find_registration(appdb, event_id, member_id=anna)["attended_at"] is not None
