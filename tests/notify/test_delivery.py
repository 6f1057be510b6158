"""The queue and its channels against real servers: aiosmtpd and an HTTP receiver for Teams."""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta

from kiosk.moods import record_mood, request_host
from kiosk.notify import dispatch, queue
from kiosk.notify.worker import NotifyWorker, send_due, senders_from_settings
from kiosk.transactions import write_transaction
from kiosk.visits import manual_check_in
from tests.factories import gen_member
from tests.notify.conftest import add_host, notify_settings

TOPICS = ["rahoitus", "markkinointi", "digi", "verotus", "jaksaminen", "verkostot"]
MOOD_WORDS = ("raskas", "vaikea", "heavy", "hard", "mood", "mieliala", "5")


def raise_request(db, clock, config, name="Päivi Mäkelä", chat=True, topics=("rahoitus",)):
    member_id, _token = gen_member(db, clock.now(), name, approach_ok=True)
    visit_id = manual_check_in(db, member_id, clock.now())
    with write_transaction(db):
        alert_id = request_host(
            db, visit_id, clock.now(), wants_chat=chat, topics=list(topics), allowed_topics=TOPICS
        )
        delivery = dispatch.alert_raised(db, alert_id, clock.now(), config)
    return alert_id, delivery


def rows(db):
    return list(db.query("SELECT * FROM notifications ORDER BY id"))


def test_a_chat_request_reaches_the_host_on_duty_in_finnish(db, clock, tmp_path, mail_server):
    settings = notify_settings(tmp_path, SMTP_URL=mail_server.url)
    config = dispatch.NotifyConfig.from_settings(settings)
    add_host(db, clock, "hanna", "hanna.hoitaja@tankkaamo.example")
    alert_id, delivery = raise_request(db, clock, config)
    assert delivery.queued == 1 and delivery.host_coming

    result = send_due(db, senders_from_settings(settings), clock.now())
    assert result.sent == 1
    [message] = mail_server.wait_for(1)
    [row] = rows(db)
    assert row["status"] == "sent" and row["alert_id"] == alert_id
    assert message["Message-ID"] == row["message_id"]
    assert message["To"] == "hanna.hoitaja@tankkaamo.example"
    assert message["From"].addresses[0].addr_spec == "kioski@tankkaamo.example"
    assert message["Subject"] == "Päivi haluaisi jutella"
    body = message.get_content()
    assert "Päivi haluaisi jutella." in body
    assert "Apua aiheessa: Rahoitus" in body
    assert "klo 10.00" in body  # 10:00 in Helsinki, as written in Finnish
    assert "http://127.0.0.1:8080/staff/" in body
    assert "Mäkelä" not in body and "Mäkelä" not in message["Subject"]  # first name only
    audit = list(db.query("SELECT * FROM audit_log WHERE action = 'notify.sent'"))
    assert len(audit) == 1 and json.loads(audit[0]["details"])["message_id"] == row["message_id"]


def test_a_consented_low_mood_is_worded_as_a_wish_for_a_word(db, clock, tmp_path, mail_server):
    settings = notify_settings(tmp_path, SMTP_URL=mail_server.url)
    config = dispatch.NotifyConfig.from_settings(settings)
    add_host(db, clock, "hanna", "hanna@tankkaamo.example")
    member_id, _ = gen_member(db, clock.now(), "Jörö Järvinen", approach_ok=True)
    visit_id = manual_check_in(db, member_id, clock.now())
    with write_transaction(db):
        alert_id = record_mood(db, visit_id, 5, clock.now())
        dispatch.alert_raised(db, alert_id, clock.now(), config)
    send_due(db, senders_from_settings(settings), clock.now())
    [message] = mail_server.wait_for(1)
    text = (message["Subject"] + "\n" + message.get_content()).lower()
    assert message["Subject"] == "Jörö toivoisi juttuseuraa"
    assert "jörö ilahtuisi tänään hetken juttelusta heimopäällikön kanssa." in text
    assert not [word for word in MOOD_WORDS if word in text.replace("10.00", "")]


def test_nobody_on_duty_or_in_quiet_hours_gets_nothing_and_no_promise(db, clock, tmp_path):
    settings = notify_settings(tmp_path, SMTP_URL="smtp://127.0.0.1:9")
    config = dispatch.NotifyConfig.from_settings(settings)
    add_host(db, clock, "offduty", "off@tankkaamo.example", on_duty=False)
    add_host(
        db, clock, "sleeper", "quiet@tankkaamo.example", quiet_from="09:00", quiet_until="17:00"
    )
    add_host(db, clock, "helper", "help@tankkaamo.example", kinds=("guest",))
    _alert, delivery = raise_request(db, clock, config)
    assert delivery.queued == 0 and not delivery.host_coming
    assert rows(db) == []


def test_the_same_alert_is_never_queued_twice(db, clock, tmp_path):
    settings = notify_settings(tmp_path, SMTP_URL="smtp://127.0.0.1:9")
    config = dispatch.NotifyConfig.from_settings(settings)
    add_host(db, clock, "hanna", "hanna@tankkaamo.example")
    alert_id, first = raise_request(db, clock, config)
    again = dispatch.alert_raised(db, alert_id, clock.now(), config)
    assert first.queued == 1 and again.queued == 0 and len(rows(db)) == 1


