"""The app through Flask's test client: the scan API, the door screens, headers."""

from __future__ import annotations

import json
import re

import pytest

from kiosk.moods import open_alerts
from kiosk.visits import visit_person
from kiosk.web import create_app
from tests.factories import gen_member, visit_rows
from tests.web_helpers import csrf_token, visible_text


@pytest.fixture
def app(tmp_path, clock, db_path):
    return create_app(
        {
            "INSTANCE_PATH": tmp_path / "instance",
            "DATABASE": str(db_path),
            "CLOCK": clock,
            "DEMO_DATA": False,
            "PRINTER": f"preview:{tmp_path / 'badges'}",
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


def auth(app):
    return {"Authorization": f"Bearer {app.config['DEVICE_TOKEN']}"}


def test_scan_api_checks_in_and_out(app, client, db, clock):
    _id, token = gen_member(db, clock.now(), "Anna Virtanen")
    first = client.post("/api/v1/scans", json={"code": token}, headers=auth(app))
    assert first.status_code == 200
    assert first.json["result"] == "checked_in" and first.json["first_name"] == "Anna"
    clock.advance(minutes=3)
    second = client.post("/api/v1/scans", json={"code": token, "id": "abc"}, headers=auth(app))
    assert second.json == {
        "result": "checked_out",
        "visit_id": first.json["visit_id"],
        "first_name": "Anna",
    }


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer wrong"}, 401), ({"Authorization": "Basic x"}, 401)],
)
def test_scan_api_requires_the_device_token(client, headers, status):
    response = client.post("/api/v1/scans", json={"code": "x"}, headers=headers)
    assert response.status_code == status
    assert response.json["error"] == "unauthorized"


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "text",
        {"code": 5},
        {"code": ""},
        {"code": "x", "seen_at": "yesterday"},
        {"code": "x", "seen_at": "2026-11-26T10:00:00"},
        {"code": "x", "id": ""},
        {"code": "x", "id": "k" * 500},
    ],
)
def test_malformed_scan_bodies_get_400_with_a_message(app, client, body):
    response = client.post("/api/v1/scans", json=body, headers=auth(app))
    assert response.status_code == 400
    assert response.json["message"]


