"""Door tablets: paired once from the Devices page, scanning with their own camera.

Flask's test client here; the same path through a real browser, camera and HTTPS proxy is
in tests/browser/test_door_tablet.py.
"""

from __future__ import annotations

import re
import uuid
from html import unescape

import pytest

from kiosk import doors
from kiosk.errors import InvalidInput
from kiosk.members import NewMember, add_member
from kiosk.settings import ConfigError, load_settings
from tests.staff.conftest import post

TABLET = {"REMOTE_ADDR": "192.0.2.50"}
PAIR_LINK = re.compile(r'<code class="pairing-url">([^<]+)</code>')


def _pair(app, admin, name: str = "Etuovi", camera: str = "browser"):
    response = post(admin, "/staff/devices", "/staff/devices/doors", name=name, camera=camera)
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).text
    link = unescape(PAIR_LINK.search(page).group(1))
    tablet = app.test_client()
    tablet.environ_base.update(TABLET)
    return tablet, link, page


def _scan(client, code: str, **extra: object):
    return client.post("/door/scans", json={"code": code, **extra})


def test_door_camera_setting_is_checked(tmp_path) -> None:
    instance = tmp_path / "instance"
    assert load_settings(instance=instance).door_camera == "server"
    assert (
        load_settings(environ={"KIOSK_DOOR_CAMERA": "browser"}, instance=instance).door_camera
        == "browser"
    )
    with pytest.raises(ConfigError, match="KIOSK_DOOR_CAMERA must be one of server, browser, none"):
        load_settings(environ={"KIOSK_DOOR_CAMERA": "webcam"}, instance=instance)


def test_a_pairing_code_works_once(appdb, clock) -> None:
    door_id = doors.add_door(appdb, "  Etuovi   tabletti ", clock.now())
    door = doors.get_door(appdb, door_id)
    assert door["name"] == "Etuovi tabletti" and door["camera"] is None
    doors.use_pairing_nonce(appdb, door_id, door["pair_nonce"], clock.now())
    with pytest.raises(doors.PairingCodeUsed):
        doors.use_pairing_nonce(appdb, door_id, door["pair_nonce"], clock.now())
    fresh = doors.new_pairing_nonce(appdb, door_id)
    doors.use_pairing_nonce(appdb, door_id, fresh, clock.now())
    with pytest.raises(InvalidInput):
        doors.add_door(appdb, "", clock.now())
    with pytest.raises(InvalidInput):
        doors.set_door_camera(appdb, door_id, "webcam")


def test_a_door_follows_the_default_until_it_chooses(appdb, clock) -> None:
    door_id = doors.add_door(appdb, "Takaovi", clock.now())
    assert doors.door_camera(appdb, door_id, "server") == "server"
    doors.set_door_camera(appdb, door_id, "browser")
    assert doors.door_camera(appdb, door_id, "server") == "browser"
    doors.set_door_camera(appdb, door_id, "default")
    assert doors.door_camera(appdb, door_id, "none") == "none"
    assert doors.door_camera(appdb, None, "server") == "server"


def test_paired_tablet_scans_on_its_session_once(app, admin, appdb, clock) -> None:
    _member_id, token = add_member(appdb, NewMember(name="Aino Laine"), clock.now())
    tablet, link, page = _pair(app, admin)
    assert 'class="pairing-qr" src="data:image/svg+xml;base64,' in page
    assert app.config["DEVICE_TOKEN"] not in page and app.config["DEVICE_TOKEN"] not in link

    # Before pairing the tablet is nobody's door.
    assert _scan(tablet, token).status_code == 403
    assert "data-door-camera" not in tablet.get("/").text

    assert tablet.get(link.removeprefix("http://localhost")).status_code == 302
    welcome = tablet.get("/").text
    assert "data-door-camera" in welcome and "vendor/zxing-wasm/zxing_reader.wasm" in welcome
    assert app.config["DEVICE_TOKEN"] not in welcome

    key = str(uuid.uuid4())
    first = _scan(tablet, token, id=key, seen_at="2026-11-26T07:59:50+00:00")
    again = _scan(tablet, token, id=key, seen_at="2026-11-26T07:59:50+00:00")
    assert first.status_code == 200 and first.json["result"] == "checked_in"
    assert first.json["screen"].startswith("/hello/")
    # A retried post gets the first answer and writes nothing.
    assert again.json["result"] == "checked_in" and again.json["screen"].startswith("/hello/")
    visits = list(appdb.query("SELECT checked_in_at FROM visits"))
    assert len(visits) == 1 and visits[0]["checked_in_at"].startswith("2026-11-26T07:59:50")
    scans = list(appdb.query("SELECT device FROM scans WHERE idempotency_key = ?", [key]))
    assert [s["device"] for s in scans] == [f"door-camera:{doors.list_doors(appdb)[0]['id']}"]

    # The code is used up: a second tablet cannot pair with the same link.
    other = app.test_client()
    other.environ_base.update({"REMOTE_ADDR": "192.0.2.51"})
    assert other.get(link.removeprefix("http://localhost")).status_code == 403


