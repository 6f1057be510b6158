"""The door's rules: check-in, minimum stay, repeats, refusals and idempotent retries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.cards import issue_member_card, new_token
from kiosk.members import set_active
from kiosk.timeutil import from_db
from kiosk.visits import ScanResult, ScanRules, event_time, process_scan
from tests.factories import gen_member, visit_rows

RULES = ScanRules(min_stay=timedelta(minutes=2), repeat_window=timedelta(seconds=60))


def test_first_scan_checks_in_and_greets_by_first_name(db, clock):
    _member_id, token = gen_member(db, clock.now(), "Anna Maria Virtanen")
    outcome = process_scan(db, token, clock.now(), RULES)
    assert outcome.result == ScanResult.CHECKED_IN
    assert outcome.first_name == "Anna"
    assert outcome.first_visit is True
    [visit] = visit_rows(db)
    assert visit["checkin_method"] == "card"
    assert from_db(visit["checked_in_at"]) == clock.now()
    assert visit["checked_out_at"] is None


def test_scan_inside_minimum_stay_is_a_repeat_and_writes_nothing(db, clock):
    _id, token = gen_member(db, clock.now())
    process_scan(db, token, clock.now(), RULES)
    clock.advance(seconds=119)
    outcome = process_scan(db, token, clock.now(), RULES)
    assert outcome.result == ScanResult.REPEAT
    [visit] = visit_rows(db)
    assert visit["checked_out_at"] is None


def test_scan_after_minimum_stay_checks_out(db, clock):
    _id, token = gen_member(db, clock.now())
    process_scan(db, token, clock.now(), RULES)
    clock.advance(minutes=2)
    outcome = process_scan(db, token, clock.now(), RULES)
    assert outcome.result == ScanResult.CHECKED_OUT
    [visit] = visit_rows(db)
    assert from_db(visit["checked_out_at"]) == clock.now()
    assert visit["checkout_method"] == "card"


def test_card_waved_again_right_after_check_out_does_not_check_back_in(db, clock):
    _id, token = gen_member(db, clock.now())
    process_scan(db, token, clock.now(), RULES)
    clock.advance(hours=3)
    process_scan(db, token, clock.now(), RULES)
    clock.advance(seconds=30)
    assert process_scan(db, token, clock.now(), RULES).result == ScanResult.REPEAT
    clock.advance(seconds=31)
    assert process_scan(db, token, clock.now(), RULES).result == ScanResult.CHECKED_IN
    assert len(visit_rows(db)) == 2


@pytest.mark.parametrize(
    "code",
    [
        "",
        "   ",
        "hello",
        "TK1-",
        new_token(),  # well formed, but no such card
        "TK1-" + "A" * 10_000,
        "'; DROP TABLE visits; --",
        "TK1-ääääääääääääääääääääääää",
        "\x00\x01\x02",
    ],
)
def test_unknown_or_garbage_codes_are_refused_and_logged(db, clock, code):
    outcome = process_scan(db, code, clock.now(), RULES)
    assert outcome.result == ScanResult.UNKNOWN
    assert visit_rows(db) == []
    [logged] = list(db.query("SELECT * FROM scans"))
    assert logged["result"] == "unknown"
    assert len(logged["code_digest"]) == 16  # a digest, never the code itself


def test_revoked_card_is_refused_and_the_new_one_works(db, clock):
    member_id, old_token = gen_member(db, clock.now())
    new = issue_member_card(db, member_id, clock.now())
    assert process_scan(db, old_token, clock.now(), RULES).result == ScanResult.REVOKED
    assert visit_rows(db) == []
    assert process_scan(db, new, clock.now(), RULES).result == ScanResult.CHECKED_IN


def test_deactivated_member_is_refused(db, clock):
    member_id, token = gen_member(db, clock.now())
    set_active(db, member_id, False, clock.now())
    assert process_scan(db, token, clock.now(), RULES).result == ScanResult.REVOKED


def test_retried_request_with_same_key_gets_the_first_answer(db, clock):
    _id, token = gen_member(db, clock.now())
    first = process_scan(db, token, clock.now(), RULES, idempotency_key="k-1")
    clock.advance(minutes=10)
    again = process_scan(db, token, clock.now(), RULES, idempotency_key="k-1")
    assert again.result == first.result == ScanResult.CHECKED_IN
    assert again.visit_id == first.visit_id
    assert again.first_name == "Anna"
    [visit] = visit_rows(db)
    assert visit["checked_out_at"] is None  # the retry did not check out


def test_long_break_is_noticed(db, clock):
    _id, token = gen_member(db, clock.now())
    process_scan(db, token, clock.now(), RULES)
    clock.advance(hours=2)
    process_scan(db, token, clock.now(), RULES)
    clock.advance(days=40)
    outcome = process_scan(db, token, clock.now(), RULES)
    assert outcome.long_break is True
    assert outcome.first_visit is False


def test_seen_at_from_a_queued_scan_is_used_when_plausible(clock):
    now = clock.now()
    assert event_time(now, now - timedelta(minutes=5)) == now - timedelta(minutes=5)
    assert event_time(now, now - timedelta(days=3)) == now  # scanner clock far off
    assert event_time(now, now + timedelta(hours=1)) == now
    assert event_time(now, None) == now


def test_late_delivered_scan_records_the_time_it_was_seen(db, clock):
    _id, token = gen_member(db, clock.now())
    seen = clock.now() - timedelta(minutes=7)
    process_scan(db, token, clock.now(), RULES, seen_at=seen)
    [visit] = visit_rows(db)
    assert from_db(visit["checked_in_at"]) == seen
