"""Faults, each as a test: a killed server, a printer in trouble, a locked or full database.

The camera that vanishes and comes back is covered by the scanner's own test,
``tests/scanner/test_loop.py::test_camera_that_fails_then_comes_back_recovers``.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from kiosk import db as kiosk_db
from kiosk.db import connect
from kiosk.web import db as web_db
from tests.conftest import LiveServer, free_port
from tests.factories import gen_member
from tests.trust.conftest import auth, check_database

CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')
BURST = 1000
CLIENTS = 8
MEMBERS = 40


def _post(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url + "/api/v1/scans",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}
    except (OSError, http.client.HTTPException):
        # The server is gone, or died while answering: this scan was never acknowledged.
        return 0, {}


@pytest.mark.slow
def test_kill_9_during_a_burst_loses_no_acknowledged_check_in(tmp_path):
    instance = tmp_path / "instance"
    # No minimum stay: every scan checks its person in or out, so the burst writes visits.
    rules = {"KIOSK_MIN_STAY_SECONDS": "0", "KIOSK_REPEAT_WINDOW_SECONDS": "0"}
    server = LiveServer(instance, free_port(), rules)
    cards = [server.add_member(f"Jäsen {n:02d}") for n in range(MEMBERS)]
    acknowledged: dict[str, tuple[str, int]] = {}
    lock = threading.Lock()
    kill_after = BURST // 2

    def scan(n: int) -> None:
        key = f"burst-{n}"
        status, body = _post(
            server.url, server.device_token, {"code": cards[n % MEMBERS], "id": key}
        )
        if status == 200:
            with lock:
                acknowledged[key] = (body["result"], body["visit_id"])
                if len(acknowledged) == kill_after:
                    server.kill()  # SIGKILL, mid-burst, while other requests are in flight

    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(scan, range(BURST)))
    finally:
        server.stop()
    assert len(acknowledged) >= kill_after  # the kill came mid-burst
    assert len(acknowledged) < BURST
    assert check_database(server.db_path) == []

    restarted = LiveServer(instance, free_port(), rules)
    try:
        db = connect(restarted.db_path)
        stored = {
            row["idempotency_key"]: (row["result"], row["visit_id"])
            for row in db.query("SELECT idempotency_key, result, visit_id FROM scans")
        }
        visits = {row["id"]: row for row in db.query("SELECT * FROM visits")}
        db.close()
        for key, (result, visit_id) in acknowledged.items():
            assert stored.get(key) == (result, visit_id), key
            assert visit_id in visits
            if result == "checked_in":
                assert visits[visit_id]["member_id"] is not None
        # A scanner retrying an acknowledged scan after the restart gets the same answer.
        for key, (result, visit_id) in list(acknowledged.items())[:50]:
            n = int(key.removeprefix("burst-"))
            status, body = restarted.post_scan(cards[n % MEMBERS], id=key)
            assert status == 200 and (body["result"], body["visit_id"]) == (result, visit_id)
        assert check_database(restarted.db_path) == []
    finally:
        restarted.stop()


def _session() -> urllib.request.OpenerDirector:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
    )


def _sign_in_guest(opener: urllib.request.OpenerDirector, url: str, name: str) -> tuple[int, str]:
    with opener.open(url + "/guest", timeout=10) as page:
        token = CSRF_PATTERN.search(page.read().decode()).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "name": name, "consent": "1", "host_name": "Heimo"}
    ).encode()
    try:
        with opener.open(url + "/guest", data=data, timeout=10) as response:
            return response.status, response.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["offline", "paper-out"])
def test_printer_fault_check_ins_continue_and_jobs_resume(emu, tmp_path, fault):
    server = LiveServer(tmp_path / "instance", free_port(), {"KIOSK_PRINTER": emu.setting("p80")})
    try:
        before = len(emu.receipts("p80"))
        emu.set_fault("p80", fault)
        opener = _session()
        names = [f"Vieras {fault} {n}" for n in range(3)]
        for name in names:
            status, location = _sign_in_guest(opener, server.url, name)
            assert status == 302 and "/hello/" in location, (status, location)
            with opener.open(server.url + location, timeout=10) as greeting:
                assert "Vieras" in greeting.read().decode()
        # Members keep checking in too.
        card = server.add_member("Anna Virtanen")
        assert server.post_scan(card)[1]["result"] == "checked_in"
        time.sleep(2.5)  # the worker has tried, and must have printed nothing
        assert len(emu.receipts("p80")) == before
        db = connect(server.db_path)
        pending = db.execute("SELECT count(*) FROM print_jobs WHERE status = 'pending'").fetchone()
        guests = db.execute("SELECT count(*) FROM visits WHERE guest_id IS NOT NULL").fetchone()
        db.close()
        assert (pending[0], guests[0]) == (3, 3)
        emu.clear_fault("p80", fault)
        receipts = emu.wait_for_receipts("p80", before + 3, timeout=30)
        assert len(receipts) == before + 3
        assert check_database(server.db_path) == []
    finally:
        server.stop()


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wait 0.3 s for a lock instead of 5 s, so the locked-database test is quick."""
    monkeypatch.setattr(kiosk_db, "BUSY_TIMEOUT_SECONDS", 0.3)