def test_mail_server_down_for_an_hour_then_back_loses_and_doubles_nothing(
    db,
    clock,
    tmp_path,
    mail_server,
) -> None:
    settings = notify_settings(tmp_path, SMTP_URL=mail_server.url)
    config = dispatch.NotifyConfig.from_settings(settings)
    add_host(db, clock, "hanna", "hanna@tankkaamo.example")
    for n in range(6):
        raise_request(db, clock, config, name=f"Äänekäs{n} Öljynen")
    senders = senders_from_settings(settings)

    # Two go out, then the server stops in the middle of the queue.
    assert send_due(db, senders, clock.now(), limit=2).sent == 2
    mail_server.wait_for(2)
    mail_server.stop()
    for _ in range(12):  # an hour of tries, five minutes apart
        result = send_due(db, senders, clock.now())
        assert result.sent == 0 and result.failed == 0
        clock.advance(minutes=5)
    waiting = [r for r in rows(db) if r["status"] == "pending"]
    assert len(waiting) == 4
    assert all("cannot reach the mail server" in r["last_error"] for r in waiting)

    mail_server.start()
    clock.advance(minutes=5)
    assert send_due(db, senders, clock.now()).sent == 4
    received = mail_server.wait_for(6)
    ids = [m["Message-ID"] for m in received]
    assert len(ids) == 6 and sorted(ids) == sorted(r["message_id"] for r in rows(db))
    assert {r["status"] for r in rows(db)} == {"sent"}
    assert any("Äänekäs5" in m["Subject"] for m in received)


def test_a_message_sent_again_after_a_crash_keeps_its_message_id(db, clock, tmp_path, mail_server):
    settings = notify_settings(tmp_path, SMTP_URL=mail_server.url)
    config = dispatch.NotifyConfig.from_settings(settings)
    add_host(db, clock, "hanna", "hanna@tankkaamo.example")
    raise_request(db, clock, config)
    [row] = rows(db)
    # A worker claimed the row, the server accepted it, and the process died before "sent".
    assert queue.claim(db, row["id"], clock.now())
    sender = senders_from_settings(settings)["email"]
    sender.send(row, clock.now())
    sender.close()
    clock.advance(seconds=queue.LEASE_SECONDS + 1)
    assert send_due(db, senders_from_settings(settings), clock.now()).sent == 1
    first, second = mail_server.wait_for(2)
    assert first["Message-ID"] == second["Message-ID"] == row["message_id"]


def test_a_refused_recipient_fails_with_the_reason_after_bounded_tries(
    db,
    clock,
    tmp_path,
    mail_server,
) -> None:
    settings = notify_settings(tmp_path, SMTP_URL=mail_server.url)
    config = dispatch.NotifyConfig.from_settings(settings)
    add_host(db, clock, "hanna", "gone@tankkaamo.example")
    mail_server.inbox.refuse["gone@tankkaamo.example"] = "550 5.1.1 no such mailbox"
    raise_request(db, clock, config)
    senders = senders_from_settings(settings)
    for _ in range(queue.PERMANENT_TRIES):
        send_due(db, senders, clock.now())
        clock.advance(minutes=10)
    [row] = rows(db)
    assert row["status"] == "failed" and row["attempts"] == queue.PERMANENT_TRIES
    assert "550" in row["last_error"] and "no such mailbox" in row["last_error"]
    assert mail_server.messages == []


def test_a_temporary_refusal_waits_and_goes_out_later(db, clock, tmp_path, mail_server):
    settings = notify_settings(tmp_path, SMTP_URL=mail_server.url)
    config = dispatch.NotifyConfig.from_settings(settings)
    add_host(db, clock, "hanna", "busy@tankkaamo.example")
    mail_server.inbox.refuse["busy@tankkaamo.example"] = "451 4.3.0 try again later"
    raise_request(db, clock, config)
    senders = senders_from_settings(settings)
    for _ in range(queue.PERMANENT_TRIES + 2):
        send_due(db, senders, clock.now())
        clock.advance(minutes=10)
    [row] = rows(db)
    assert row["status"] == "pending" and "451" in row["last_error"]
    del mail_server.inbox.refuse["busy@tankkaamo.example"]
    send_due(db, senders, clock.now())
    assert [m["Message-ID"] for m in mail_server.wait_for(1)] == [row["message_id"]]


def test_a_mail_server_that_never_answers_times_out_and_the_message_waits(db, clock, tmp_path):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # accepts connections and never says a word
    try:
        settings = notify_settings(
            tmp_path,
            SMTP_URL=f"smtp://127.0.0.1:{silent.getsockname()[1]}",
            SMTP_TIMEOUT_SECONDS=0.5,
        )
        config = dispatch.NotifyConfig.from_settings(settings)
        add_host(db, clock, "hanna", "hanna@tankkaamo.example")
        raise_request(db, clock, config)
        result = send_due(db, senders_from_settings(settings), clock.now())
    finally:
        silent.close()
    [row] = rows(db)
    assert result.waiting == 1 and row["status"] == "pending"
    assert "timed out" in row["last_error"]


