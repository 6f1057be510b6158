"""The door's promise, the guest's host, the dashboard's open requests and the staff settings."""

from __future__ import annotations

import re

import pytest

from kiosk.db import connect
from kiosk.notify import dispatch
from kiosk.notify.worker import send_due, senders_from_settings
from kiosk.visits import manual_check_in
from tests.factories import gen_member
from tests.notify.conftest import PASSWORD, add_host
from tests.staff.conftest import log_in, make_app, post
from tests.web_helpers import csrf_token, visible_text


@pytest.fixture
def app(tmp_path, clock, mail_server):
    return make_app(
        tmp_path,
        clock,
        SMTP_URL=mail_server.url,
        MAIL_FROM="kioski@tankkaamo.example",
        DASHBOARD_URL="https://kioski.tankkaamo.example/staff/",
    )


@pytest.fixture
def appdb(app):
    db = connect(app.config["DATABASE"])
    yield db
    db.close()


def deliver(app, appdb, clock) -> None:
    """What the worker thread does: send everything due now."""
    send_due(appdb, senders_from_settings(app.extensions["kiosk.settings"]), clock.now())


def ask_for_a_chat(app, appdb, clock, name: str = "Päivi Mäkelä") -> str:
    """Scan a member in at the door, tap a mood and "I'd like a chat"; return the thanks page."""
    client = app.test_client()
    _id, token = gen_member(appdb, clock.now(), name, approach_ok=True)
    response = client.post("/scan", data={"code": token, "csrf_token": csrf_token(client, "/")})
    greeting = client.get(response.location)
    mood_action = re.search(r'action="([^"]+/mood)"', greeting.text).group(1)
    field = csrf_token(client, response.location)
    after_mood = client.post(mood_action, data={"mood": "2", "csrf_token": field})
    done = client.post(after_mood.location, data={"chat": "1", "csrf_token": field})
    return visible_text(client.get(done.location).text)


def test_the_door_promises_a_visit_when_a_host_on_duty_was_told(app, appdb, clock, mail_server):
    add_host(appdb, clock, "hanna", "hanna@tankkaamo.example")
    text = ask_for_a_chat(app, appdb, clock)
    assert "Heimopäällikkö tulee pian luoksesi" in text
    deliver(app, appdb, clock)
    [message] = mail_server.wait_for(1)
    assert message["Subject"] == "Päivi haluaisi jutella"
    assert "https://kioski.tankkaamo.example/staff/" in message.get_content()


def test_a_double_tap_on_the_chat_button_is_one_request_and_one_message(
    app, appdb, clock, mail_server
) -> None:
    add_host(appdb, clock, "hanna", "hanna@tankkaamo.example")
    client = app.test_client()
    _id, token = gen_member(appdb, clock.now(), "Päivi Mäkelä", approach_ok=True)
    response = client.post("/scan", data={"code": token, "csrf_token": csrf_token(client, "/")})
    field = csrf_token(client, response.location)
    form = response.location + "/help"
    first = client.post(form, data={"chat": "1", "csrf_token": field})
    second = client.post(form, data={"chat": "1", "csrf_token": field})
    # Both answers say what is true: the host on duty was told, once.
    assert first.location == second.location
    assert "Heimopäällikkö tulee pian luoksesi" in visible_text(client.get(second.location).text)
    [(alerts,)] = appdb.execute("SELECT count(*) FROM host_alerts WHERE kind = 'request'")
    [(messages,)] = appdb.execute("SELECT count(*) FROM notifications WHERE kind = 'request'")
    assert (alerts, messages) == (1, 1)
    deliver(app, appdb, clock)
    assert len(mail_server.wait_for(1)) == 1
    # Asking for something else is a request of its own.
    client.post(form, data={"chat": "0", "topic": "rahoitus", "csrf_token": field})
    [(alerts,)] = appdb.execute("SELECT count(*) FROM host_alerts WHERE kind = 'request'")
    assert alerts == 2


@pytest.mark.parametrize("situation", ["nobody on duty", "quiet hours", "no address"])
def test_otherwise_the_door_says_it_was_passed_on(app, appdb, clock, situation: str) -> None:
    if situation == "nobody on duty":
        add_host(appdb, clock, "hanna", "hanna@tankkaamo.example", on_duty=False)
    elif situation == "quiet hours":  # 10:00 falls in 08:00-12:00
        add_host(
            appdb, clock, "hanna", "h@tankkaamo.example", quiet_from="08:00", quiet_until="12:00"
        )
    else:
        add_host(appdb, clock, "hanna", None)
    text = ask_for_a_chat(app, appdb, clock)
    assert "Välitimme viestisi eteenpäin. Heimopäällikkö on sinuun yhteydessä." in text
    assert "tulee pian" not in text


