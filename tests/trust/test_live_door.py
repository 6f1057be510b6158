"""The door under attack, against the real server: the forgotten-card path, guest sign-in
bursts and what the greeting shows."""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import pytest

from tests.trust.live import Browser, query, start_server
from tests.web_helpers import visible_text

pytestmark = pytest.mark.slow


def _path(answer) -> str:
    assert answer.status == 302, (answer.status, answer.text[:300])
    return urlsplit(answer.headers["Location"]).path


def scan_at_door(door: Browser, code: str) -> str:
    """Scan ``code`` with the keyboard-wedge field of the welcome screen; return its screen."""
    token = door.csrf("/")
    return _path(door.post_form("/scan", {"csrf_token": token, "code": code}))


def forgot_card(door: Browser, contact: str):
    token = door.csrf("/forgot")
    return door.post_form("/forgot", {"csrf_token": token, "contact": contact})


# --- 6. An email is not a secret -----------------------------------------------------------


def test_an_email_at_the_door_checks_in_and_nothing_more(live_server):
    live_server.add_member("Anna Virtanen", email="anna@example.com")
    door = Browser(live_server.url)
    screen = _path(forgot_card(door, "anna@example.com"))
    page = door.get(screen)
    assert page.status == 200 and "Anna" in visible_text(page.text)
    assert 'name="mood"' not in page.text and "Mitä kuuluu?" not in visible_text(page.text)
    token = door.csrf("/")
    for action, form in (
        ("mood", {"mood": "5"}),
        ("help", {"chat": "1"}),
        ("board", {"show": "1", "topic": "rahoitus"}),
        ("badge", {}),
    ):
        answer = door.post_form(f"{screen}/{action}", {"csrf_token": token, **form})
        assert answer.status == 403, action
    assert query(live_server, "SELECT * FROM mood_answers") == []
    assert query(live_server, "SELECT * FROM host_alerts") == []
    visits = query(live_server, "SELECT checked_out_at, board_opt_in FROM visits")
    assert visits == [{"checked_out_at": None, "board_opt_in": 0}]  # the check-in itself stands


def test_a_pin_chosen_after_a_card_scan_unlocks_the_forgotten_card_path(tmp_path):
    server = start_server(
        tmp_path, {"KIOSK_MIN_STAY_SECONDS": "0", "KIOSK_REPEAT_WINDOW_SECONDS": "0"}
    )
    try:
        card = server.add_member("Anna Virtanen", email="anna@example.com")
        door = Browser(server.url)
        screen = scan_at_door(door, card)
        assert "/pin/new" in door.get(screen).text  # offered after a card scan
        token = door.csrf(f"{screen}/pin/new")
        short = door.post_form(
            f"{screen}/pin/new", {"csrf_token": token, "pin": "12", "pin_again": "12"}
        )
        assert short.status == 400 and "4" in visible_text(short.text)
        chosen = door.post_form(
            f"{screen}/pin/new", {"csrf_token": token, "pin": "4826", "pin_again": "4826"}
        )
        assert chosen.status == 302
        stored = query(server, "SELECT pin_hash FROM members")[0]["pin_hash"]
        assert stored and stored.startswith(("scrypt:", "pbkdf2:"))  # a salted hash
        assert scan_at_door(door, card)  # check out with the card
        # Another day, no card: the email checks her in and asks for the PIN.
        weak = _path(forgot_card(door, "anna@example.com"))
        page = door.get(weak)
        assert 'name="pin"' in page.text and 'name="mood"' not in page.text
        token = door.csrf("/")
        wrong = door.post_form(f"{weak}/pin", {"csrf_token": token, "pin": "1111"})
        assert "pin=wrong" in wrong.headers["Location"]
        unlocked = _path(door.post_form(f"{weak}/pin", {"csrf_token": token, "pin": "4826"}))
        assert unlocked != weak and 'name="mood"' in door.get(unlocked).text
        assert door.post_form(f"{unlocked}/mood", {"csrf_token": token, "mood": "2"}).status == 302
        assert len(query(server, "SELECT * FROM mood_answers")) == 1
    finally:
        server.stop()


def test_forgotten_card_hits_count_toward_the_limit(live_server):
    live_server.add_member("Anna Virtanen", email="anna@example.com")
    door = Browser(live_server.url)
    places = [_path(forgot_card(door, "anna@example.com")) for _ in range(12)]
    assert "/refused/busy" in places, "hits were never slowed down"
    assert places.index("/refused/busy") <= 10


# --- 15. Guest sign-in bursts ---------------------------------------------------------------


