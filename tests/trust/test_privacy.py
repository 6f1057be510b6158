"""Retention, the per-person export, the research export and their CLI commands."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import click
import pytest
from click.testing import CliRunner

from kiosk.cli import members as member_cli
from kiosk.cli import privacy as privacy_cli
from kiosk.cli.context import KioskContext
from kiosk.db import connect
from kiosk.guests import GuestForm, sign_in_guest
from kiosk.moods import record_mood, request_host
from kiosk.privacy.personal_data import export_member
from kiosk.privacy.research_export import export_research, pseudonym, research_key
from kiosk.privacy.retention import DailyRetention, anonymise_expired, months_before
from kiosk.reports import build_report, parse_month
from kiosk.settings import Settings
from kiosk.visits import ScanRules, process_scan
from tests.conftest import HELSINKI
from tests.factories import gen_member
from tests.trust.conftest import check_database

RULES = ScanRules()
TOPICS = ["rahoitus", "jaksaminen"]


def visit(db, token: str, at: datetime, stay: timedelta = timedelta(hours=2)) -> int:
    """Check a card in at ``at`` and out ``stay`` later; return the visit id."""
    first = process_scan(db, token, at, RULES)
    process_scan(db, token, at + stay, RULES)
    return first.visit_id


def summary(db, month: str) -> list:
    report = build_report(db, "summary", parse_month(month), HELSINKI, "en")
    return list(report.rows)[0]


@pytest.fixture
def history(db):
    """Two old months (2024-09, beyond 24 months) and a recent one (2026-10)."""
    old = datetime(2024, 9, 10, 9, 0, tzinfo=HELSINKI)
    recent = datetime(2026, 10, 5, 9, 0, tzinfo=HELSINKI)
    anna, anna_card = gen_member(db, old, "Anna Virtanen", research_consent=True, approach_ok=True)
    mikko, mikko_card = gen_member(db, old, "Mikko Korhonen", email="mikko@example.fi")
    old_visits = [visit(db, anna_card, old), visit(db, mikko_card, old + timedelta(days=1))]
    record_mood(db, old_visits[0], 5, old + timedelta(minutes=1))
    request_host(
        db, old_visits[0], old, wants_chat=True, topics=["jaksaminen"], allowed_topics=TOPICS
    )
    guest = sign_in_guest(
        db, GuestForm("Greta Gästsson", "Oy Ab", "meeting", "Heimo", consent=True), old, "2024-01"
    )
    process_scan(db, guest.card_token, old + timedelta(hours=1), RULES)
    recent_visits = [visit(db, anna_card, recent), visit(db, mikko_card, recent)]
    record_mood(db, recent_visits[0], 2, recent)
    request_host(
        db, recent_visits[0], recent, wants_chat=False, topics=TOPICS, allowed_topics=TOPICS
    )
    return {
        "anna": anna,
        "mikko": mikko,
        "anna_card": anna_card,
        "guest": guest,
        "old_visits": old_visits,
        "recent_visits": recent_visits,
    }


def test_months_before_clamps_to_the_month_end():
    moment = datetime(2026, 3, 31, 12, tzinfo=HELSINKI)
    assert months_before(moment, 1).date().isoformat() == "2026-02-28"
    assert months_before(moment, 24).date().isoformat() == "2024-03-31"
    assert months_before(moment, 15).date().isoformat() == "2024-12-31"


def test_retention_anonymises_old_data_and_keeps_the_counts(db, db_path, history, clock):
    before_old, before_recent = summary(db, "2024-09"), summary(db, "2026-10")
    moods_before = db.execute("SELECT count(*) FROM mood_answers").fetchone()[0]

    dry = anonymise_expired(db, clock.now(), 24, dry_run=True)
    assert (dry.visits, dry.guests, dry.moods, dry.alerts) == (3, 1, 1, 2)
    assert (
        db.execute("SELECT count(*) FROM visits WHERE anonymised_at IS NOT NULL").fetchone()[0] == 0
    )

    result = anonymise_expired(db, clock.now(), 24)
    assert (result.visits, result.guests, result.moods, result.alerts) == (3, 1, 1, 2)
    assert result.guest_cards == 0  # the guest's card stopped working at check-out already
    assert result.scans >= 5 and result.print_jobs == 0

    old_ids = history["old_visits"]
    rows = list(db.query("SELECT * FROM visits WHERE checked_in_at < ?", ["2025-01-01"]))
    assert len(rows) == 3
    assert all(
        r["member_id"] is None and r["guest_id"] is None and r["anonymised_at"] for r in rows
    )
    recent = list(db.query("SELECT * FROM visits WHERE checked_in_at >= ?", ["2026-01-01"]))
    assert {r["member_id"] for r in recent} == {history["anna"], history["mikko"]}
    assert all(r["anonymised_at"] is None for r in recent)
    guest = db["guests"].get(history["guest"].guest_id)
    assert (guest["name"], guest["first_name"], guest["company"], guest["purpose"]) == (
        "",
        "",
        None,
        None,
    )
    assert guest["host_name"] is None and guest["anonymised_at"]
    # The mood answer stays, unlinked: anonymous counts.
    assert db.execute("SELECT count(*) FROM mood_answers").fetchone()[0] == moods_before
    assert db.execute(
        "SELECT visit_id FROM mood_answers WHERE visit_id = ?", [old_ids[0]]
    ).fetchone()
    # No old scan can lead back to the person through the card digest.
    leaks = db.execute(
        "SELECT count(*) FROM scans WHERE received_at < '2025-01-01' "
        "AND (code_digest != 'anonymised' OR visit_id IS NOT NULL)"
    ).fetchone()[0]
    assert leaks == 0
    # Every figure of the old month is the same, unique persons included; no one is named.
    after_old, after_recent = summary(db, "2024-09"), summary(db, "2026-10")
    assert after_recent == before_recent
    assert after_old == before_old
    people = list(build_report(db, "people", parse_month("2024-09"), HELSINKI, "en").rows)
    assert all(row[2] is None for row in people) and sum(row[5] for row in people) == 3
    # A second run finds nothing; the audit log has one entry.
    assert anonymise_expired(db, clock.now(), 24).changed == 0
    entries = list(db.query("SELECT * FROM audit_log WHERE action = 'retention.anonymise'"))
    assert len(entries) == 1 and json.loads(entries[0]["details"])["visits"] == 3
    assert check_database(db_path) == []


def test_retention_runs_once_a_day(tmp_path, history, clock, db_path):
    settings = Settings(database=str(db_path), retention_months=24)
    watcher = DailyRetention(settings, clock)
    assert watcher.run_once().visits == 3
    assert watcher.run_once() is None  # already ran today
    clock.advance(days=1)
    assert watcher.run_once().changed == 0
    off = DailyRetention(settings.replace(retention_months=0), clock)
    assert off.run_once() is None


def test_personal_export_holds_everything_but_full_tokens(db, history, clock):
    data = export_member(db, history["anna"], clock.now(), actor="cli")
    text = json.dumps(data, ensure_ascii=False)
    assert data["member"]["name"] == "Anna Virtanen"
    assert len(data["visits"]) == 2 and len(data["mood_answers"]) == 2
    requests = [a["topics"] for a in data["host_alerts"] if a["kind"] == "request"]
    assert requests == [["jaksaminen"], sorted(TOPICS)]
    assert [a["kind"] for a in data["host_alerts"]].count("low_mood") == 1
    assert data["scans"] and all(s["result"] for s in data["scans"])
    assert data["cards"][0]["token_hint"] == "…" + history["anna_card"][-4:]
    assert history["anna_card"] not in text
    assert "Mikko" not in text and "Greta" not in text
    assert ("member.export", f"member:{history['anna']}") in [
        (r["action"], r["target"]) for r in db.query("SELECT * FROM audit_log")
    ]


def test_research_export_is_pseudonymised_and_consented_only(db, history, clock, tmp_path):
    instance = tmp_path / "instance"
    out = tmp_path / "research"
    result = export_research(
        db,
        parse_month("2024-01"),
        parse_month("2026-11"),
        HELSINKI,
        instance,
        out,
        clock.now(),
        actor="cli",
    )
    assert (result.members, result.visits) == (1, 2)  # Anna only: Mikko did not consent
    key = research_key(instance)
    assert (instance / "research_key").stat().st_mode & 0o777 == 0o600
    visits = list(csv.DictReader(io.StringIO((out / "visits.csv").read_text(encoding="utf-8"))))
    members = list(csv.DictReader(io.StringIO((out / "members.csv").read_text(encoding="utf-8"))))
    assert {v["pseudonym"] for v in visits} == {pseudonym(key, history["anna"])}
    assert members[0]["visits_in_period"] == "2" and members[0]["joined_quarter"] == "2024-Q3"
    assert sorted(v["mood"] for v in visits) == ["2", "5"]
    assert {v["help_topics"] for v in visits} == {"jaksaminen", "jaksaminen|rahoitus"}
    assert {v["stay_minutes"] for v in visits} == {"120"}
    assert {v["day_part"] for v in visits} == {"morning"}
    everything = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    for secret in ("Anna", "Virtanen", "Mikko", "mikko@example.fi", history["anna_card"]):
        assert secret not in everything
    assert all(v["visit_key"].startswith("V") and len(v["visit_key"]) == 13 for v in visits)
    dictionary = json.loads((out / "data_dictionary.json").read_text())
    assert [c["name"] for c in dictionary["files"]["visits.csv"]] == list(visits[0])
    assert "| `pseudonym` |" in (out / "data_dictionary.md").read_text()
    # Stable: a second export gives the same pseudonyms.
    again = export_research(
        db, parse_month("2026-10"), parse_month("2026-10"), HELSINKI, instance,
        tmp_path / "again", clock.now(), actor="cli",
    )  # fmt: skip
    assert again.visits == 1
    again_members = (tmp_path / "again" / "members.csv").read_text(encoding="utf-8")
    assert members[0]["pseudonym"] in again_members


@pytest.fixture
def runner_cli():
    """A ``kiosk`` group with the privacy commands, without touching the real one."""
    member = click.Group("member", commands=dict(member_cli.member_group.commands))
    group = click.Group("kiosk", commands={"member": member})
    privacy_cli.register(group)
    return group


def test_cli_commands(runner_cli, tmp_path, monkeypatch, clock):
    db_file = tmp_path / "cli.db"
    monkeypatch.setenv("KIOSK_DATABASE", str(db_file))
    db = connect(db_file, migrate=True)
    member_id, card = gen_member(db, clock.now(), "Anna Virtanen", research_consent=True)
    visit(db, card, datetime(2023, 5, 2, 10, tzinfo=HELSINKI))
    visit(db, card, clock.now() - timedelta(days=3))
    db.close()
    runner = CliRunner()

    def run(*args: str):
        context = KioskContext(clock)
        try:
            return runner.invoke(runner_cli, list(args), obj=context)
        finally:
            context.close()

    out = tmp_path / "anna.json"
    result = run("member", "export", str(member_id), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["member"]["id"] == member_id
    assert out.stat().st_mode & 0o777 == 0o600
    assert run("member", "export", "999").exit_code != 0

    result = run("research-export", "2023-01", "2026-11", "--out", str(tmp_path / "r"))
    assert result.exit_code == 0 and "2 visit(s) of 1" in result.output
    assert run("research-export", "2026-11", "2023-01", "--out", str(tmp_path / "x")).exit_code == 2
    assert (
        run("research-export", "nonsense", "2023-01", "--out", str(tmp_path / "x")).exit_code == 2
    )

    dry = run("retention", "run", "--dry-run", "--json")
    assert dry.exit_code == 0 and json.loads(dry.output)["visits"] == 1
    done = run("retention", "run")
    assert done.exit_code == 0 and "Anonymised 1 visit(s)" in done.output
    assert json.loads(run("retention", "run", "--json").output)["visits"] == 0
    assert check_database(db_file) == []


def test_erasure_empties_name_tags_queued_without_a_visit(db, clock):
    from kiosk.printing import queue as print_queue
    from kiosk.privacy.erasure import forget_member

    member_id, _card = gen_member(db, clock.now(), "Annukka Qvarnström")
    payload = {
        "first_name": "Annukka",
        "name": "Annukka Qvarnström",
        "company": "",
        "role": "member",
        "title": "Aamukahvit",
        "date_text": "1.12.2026",
        "ask_me": "",
        "logo": "",
        "language": "fi",
    }
    job_id = print_queue.enqueue(db, "name_tag", payload, clock.now(), visit_id=None)
    forget_member(db, member_id, clock.now(), "test")
    stored = list(db.query("SELECT payload FROM print_jobs WHERE id = ?", [job_id]))[0]
    assert "Qvarnström" not in stored["payload"] and "Annukka" not in stored["payload"]