def test_previous_device_token_still_works_during_rotation(tmp_path, clock, db_path):
    app = create_app(
        {
            "INSTANCE_PATH": tmp_path,
            "DATABASE": str(db_path),
            "CLOCK": clock,
            "DEMO_DATA": False,
            "DEVICE_TOKEN": "new-token",
            "DEVICE_TOKENS_PREVIOUS": ["old-token"],
        }
    )
    client = app.test_client()
    for token in ("new-token", "old-token"):
        response = client.post(
            "/api/v1/scans", json={"code": "x"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.json["result"] == "unknown"


def _device_auth(app):
    # /healthz gives details to devices and staff only.
    return {"Authorization": f"Bearer {app.config['DEVICE_TOKEN']}"}


def test_heartbeat_shows_in_healthz(app, client, clock):
    assert client.get("/healthz", headers=_device_auth(app)).json["scanner"]["state"] == "missing"
    response = client.post(
        "/api/v1/devices/heartbeat",
        headers=auth(app),
        json={"device": "door-1", "kind": "scanner", "state": "ok"},
    )
    assert response.status_code == 200
    health = client.get("/healthz", headers=_device_auth(app))
    assert health.status_code == 200 and health.json["scanner"]["state"] == "ok"
    clock.advance(minutes=5)
    assert client.get("/healthz", headers=_device_auth(app)).json["scanner"]["state"] == "stale"


def test_welcome_screen_is_finnish_and_lists_nobody(client, db, clock):
    gen_member(db, clock.now(), "Anna Virtanen")
    page = client.get("/")
    text = visible_text(page.text)
    assert page.status_code == 200
    assert "Tervetuloa Yritystankkaamoon" in text and "Olen vieras" in text
    assert "Anna" not in text and "Virtanen" not in text


def test_member_flow_greeting_mood_and_help(app, client, db, clock):
    _id, token = gen_member(db, clock.now(), "Anna Virtanen", approach_ok=True)
    response = client.post("/scan", data={"code": token, "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    greeting = client.get(response.location)
    text = visible_text(greeting.text)
    assert "Tervetuloa ensimmäistä kertaa, Anna!" in text and "Mitä kuuluu?" in text
    assert "Virtanen" not in text  # first name only
    mood_action = re.search(r'action="([^"]+/mood)"', greeting.text).group(1)
    token_field = csrf_token(client, response.location)
    after_mood = client.post(mood_action, data={"mood": "5", "csrf_token": token_field})
    follow = client.get(after_mood.location)
    # "Tosi raskasta": a warm word and a gentle offer, not the plain thanks.
    assert "Kiitos, että kerroit, Anna." in visible_text(follow.text)
    assert "Jos haluat, voit pyytää heimopäällikköä juttelemaan" in visible_text(follow.text)
    done = client.post(
        after_mood.location, data={"chat": "1", "topic": ["rahoitus"], "csrf_token": token_field}
    )
    thanks = client.get(done.location)
    # Nobody is on duty here, so the door promises no visit (tests/notify covers the other case).
    assert "Heimopäällikkö on sinuun yhteydessä" in visible_text(thanks.text)
    assert "tulee pian" not in visible_text(thanks.text)
    kinds = sorted(a["kind"] for a in open_alerts(db))
    assert kinds == ["low_mood", "request"]


def test_door_forms_refuse_missing_csrf_token(client, db, clock):
    _id, token = gen_member(db, clock.now())
    assert client.post("/scan", data={"code": token}).status_code == 400
    assert visit_rows(db) == []


def test_person_screen_cannot_be_opened_with_a_forged_token(client, db, clock):
    _id, token = gen_member(db, clock.now())
    assert client.get("/hello/1").status_code == 404
    assert client.get("/hello/eyJ2IjoxfQ.forged.sig").status_code == 404


def test_greeting_follows_the_members_language(client, db, clock):
    _id, token = gen_member(db, clock.now(), "Elsa Lindqvist", language="sv")
    response = client.post("/scan", data={"code": token, "csrf_token": csrf_token(client, "/")})
    assert "Hur mår du?" in visible_text(client.get(response.location).text)
    welcome = client.get("/?reset=1")
    assert "Tervetuloa" in visible_text(welcome.text)


def test_guest_sign_in_validates_and_greets(client, db):
    token = csrf_token(client, "/guest")
    refused = client.post("/guest", data={"name": "", "csrf_token": token})
    assert refused.status_code == 400
    text = visible_text(refused.text)
    assert "Kirjoita nimesi." in text and "hyväksy tietosuojaseloste" in text
    assert db["guests"].count == 0
    signed = client.post(
        "/guest",
        data={"name": "Åsa Öörni", "company": "Ääkköset Ky", "consent": "1", "csrf_token": token},
    )
    assert signed.status_code == 302
    greeting = visible_text(client.get(signed.location).text)
    assert "Åsa" in greeting and "Nimikylttisi tulostuu" in greeting
    [visit] = visit_rows(db)
    assert visit_person(db, visit["id"])["kind"] == "guest"


def test_forgotten_card_checks_in_by_exact_contact_only(client, db, clock):
    gen_member(db, clock.now(), "Anna Virtanen", email="anna@example.fi")
    token = csrf_token(client, "/forgot")
    miss = client.post("/forgot", data={"contact": "anna", "csrf_token": token})
    assert miss.status_code == 404 and "Anna" not in visible_text(miss.text)
    hit = client.post("/forgot", data={"contact": "anna@example.fi", "csrf_token": token})
    assert "Anna" in visible_text(client.get(hit.location).text)
    assert len(visit_rows(db)) == 1


def test_unknown_and_revoked_cards_get_friendly_screens(client):
    token = csrf_token(client, "/")
    response = client.post("/scan", data={"code": "TK1-nonsense", "csrf_token": token})
    assert "Emme tunnistaneet koodia" in visible_text(client.get(response.location).text)
    revoked = client.get("/refused/revoked")
    assert "ei ole enää käytössä" in visible_text(revoked.text)


def test_security_headers_and_no_inline_scripts(client):
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)
    assert " style=" not in page.text and "onclick" not in page.text


def test_door_stream_is_only_for_door_devices(app, client):
    remote = client.get("/stream/door", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert remote.status_code == 403
    paired = app.test_client()
    assert (
        paired.get("/pair?token=wrong", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 403
    )
    pair = paired.get(
        f"/pair?token={app.config['DEVICE_TOKEN']}", environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert pair.status_code == 302
    stream = paired.get("/stream/door", environ_base={"REMOTE_ADDR": "10.1.2.3"}, buffered=False)
    assert stream.status_code == 200 and stream.mimetype == "text/event-stream"
    stream.close()


def test_language_switch_only_redirects_locally(client):
    assert client.get("/language/sv?next=//evil.example").location == "/"
    assert client.get("/language/xx").status_code == 404
    assert "Välkommen" in visible_text(client.get("/").text)


def test_scan_and_forgotten_card_work_only_at_the_door(client, db, clock):
    gen_member(db, clock.now(), "Anna Virtanen", email="anna@example.fi")
    token = csrf_token(client, "/forgot")
    remote = {"REMOTE_ADDR": "10.1.2.3"}
    assert (
        client.post(
            "/forgot", data={"contact": "anna@example.fi", "csrf_token": token}, environ_base=remote
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/scan", data={"code": "x", "csrf_token": token}, environ_base=remote
        ).status_code
        == 403
    )
    assert visit_rows(db) == []


def test_repeated_misses_at_the_door_are_slowed_down(app, client, db, clock):
    gen_member(db, clock.now(), "Anna Virtanen", email="anna@example.fi")
    token = csrf_token(client, "/forgot")
    burst = app.config["SCAN_FAILURE_BURST"]
    for n in range(burst):
        miss = client.post("/forgot", data={"contact": f"guess{n}@example.fi", "csrf_token": token})
        assert miss.status_code == 404
    limited = client.post("/forgot", data={"contact": "anna@example.fi", "csrf_token": token})
    assert limited.location.endswith("/refused/busy")
    busy = client.get(limited.location)
    unknown = client.get("/refused/unknown")
    assert busy.status_code == 200 and visible_text(busy.text) != visible_text(unknown.text)
    assert visit_rows(db) == []  # even the right address waits until the limit eases


def test_with_two_doors_a_scan_shows_only_at_its_own_door(app, db, clock):
    _id, token = gen_member(db, clock.now(), "Anna Virtanen")
    door_a, door_b = {"REMOTE_ADDR": "10.0.0.5"}, {"REMOTE_ADDR": "10.0.0.6"}
    broker = app.extensions["kiosk.broker"]
    heard_a = broker.subscribe("door:10.0.0.5")[1]
    heard_b = broker.subscribe("door:10.0.0.6")[1]
    scanner_a = app.test_client()
    response = scanner_a.post(
        "/api/v1/scans", json={"code": token}, headers=auth(app), environ_base=door_a
    )
    assert response.json["result"] == "checked_in"
    event, payload = heard_a.get_nowait()
    assert event == "scan" and heard_b.empty()
    screen = json.loads(payload)["screen"]
    for address, expected in ((door_b, 404), (door_a, 200)):
        browser = app.test_client()
        browser.get(f"/pair?token={app.config['DEVICE_TOKEN']}", environ_base=address)
        assert browser.get(screen, environ_base=address).status_code == expected


def test_guest_sign_in_only_at_a_door(client):
    token = csrf_token(client, "/guest")
    response = client.post(
        "/guest",
        data={"name": "Eve", "consent": "1", "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "target",
    ["/\t/evil.example", "//evil.example", "/\\evil.example", "/\n", "/\r\nX: y", "https://x"],
)
def test_language_switch_refuses_every_way_off_the_server(client, target):
    response = client.get("/language/sv", query_string={"next": target})
    assert response.status_code == 302 and response.location == "/"


def test_behind_a_proxy_the_clients_own_address_counts(tmp_path, clock, db_path):
    app = create_app(
        {
            "INSTANCE_PATH": tmp_path,
            "DATABASE": str(db_path),
            "CLOCK": clock,
            "DEMO_DATA": False,
            "PROXY_HOPS": 1,
        }
    )
    proxied = {"REMOTE_ADDR": "127.0.0.1"}
    client = app.test_client()
    lan = client.get("/stream/door", environ_base=proxied, headers={"X-Forwarded-For": "10.1.2.3"})
    assert lan.status_code == 403  # not the kiosk itself, though the proxy is local
    own = client.get("/stream/door", environ_base=proxied, buffered=False)
    assert own.status_code == 200  # the kiosk's own browser, straight to 127.0.0.1
    own.close()


def test_a_door_screen_survives_its_signed_token_with_every_field():
    from kiosk.web.screen_tokens import (
        DoorScreen,
        ScreenExpired,
        make_screen_token,
        read_screen_token,
    )

    screen = DoorScreen(
        visit_id=7,
        result="checked_in",
        greeting="morning",
        language="sv",
        door="10.0.0.8",
        badge_queued=True,
        closed_at_closing=True,
        ask_about_visit=5,
        without_secret=True,
    )
    token = make_screen_token("secret", screen)
    assert read_screen_token("secret", token) == screen
    assert (
        read_screen_token(
            "secret",
            make_screen_token(
                "secret",
                screen.replace(badge_queued=False, ask_about_visit=None, without_secret=False),
            ),
        ).ask_about_visit
        is None
    )
    with pytest.raises(ScreenExpired):
        read_screen_token("other secret", token)
