"""The "Täällä tänään" board's rules, and suggested introductions among people present."""

from __future__ import annotations

import json

import pytest

from kiosk import here_today, introductions
from kiosk.errors import InvalidInput, NotFound
from kiosk.guests import GuestForm, sign_in_guest
from kiosk.members import set_active
from kiosk.privacy.erasure import forget_member
from kiosk.visits import close_visit, manual_check_in, process_scan
from tests.events.conftest import member

TOPICS = ["rahoitus", "markkinointi"]


def test_split_tags() -> None:
    assert here_today.split_tags(" Somemarkkinointi, rahoitus ;somemarkkinointi,, ") == [
        "Somemarkkinointi",
        "rahoitus",
    ]
    assert here_today.split_tags(None) == []


def test_the_board_shows_only_opted_in_members_with_three_fields(db, clock) -> None:
    anna, _ = member(
        db, clock.now(), "Anna Virtanen", company="Virtasen Puutarha", interests="puutarhat, some"
    )
    mikko, _ = member(db, clock.now(), "Mikko Korhonen", company="Korhosen Kone")
    anna_visit = manual_check_in(db, anna, clock.now())
    manual_check_in(db, mikko, clock.now())
    assert here_today.board(db) == []  # present, but nobody asked to be shown
    stored = here_today.opt_in(db, anna_visit, ["MARKKINOINTI", "rahoitus"], TOPICS)
    assert stored == ["markkinointi", "rahoitus"]
    assert here_today.board(db) == [
        {
            "first_name": "Anna",
            "company": "Virtasen Puutarha",
            "topics": ["markkinointi", "rahoitus"],
        }
    ]
    # Her own profile tags are not offered at the door, so they cannot be chosen there.
    with pytest.raises(InvalidInput):
        here_today.opt_in(db, anna_visit, ["puutarhat"], TOPICS)


def test_the_opt_in_lasts_one_visit_and_ends_at_check_out(db, clock) -> None:
    anna, card = member(db, clock.now(), "Anna Virtanen", interests="puutarhat")
    first = process_scan(db, card, clock.now())
    here_today.opt_in(db, first.visit_id, ["rahoitus"], TOPICS)
    assert [row["first_name"] for row in here_today.board(db)] == ["Anna"]
    clock.advance(hours=2)
    out = process_scan(db, card, clock.now())
    assert out.result == "checked_out"
    assert here_today.board(db) == []
    clock.advance(hours=1)
    again = process_scan(db, card, clock.now())
    assert again.result == "checked_in" and again.visit_id != first.visit_id
    assert here_today.board(db) == []  # a new visit starts hidden
    assert here_today.visit_board_state(db, again.visit_id) == (False, [])
    with pytest.raises(InvalidInput):
        here_today.opt_in(db, first.visit_id, ["rahoitus"], TOPICS)  # that visit is over


def test_opt_out_and_the_manual_and_automatic_check_outs(db, clock) -> None:
    anna, _ = member(db, clock.now(), "Anna Virtanen")
    visit_id = manual_check_in(db, anna, clock.now())
    here_today.opt_in(db, visit_id, [], TOPICS)
    assert here_today.visit_board_state(db, visit_id) == (True, [])
    here_today.opt_out(db, visit_id)
    assert here_today.board(db) == []
    here_today.opt_in(db, visit_id, ["rahoitus"], TOPICS)
    close_visit(db, visit_id, clock.now(), "automatic")
    assert here_today.board(db) == []


@pytest.mark.parametrize(
    "topics",
    [["Soita minulle 040 123 4567"], ["rahoitus", "x"], ["a", "b", "c", "d", "e", "f"]],
)
def test_only_offered_topics_and_at_most_five(db, clock, topics) -> None:
    anna, _ = member(db, clock.now(), "Anna Virtanen", interests="a, b, c, d, e, f")
    visit_id = manual_check_in(db, anna, clock.now())
    with pytest.raises(InvalidInput):
        here_today.opt_in(db, visit_id, topics, TOPICS)
    assert here_today.board(db) == []


def test_guests_cannot_opt_in(db, clock) -> None:
    guest = sign_in_guest(db, GuestForm(name="Åsa Öörni", consent=True), clock.now(), "2026-11")
    with pytest.raises(NotFound):
        here_today.opt_in(db, guest.visit_id, [], TOPICS)


def test_erased_and_deactivated_members_never_show(db, clock) -> None:
    anna, _ = member(db, clock.now(), "Anna Virtanen")
    mikko, _ = member(db, clock.now(), "Mikko Korhonen")
    here_today.opt_in(db, manual_check_in(db, anna, clock.now()), [], TOPICS)
    here_today.opt_in(db, manual_check_in(db, mikko, clock.now()), [], TOPICS)
    forget_member(db, anna, clock.now(), "test")
    set_active(db, mikko, False, clock.now())
    assert here_today.board(db) == []


@pytest.fixture
def intro_db(db):
    """The migrated database (with introduction_dismissals)."""
    return db


def test_introductions_among_people_present(intro_db, clock) -> None:
    db = intro_db
    anna, _ = member(db, clock.now(), "Anna Virtanen", can_help_with="Somemarkkinointi, kuvaus")
    mikko, _ = member(db, clock.now(), "Mikko Korhonen", looking_for="somemarkkinointi; rahoitus")
    elsa, _ = member(db, clock.now(), "Elsa Lindqvist", can_help_with="rahoitus")
    sam, _ = member(db, clock.now(), "Sam Okafor", can_help_with="rahoitus", looking_for="kuvaus")
    for person in (anna, mikko, sam):
        manual_check_in(db, person, clock.now())
    # Elsa could help Mikko, but she is not here.
    found = {
        (s.helper["member_id"], s.seeker["member_id"]): s.topics
        for s in introductions.suggestions(db)
    }
    assert found == {
        (anna, mikko): ["somemarkkinointi"],
        (sam, mikko): ["rahoitus"],
        (anna, sam): ["kuvaus"],
    }
    assert elsa not in {pair[0] for pair in found}
    assert introductions.dismiss(db, sam, mikko, clock.now(), "staff:hanna") is True
    assert introductions.dismiss(db, sam, mikko, clock.now(), "staff:hanna") is False
    after = {(s.helper["member_id"], s.seeker["member_id"]) for s in introductions.suggestions(db)}
    assert after == {(anna, mikko), (anna, sam)}
    audit = list(db.query("SELECT * FROM audit_log WHERE action = 'introduction.dismiss'"))
    assert len(audit) == 1 and json.loads(audit[0]["details"]) == {"helper": sam, "seeker": mikko}
    if db["introduction_dismissals"].exists():
        assert db["introduction_dismissals"].count == 1


def test_dismiss_refuses_nonsense(db, clock) -> None:
    anna, _ = member(db, clock.now(), "Anna Virtanen")
    with pytest.raises(InvalidInput):
        introductions.dismiss(db, anna, anna, clock.now(), "staff:x")
    with pytest.raises(InvalidInput):
        introductions.dismiss(db, anna, 999, clock.now(), "staff:x")


def test_people_who_left_are_not_suggested(db, clock) -> None:
    anna, _ = member(db, clock.now(), "Anna Virtanen", can_help_with="rahoitus")
    mikko, _ = member(db, clock.now(), "Mikko Korhonen", looking_for="rahoitus")
    visit = manual_check_in(db, anna, clock.now())
    manual_check_in(db, mikko, clock.now())
    assert len(introductions.suggestions(db)) == 1
    close_visit(db, visit, clock.now(), "manual")
    assert introductions.suggestions(db) == []