def test_teams_gets_an_adaptive_card(db, clock, tmp_path, teams):
    settings = notify_settings(tmp_path, NOTIFY_AREA=[teams.url])
    config = dispatch.NotifyConfig.from_settings(settings)
    _alert, delivery = raise_request(db, clock, config, topics=("digi", "verotus"))
    assert delivery.queued == 1 and not delivery.host_coming  # the area is not a host on duty
    assert send_due(db, senders_from_settings(settings), clock.now()).sent == 1
    [card] = teams.posts
    assert card["type"] == "message"
    [attachment] = card["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    content = attachment["content"]
    assert content["type"] == "AdaptiveCard" and content["version"] == "1.4"
    texts = [block["text"] for block in content["body"]]
    assert texts[0] == "Päivi haluaisi jutella"
    assert "Digityökalut" in texts[1] and "Verotus ja kirjanpito" in texts[1]
    assert content["actions"][0]["url"] == "http://127.0.0.1:8080/staff/"
    assert teams.headers[0]["X-Message-Id"] == rows(db)[0]["message_id"]


def test_a_teams_4xx_fails_with_the_reason_after_bounded_tries(db, clock, tmp_path, teams):
    teams.status = 400
    teams.answer = b'{"error": {"code": "TriggerInputSchemaMismatch"}}'
    settings = notify_settings(tmp_path, NOTIFY_AREA=[teams.url])
    config = dispatch.NotifyConfig.from_settings(settings)
    raise_request(db, clock, config)
    senders = senders_from_settings(settings)
    for _ in range(queue.PERMANENT_TRIES + 2):
        send_due(db, senders, clock.now())
        clock.advance(minutes=10)
    [row] = rows(db)
    assert row["status"] == "failed" and row["attempts"] == queue.PERMANENT_TRIES
    assert "400" in row["last_error"] and "TriggerInputSchemaMismatch" in row["last_error"]
    assert len(teams.posts) == queue.PERMANENT_TRIES


def test_the_worker_thread_sends_at_once_when_woken(db, db_path, clock, tmp_path, mail_server):
    from kiosk.db import connect
    from kiosk.notify.worker import wake

    settings = notify_settings(tmp_path, DATABASE=str(db_path), SMTP_URL=mail_server.url)
    config = dispatch.NotifyConfig.from_settings(settings)
    add_host(db, clock, "hanna", "hanna@tankkaamo.example")
    worker = NotifyWorker(lambda: connect(db_path), settings, clock=clock, interval=30.0)
    worker.start()
    try:
        raise_request(db, clock, config)
        wake()  # with a 30 s poll, only the wake-up can deliver within the wait below
        mail_server.wait_for(1, timeout=10)
    finally:
        worker.stop()
    assert not worker.running and worker.errors == 0
    assert threading.active_count() >= 1


def test_messages_older_than_a_day_are_given_up_with_the_reason(db, clock, tmp_path):
    settings = notify_settings(tmp_path, SMTP_URL="smtp://127.0.0.1:9")
    config = dispatch.NotifyConfig.from_settings(settings)
    add_host(db, clock, "hanna", "hanna@tankkaamo.example")
    raise_request(db, clock, config)
    send_due(db, senders_from_settings(settings), clock.now())
    clock.advance(hours=24, minutes=1)
    result = send_due(db, senders_from_settings(settings), clock.now())
    [row] = rows(db)
    assert result.failed == 1 and row["status"] == "failed"
    assert row["last_error"].startswith("not delivered within 24 hours: cannot reach")
    assert timedelta(hours=24) == queue.MAX_AGE


def test_a_changed_mood_withdraws_what_the_low_one_queued(db, clock, tmp_path):
    from kiosk.host_alerts import answer_mood

    config = dispatch.NotifyConfig.from_settings(notify_settings(tmp_path, SMTP_URL="smtp://x:25"))
    add_host(db, clock, "hanna", "hanna@tankkaamo.example")
    member_id, _ = gen_member(db, clock.now(), "Jörö Järvinen", approach_ok=True)
    visit_id = manual_check_in(db, member_id, clock.now())

    def statuses() -> list[str]:
        return [r["status"] for r in db.query("SELECT status FROM notifications ORDER BY id")]

    assert answer_mood(db, visit_id, 5, clock.now(), config).host_coming
    assert statuses() == ["pending"]
    clock.advance(seconds=20)
    assert answer_mood(db, visit_id, 2, clock.now(), config).alert_id is None  # a better day
    assert statuses() == ["cancelled"]
    # A low mood again: SQLite may hand out the same alert id; it is a new alert all the same.
    clock.advance(seconds=20)
    again = answer_mood(db, visit_id, 4, clock.now(), config)
    assert again.alert_id is not None and again.host_coming
    assert statuses() == ["cancelled", "pending"]
