"""The retention keeps out of the door's way: no write when nothing is due, short batches when
much is, and a pass cut short loses nothing. Real SQLite files throughout."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.db import DatabaseUnavailable, connect
from kiosk.demo.month import seed_month
from kiosk.privacy import retention_batches
from kiosk.privacy.retention import anonymise_expired
from kiosk.privacy.retention_due import CHECKS, GUESTS, PRINT_JOBS, SCANS, VISITS
from kiosk.reports import Month, build_report
from kiosk.timeutil import to_db
from kiosk.visits import ScanRules, process_scan
from tests.conftest import HELSINKI
from tests.factories import gen_member

# The cut-off falls on 15 October 2026: September is wholly before it, October half.
NOW = datetime(2028, 10, 15, 12, 0, tzinfo=HELSINKI)
MONTHS = 24
SEPTEMBER = datetime(2026, 9, 10, 10, 0, tzinfo=HELSINKI)
NOVEMBER = datetime(2026, 11, 10, 10, 0, tzinfo=HELSINKI)


class Crash(Exception):
    """Stands in for the process dying between two batches."""


def add_everything_else(db) -> None:
    """Beside the seeded months: guests, cards, scans, alerts, messages, jobs, an erased visit."""
    stamp = to_db(SEPTEMBER)

    def insert(table: str, **row) -> int:
        return int(db[table].insert(row).last_pk)

    def visit(at: datetime, method: str = "card", **row) -> int:
        return insert("visits", checked_in_at=to_db(at), checkin_method=method, **row)

    for number in range(7):
        signed_in = SEPTEMBER + timedelta(hours=number)
        guest = insert(
            "guests", name=f"Vieras {number}", first_name="Vieras", company="Oy Ab",
            purpose="meeting", host_name="Heimo", consent_version="2024-01", consent_at=stamp,
            created_at=to_db(signed_in),
        )  # fmt: skip
        visit(signed_in, "guest", guest_id=guest)
        insert("cards", token=f"vieras-{number}", guest_id=guest, issued_at=stamp)
        if number == 0:  # came back after the cut-off: stays named
            visit(NOVEMBER, "guest", guest_id=guest)
    visit(SEPTEMBER, board_topics='["x"]')  # an erased member's visit: unmarked, no person
    old_visits = [
        row[0]
        for row in db.execute(
            "SELECT id FROM visits WHERE member_id IS NOT NULL "
            "AND checked_in_at < '2026-10-01' ORDER BY id LIMIT 4"
        )
    ]
    for visit_id in old_visits[:3]:
        insert("host_alerts", visit_id=visit_id, created_at=stamp, topics="[]")
    # Three September registrations get the link to the visit their member came on.
    links = db.execute(
        "SELECT r.id, v.id FROM event_registrations AS r JOIN events AS e ON e.id = r.event_id "
        "JOIN visits AS v ON v.member_id = r.member_id AND v.event_id = r.event_id "
        "WHERE e.starts_at < '2026-10-01' ORDER BY r.id LIMIT 3"
    ).fetchall()
    for registration_id, visit_id in links:
        db["event_registrations"].update(registration_id, {"visit_id": visit_id})
    for day, at in enumerate((SEPTEMBER, SEPTEMBER + timedelta(days=3), NOVEMBER)):
        when = to_db(at)
        for number, visit_id in enumerate(old_visits):
            insert(
                "scans", device="ovi", code_digest=f"d{day}-{number}", result="checked_in",
                visit_id=visit_id, seen_at=when, received_at=when,
            )  # fmt: skip
        for status in ("done", "pending", "failed"):
            insert(
                "print_jobs", kind="badge", payload='{"name": "Vieras"}', status=status,
                created_at=when, updated_at=when, last_error="x",
            )  # fmt: skip
        for status in ("sent", "pending", "cancelled"):
            insert(
                "notifications", message_id=f"{day}{status}", dedupe_key=f"{day}{status}",
                kind="request", channel="email", destination="h@example.fi", subject="Anna",
                body="Anna pyysi", status=status, created_at=when, updated_at=when,
            )  # fmt: skip


def build_history(path: Path) -> None:
    """September to November 2026, seeded, with every kind of row retention touches."""
    db = connect(path, migrate=True)
    try:
        for month in (Month(2026, 9), Month(2026, 10), Month(2026, 11)):
            seed_month(db, month, HELSINKI, seed=month.month)
        add_everything_else(db)
    finally:
        db.close()


@pytest.fixture(scope="module")
def history_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("retention") / "history.db"
    build_history(path)
    return path


@pytest.fixture
def history(history_file: Path, tmp_path: Path) -> Path:
    """A fresh copy of the history for one test."""
    target = tmp_path / "kiosk.db"
    source, copy = sqlite3.connect(history_file), sqlite3.connect(target)
    source.backup(copy)
    source.close(), copy.close()
    return target


def state(path: Path) -> dict[str, object]:
    """Every row retention may touch, with the random person keys replaced by their order of
    first appearance, plus the reports of the months: equal states, equal outcomes."""
    db = connect(path)
    names: dict[str, str] = {}

    def same(key: str | None) -> str | None:
        return None if key is None else names.setdefault(key, f"key{len(names)}")

    result: dict[str, object] = {}
    for table in ("visits", "guests", "cards", "scans", "event_registrations", "print_jobs",
                  "notifications", "mood_answers", "host_alerts"):  # fmt: skip
        rows = [dict(row) for row in db.query(f"SELECT * FROM {table} ORDER BY id")]  # noqa: S608
        for row in rows:
            if "person_key" in row:
                row["person_key"] = same(row["person_key"])
        result[table] = rows
    keys = db.execute("SELECT month, person, key FROM report_keys ORDER BY month, person")
    result["report_keys"] = [(m, p, same(k)) for m, p, k in keys]
    for month in (Month(2026, 9), Month(2026, 10), Month(2026, 11)):
        for kind in ("summary", "people", "daily", "events"):
            report = build_report(db, kind, month, HELSINKI, "en")
            # Anonymous people are listed in the order of their random keys.
            result[f"{kind} {month}"] = sorted((tuple(row) for row in report.rows), key=repr)
    db.close()
    return result


def audit_totals(path: Path) -> dict[str, int]:
    """The counts of every retention audit entry, added up."""
    db = connect(path)
    totals: dict[str, int] = {}
    for (details,) in db.execute(
        "SELECT details FROM audit_log WHERE action = 'retention.anonymise'"
    ):
        for name, value in json.loads(details).items():
            if isinstance(value, int) and not isinstance(value, bool):
                totals[name] = totals.get(name, 0) + value
    db.close()
    return totals


def run(path: Path, **options):
    db = connect(path)
    try:
        return anonymise_expired(db, NOW, MONTHS, tz=HELSINKI, **options)
    finally:
        db.close()


def test_the_history_gives_every_step_something_to_do(history):
    db = connect(history)
    dry = anonymise_expired(db, NOW, MONTHS, tz=HELSINKI, dry_run=True)
    db.close()
    assert dry.visits > 300 and dry.moods > 100 and dry.alerts == 3 and dry.registrations == 3
    assert (dry.guests, dry.guest_cards, dry.scans, dry.print_jobs) == (6, 6, 8, 4)


def test_a_pass_with_nothing_due_takes_no_write_lock(history):
    run(history)  # the backlog
    holder = sqlite3.connect(history, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock all through the pass
    db = connect(history)
    db.execute("PRAGMA busy_timeout = 0")  # any write the pass tried would fail at once
    version = db.execute("PRAGMA data_version").fetchone()[0]
    try:
        result = anonymise_expired(db, NOW, MONTHS, tz=HELSINKI, pause=pytest.fail)
        assert result.changed == 0
        assert db.conn.total_changes == 0
        assert db.execute("PRAGMA data_version").fetchone()[0] == version
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.close()
    # The same pass with work to do (a day later) does need the lock: the test can fail.
    holder = sqlite3.connect(history, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    db = connect(history)
    db.execute("PRAGMA busy_timeout = 0")
    try:
        with pytest.raises(DatabaseUnavailable):
            anonymise_expired(db, NOW + timedelta(days=5), MONTHS, tz=HELSINKI)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.close()


def test_the_checks_read_only_index_entries_of_rows_still_due(db):
    params = {"cutoff": "2026-10-15", "month": "2026-10", "size": 10}
    expected = {
        "visits": "visits_not_anonymised",
        "guests": "guests_not_anonymised",
        "scans": "scans_not_anonymised",
        "notifications": "notifications_with_text",
        "print_jobs": "print_jobs_with_payload",
        "report_keys": "sqlite_autoindex_report_keys_1",
    }
    # How the batches pick their rows: the same indexes, in index order (no sorting).
    picks = {
        kind: f"SELECT id FROM {kind} WHERE {where} ORDER BY {order} LIMIT :size"  # noqa: S608
        for kind, where, order in (
            ("visits", VISITS, "checked_in_at, id"),
            ("guests", GUESTS, "created_at, id"),
            ("scans", SCANS, "received_at"),
            ("print_jobs", PRINT_JOBS, "created_at"),
        )
    }
    for kind, sql in [*CHECKS.items(), *picks.items()]:
        plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
        assert plan[0].startswith("SEARCH") and expected[kind] in plan[0], (kind, plan)
        assert not any(step.startswith(("SCAN", "USE TEMP B-TREE")) for step in plan), plan
    registrations = (
        "SELECT r.id FROM events AS e JOIN event_registrations AS r ON r.event_id = e.id "
        "WHERE e.starts_at >= ? AND e.starts_at < ? AND r.person_key IS NULL"
    )
    plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {registrations}", ["a", "b"])]
    assert not any(step.startswith("SCAN") for step in plan), plan


def test_a_backlog_goes_in_small_batches_each_committed(history):
    watcher = sqlite3.connect(history, isolation_level=None)
    watcher.execute("PRAGMA busy_timeout = 0")
    door = connect(history)
    member, card = gen_member(door, NOW, "Ovi Odottaja")
    seen: list[int] = []

    def between_batches(_seconds: float) -> None:
        # Another connection takes the write lock at once (busy_timeout 0) and sees the
        # batches so far committed; a check-in through the app's own write lock goes through.
        watcher.execute("BEGIN IMMEDIATE")
        watcher.execute("COMMIT")
        seen.append(
            watcher.execute(
                "SELECT count(*) FROM visits WHERE anonymised_at IS NOT NULL"
            ).fetchone()[0]
        )
        process_scan(door, card, NOW + timedelta(minutes=3 * len(seen)), ScanRules())

    result = run(history, batch_size=25, pause=between_batches)
    watcher.close(), door.close()
    assert len(seen) > 15  # hundreds of visits, 25 at a time, then the other kinds
    growing = [count for count in seen if count < seen[-1]]
    assert growing == sorted(growing) and len(set(growing)) > 10
    assert result.visits > 300 and result.guests == 6
    assert audit_totals(history)["visits"] == result.visits


def test_batch_size_does_not_change_the_outcome(history, tmp_path):
    other = tmp_path / "other.db"
    source, copy = sqlite3.connect(history), sqlite3.connect(other)
    source.backup(copy)
    source.close(), copy.close()
    whole = run(history, batch_size=100_000)
    small = run(other, batch_size=2, pause=lambda _seconds: None)
    assert whole.as_dict() == small.as_dict()
    assert state(history) == state(other)


def anonymised(path: Path) -> tuple[int, int]:
    """How many visits are marked anonymised, and how many of those had a person (frozen)."""
    db = connect(path)
    marked, named = db.execute(
        "SELECT count(*), count(person_key) FROM visits WHERE anonymised_at IS NOT NULL"
    ).fetchone()
    db.close()
    return marked, named


def test_an_interrupted_pass_keeps_its_batches_and_the_next_one_finishes(
    history, tmp_path, monkeypatch
):
    reference = tmp_path / "reference.db"
    source, copy = sqlite3.connect(history), sqlite3.connect(reference)
    source.backup(copy)
    source.close(), copy.close()
    expected = run(reference, batch_size=100_000)
    pauses = 0

    def crash_after_seven_batches(_seconds: float) -> None:
        nonlocal pauses
        pauses += 1
        if pauses == 7:
            raise Crash

    with pytest.raises(Crash):
        run(history, batch_size=10, pause=crash_after_seven_batches)
    marked, named = anonymised(history)
    assert marked == 70  # seven batches of ten, committed
    assert audit_totals(history)["visits"] == named  # and on record

    # A batch that fails half-way is rolled back whole; the pass stops there.
    real = retention_batches.freeze_visits
    calls = 0

    def failing_freeze(*args, **kwargs):
        nonlocal calls
        calls += 1
        real(*args, **kwargs)
        if calls == 3:
            raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(retention_batches, "freeze_visits", failing_freeze)
    with pytest.raises(sqlite3.OperationalError):
        run(history, batch_size=10, pause=lambda _seconds: None)
    monkeypatch.undo()
    marked, named = anonymised(history)
    assert marked == 90  # two more whole batches, nothing of the third
    assert audit_totals(history)["visits"] == named

    rest = run(history, batch_size=10, pause=lambda _seconds: None)
    assert rest.visits == expected.visits - named
    assert state(history) == state(reference)
    totals = audit_totals(history)
    for name in ("visits", "moods", "alerts", "guests", "guest_cards", "scans", "print_jobs"):
        assert totals.get(name, 0) == getattr(expected, name), name
    assert run(history).changed == 0
