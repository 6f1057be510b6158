"""Members, cards, the forgotten-card lookup, erasure and the CSV import."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from kiosk.cards import TOKEN_PATTERN, active_member_token, issue_member_card
from kiosk.errors import InvalidInput
from kiosk.member_import import import_members
from kiosk.members import NewMember, add_member, find_by_contact, valid_business_id
from kiosk.printing.badges import queue_member_badge
from kiosk.printing.queue import enqueue
from kiosk.privacy.erasure import forget_member
from kiosk.settings import Settings
from kiosk.visits import process_scan
from tests.factories import gen_member, visit_rows


def test_tokens_are_ascii_unique_and_at_least_128_bits(db, clock):
    tokens = {
        gen_member(db, clock.now(), f"Person {i}", email=f"p{i}@example.fi")[1] for i in range(50)
    }
    assert len(tokens) == 50
    for token in tokens:
        assert token.isascii() and TOKEN_PATTERN.match(token)
        assert len(token.removeprefix("TK1-")) * 6 >= 128  # base64 characters carry 6 bits


def test_one_active_card_per_member(db, clock):
    member_id, first = gen_member(db, clock.now())
    second = issue_member_card(db, member_id, clock.now())
    assert active_member_token(db, member_id) == second != first
    active = db.execute(
        "SELECT count(*) FROM cards WHERE member_id = ? AND revoked_at IS NULL", [member_id]
    ).fetchone()[0]
    assert active == 1


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("1572860-0", True),
        ("0737546-2", True),
        ("1572860-1", False),
        ("157286-0", False),
        ("abcdefg-h", False),
    ],
)
def test_business_id_check_digit(value, ok):
    assert valid_business_id(value) is ok


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"business_id": "1234567-0"}, "business_id"),
        ({"language": "de"}, "language"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_member_details_are_refused(db, clock, fields, field):
    with pytest.raises(InvalidInput) as excinfo:
        add_member(db, NewMember(**({"name": "Anna"} | fields)), clock.now())
    assert excinfo.value.field == field


def test_forgotten_card_lookup_needs_an_exact_contact_and_never_guesses(db, clock):
    gen_member(db, clock.now(), "Anna Virtanen", email="anna@example.fi", phone="040 123 4567")
    assert find_by_contact(db, "ANNA@example.fi")["name"] == "Anna Virtanen"
    assert find_by_contact(db, "0401234567")["name"] == "Anna Virtanen"
    assert find_by_contact(db, "anna") is None
    assert find_by_contact(db, "%") is None
    assert find_by_contact(db, "040") is None


def test_forget_erases_personal_data_and_keeps_anonymous_counts(db, clock):
    member_id, token = gen_member(
        db,
        clock.now(),
        "Anna Virtanen",
        email="anna@example.fi",
        company="Virtanen Oy",
        interests="puutarhat",
    )
    visit_id = process_scan(db, token, clock.now()).visit_id
    settings = Settings(member_badge_policy="button")
    queue_member_badge(db, visit_id, clock.now(), settings)  # name and token in its payload
    enqueue(db, "member_card", {"name": "Anna Virtanen", "token": token}, clock.now())
    forget_member(db, member_id, clock.now(), actor="test")
    row = db["members"].get(member_id)
    assert row["name"] == "" and row["email"] is None and row["company"] is None
    assert row["forgotten_at"] is not None
    [visit] = visit_rows(db)
    assert visit["member_id"] is None and visit["anonymised_at"] is not None
    dump = "\n".join(str(r) for t in db.table_names() for r in db[t].rows)
    assert "Virtanen" not in dump and "anna@example.fi" not in dump and token not in dump
    assert {j["status"] for j in db.query("SELECT status FROM print_jobs")} == {"cancelled"}
    assert process_scan(db, token, clock.now()).result == "unknown"


def test_csv_import_adds_good_rows_and_reports_bad_ones_by_line(db, clock):
    text = (
        "nimi;yritys;sähköposti;y-tunnus\n"
        "Anna Virtanen;Virtanen Oy;anna@example.fi;1572860-0\n"
        ";Nimetön Oy;x@example.fi;\n"
        "Mikko Korhonen;;mikko@example;\n"
        "Elsa Lindqvist;;elsa@example.fi;1572860-1\n"
        "Toinen Anna;;anna@example.fi;\n"
        "Åsa Öörni;Ääkköset Ky;asa@example.fi;\n"
    )
    results = list(import_members(db, text, clock.now()))
    errors = {r.line: r.error for r in results if r.error}
    assert sorted(errors) == [3, 4, 5, 6]
    assert "name" in errors[3] and "email" in errors[4] and "Y-tunnus" in errors[5]
    assert "already" in errors[6]
    names = [r["name"] for r in db.query("SELECT name FROM members ORDER BY id")]
    assert names == ["Anna Virtanen", "Åsa Öörni"]


def test_a_member_badge_carries_no_card_and_prints_once_a_visit(db, clock):
    _member_id, token = gen_member(db, clock.now(), "Anna Virtanen", interests="puutarhat")
    visit_id = process_scan(db, token, clock.now()).visit_id
    settings = Settings(member_badge_policy="button")
    first = queue_member_badge(db, visit_id, clock.now(), settings)
    again = queue_member_badge(db, visit_id, clock.now(), settings)
    assert first == again
    [job] = list(db.query("SELECT payload FROM print_jobs"))
    assert token not in job["payload"] and "puutarhat" in job["payload"]


def test_member_card_says_member_since_in_local_time():
    from kiosk.printing.member_cards import member_card

    # 23:30 UTC on 31 October is already 1 November in Helsinki.
    member = {"name": "Anna Virtanen", "company": None, "created_at": "2026-10-31T23:30:00+00:00"}
    card = member_card(member, "token", ZoneInfo("Europe/Helsinki"))
    assert card.member_since == "11/2026"
    assert member_card(member, "token", ZoneInfo("UTC")).member_since == "10/2026"
