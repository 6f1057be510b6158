"""The real server (waitress on 127.0.0.1): a scan reaches the open door page at once."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.db import connect
from tests.web_helpers import read_door_events, visible_text


@pytest.mark.slow
def test_scan_through_api_greets_on_the_door_page_then_checks_out(live_server):
    token = live_server.add_member("Anna Virtanen")
    events: list[dict] = []
    ready = threading.Event()
    reader = threading.Thread(
        target=read_door_events, args=(live_server.url, events, ready, 2), daemon=True
    )
    reader.start()
    assert ready.wait(10)

    status, answer = live_server.post_scan(token, id="scan-1")
    assert status == 200 and answer["result"] == "checked_in" and answer["first_name"] == "Anna"
    # A retried delivery of the same scan changes nothing.
    assert live_server.post_scan(token, id="scan-1")[1] == answer

    # The second scan, after the minimum stay, checks out; seen_at puts it 3 minutes later.
    from datetime import datetime

    later = (datetime.now(UTC) + timedelta(seconds=50)).isoformat()
    status, answer2 = live_server.post_scan(token, id="scan-2")
    assert answer2["result"] == "repeat"  # within the 2-minute minimum stay
    del later
    reader.join(15)
    assert [e["result"] for e in events] == ["checked_in", "repeat"]
    with urllib.request.urlopen(live_server.url + events[0]["screen"], timeout=10) as page:
        text = visible_text(page.read().decode())
    assert "Anna" in text and "Mitä kuuluu?" in text and "Virtanen" not in text


@pytest.mark.slow
def test_min_stay_setting_lets_a_second_scan_check_out(tmp_path):
    from tests.conftest import LiveServer, free_port

    server = LiveServer(
        tmp_path / "i",
        free_port(),
        {"KIOSK_MIN_STAY_SECONDS": "0", "KIOSK_REPEAT_WINDOW_SECONDS": "0"},
    )
    try:
        token = server.add_member("Mikko Korhonen")
        assert server.post_scan(token)[1]["result"] == "checked_in"
        assert server.post_scan(token)[1]["result"] == "checked_out"
        assert server.post_scan(token)[1]["result"] == "checked_in"
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.parametrize("printer", ["cups:kuitti", "usb:04b8", "network:"])
def test_a_printer_setting_that_cannot_work_never_stops_check_in(tmp_path, printer):
    from tests.conftest import LiveServer, free_port

    server = LiveServer(tmp_path / "i", free_port(), {"KIOSK_PRINTER": printer})
    try:
        token = server.add_member("Mikko Korhonen")
        assert server.post_scan(token)[1]["result"] == "checked_in"
        request = urllib.request.Request(
            server.url + "/healthz", headers={"Authorization": f"Bearer {server.device_token}"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            health = json.loads(response.read())
        assert health["ok"] is True
        assert health["printer"]["state"] == "misconfigured"
        assert health["printer"]["devices"][0]["detail"]  # says what is wrong
    finally:
        server.stop()


@pytest.mark.slow
def test_login_limit_from_the_environment_lets_staff_log_in(tmp_path):
    """KIOSK_LOGIN_LIMIT_PER_IP in the environment once made every staff login answer 500."""
    import http.cookiejar
    import re
    import urllib.parse

    from kiosk.staff_accounts import create_staff
    from tests.conftest import LiveServer, free_port

    server = LiveServer(
        tmp_path / "i",
        free_port(),
        {"KIOSK_LOGIN_LIMIT_PER_IP": "20", "KIOSK_LOGIN_LIMIT_PER_USER": "8"},
    )
    try:
        database = connect(server.db_path)
        try:
            create_staff(database, "maija", "oikea-salasana-1", "host", datetime.now(UTC))
        finally:
            database.close()
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        with opener.open(server.url + "/staff/login", timeout=10) as page:
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode())[1]
        form = urllib.parse.urlencode(
            {"csrf_token": token, "username": "maija", "password": "oikea-salasana-1"}
        ).encode()
        with opener.open(server.url + "/staff/login", data=form, timeout=10) as answer:
            assert answer.status == 200
            assert answer.url.rstrip("/").endswith("/staff")
    finally:
        server.stop()