def test_a_guest_who_names_a_host_from_the_list_is_announced_to_them(
    app,
    appdb,
    clock,
    mail_server,
) -> None:
    add_host(appdb, clock, "hanna", "hanna@tankkaamo.example", display_name="Hanna Höijer")
    add_host(appdb, clock, "noguests", "other@tankkaamo.example", kinds=("request",))
    client = app.test_client()
    form = client.get("/guest").text
    assert "Hanna Höijer" in form and "noguests" not in form  # only staff who take guests
    [choice] = re.findall(r'name="host_choice" value="([^"]+)"', form)
    response = client.post(
        "/guest",
        data={
            "csrf_token": csrf_token(client, "/guest"),
            "name": "Jöns Äkräs",
            "host_choice": choice,
            "consent": "1",
        },
    )
    assert response.status_code == 302
    guest = appdb.execute("SELECT host_name, host_staff_id FROM guests").fetchone()
    assert guest[0] == "Hanna Höijer" and guest[1] is not None
    deliver(app, appdb, clock)
    [message] = mail_server.wait_for(1)
    assert message["To"] == "hanna@tankkaamo.example"
    assert message["Subject"] == "Vieraasi Jöns on saapunut"
    assert "Äkräs" not in message.get_content()


def test_a_host_typed_as_free_text_is_kept_and_matched_when_it_is_a_name(app, appdb, clock):
    add_host(appdb, clock, "hanna", "hanna@tankkaamo.example", display_name="Hanna Höijer")
    client = app.test_client()
    # Two guests (one guest still in holds one visit, so the same name would not sign in again).
    for guest_name, typed in (
        ("Vieras Yksi", "Matti Meikäläinen"),
        ("Vieras Kaksi", "hanna höijer"),
    ):
        client.post(
            "/guest",
            data={
                "csrf_token": csrf_token(client, "/guest"),
                "name": guest_name,
                "host_name": typed,
                "consent": "1",
            },
        )
    rows = appdb.execute("SELECT host_name, host_staff_id FROM guests ORDER BY id").fetchall()
    assert rows[0] == ("Matti Meikäläinen", None)
    assert rows[1][0] == "hanna höijer" and rows[1][1] is not None
    assert appdb.execute("SELECT count(*) FROM notifications").fetchone()[0] == 1


@pytest.fixture
def host(app, appdb, clock):
    add_host(appdb, clock, "hanna", "hanna@tankkaamo.example")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert log_in(client, "hanna", PASSWORD).status_code == 302
    return client


def test_open_requests_survive_checkout_urgent_first_with_wait(host, app, appdb, clock):
    from kiosk.moods import record_mood, request_host
    from kiosk.visits import close_visit

    config = dispatch.NotifyConfig.from_settings(app.extensions["kiosk.settings"])
    early_id, _ = gen_member(appdb, clock.now(), "Eero Early")
    early = manual_check_in(appdb, early_id, clock.now())
    request_host(appdb, early, clock.now(), wants_chat=True, topics=[], allowed_topics=["digi"])
    clock.advance(minutes=7)
    sad_id, _ = gen_member(appdb, clock.now(), "Siru Sad", approach_ok=True)
    sad = manual_check_in(appdb, sad_id, clock.now())
    alert = record_mood(appdb, sad, 5, clock.now())
    dispatch.alert_raised(appdb, alert, clock.now(), config)
    close_visit(appdb, early, clock.now(), "card")  # Eero left without being seen
    clock.advance(minutes=3)
    page = host.get("/staff/").text
    section = page.split('id="alerts-title"')[1].split('id="present-title"')[0]
    assert section.index("Siru Sad") < section.index("Eero Early")
    assert "has left" in section and "waiting 10 min" in section and "waiting 3 min" in section


def test_marking_handled_cancels_the_reminder(host, app, appdb, clock):
    from kiosk.moods import request_host

    config = dispatch.NotifyConfig.from_settings(app.extensions["kiosk.settings"])
    member_id, _ = gen_member(appdb, clock.now(), "Eero Early")
    visit = manual_check_in(appdb, member_id, clock.now())
    first = request_host(appdb, visit, clock.now(), wants_chat=True, topics=[], allowed_topics=[])
    second = request_host(appdb, visit, clock.now(), wants_chat=True, topics=[], allowed_topics=[])
    clock.advance(minutes=5)
    assert post(host, "/staff/", f"/staff/alerts/{first}/handled").status_code == 302
    assert dispatch.reminders_due(appdb, clock.now(), config) == []
    clock.advance(minutes=6)
    assert [r["id"] for r in dispatch.reminders_due(appdb, clock.now(), config)] == [second]
    assert dispatch.queue_reminders(appdb, clock.now(), config) == 1
    assert dispatch.queue_reminders(appdb, clock.now(), config) == 0  # once per alert
    # A reminder still waiting to go out is cancelled when the alert is handled.
    assert post(host, "/staff/", f"/staff/alerts/{second}/handled").status_code == 302
    [row] = appdb.query("SELECT kind, status FROM notifications WHERE alert_id = ?", [second])
    assert row == {"kind": "reminder", "status": "cancelled"}


