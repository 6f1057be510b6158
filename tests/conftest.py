"""Shared fixtures: real SQLite files in temporary folders and a clock the test controls."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from kiosk.clock import FixedClock
from kiosk.db import connect

HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's own KIOSK_* settings and instance folder out of every test."""
    import os

    for key in list(os.environ):
        if key.startswith("KIOSK_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("KIOSK_INSTANCE", str(tmp_path / "instance"))


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at Thursday 26 November 2026, 10:00 in Helsinki."""
    return FixedClock(datetime(2026, 11, 26, 10, 0, tzinfo=HELSINKI))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The path of a fresh, migrated SQLite file."""
    path = tmp_path / "kiosk.db"
    connect(path, migrate=True).close()
    return path


@pytest.fixture
def db(db_path: Path) -> sqlite_utils.Database:
    """A migrated database on a real file."""
    database = connect(db_path)
    yield database
    database.close()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nobody listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The real kiosk server (waitress) in its own process on 127.0.0.1."""

    def __init__(self, instance: Path, port: int, extra_env: dict[str, str] | None = None) -> None:
        import os
        import subprocess
        import sys

        self.instance = instance
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.db_path = instance / "kiosk.db"
        env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
        env.update(
            KIOSK_INSTANCE=str(instance),
            KIOSK_DEMO_DATA="false",
            KIOSK_PRINTER=f"preview:{instance / 'badges'}",
        )
        env.update(extra_env or {})
        self.log_path = instance.parent / f"server-{port}.log"
        instance.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "serve", "--port", str(port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_up()
        except RuntimeError:
            self.stop()
            raise
        self.device_token = (extra_env or {}).get("KIOSK_DEVICE_TOKEN") or (
            (instance / "device_token").read_text().strip()
        )

    def _wait_until_up(self, timeout: float = 30.0) -> None:
        import time
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the server did not start: {self.log_path.read_text()}")

    def add_member(self, name: str, **fields: object) -> str:
        """Add a member straight into the server's database; return the card token."""
        from kiosk.members import NewMember, add_member

        database = connect(self.db_path)
        try:
            _member_id, token = add_member(
                database, NewMember(name=name, **fields), datetime.now(HELSINKI)
            )
        finally:
            database.close()
        return token

    def post_scan(self, code: str, **extra: object) -> tuple[int, dict]:
        """POST a scan with the device token; return (status, JSON body)."""
        import json
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            self.url + "/api/v1/scans",
            data=json.dumps({"code": code, **extra}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.device_token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def kill(self) -> None:
        """Kill the server process at once (SIGKILL), as a power cut would."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server politely."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except Exception:
                self.process.kill()
        self._log.close()


@pytest.fixture
def live_server(tmp_path: Path):
    """Start ``kiosk serve`` (waitress) on a free port with a fresh instance folder.

    Gives ``.url``, ``.device_token``, ``.db_path``, ``.instance``, ``add_member(name)`` and
    ``post_scan(code)``. Demo data is off, so the database starts empty.
    """
    server = LiveServer(tmp_path / "live-instance", free_port())
    yield server
    server.stop()
