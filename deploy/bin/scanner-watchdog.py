"""Restart the kiosk scanner when its heartbeat has stopped while its unit still runs.

Run every minute by tankkaamo-kiosk-watchdog.timer, as root (to be allowed to restart the unit),
with the venv's Python. systemd's Restart=always already covers a scanner that exits; this
covers one that hangs (a camera driver stuck in a read, a deadlock): the process is alive, but
the heartbeat it posts every 10 seconds no longer reaches the web app, so /healthz reports it
stale. The web app being down is not the scanner's fault, so then nothing is done.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

UNIT = "tankkaamo-kiosk-scanner.service"
# Longer than the web app's stale threshold (60 s) plus a restart, so a freshly started scanner
# has time to send its first heartbeat before it is judged.
GRACE_SECONDS = 150


def local_scanner_stale(report: dict[str, Any], hostname: str) -> bool | None:
    """Whether this machine's scanner is stale according to a /healthz ``report``.

    Returns None when the report says nothing about scanners (an older web app): no decision.
    The scanner names itself ``scanner@<hostname>``; other doors' scanners are ignored.
    """
    scanner = report.get("scanner")
    if not isinstance(scanner, dict):
        return None
    devices = scanner.get("devices")
    if isinstance(devices, list):
        for device in devices:
            if isinstance(device, dict) and device.get("device") == f"scanner@{hostname}":
                return bool(device.get("stale"))
    state = scanner.get("state")
    if state in {"stale", "missing"}:
        return True
    if isinstance(state, str):
        return False
    return None


def _device_token() -> str:
    # /healthz tells the scanners' state only to staff and devices; the watchdog is a device.
    token = os.environ.get("KIOSK_DEVICE_TOKEN", "")
    if not token and os.environ.get("KIOSK_INSTANCE"):
        try:
            with open(os.path.join(os.environ["KIOSK_INSTANCE"], "device_token")) as handle:
                token = handle.read().strip()
        except OSError:
            token = ""
    return token


def _fetch_health(url: str, token: str = "") -> dict[str, Any] | None:
    request = urllib.request.Request(url)  # noqa: S310 - our own URL
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our own URL
            return json.load(response)
    except urllib.error.HTTPError as exc:  # 503 still carries the JSON report
        try:
            return json.load(exc)
        except ValueError:
            return None
    except (OSError, ValueError):
        return None


def _active_seconds() -> float | None:
    result = subprocess.run(  # noqa: S603
        ["/usr/bin/systemctl", "show", UNIT, "--value", "-p", "ActiveState"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.stdout.strip() != "active":
        return None  # stopped on purpose, or failing: systemd's own restart logic is in charge
    result = subprocess.run(  # noqa: S603
        ["/usr/bin/systemctl", "show", UNIT, "--value", "-p", "ActiveEnterTimestampMonotonic"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        entered = int(result.stdout.strip()) / 1_000_000
    except ValueError:
        return None
    # systemd's monotonic timestamps and time.monotonic() are both CLOCK_MONOTONIC.
    return time.monotonic() - entered


def main() -> int:
    """Check once; restart the scanner unit when it is running but its heartbeat is stale."""
    base = os.environ.get("KIOSK_SERVER_URL", "http://127.0.0.1:8080").rstrip("/")
    report = _fetch_health(f"{base}/healthz", _device_token())
    if report is None:
        print(f"web app not answering at {base}/healthz; leaving the scanner alone")
        return 0
    stale = local_scanner_stale(report, socket.gethostname())
    if not stale:
        return 0
    active_for = _active_seconds()
    if active_for is None or active_for < GRACE_SECONDS:
        return 0
    print(
        f"scanner heartbeat stale while {UNIT} has run for {int(active_for)} s; restarting it",
        file=sys.stderr,
    )
    subprocess.run(["/usr/bin/systemctl", "restart", UNIT], check=True)  # noqa: S603
    return 0


if __name__ == "__main__":
    sys.exit(main())