def test_on_duty_switch_and_invalid_address_refused(host, appdb, clock):
    page = host.get("/staff/").text
    assert "You are on duty until 22:00" in page
    post(host, "/staff/", "/staff/duty", on="0")
    assert "You are not on duty" in host.get("/staff/").text
    response = post(
        host, "/staff/notifications", "/staff/notifications", email="hanna@@example", kind="guest"
    )
    assert response.status_code == 400
    assert "That is not a valid email address" in response.text
    stored = appdb.execute("SELECT email, notify_kinds FROM staff_users WHERE username = 'hanna'")
    assert stored.fetchone()[0] == "hanna@tankkaamo.example"  # nothing was saved
    response = post(
        host,
        "/staff/notifications",
        "/staff/notifications",
        email="Hanna.Uusi@Tankkaamo.example",
        kind=["request", "digest"],
        quiet_from="21:00",
        quiet_until="07:00",
    )
    assert response.status_code == 200 and "Saved." in response.text
    row = appdb.execute(
        "SELECT email, notify_kinds, quiet_from, quiet_until FROM staff_users WHERE username = ?",
        ["hanna"],
    ).fetchone()
    assert row == ("Hanna.Uusi@tankkaamo.example", '["request", "digest"]', "21:00", "07:00")


def test_devices_page_shows_the_notification_queue(host, app, appdb, clock):
    from kiosk.notify import queue

    queue.enqueue(
        appdb,
        queue.Outgoing("test", "email", "x@tankkaamo.example", "Testi", "body", "k1"),
        clock.now(),
        "tankkaamo.example",
    )
    row_id = appdb.execute("SELECT id FROM notifications").fetchone()[0]
    queue.mark_waiting(appdb, row_id, clock.now(), "cannot reach the mail server", clock.now())
    page = visible_text(host.get("/staff/devices").text)
    assert "Notifications" in page and "Messages are waiting to be sent" in page
    assert "1 waiting, 0 sent, 0 failed" in page and "cannot reach the mail server" in page
    mini = visible_text(host.get("/staff/present/fragment").text)
    assert "Notifications: waiting to be sent" in mini


def test_a_consented_low_mood_is_published_live_to_the_dashboards(app, appdb, clock) -> None:
    import json

    _sub, inbox = app.extensions["kiosk.broker"].subscribe("staff")
    client = app.test_client()
    _id, token = gen_member(appdb, clock.now(), "Siru Surullinen", approach_ok=True)
    response = client.post("/scan", data={"code": token, "csrf_token": csrf_token(client, "/")})
    greeting = client.get(response.location)
    mood_action = re.search(r'action="([^"]+/mood)"', greeting.text).group(1)
    field = csrf_token(client, response.location)
    assert client.post(mood_action, data={"mood": "5", "csrf_token": field}).status_code == 302
    events = []
    while not inbox.empty():
        event, payload = inbox.get_nowait()
        events.append((event, json.loads(payload)))
    [alert_id] = appdb.execute("SELECT id FROM host_alerts WHERE kind = 'low_mood'").fetchone()
    assert ("alert", {"alert_id": alert_id, "kind": "low_mood"}) in events


def test_a_fault_in_queuing_keeps_the_request_and_promises_nothing(
    app,
    appdb,
    clock,
    monkeypatch,
    caplog,
) -> None:
    add_host(appdb, clock, "hanna", "hanna@tankkaamo.example")

    def broken(*_args: object) -> bool:
        raise RuntimeError("a bug after the first row was written")

    monkeypatch.setattr(dispatch, "on_duty", broken)
    text = ask_for_a_chat(app, appdb, clock)
    assert "Heimopäällikkö on sinuun yhteydessä" in text and "tulee pian" not in text
    assert appdb.execute("SELECT count(*) FROM host_alerts").fetchone()[0] == 1
    assert appdb.execute("SELECT count(*) FROM notifications").fetchone()[0] == 0
    assert "host notifications could not be queued" in caplog.text
