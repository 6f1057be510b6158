"""Attacks over the network, against the real server (and the real Caddy where it matters).

Each test here is one finding of the outside review, run the way the reviewer ran it.
"""

from __future__ import annotations

import json
import socket
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.cards import new_token
from tests.trust.live import (
    Browser,
    Caddy,
    add_staff,
    half_open_sockets,
    log_in,
    query,
    start_server,
)

pytestmark = pytest.mark.slow


def _status_line(sock: socket.socket, timeout: float = 5.0) -> int | None:
    """Read a response's status code from ``sock``; None when nothing came in time."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(1024)
            if not chunk:
                return None
            data += chunk
    except OSError:
        return None
    return int(data.split(b" ", 2)[1])


def _open_stream(port: int, source: str, cookies: dict[str, str]) -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind((source, 0))
    sock.settimeout(5)
    sock.connect(("127.0.0.1", port))
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    sock.sendall(
        f"GET /stream/door HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n".encode()
    )
    return sock, _status_line(sock)


# --- 1. Behind a reverse proxy, each client's own address counts ---------------------------


def test_behind_caddy_a_lan_client_gets_403_on_door_routes(tmp_path):
    server = start_server(tmp_path, {"KIOSK_PROXY_HOPS": "1"})
    caddy = Caddy(server.port, tmp_path / "caddy")
    try:
        lan = Browser(caddy.url, source="127.0.0.2")
        assert lan.get("/board").status == 403
        assert lan.get("/stream/door").status == 403
        # A client's own X-Forwarded-For is replaced by the proxy, never believed.
        assert lan.get("/board", headers={"X-Forwarded-For": "127.0.0.1"}).status == 403
        token = lan.csrf("/guest")
        assert lan.post_form("/scan", {"csrf_token": token, "code": new_token()}).status == 403
        guest = {"csrf_token": token, "name": "Keksitty Vieras", "consent": "1"}
        assert lan.post_form("/guest", guest).status == 403
        # The kiosk itself, through the same proxy, is still the door.
        assert Browser(caddy.url).get("/board").status == 200
    finally:
        caddy.stop()
        server.stop()


def test_behind_caddy_one_clients_failed_logins_do_not_limit_another(tmp_path):
    server = start_server(tmp_path, {"KIOSK_PROXY_HOPS": "1"})
    caddy = Caddy(server.port, tmp_path / "caddy")
    try:
        add_staff(server, "aatu")
        attacker = Browser(caddy.url, source="127.0.0.3")
        answers = [log_in(attacker, f"user{i}", "väärä salasana 1").status for i in range(22)]
        assert answers[:20] == [401] * 20 and answers[-1] == 429
        owner = Browser(caddy.url, source="127.0.0.4")
        assert log_in(owner, "aatu").status == 302
        # The audit log names the real client address, not the proxy's.
        addresses = {row["target"] for row in query(server, "SELECT target FROM audit_log")}
        assert "127.0.0.3" in addresses
    finally:
        caddy.stop()
        server.stop()


def test_caddy_cuts_off_a_client_that_never_finishes_its_headers(tmp_path):
    server = start_server(tmp_path, {"KIOSK_PROXY_HOPS": "1"})
    caddy = Caddy(server.port, tmp_path / "caddy")
    try:
        sock = socket.socket()
        sock.bind(("127.0.0.2", 0))
        sock.connect(("127.0.0.1", caddy.port))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
        started = time.monotonic()
        sock.settimeout(30)
        try:
            while sock.recv(1024):
                pass
        except OSError:
            pass
        waited = time.monotonic() - started
        sock.close()
        # The Caddyfile's read_header timeout is 5 s; Go closes a little after it.
        assert waited < 15, f"the half-open request was kept {waited:.1f} s"
    finally:
        caddy.stop()
        server.stop()


# --- 3. Slow clients do not stop check-ins -------------------------------------------------


def test_idle_half_open_sockets_from_another_host_do_not_stop_scans(tmp_path):
    server = start_server(tmp_path, {"KIOSK_CHANNEL_TIMEOUT_SECONDS": "3"})
    token = server.add_member("Anna Virtanen")
    sockets: list[socket.socket] = []
    try:
        sockets = half_open_sockets(server)
        # The scanner, on the kiosk itself, still gets through at once.
        status, answer = server.post_scan(token, id="after-flood")
        assert status == 200 and answer["result"] == "checked_in"
        for _ in range(5):
            assert server.post_scan(new_token())[0] == 200
        # Unfinished requests are dropped after the channel timeout (3 s here).
        deadline = time.monotonic() + 20
        open_left = list(sockets)
        while open_left and time.monotonic() < deadline:
            still = []
            for sock in open_left:
                sock.settimeout(0.05)
                try:
                    if sock.recv(1024) == b"":
                        continue
                except TimeoutError:
                    still.append(sock)
                except OSError:
                    continue
            open_left = still
        assert not open_left, f"{len(open_left)} idle connections still open after 20 s"
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


# --- 4. Door live streams cannot take every thread ----------------------------------------


def test_door_streams_from_twenty_addresses_leave_threads_for_scans(tmp_path):
    server = start_server(tmp_path)
    token = server.add_member("Anna Virtanen")
    streams: list[socket.socket] = []
    answers: list[int | None] = []
    try:
        for i in range(20):
            source = f"127.0.0.{10 + i}"
            browser = Browser(server.url, source=source)
            assert browser.get(f"/pair?token={server.device_token}").status == 302
            for _ in range(2):
                sock, status = _open_stream(server.port, source, browser.cookies)
                streams.append(sock)
                answers.append(status)
        assert answers.count(200) <= 4  # KIOSK_MAX_DOOR_STREAMS 6, two kept for the kiosk
        assert set(answers) <= {200, 503}
        started = time.monotonic()
        status, answer = server.post_scan(token)
        assert status == 200 and answer["result"] == "checked_in"
        assert time.monotonic() - started < 5
        # The kiosk's own door screen still gets its stream.
        sock, status = _open_stream(server.port, "127.0.0.1", {})
        streams.append(sock)
        assert status == 200
    finally:
        for sock in streams:
            sock.close()
        server.stop()


def test_a_paired_cookie_is_no_door_on_another_machine(live_server):
    paired = Browser(live_server.url, source="127.0.0.20")
    assert paired.get(f"/pair?token={live_server.device_token}").status == 302
    assert paired.get("/board").status == 200
    copied = Browser(live_server.url, source="127.0.0.21", cookies=dict(paired.cookies))
    assert copied.get("/board").status == 403


# --- 5. The failed-scan limit is keyed on the credential and the address -------------------


def test_changing_the_device_name_does_not_escape_the_failed_scan_limit(live_server):
    statuses = [live_server.post_scan(new_token(), device=f"d{i}")[0] for i in range(40)]
    assert 429 in statuses, "1 unknown code per device name was never limited"
    assert statuses.count(200) <= 12


def test_many_addresses_share_a_ceiling_of_failed_scans(live_server):
    statuses = []
    for i in range(10):
        client = Browser(live_server.url, source=f"127.0.0.{40 + i}")
        for _ in range(10):  # each address stays within its own burst of 10
            statuses.append(
                client.post_json(
                    "/api/v1/scans", {"code": new_token()}, token=live_server.device_token
                ).status
            )
    assert 429 in statuses
    assert statuses.count(200) <= 62  # KIOSK_SCAN_FAILURE_GLOBAL_BURST 60, plus refills


# --- 11. Rotating the device token unpairs door browsers ----------------------------------


def test_rotating_the_device_token_unpairs_door_browsers(tmp_path):
    old, new = "vanha-laitetunnus-" + "x" * 20, "uusi-laitetunnus-" + "y" * 20
    server = start_server(tmp_path, {"KIOSK_DEVICE_TOKEN": old})
    door = Browser(server.url, source="127.0.0.30")
    try:
        assert door.get(f"/pair?token={old}").status == 302
        assert door.get("/board").status == 200
    finally:
        server.stop()
    # While rotating, both tokens work, and so does the pairing made with the old one.
    rotating = start_server(
        tmp_path, {"KIOSK_DEVICE_TOKEN": new, "KIOSK_DEVICE_TOKENS_PREVIOUS": old}
    )
    try:
        door.base = rotating.url
        assert door.get("/board").status == 200
    finally:
        rotating.stop()
    rotated = start_server(tmp_path, {"KIOSK_DEVICE_TOKEN": new})
    try:
        door.base = rotated.url
        assert door.get("/board").status == 403
        assert door.get(f"/pair?token={new}").status == 302
        assert door.get("/board").status == 200
    finally:
        rotated.stop()


# --- 14. Deeply nested JSON ----------------------------------------------------------------


def test_deeply_nested_json_is_a_400_not_a_500(live_server):
    client = Browser(live_server.url)
    depth = 20_000  # 40 KB, under the 64 KiB body limit; far past the recursion limit
    body = ('{"code": ' + "[" * depth + "]" * depth + "}").encode()
    answer = client.request(
        "POST",
        "/api/v1/scans",
        body,
        {"Content-Type": "application/json", "Authorization": f"Bearer {live_server.device_token}"},
    )
    assert answer.status == 400, answer.text[:200]
    assert json.loads(answer.body)["error"] == "bad_request"


# --- 16. seen_at cannot move a visit to yesterday ------------------------------------------


def _zone_where_it_is_just_past_midnight() -> ZoneInfo:
    # Etc/GMT-N is UTC+N: pick the zone where the local time now is between 01:00 and 02:00,
    # so that "ten minutes before midnight" is recent enough for the 12-hour window.
    now = datetime.now(UTC)
    for offset in range(-12, 15):
        name = f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}" if offset else "Etc/GMT"
        if now.astimezone(ZoneInfo(name)).hour == 1:
            return ZoneInfo(name)
    raise AssertionError("no zone found")  # pragma: no cover - 27 zones cover every hour


def test_a_queued_scan_from_before_midnight_stays_on_today(tmp_path):
    zone = _zone_where_it_is_just_past_midnight()
    server = start_server(tmp_path, {"KIOSK_TIMEZONE": zone.key})
    try:
        token = server.add_member("Anna Virtanen")
        local_now = datetime.now(UTC).astimezone(zone)
        midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        before = midnight - timedelta(minutes=10)
        status, answer = server.post_scan(token, seen_at=before.isoformat())
        assert status == 200 and answer["result"] == "checked_in"
        visit = query(server, "SELECT checked_in_at FROM visits WHERE id = ?", [answer["visit_id"]])
        checked_in = datetime.fromisoformat(visit[0]["checked_in_at"]).astimezone(zone)
        assert checked_in.date() == local_now.date()
        assert checked_in == midnight  # clamped to the start of the day
    finally:
        server.stop()


# --- 19. Smaller points --------------------------------------------------------------------


def test_public_healthz_says_ok_only_and_staff_see_the_details(live_server):
    public = Browser(live_server.url, source="127.0.0.2").get("/healthz")
    assert public.status == 200 and public.json() == {"ok": True}
    add_staff(live_server, "aatu", role="host")
    staff = Browser(live_server.url)
    assert log_in(staff, "aatu").status == 302
    detailed = staff.get("/healthz").json()
    assert {"ok", "database", "scanner", "printer"} <= set(detailed)


def test_a_foreign_host_header_is_refused_not_reflected(live_server):
    client = Browser(live_server.url)
    for path in ("/staff", "/staff/", "/language/sv?next=/"):
        answer = client.get(path, headers={"Host": "evil.example"})
        assert "evil.example" not in answer.headers.get("Location", ""), path
        assert answer.status == 400, (path, answer.status)
    assert client.get("/staff/").status == 302  # the kiosk's own name works


def test_csv_downloads_are_never_cached(live_server):
    add_staff(live_server, "aatu")
    admin = Browser(live_server.url)
    assert log_in(admin, "aatu").status == 302
    month = datetime.now(UTC).strftime("%Y-%m")
    answer = admin.get(f"/staff/reports/download?kind=visits&month={month}&format=csv")
    assert answer.status == 200, answer.text[:300]
    assert "attachment" in answer.headers.get("Content-Disposition", "")
    assert answer.headers.get("Cache-Control") == "no-store"


def test_an_idempotency_key_is_scoped_to_its_device_and_code(live_server):
    token = live_server.add_member("Anna Virtanen")
    status, first = live_server.post_scan(token, id="avain-1", device="door-1")
    assert first["result"] == "checked_in"
    # Someone else's scan with the same key gets its own answer, not Anna's.
    status, other = live_server.post_scan(new_token(), id="avain-1", device="door-1")
    assert status == 200 and other == {"result": "unknown"}
    status, elsewhere = live_server.post_scan(token, id="avain-1", device="door-2")
    assert elsewhere["result"] == "repeat"  # processed afresh: within the minimum stay
    # A true retry still gets the first answer.
    assert live_server.post_scan(token, id="avain-1", device="door-1")[1] == first


def test_a_configured_lan_name_is_trusted_and_the_check_can_be_turned_off(tmp_path):
    server = start_server(tmp_path, {"KIOSK_TRUSTED_HOSTS": "kiosk.lan, 192.168.1.20"})
    try:
        client = Browser(server.url)
        for host in ("kiosk.lan", "kiosk.lan:8080", "192.168.1.20"):
            answer = client.get("/staff/", headers={"Host": host})
            assert (
                answer.status == 302
                and host in answer.headers["Location"]
                or (answer.headers["Location"].startswith("/"))
            ), (host, answer.status)
        assert client.get("/staff/", headers={"Host": "evil.example"}).status == 400
    finally:
        server.stop()
    anything = start_server(tmp_path, {"KIOSK_TRUSTED_HOSTS": "*"}, name="j")
    try:
        assert Browser(anything.url).get("/", headers={"Host": "whatever.example"}).status == 200
    finally:
        anything.stop()
