"""Door tap → message accepted by the SMTP server, and the notification queue's idle polling.

Run: .venv/bin/python bench/notify.py [--alerts 50] [--idle-seconds 30]

Part 1 starts ``kiosk serve`` on 127.0.0.1 with a temporary instance and aiosmtpd as its
mail server, puts one host on duty with an address, then for each alert: a member's card is
typed into the door (the keyboard-wedge form), and the clock starts when the door's "Send to
the host" form with "I'd like a chat" is posted; it stops when aiosmtpd has accepted that
member's message. Alerts go one after another. Prints p50/p95/max.

Part 2 runs the real NotifyWorker on an idle database for a while and counts its passes
and the SQL statements it sends (sqlite3's trace callback): the idle polling rate.
Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import start_kiosk  # noqa: E402

PASSWORD = "penkki-testi-salasana-1"  # noqa: S105 - a throwaway login on a temporary database
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    """A TCP port that is free right now on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler: when each subject arrived (monotonic seconds)."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.event = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy

        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.event:
            self.arrived[str(message["Subject"])] = time.monotonic()
            self.event.notify_all()
        return "250 OK"

    def wait(self, subject: str, timeout: float = 30.0) -> float | None:
        """The arrival time of ``subject``, waiting up to ``timeout``."""
        with self.event:
            self.event.wait_for(lambda: subject in self.arrived, timeout)
            return self.arrived.get(subject)


def prepare(instance: Path, count: int) -> list[tuple[str, str]]:
    """Members (first name, card token) and one host on duty with an address."""
    from kiosk.db import connect
    from kiosk.members import NewMember, add_member
    from kiosk.notify.staff_choices import Choices, save_choices
    from kiosk.staff_accounts import create_staff
    from kiosk.timeutil import to_db

    instance.mkdir(parents=True, exist_ok=True)
    db = connect(instance / "kiosk.db", migrate=True)
    now = datetime.now(UTC)
    names = [f"Penkki{n:02d}" for n in range(count)]
    people = [(name, add_member(db, NewMember(name=f"{name} Mittari"), now)[1]) for name in names]
    user_id = create_staff(db, "paivystaja", PASSWORD, "host", now)
    save_choices(db, user_id, Choices(email="paivystaja@tankkaamo.example"))
    db["staff_users"].update(user_id, {"on_duty_until": to_db(now + timedelta(hours=3))})
    db.close()
    return people


def start_server(instance: Path, port: int, smtp_port: int) -> subprocess.Popen:
    """Start ``kiosk serve`` sending mail to the local SMTP server on ``smtp_port``."""
    return start_kiosk(
        instance,
        port,
        KIOSK_CAMERA="none",
        KIOSK_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        KIOSK_MAIL_FROM="kioski@tankkaamo.example",
        KIOSK_MIN_STAY_SECONDS="0",
    )


def door_tap(base: str, token: str) -> float:
    """Scan in through the door form, then post "I'd like a chat"; return when it was posted."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    welcome = opener.open(base + "/").read().decode()
    csrf = CSRF.search(welcome).group(1)
    data = urllib.parse.urlencode({"code": token, "csrf_token": csrf}).encode()
    greeting = opener.open(base + "/scan", data=data)
    help_url = greeting.geturl().rstrip("/") + "/help"
    form = opener.open(help_url).read().decode()
    csrf = CSRF.search(form).group(1)
    data = urllib.parse.urlencode({"chat": "1", "csrf_token": csrf}).encode()
    started = time.monotonic()
    thanks = opener.open(help_url, data=data).read().decode()
    if "tulee pian" not in thanks:
        print("  warning: the door did not promise a visit", file=sys.stderr)
    return started


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def bench_latency(count: int) -> None:
    """Part 1: door tap to message accepted by the SMTP server."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    smtp_port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    with tempfile.TemporaryDirectory(prefix="tankkaamo-notify-") as folder:
        instance = Path(folder) / "instance"
        people = prepare(instance, count)
        port = free_port()
        server = start_server(instance, port, smtp_port)
        base = f"http://127.0.0.1:{port}"
        latencies = []
        lost = 0
        try:
            for name, token in people:
                started = door_tap(base, token)
                arrived = inbox.wait(f"{name} haluaisi jutella")
                if arrived is None:
                    lost += 1
                    continue
                latencies.append(arrived - started)
        finally:
            server.terminate()
            server.wait(timeout=10)
            controller.stop()
    ms = [value * 1000 for value in latencies]
    print(f"door tap -> SMTP accepted, {len(ms)} alerts one after another ({lost} not arrived):")
    print(
        f"  p50 {statistics.median(ms):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, "
        f"max {max(ms):.0f} ms, min {min(ms):.0f} ms (target p95 <= 2000 ms)"
    )


def bench_idle(seconds: float) -> None:
    """Part 2: how often the idle worker asks the database."""
    from kiosk.db import connect
    from kiosk.notify.worker import NotifyWorker
    from kiosk.settings import load_settings

    statements = 0

    def count(_sql: str) -> None:
        nonlocal statements
        statements += 1

    with tempfile.TemporaryDirectory(prefix="tankkaamo-idle-") as folder:
        path = Path(folder) / "kiosk.db"
        connect(path, migrate=True).close()
        settings = load_settings(
            {
                "DATABASE": str(path),
                "SMTP_URL": "smtp://127.0.0.1:9",
                "MAIL_FROM": "kioski@tankkaamo.example",
            },
            instance=Path(folder) / "instance",
        )

        def traced():
            db = connect(path)
            db.conn.set_trace_callback(count)
            return db

        worker = NotifyWorker(traced, settings)
        worker.start()
        time.sleep(seconds)
        worker.stop()
    print(
        f"idle queue over {seconds:.0f} s: {worker.polls / seconds:.2f} polls/s, "
        f"{statements / seconds:.1f} SQL statements/s ({statements} in all, "
        f"reminder and digest checks every {worker.housekeeping_seconds:.0f} s included)"
    )


def main() -> None:
    """Run both parts and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=50)
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    args = parser.parse_args()
    bench_latency(args.alerts)
    bench_idle(args.idle_seconds)


if __name__ == "__main__":
    main()
