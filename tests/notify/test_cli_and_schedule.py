"""``kiosk notify test``, ``kiosk staff add --email``, reminders and the daily digest."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.db import connect
from kiosk.events import EventInput, create_event
from kiosk.moods import request_host
from kiosk.notify import dispatch
from kiosk.notify.worker import send_due, senders_from_settings
from kiosk.visits import manual_check_in
from tests.factories import gen_member
from tests.notify.conftest import PASSWORD, add_host, helsinki, notify_settings


@pytest.fixture
def runner(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("KIOSK_DEMO_DATA", "false")
    monkeypatch.setenv("KIOSK_MAIL_FROM", "kioski@tankkaamo.example")
    return CliRunner()


def test_notify_test_sends_to_the_address_given(runner, monkeypatch, mail_server):
    monkeypatch.setenv("KIOSK_SMTP_URL", mail_server.url)
    result = runner.invoke(cli, ["notify", "test", "--to", "koordinaattori@tankkaamo.example"])
    assert result.exit_code == 0, result.output
    assert "sent to koordinaattori@tankkaamo.example" in result.output
    [message] = mail_server.wait_for(1)
    assert message["Subject"] == "Testiviesti Tankkaamon kioskilta"
    assert "Kioskin ilmoitukset tavoittavat sinut." in message.get_content()


def test_notify_test_fails_clearly_when_the_server_is_down(runner, monkeypatch, mail_server):
    monkeypatch.setenv("KIOSK_SMTP_URL", mail_server.url)
    mail_server.stop()
    result = runner.invoke(cli, ["notify", "test", "--to", "k@tankkaamo.example"])
    assert result.exit_code != 0
    assert "NOT SENT to k@tankkaamo.example: cannot reach the mail server" in result.output
    assert "1 of 1 test messages not sent" in result.output


def test_notify_test_goes_to_the_area_and_teams(runner, monkeypatch, mail_server, teams):
    monkeypatch.setenv("KIOSK_SMTP_URL", mail_server.url)
    monkeypatch.setenv("KIOSK_NOTIFY_AREA", f"tiimi@tankkaamo.example,{teams.url}")
    result = runner.invoke(cli, ["notify", "test"])
    assert result.exit_code == 0, result.output
    assert len(mail_server.wait_for(1)) == 1 and len(teams.posts) == 1
    teams.status = 404
    result = runner.invoke(cli, ["notify", "test"])
    assert result.exit_code != 0 and "answered 404" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["notify", "test"], "no destination: set KIOSK_NOTIFY_AREA"),
        (["notify", "test", "--to", "not-an-address"], "is not a valid email address"),
    ],
)
def test_notify_test_refuses_nothing_to_send_to(runner, args, message) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code != 0 and message in result.output


def test_staff_add_with_email(runner, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KIOSK_NEW_PASSWORD", PASSWORD)
    bad = runner.invoke(cli, ["staff", "add", "liisa", "--email", "liisa@"])
    assert bad.exit_code != 0 and "is not a valid email address" in bad.output
    good = runner.invoke(cli, ["staff", "add", "liisa", "--email", "Liisa@Tankkaamo.example"])
    assert good.exit_code == 0, good.output
    db = connect(tmp_path / "instance" / "kiosk.db")
    try:
        rows = db.execute("SELECT username, email FROM staff_users").fetchall()
    finally:
        db.close()
    assert rows == [("liisa", "Liisa@tankkaamo.example")]  # the refused one made nothing


def test_reminder_after_ten_minutes_goes_out_once(db, clock, tmp_path, mail_server):
    settings = notify_settings(tmp_path, SMTP_URL=mail_server.url)
    config = dispatch.NotifyConfig.from_settings(settings)
    add_host(db, clock, "hanna", "hanna@tankkaamo.example")
    member_id, _ = gen_member(db, clock.now(), "Äksel Öhman")
    visit = manual_check_in(db, member_id, clock.now())
    request_host(db, visit, clock.now(), wants_chat=True, topics=[], allowed_topics=[])
    clock.advance(minutes=9, seconds=59)
    assert dispatch.queue_reminders(db, clock.now(), config) == 0
    clock.advance(seconds=1)
    assert dispatch.queue_reminders(db, clock.now(), config) == 1
    clock.advance(minutes=30)
    assert dispatch.queue_reminders(db, clock.now(), config) == 0
    send_due(db, senders_from_settings(settings), clock.now())
    [reminder] = mail_server.wait_for(1)
    assert reminder["Subject"] == "Muistutus: Äksel odottaa yhä"
    assert "Äksel pyysi heimopäällikköä klo 10.00, 10 minuuttia sitten." in reminder.get_content()


def test_daily_digest_once_a_day_after_its_time(db, clock, tmp_path, mail_server):
    settings = notify_settings(tmp_path, SMTP_URL=mail_server.url, NOTIFY_DIGEST_TIME="07:30")
    config = dispatch.NotifyConfig.from_settings(settings)
    tz = helsinki()
    add_host(db, clock, "aamu", "aamu@tankkaamo.example", kinds=("digest",), on_duty=False)
    add_host(db, clock, "hanna", "hanna@tankkaamo.example")  # no digest chosen
    regular, _ = gen_member(db, clock.now(), "Väinö Vakio")
    for weeks in range(9, 5, -1):  # four visits, the last six weeks ago
        manual_check_in(db, regular, clock.now() - timedelta(weeks=weeks))
        db.execute("UPDATE visits SET checked_out_at = checked_in_at")
    today = clock.now().astimezone(tz).date()
    create_event(
        db,
        EventInput(title="Yrittäjäkahvit", day=today.isoformat(), starts="14:00", ends="15:00"),
        clock.now(),
        tz,
    )
    clock.set(datetime(2026, 11, 26, 7, 29, tzinfo=tz))
    assert dispatch.queue_digests(db, clock.now(), config) == 0
    clock.set(datetime(2026, 11, 26, 7, 31, tzinfo=tz))
    assert dispatch.queue_digests(db, clock.now(), config) == 1
    assert dispatch.queue_digests(db, clock.now(), config) == 0
    send_due(db, senders_from_settings(settings), clock.now())
    [digest] = mail_server.wait_for(1)
    assert digest["To"] == "aamu@tankkaamo.example"
    assert digest["Subject"] == "Tankkaamo tänään, torstai 26.11.2026"
    body = digest.get_content().replace("\r\n", "\n")
    assert "Vakiokävijät, joita ei ole näkynyt neljään viikkoon: 1\n- Väinö" in body
    assert "Tämän päivän tapahtumat: 1\n- 14.00 Yrittäjäkahvit" in body
    assert "Vakio" not in body.replace("Vakiokävijät", "")


@pytest.mark.parametrize(
    ("clock_time", "quiet"),
    [
        ("20:59", False),
        ("21:00", True),
        ("23:59", True),
        ("00:30", True),
        ("06:59", True),
        ("07:00", False),
        ("12:00", False),
    ],
)
def test_quiet_hours_run_over_midnight(clock_time: str, quiet: bool) -> None:
    from kiosk.notify.staff_choices import in_quiet_hours

    hours, minutes = map(int, clock_time.split(":"))
    moment = datetime(2026, 3, 29, hours, minutes, tzinfo=helsinki())  # the night clocks go on
    staff = {"quiet_from": "21:00", "quiet_until": "07:00"}
    assert in_quiet_hours(staff, moment, helsinki()) is quiet


def test_on_duty_ends_at_closing_time_across_the_dst_change(db, clock) -> None:
    from kiosk.closing import parse_closing_time
    from kiosk.notify.staff_choices import get_staff, on_duty, set_on_duty

    tz = helsinki()
    user_id = add_host(db, clock, "ilta", "ilta@tankkaamo.example", on_duty=False)
    late = datetime(2026, 10, 24, 23, 30, tzinfo=tz)  # after closing, the night before DST ends
    until = set_on_duty(db, user_id, True, late, parse_closing_time("22:00"), tz)
    assert until == datetime(2026, 10, 25, 22, 0, tzinfo=tz)
    staff = get_staff(db, user_id)
    assert on_duty(staff, datetime(2026, 10, 25, 21, 59, tzinfo=tz))
    assert not on_duty(staff, datetime(2026, 10, 25, 22, 0, tzinfo=tz))


def test_forgetting_a_member_empties_and_stops_their_messages(db, clock, tmp_path) -> None:
    from kiosk.privacy.erasure import forget_member

    settings = notify_settings(tmp_path, SMTP_URL="smtp://127.0.0.1:9")
    config = dispatch.NotifyConfig.from_settings(settings)
    add_host(db, clock, "hanna", "hanna@tankkaamo.example")
    member_id, _ = gen_member(db, clock.now(), "Unohdettava Ihminen")
    visit = manual_check_in(db, member_id, clock.now())
    alert = request_host(db, visit, clock.now(), wants_chat=True, topics=[], allowed_topics=[])
    assert dispatch.alert_raised(db, alert, clock.now(), config).queued == 1
    forget_member(db, member_id, clock.now(), "aatu")
    [row] = db.query("SELECT subject, body, status FROM notifications")
    assert row == {"subject": "", "body": "", "status": "cancelled"}


def test_retention_empties_old_messages(db, clock, tmp_path, mail_server) -> None:
    from kiosk.privacy.retention import anonymise_expired

    settings = notify_settings(tmp_path, SMTP_URL=mail_server.url)
    config = dispatch.NotifyConfig.from_settings(settings)
    add_host(db, clock, "hanna", "hanna@tankkaamo.example")
    member_id, _ = gen_member(db, clock.now(), "Vanha Viesti")
    visit = manual_check_in(db, member_id, clock.now())
    alert = request_host(db, visit, clock.now(), wants_chat=True, topics=[], allowed_topics=[])
    dispatch.alert_raised(db, alert, clock.now(), config)
    send_due(db, senders_from_settings(settings), clock.now())
    clock.advance(days=800)
    anonymise_expired(db, clock.now(), 24)
    [row] = db.query("SELECT subject, body, status FROM notifications")
    assert row == {"subject": "", "body": "", "status": "sent"}


def test_messages_to_hosts_use_the_configured_host_title() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from kiosk.notify.messages import Writer

    at = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    writer = Writer("fi", ZoneInfo("Europe/Helsinki"), "isäntä")
    assert "Äksel pyysi isäntää klo 10.00" in writer.reminder("Äksel", at, 10).body
    assert "juttelusta isännän kanssa" in writer.low_mood("Äksel", at).body
    english = Writer("en", ZoneInfo("Europe/Helsinki"), "isäntä")
    assert "asked for the host at" in english.reminder("Äksel", at, 10).body


def test_no_reminder_says_someone_is_still_waiting_after_they_left(db, clock, tmp_path):
    from kiosk.visits import close_visit

    config = dispatch.NotifyConfig.from_settings(notify_settings(tmp_path, SMTP_URL="smtp://x:25"))
    add_host(db, clock, "hanna", "hanna@tankkaamo.example")
    member_id, _ = gen_member(db, clock.now(), "Äksel Öhman")
    visit = manual_check_in(db, member_id, clock.now())
    request_host(db, visit, clock.now(), wants_chat=True, topics=[], allowed_topics=[])
    clock.advance(minutes=5)
    close_visit(db, visit, clock.now(), "card")
    clock.advance(minutes=10)
    assert dispatch.queue_reminders(db, clock.now(), config) == 0
    # The request itself stays open for the hosts until someone marks it handled.
    from kiosk.moods import open_alerts

    assert [alert["visit_id"] for alert in open_alerts(db)] == [visit]
