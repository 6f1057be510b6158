"""Ten open dashboards, the door screen and a burst of scans against the real server.

Run: .venv/bin/python bench/dashboard_load.py [--scans 200] [--dashboards 10] [--workers 16]

It starts ``kiosk serve`` on 127.0.0.1 with a temporary instance, logs ten staff sessions in
through the login form, opens their live streams (/staff/stream) and the door stream, fires
the scans through POST /api/v1/scans, and prints throughput, latency percentiles, and how
many presence events each dashboard received. Figures only; tests/staff/test_load.py checks
the outcome.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import start_kiosk  # noqa: E402

PASSWORD = "raskas-testi-salasana-1"  # noqa: S105 - a throwaway login on a temporary database


def free_port() -> int:
    """A TCP port that is free right now on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(instance: Path, members: int) -> list[str]:
    """Migrate a database in ``instance``, add members and a staff login; return card tokens."""

    from kiosk.db import connect
    from kiosk.members import NewMember, add_member
    from kiosk.staff_accounts import create_staff

    db = connect(instance / "kiosk.db", migrate=True)
    now = datetime.now(UTC)
    tokens = [add_member(db, NewMember(name=f"Load Member{n}"), now)[1] for n in range(members)]
    create_staff(db, "kuorma", PASSWORD, "host", now)
    db.close()
    return tokens


def start_server(instance: Path, port: int) -> subprocess.Popen:
    """Start ``kiosk serve`` with no camera and wait until it answers /healthz."""
    return start_kiosk(instance, port, KIOSK_CAMERA="none")


def login_cookie(port: int) -> str:
    """Log in through the form; return the session cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    with opener.open(f"{base}/staff/login", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "username": "kuorma", "password": PASSWORD})
    with opener.open(f"{base}/staff/login", body.encode(), timeout=20) as response:
        response.read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


class StreamReader(threading.Thread):
    """Reads one server-sent-event stream and collects the events it receives."""

    def __init__(self, port: int, path: str, cookie: str = "") -> None:
        super().__init__(daemon=True)
        self.port, self.path, self.cookie = port, path, cookie
        self.status = 0
        self.events: list[tuple[str, dict]] = []
        self.ready = threading.Event()
        self._stop = threading.Event()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Accept": "text/event-stream"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        conn.request("GET", self.path, headers=headers)
        response = conn.getresponse()
        self.status = response.status
        event = ""
        try:
            while not self._stop.is_set():
                line = response.fp.readline()
                if not line:
                    break
                text = line.decode().rstrip("\n")
                if text.startswith(": connected"):
                    self.ready.set()
                elif text.startswith("event: "):
                    event = text[7:]
                elif text.startswith("data: "):
                    self.events.append((event, json.loads(text[6:])))
        except OSError:
            pass
        finally:
            self.ready.set()
            conn.close()

    def stop(self) -> None:
        """Ask the reader to stop after its next line."""
        self._stop.set()


def scan(port: int, device_token: str, code: str) -> tuple[int, float, dict]:
    """POST one scan; return (status, seconds, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    conn.request(
        "POST",
        "/api/v1/scans",
        body=json.dumps({"code": code}),
        headers={"Authorization": f"Bearer {device_token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, elapsed, json.loads(body or b"{}")


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def run(scans: int = 200, dashboards: int = 10, workers: int = 16) -> dict:
    """Run the whole scenario; return the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        tokens = prepare(instance, scans)
        port = free_port()
        server = start_server(instance, port)
        readers: list[StreamReader] = []
        try:
            device_token = (instance / "device_token").read_text().strip()
            cookies = [login_cookie(port) for _ in range(dashboards)]
            readers = [StreamReader(port, "/staff/stream", c) for c in cookies]
            readers.append(StreamReader(port, "/stream/door"))  # loopback: a door device
            for reader in readers:
                reader.start()
            for reader in readers:
                reader.ready.wait(15)
            started = time.perf_counter()
            with ThreadPoolExecutor(workers) as pool:
                results = list(pool.map(lambda t: scan(port, device_token, t), tokens))
            wall = time.perf_counter() - started
            # Let the streams drain what was published.
            deadline = time.monotonic() + 15
            staff_readers = readers[:dashboards]
            while time.monotonic() < deadline and any(
                sum(1 for e, _ in r.events if e == "presence") < scans for r in staff_readers
            ):
                time.sleep(0.1)
            health = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            health.request("GET", "/healthz")
            health_status = health.getresponse().status
            health.close()
            for reader in readers:
                reader.stop()
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(10)
            for reader in readers:
                reader.join(10)
        latencies = [elapsed for _status, elapsed, _body in results]
        return {
            "scans": scans,
            "dashboards": dashboards,
            "workers": workers,
            "statuses": sorted({status for status, _e, _b in results}),
            "results": sorted({body.get("result", "?") for _s, _e, body in results}),
            "visit_ids": {body.get("visit_id") for _s, _e, body in results},
            "wall_seconds": wall,
            "scans_per_second": scans / wall,
            "p50_ms": percentile(latencies, 0.50) * 1000,
            "p95_ms": percentile(latencies, 0.95) * 1000,
            "max_ms": max(latencies) * 1000,
            "stream_statuses": [r.status for r in readers],
            "presence_per_dashboard": [
                sum(1 for e, _ in r.events if e == "presence") for r in staff_readers
            ],
            "presence_visit_ids": [
                {d.get("visit_id") for e, d in r.events if e == "presence"} for r in staff_readers
            ],
            "door_events": sum(1 for e, _ in readers[-1].events if e == "scan"),
            "health_status": health_status,
        }


def report(figures: dict) -> str:
    """The figures as a few readable lines."""
    return (
        f"{figures['scans']} scans, {figures['workers']} concurrent clients, "
        f"{figures['dashboards']} staff streams + 1 door stream open\n"
        f"throughput {figures['scans_per_second']:.0f} scans/s "
        f"(wall {figures['wall_seconds']:.2f} s)\n"
        f"latency p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
        f"max {figures['max_ms']:.1f} ms\n"
        f"HTTP statuses {figures['statuses']}, results {figures['results']}\n"
        f"presence events per dashboard {figures['presence_per_dashboard']}, "
        f"door events {figures['door_events']}, /healthz {figures['health_status']}"
    )


def main() -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=200)
    parser.add_argument("--dashboards", type=int, default=10)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    print(report(run(args.scans, args.dashboards, args.workers)))


if __name__ == "__main__":
    main()