def test_a_burst_of_guest_sign_ins_is_slowed_with_a_friendly_message(live_server):
    door = Browser(live_server.url)
    token = door.csrf("/guest")
    answers = [
        door.post_form("/guest", {"csrf_token": token, "name": f"Vieras Numero{i}", "consent": "1"})
        for i in range(30)
    ]
    signed_in = [a for a in answers if a.status == 302]
    limited = [a for a in answers if a.status == 429]
    assert 1 <= len(signed_in) <= 5 and len(limited) == 30 - len(signed_in)
    message = visible_text(limited[0].text)
    assert "odota hetki" in message.lower()  # Finnish, the door's default language
    assert len(query(live_server, "SELECT id FROM guests")) == len(signed_in)
    assert len(query(live_server, "SELECT id FROM print_jobs")) == len(signed_in)


# --- 17. The board opt-in shows configured topics only --------------------------------------


def test_the_board_opt_in_shows_only_the_configured_topics(live_server):
    card = live_server.add_member(
        "Anna Virtanen", interests="Salainen harrastus", can_help_with="Yksityisasia"
    )
    door = Browser(live_server.url)
    screen = scan_at_door(door, card)
    text = visible_text(door.get(screen).text)
    assert "Rahoitus" in text  # a configured help topic, in Finnish
    assert "Salainen harrastus" not in text and "Yksityisasia" not in text
    token = door.csrf("/")
    own = door.post_form(
        f"{screen}/board",
        [("csrf_token", token), ("show", "1"), ("topic", "Salainen harrastus")],
    )
    assert own.status == 400


def test_staff_can_set_the_pin_the_member_chose(live_server):
    from tests.trust.live import add_staff, log_in

    live_server.add_member("Anna Virtanen", email="anna@example.com")
    member_id = query(live_server, "SELECT id FROM members")[0]["id"]
    add_staff(live_server, "aatu")
    admin = Browser(live_server.url)
    assert log_in(admin, "aatu").status == 302
    token = admin.csrf(f"/staff/members/{member_id}")
    bad = admin.post_form(f"/staff/members/{member_id}/pin", {"csrf_token": token, "pin": "12a4"})
    assert "pin=bad" in bad.headers["Location"]
    saved = admin.post_form(
        f"/staff/members/{member_id}/pin", {"csrf_token": token, "pin": "90817"}
    )
    assert "pin=set" in saved.headers["Location"]
    actions = [row["action"] for row in query(live_server, "SELECT action FROM audit_log")]
    assert "member.pin_set" in actions
    door = Browser(live_server.url, source="127.0.0.1")
    weak = _path(forgot_card(door, "anna@example.com"))
    token = door.csrf("/")
    unlocked = _path(door.post_form(f"{weak}/pin", {"csrf_token": token, "pin": "90817"}))
    assert 'name="mood"' in door.get(unlocked).text


def test_wrong_pins_for_one_member_are_limited(live_server):
    live_server.add_member("Anna Virtanen", email="anna@example.com")
    member_id = query(live_server, "SELECT id FROM members")[0]["id"]
    from kiosk.db import connect
    from kiosk.member_pins import set_pin

    db = connect(live_server.db_path)
    set_pin(db, member_id, "90817")
    db.close()
    door = Browser(live_server.url)
    weak = _path(forgot_card(door, "anna@example.com"))
    token = door.csrf("/")
    places = [
        _path(door.post_form(f"{weak}/pin", {"csrf_token": token, "pin": f"1{n:04d}"}))
        for n in range(5)
    ]
    assert all(place == weak for place in places)  # told the PIN was wrong
    # The sixth try, even the right PIN, waits: guessing a PIN is slow for every member.
    sixth = _path(door.post_form(f"{weak}/pin", {"csrf_token": token, "pin": "90817"}))
    assert sixth == "/refused/busy"


# --- A double tap on the help form -----------------------------------------------------------


def test_two_taps_at_once_on_the_help_form_are_one_request(live_server):
    # The same form sent twice at the same moment, as a double tap on a tablet does: two
    # waitress threads, one request, one set of messages.
    card = live_server.add_member("Päivi Mäkelä")
    door = Browser(live_server.url)
    screen = scan_at_door(door, card)
    token = door.csrf(f"{screen}/help")
    start = threading.Barrier(2)
    answers: list[str] = []

    def tap() -> None:
        start.wait(5)
        answers.append(_path(door.post_form(f"{screen}/help", {"csrf_token": token, "chat": "1"})))

    taps = [threading.Thread(target=tap) for _ in range(2)]
    for thread in taps:
        thread.start()
    for thread in taps:
        thread.join(30)
    assert len(answers) == 2 and answers[0] == answers[1]  # both see the same thanks
    alerts = query(live_server, "SELECT kind, wants_chat FROM host_alerts")
    assert alerts == [{"kind": "request", "wants_chat": 1}]
