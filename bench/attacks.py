"""Attack figures on the real server: login timing per path, scans under idle sockets, streams.

Run: .venv/bin/python bench/attacks.py
Starts `kiosk serve` on a free port with a throw-away instance, and prints:
- the median time of a refused login for a wrong password, an unknown user and a locked account
  (the three should be alike: each checks one password hash);
- the median scan round trip with no idle sockets, then with 150 half-open sockets held open
  from 127.0.0.2;
- how many of 40 door streams from 20 paired addresses were opened (the rest get 503).
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import LiveServer, free_port
from tests.trust.live import Browser, add_staff, half_open_sockets, log_in

ROUNDS = 9


def _ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f} ms"


def _timed_login(server: LiveServer, username: str, password: str, source: str) -> float:
    browser = Browser(server.url, source=source)
    token = browser.csrf("/staff/login")
    started = time.perf_counter()
    browser.post_form(
        "/staff/login", {"csrf_token": token, "username": username, "password": password}
    )
    return time.perf_counter() - started


def login_figures(server: LiveServer) -> None:
    wrong, unknown, locked = [], [], []
    for user in range(3):
        add_staff(server, f"aatu{user}")
        add_staff(server, f"beata{user}")
        locker = f"127.0.3.{user}"
        for _ in range(5):
            log_in(Browser(server.url, source=locker), f"beata{user}", "väärä salasana 1")
        for attempt in range(3):
            source = f"127.0.1.{user * 3 + attempt}"
            wrong.append(_timed_login(server, f"aatu{user}", "väärä salasana 2", source))
            unknown.append(_timed_login(server, f"nobody{user}{attempt}", "x" * 12, source))
            locked.append(_timed_login(server, f"beata{user}", "Hallinto-salasana 2026", locker))
    print(f"refused login: wrong password {_ms(wrong)}, unknown user {_ms(unknown)}, ", end="")
    print(f"locked account {_ms(locked)}")


def _scan_times(server: LiveServer, card: str) -> list[float]:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        try:
            server.post_scan(card)  # a known card: "repeat" after the first, never rate-limited
        except OSError:  # no answer within the client's 10 s
            times.append(float("inf"))
            continue
        times.append(time.perf_counter() - started)
    return times


def idle_socket_figures(server: LiveServer) -> None:
    card = server.add_member("Anna Virtanen")
    quiet = _scan_times(server, card)
    sockets = half_open_sockets(server)
    try:
        flooded = _scan_times(server, card)
    finally:
        for sock in sockets:
            sock.close()
    print(f"scan round trip: {_ms(quiet)} alone, {_ms(flooded)} with 150 half-open sockets")


def stream_figures(server: LiveServer) -> None:
    opened = refused = hung = 0
    streams = []
    for i in range(20):
        source = f"127.0.0.{10 + i}"
        browser = Browser(server.url, source=source)
        browser.get(f"/pair?token={server.device_token}")
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        for _ in range(2):
            sock = socket.socket()
            sock.bind((source, 0))
            sock.settimeout(5)
            sock.connect(("127.0.0.1", server.port))
            sock.sendall(
                f"GET /stream/door HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n".encode()
            )
            try:
                status = sock.recv(64).split(b" ")[1]
            except (OSError, IndexError):
                status = b""
            opened += status == b"200"
            refused += status == b"503"
            hung += status not in {b"200", b"503"}
            streams.append(sock)
    for sock in streams:
        sock.close()
    print(f"door streams from 20 addresses: {opened} opened, {refused} refused, {hung} hung")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ.pop("KIOSK_INSTANCE", None)
        server = LiveServer(Path(folder) / "instance", free_port())
        try:
            login_figures(server)
            idle_socket_figures(server)
            stream_figures(server)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