def test_a_scan_that_waited_long_checks_in_without_greeting_at_the_door(
    app,
    admin,
    appdb,
    clock,
) -> None:
    _member_id, token = add_member(appdb, NewMember(name="Ville Vanha"), clock.now())
    tablet, link, _page = _pair(app, admin)
    tablet.get(link.removeprefix("http://localhost"))
    # Seen five minutes ago, while the server was away: the visit counts from then, but
    # whoever stands at the door now must not see Ville's greeting.
    answer = _scan(tablet, token, id=str(uuid.uuid4()), seen_at="2026-11-26T07:55:00+00:00")
    assert answer.json == {"result": "checked_in"}
    visits = list(appdb.query("SELECT checked_in_at FROM visits"))
    assert [v["checked_in_at"][:19] for v in visits] == ["2026-11-26T07:55:00"]


def test_door_scans_refuse_bad_requests(app, admin) -> None:
    tablet, link, _page = _pair(app, admin)
    tablet.get(link.removeprefix("http://localhost"))
    assert _scan(tablet, "").status_code == 400
    assert tablet.post("/door/scans", data={"code": "x"}).status_code == 400
    assert _scan(tablet, "x", seen_at="yesterday").status_code == 400
    cross = tablet.post("/door/scans", json={"code": "x"}, headers={"Origin": "https://evil"})
    assert cross.status_code == 403


def test_removing_a_door_unpairs_its_tablet(app, admin, appdb, clock) -> None:
    _member_id, token = add_member(appdb, NewMember(name="Eero Koski"), clock.now())
    tablet, link, _page = _pair(app, admin)
    tablet.get(link.removeprefix("http://localhost"))
    door_id = doors.list_doors(appdb)[0]["id"]
    removed = post(admin, "/staff/devices", f"/staff/devices/doors/{door_id}/remove")
    assert removed.status_code == 302
    assert _scan(tablet, token).status_code == 403
    # SQLite gives the removed door's id to the next door added; the old tablet, even with
    # its long-lived pairing cookie, must not become that new door.
    clock.advance(seconds=1)
    new_id = doors.add_door(appdb, "Uusi ovi", clock.now())
    assert new_id == door_id
    assert _scan(tablet, token).status_code == 403


def test_each_door_chooses_its_camera(app, admin, appdb) -> None:
    tablet, link, _page = _pair(app, admin, camera="default")
    tablet.get(link.removeprefix("http://localhost"))
    door_id = doors.list_doors(appdb)[0]["id"]
    assert "preview.mjpg" in tablet.get("/").text  # the default: the server's webcam
    post(admin, "/staff/devices", f"/staff/devices/doors/{door_id}/camera", camera="none")
    page = tablet.get("/").text
    assert "preview.mjpg" not in page and "data-door-camera" not in page
    assert "/guest" in page and "/forgot" in page
    post(admin, "/staff/devices", f"/staff/devices/doors/{door_id}/camera", camera="browser")
    assert "data-door-camera" in tablet.get("/").text
    assert "data-door-camera" not in app.test_client().get("/").text  # the kiosk: default


def test_only_admins_manage_doors(host) -> None:
    response = post(host, "/staff/devices", "/staff/devices/doors", name="Ovi", camera="browser")
    assert response.status_code == 403


def test_camera_is_allowed_on_door_pages_only(app, admin) -> None:
    door = app.test_client().get("/")
    assert door.headers["Permissions-Policy"].startswith("camera=(self)")
    for path in ("/staff/devices", "/healthz", "/api/v1/openapi.json"):
        assert "camera=()" in admin.get(path).headers["Permissions-Policy"], path


def test_a_late_scanner_post_does_not_open_a_greeting_at_the_door(app, appdb, clock) -> None:
    _member_id, token = add_member(appdb, NewMember(name="Saara Myöhä"), clock.now())
    _sub, events = app.extensions["kiosk.broker"].subscribe("door:127.0.0.1")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {app.config['DEVICE_TOKEN']}"}
    late = {"code": token, "id": "late-1", "seen_at": "2026-11-26T07:50:00+00:00"}
    assert client.post("/api/v1/scans", json=late, headers=headers).json["result"] == "checked_in"
    assert events.empty()  # checked in, but no greeting opened for whoever is there now
    on_time = {"code": token, "id": "now-1", "seen_at": "2026-11-26T07:59:55+00:00"}
    assert client.post("/api/v1/scans", json=on_time, headers=headers).status_code == 200
    assert events.get_nowait()[0] == "scan"


def test_pairing_a_logged_in_browser_ends_its_staff_session_on_the_server(
    app, admin, appdb
) -> None:
    # A host pairs the tablet they were logged in on: the tablet becomes the door, and the
    # login it held ends for good, so a copy of the old cookie opens no staff page.
    _tablet, link, _page = _pair(app, admin)
    with admin.session_transaction() as before:
        login_cookie = dict(before)
    assert admin.get(link.removeprefix("http://localhost")).status_code == 302
    assert admin.get("/staff/").status_code == 302  # to the login page
    [(open_sessions,)] = appdb.execute(
        "SELECT count(*) FROM staff_sessions WHERE revoked_at IS NULL"
    )
    assert open_sessions == 0
    copy = app.test_client()
    with copy.session_transaction() as stolen:
        stolen.update(login_cookie)
    assert copy.get("/staff/").status_code == 302
