"""Real parts for the notification tests: aiosmtpd on 127.0.0.1 and an HTTP receiver for Teams."""

from __future__ import annotations

import email
import email.policy
import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlite_utils
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from kiosk.clock import FixedClock
from kiosk.closing import parse_closing_time
from kiosk.notify.staff_choices import Choices, save_choices, set_on_duty
from kiosk.settings import Settings, load_settings
from kiosk.staff_accounts import create_staff
from tests.conftest import free_port

PASSWORD = "kahvi-ja-pulla-2026"


class _Inbox:
    """aiosmtpd handler: keeps every accepted message; can refuse recipients on demand."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply, e.g. "550 no such user"
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope: Envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class MailServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; it can be stopped and started on its port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = _Inbox()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        """The ``KIOSK_SMTP_URL`` that reaches this server."""
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        """The messages received so far."""
        with self.inbox.lock:
            return list(self.inbox.messages)

    def start(self) -> None:
        """Listen (again) on the same port."""
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """Stop listening: connections are refused until :meth:`start`."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until ``count`` messages have arrived; return them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.05)
        raise AssertionError(f"{len(self.messages)} messages arrived, expected {count}")


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """aiosmtpd listening on a free port of 127.0.0.1."""
    server = MailServer()
    server.start()
    yield server
    server.stop()


class TeamsReceiver:
    """An HTTP server on 127.0.0.1 standing in for a Power Automate Workflows trigger."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.status = 202
        self.answer = b""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.headers.append(dict(self.headers))
                receiver.posts.append(json.loads(body.decode("utf-8")))
                self.send_response(receiver.status)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, *args: object) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/workflows/abc/triggers/manual/paths/invoke?sig=x"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the server."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def teams() -> Iterator[TeamsReceiver]:
    """The stand-in Teams endpoint."""
    receiver = TeamsReceiver()
    yield receiver
    receiver.close()


def notify_settings(tmp_path, **overrides: object) -> Settings:
    """Settings as ``kiosk serve`` would read them, with these overrides."""
    base = {"DATABASE": str(tmp_path / "kiosk.db"), "MAIL_FROM": "kioski@tankkaamo.example"}
    base.update(overrides)
    return load_settings(base, instance=tmp_path / "instance")


def add_host(
    db: sqlite_utils.Database,
    clock: FixedClock,
    username: str,
    email_address: str | None,
    *,
    on_duty: bool = True,
    **choices: object,
) -> int:
    """A staff member with an address and choices, on duty until closing time by default."""
    user_id = create_staff(db, username, PASSWORD, "host", clock.now())
    if email_address:
        save_choices(db, user_id, Choices(email=email_address, **choices))
    if on_duty:
        set_on_duty(db, user_id, True, clock.now(), parse_closing_time("22:00"), helsinki())
    return user_id


def helsinki():
    """The kiosk's zone."""
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Helsinki")


def local(moment: datetime) -> datetime:
    """``moment`` in Helsinki."""
    return moment.astimezone(helsinki())