def test_locked_database_gives_a_clear_error_and_no_corruption(app, clock, short_busy_timeout):
    db = connect(app.config["DATABASE"])
    _id, card = gen_member(db, clock.now(), "Anna Virtanen")
    db.close()
    client = app.test_client()
    token = CSRF_PATTERN.search(client.get("/guest").text).group(1)

    holder = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        api = client.post("/api/v1/scans", json={"code": card}, headers=auth(app))
        assert api.status_code == 503 and api.is_json
        assert api.json["error"] == "database_unavailable" and api.json["message"]
        assert api.headers["Retry-After"] == "5"
        beat = {"device": "cam", "kind": "scanner", "state": "ok"}
        heartbeat = client.post("/api/v1/devices/heartbeat", json=beat, headers=auth(app))
        assert heartbeat.status_code == 503 and heartbeat.json["error"] == "database_unavailable"
        door = client.post("/guest", data={"csrf_token": token, "name": "Greta", "consent": "1"})
        assert door.status_code == 503 and "text/html" in door.content_type
        assert door.headers["Retry-After"] == "5"
        assert "One moment" in door.text or "hetki" in door.text.lower()
        assert "Traceback" not in door.text and "locked" not in door.text
        wedge = client.post("/scan", data={"csrf_token": token, "code": card})
        assert wedge.status_code == 503
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert client.post("/api/v1/scans", json={"code": card}, headers=auth(app)).status_code == 200
    db = connect(app.config["DATABASE"])
    assert db.execute("SELECT count(*) FROM guests").fetchone()[0] == 0  # nothing half-written
    assert db.execute("SELECT count(*) FROM visits").fetchone()[0] == 1
    db.close()
    assert check_database(app.config["DATABASE"]) == []


def test_full_disk_gives_a_clear_error_and_no_corruption(app, clock, monkeypatch):
    # A full disk, simulated with SQLite's max_page_count: the file may not grow any more,
    # which SQLite reports exactly as a full disk (SQLITE_FULL, "database or disk is full").
    db = connect(app.config["DATABASE"])
    _id, card = gen_member(db, clock.now(), "Anna Virtanen")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    real_connect = web_db.connect

    def cramped(path):
        database = real_connect(path)
        pages = database.execute("PRAGMA page_count").fetchone()[0]
        database.execute(f"PRAGMA max_page_count = {pages}")
        return database

    monkeypatch.setattr(web_db, "connect", cramped)
    # Guest sign-ins are what fill the disk here; the per-door guest limit must not stop them.
    from kiosk.web.ratelimit import FailedScanLimiter
    from kiosk.web.views.door import GUEST_LIMITER_KEY

    app.extensions[GUEST_LIMITER_KEY] = FailedScanLimiter(burst=10**9)
    client = app.test_client()
    token = CSRF_PATTERN.search(client.get("/guest").text).group(1)
    statuses = []
    for n in range(300):
        answer = client.post(
            "/guest",
            data={"csrf_token": token, "name": f"Vieras {n} " + "x" * 80, "consent": "1"},
        )
        statuses.append(answer.status_code)
        assert answer.status_code in (302, 503), answer.status_code
        assert "Traceback" not in answer.text
        if answer.status_code == 503:
            break
    assert statuses[-1] == 503, "the disk never filled up"
    api = client.post("/api/v1/scans", json={"code": card, "id": "x" * 120}, headers=auth(app))
    assert api.status_code in (200, 503) and api.is_json
    monkeypatch.setattr(web_db, "connect", real_connect)
    db = connect(app.config["DATABASE"])
    guests = db.execute("SELECT count(*) FROM guests").fetchone()[0]
    guest_visits = db.execute("SELECT count(*) FROM visits WHERE guest_id IS NOT NULL").fetchone()
    db.close()
    # Every sign-in that was answered 302 is there whole; the refused ones left nothing.
    assert guests == guest_visits[0] == statuses.count(302)
    assert check_database(app.config["DATABASE"]) == []
