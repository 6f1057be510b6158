"""The ``kiosk`` command as operators and scripts use it (docs/cli.md)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.db import connect
from kiosk.migrations import known_steps, schema_version


@pytest.fixture
def runner(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_INSTANCE", str(tmp_path / "instance"))
    return CliRunner()


def run(runner, *args, **kwargs):
    return runner.invoke(cli, list(args), catch_exceptions=False, **kwargs)


def query(tmp_path, sql, params=()):
    """Run a query on the CLI's database file and close it again."""
    db = connect(tmp_path / "instance" / "kiosk.db")
    try:
        return list(db.query(sql, params))
    finally:
        db.close()


def test_db_migrate_is_safe_to_repeat(runner, tmp_path):
    first = run(runner, "db", "migrate")
    assert first.exit_code == 0
    second = run(runner, "db", "migrate")
    assert "up to date" in second.output
    db = connect(tmp_path / "instance" / "kiosk.db")
    try:
        assert schema_version(db) == known_steps()
    finally:
        db.close()


def test_member_add_json_card_and_revoke(runner, tmp_path):
    added = run(
        runner,
        "member",
        "add",
        "--name",
        "Åsa Öörni",
        "--company",
        "Ääkköset Ky",
        "--language",
        "sv",
        "--json",
    )
    assert added.exit_code == 0, added.output
    data = json.loads(added.output)
    assert data["id"] == 1 and data["card_token"].startswith("TK1-")
    card = tmp_path / "card.png"
    assert run(runner, "member", "card", "1", "--out", str(card)).exit_code == 0
    from scanner.decode import decode_file  # the production decoder

    assert decode_file(card) == [data["card_token"]]
    revoked = run(runner, "member", "revoke-card", "1", "--json")
    new_token = json.loads(revoked.output)["card_token"]
    assert new_token != data["card_token"]
    audit = query(tmp_path, "SELECT action, target FROM audit_log")
    assert {"action": "card.reissue", "target": "member:1"} in audit


def test_member_add_refuses_bad_input_with_a_message(runner):
    result = runner.invoke(cli, ["member", "add", "--name", "X", "--email", "nope"])
    assert result.exit_code != 0 and "not an email address" in result.output


def test_member_card_for_unknown_member_fails_clearly(runner, tmp_path):
    result = runner.invoke(cli, ["member", "card", "99", "--out", str(tmp_path / "x.png")])
    assert result.exit_code != 0 and "no member with id 99" in result.output


def test_member_import_reports_rejected_rows_by_line(runner, tmp_path):
    csv_file = tmp_path / "members.csv"
    csv_file.write_text(
        "name,email,company\nAnna Virtanen,anna@example.fi,Virtanen Oy\n,x@example.fi,\n"
        "Mikko,bad-email,\n",
        encoding="utf-8-sig",
    )
    result = runner.invoke(cli, ["member", "import", str(csv_file)])
    assert result.exit_code == 1
    assert "line 3:" in result.output and "line 4:" in result.output
    assert "Added 1 member(s); rejected 2 row(s)." in result.output
    assert query(tmp_path, "SELECT count(*) AS n FROM members") == [{"n": 1}]


def test_member_forget_asks_unless_yes(runner, tmp_path):
    run(runner, "member", "add", "--name", "Anna Virtanen", "--email", "anna@example.fi")
    declined = runner.invoke(cli, ["member", "forget", "1"], input="n\n")
    assert declined.exit_code != 0
    assert query(tmp_path, "SELECT name FROM members") == [{"name": "Anna Virtanen"}]
    done = run(runner, "member", "forget", "1", "--yes")
    assert done.exit_code == 0
    assert query(tmp_path, "SELECT email FROM members") == [{"email": None}]


def test_staff_add_from_environment_and_policy(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_NEW_PASSWORD", "short")
    weak = runner.invoke(cli, ["staff", "add", "heimo"])
    assert weak.exit_code != 0 and "at least 12 characters" in weak.output
    monkeypatch.setenv("KIOSK_NEW_PASSWORD", "Kahvia ja pullaa 2026")
    ok = run(runner, "staff", "add", "heimo", "--role", "admin")
    assert ok.exit_code == 0
    [row] = query(tmp_path, "SELECT * FROM staff_users")
    assert row["role"] == "admin" and "Kahvia" not in row["password_hash"]


def test_member_forget_also_deletes_their_badge_previews(runner, tmp_path):
    from kiosk.printing.queue import process_due
    from printer.transports.preview import PreviewTransport

    run(runner, "member", "add", "--name", "Anna Virtanen", "--email", "anna@example.fi")
    badges = tmp_path / "instance" / "badges"
    db = connect(tmp_path / "instance" / "kiosk.db")
    try:
        from datetime import UTC, datetime

        from kiosk.printing.badges import queue_member_badge
        from kiosk.settings import load_settings
        from kiosk.visits import manual_check_in

        now = datetime.now(UTC)
        visit_id = manual_check_in(db, 1, now)
        queue_member_badge(db, visit_id, now, load_settings())
        process_due(db, PreviewTransport(badges), now)
    finally:
        db.close()
    assert len(list(badges.glob("*.png"))) == 1
    run(runner, "member", "forget", "1", "--yes")
    assert list(badges.glob("*.png")) == []
