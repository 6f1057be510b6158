"""Helpers for attacking the real server: a small browser, staff logins, a real Caddy.

The whole of 127.0.0.0/8 is local on Linux, so a client socket bound to 127.0.0.2 … 127.0.0.254
is "another machine on the network" as far as the server can tell, while 127.0.0.1 stays the
kiosk itself.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from kiosk.db import connect
from kiosk.staff_accounts import create_staff
from tests.conftest import LiveServer, free_port

REPO = Path(__file__).resolve().parents[2]
CADDYFILE = REPO / "deploy" / "caddy" / "Caddyfile"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
STAFF_PASSWORD = "Hallinto-salasana 2026"


@dataclass
class Answer:
    """One HTTP response, read whole."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> object:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass
class Browser:
    """A cookie-keeping HTTP client that can speak from any loopback address."""

    base: str
    source: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 15.0

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """Send one request on a fresh connection; keep the cookies it sets."""
        parts = urlsplit(self.base)
        conn = http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=self.timeout, source_address=(self.source, 0)
        )
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            for raw in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(raw)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or (morsel["expires"] and not morsel.value):
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Answer(response.status, dict(response.headers.items()), data)
        finally:
            conn.close()

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        """GET ``path``."""
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, data: dict | list, headers: dict | None = None) -> Answer:
        """POST a form (a dict, or a list of pairs for repeated fields)."""
        all_headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.request("POST", path, urlencode(data).encode(), all_headers)

    def post_json(self, path: str, data: object, token: str | None = None) -> Answer:
        """POST JSON, with a device token when given."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.request("POST", path, json.dumps(data).encode(), headers)

    def csrf(self, path: str) -> str:
        """The CSRF token of the form on ``path``."""
        page = self.get(path)
        found = CSRF.search(page.text)
        assert found, f"no CSRF token on {path}: {page.status} {page.text[:300]}"
        return found.group(1)


def add_staff(server: LiveServer, username: str, role: str = "admin") -> None:
    """Create a staff login straight in the server's database."""
    db = connect(server.db_path)
    try:
        create_staff(db, username, STAFF_PASSWORD, role, datetime.now(UTC))
    finally:
        db.close()


def log_in(browser: Browser, username: str, password: str = STAFF_PASSWORD) -> Answer:
    """Log ``browser`` in through the real form; return the answer to the POST."""
    token = browser.csrf("/staff/login")
    return browser.post_form(
        "/staff/login", {"csrf_token": token, "username": username, "password": password}
    )


def half_open_sockets(
    server: LiveServer, count: int = 150, source: str = "127.0.0.2"
) -> list[socket.socket]:
    """``count`` connections from ``source`` that each send half a request and then wait.

    The caller closes them. A connection the server refuses at once is kept all the same.
    """
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.bind((source, 0))
        sock.settimeout(5)
        try:
            sock.connect(("127.0.0.1", server.port))
            sock.sendall(b"POST /api/v1/scans HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        except OSError:
            pass
        sockets.append(sock)
    return sockets


def query(server: LiveServer, sql: str, params: list | None = None) -> list[dict]:
    """Rows from the server's database, read through a connection of our own."""
    db = connect(server.db_path)
    try:
        return list(db.query(sql, params or []))
    finally:
        db.close()


def start_server(tmp_path: Path, env: dict[str, str] | None = None, name: str = "i") -> LiveServer:
    """Start ``kiosk serve`` with extra settings; the caller stops it."""
    return LiveServer(tmp_path / name, free_port(), env or {})


def distinct_free_ports(count: int) -> list[int]:
    """``count`` TCP ports nobody listens on now, all different (bound at once, then freed)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class Caddy:
    """The shipped deploy/caddy/Caddyfile, run by the real Caddy on free ports."""

    def __init__(self, upstream_port: int, workdir: Path) -> None:
        caddy = shutil.which("caddy")
        if caddy is None:
            raise RuntimeError("caddy is not installed (Makefile TEST_SYSTEM_PACKAGES)")
        # Three distinct ports, held open together while chosen so none is picked twice.
        self.port, https_port, admin_port = distinct_free_ports(3)
        workdir.mkdir(parents=True, exist_ok=True)
        env = dict(
            os.environ,
            HOME=str(workdir),
            XDG_DATA_HOME=str(workdir / "data"),
            XDG_CONFIG_HOME=str(workdir / "config"),
            KIOSK_CADDY_HTTP_PORT=str(self.port),
            KIOSK_CADDY_HTTPS_PORT=str(https_port),
            KIOSK_PLAIN_HTTP="serve-plain",
            KIOSK_CA_DIR=str(workdir / "ca"),
            KIOSK_UPSTREAM=f"127.0.0.1:{upstream_port}",
            KIOSK_CADDY_ADMIN=f"127.0.0.1:{admin_port}",
        )
        self.log_path = workdir / "caddy.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"caddy exited: {self.log_path.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"caddy did not start: {self.log_path.read_text()}")

    def stop(self) -> None:
        """Stop Caddy."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()
