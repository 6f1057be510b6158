"""Load test on 127.0.0.1: sustained scans while 20 live connections stay open.

    .venv/bin/python bench/load.py [--seconds 30] [--clients 16] [--members 400]

Starts the real server (``kiosk serve``, waitress) on a fresh instance in a temporary folder,
opens 20 live connections (19 staff dashboards on ``/staff/stream``, logged in, and the door
screen on ``/stream/door``: the door channel reserves only 4 slots, so one door and many
dashboards is the realistic mix), then posts scans from ``--clients`` keep-alive connections
for ``--seconds``. Every scan writes (the minimum stay and repeat window are 0, so each scan
checks its member in or out): the worst case for the single writer.

Prints throughput, latency percentiles, errors and how many live events reached the streams.
Target: >= 300 scans/s with p99 <= 100 ms on 2 cores, 0 errors. The load generator runs on
the same cores as the server, so the figures are a lower bound for the server alone.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_RATE = 300
TARGET_P99_MS = 100
STAFF_STREAMS = 19
PASSWORD = "Kuormitus-testi 2026"  # noqa: S105 - a throwaway login in a temp folder


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(instance: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(
        KIOSK_INSTANCE=str(instance),
        KIOSK_DEMO_DATA="false",
        KIOSK_PRINTER="none",
        KIOSK_MIN_STAY_SECONDS="0",
        KIOSK_REPEAT_WINDOW_SECONDS="0",
        KIOSK_SCAN_FAILURE_BURST="100000",
    )
    log = open(instance.parent / "server.log", "wb")  # noqa: SIM115 - lives with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start; see " + str(instance.parent / "server.log"))


def seed(instance: Path, members: int) -> list[str]:
    from kiosk.db import connect
    from kiosk.members import NewMember, add_member
    from kiosk.staff_accounts import create_staff

    db = connect(instance / "kiosk.db", migrate=True)
    now = datetime.now(UTC)
    cards = [add_member(db, NewMember(name=f"Jäsen {n:04d}"), now)[1] for n in range(members)]
    create_staff(db, "kuorma", PASSWORD, "admin", now)
    db.close()
    return cards


def staff_cookie(base: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/staff/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "username": "kuorma", "password": PASSWORD}
    ).encode()
    opener.open(base + "/staff/login", data=data, timeout=10).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


class Stream(threading.Thread):
    """One open live connection that counts the events it receives."""

    def __init__(self, port: int, path: str, cookie: str = "") -> None:
        super().__init__(daemon=True)
        self.port, self.path, self.cookie = port, path, cookie
        self.events = 0
        self.status = 0
        self.connected = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        conn.request("GET", self.path, headers=headers)
        response = conn.getresponse()
        self.status = response.status
        self.connected.set()
        try:
            while not self.stop.is_set():
                line = response.fp.readline()
                if not line:
                    break
                if line.startswith(b"event: "):
                    self.events += 1
        except OSError:
            pass
        finally:
            conn.close()


def client(port: int, token: str, cards: list[str], offset: int, until: float, out: dict) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    latencies, errors, n = [], 0, offset
    while time.monotonic() < until:
        body = json.dumps({"code": cards[n % len(cards)], "id": f"load-{offset}-{n}"})
        n += 1
        started = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/scans", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        latencies.append(time.perf_counter() - started)
        errors += not ok
    conn.close()
    out[offset] = (latencies, errors)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--members", type=int, default=400)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kiosk-load-") as folder:
        instance = Path(folder) / "instance"
        instance.mkdir()
        cards = seed(instance, args.members)
        port = free_port()
        server = start_server(instance, port)
        try:
            base = f"http://127.0.0.1:{port}"
            token = (instance / "device_token").read_text().strip()
            cookie = staff_cookie(base)
            streams = [Stream(port, "/staff/stream", cookie) for _ in range(STAFF_STREAMS)]
            streams.append(Stream(port, "/stream/door"))
            for stream in streams:
                stream.start()
            for stream in streams:
                stream.connected.wait(10)
            open_streams = sum(1 for s in streams if s.status == 200)

            results: dict[int, tuple[list[float], int]] = {}
            until = time.monotonic() + args.seconds
            started = time.monotonic()
            threads = [
                threading.Thread(
                    target=client, args=(port, token, cards, i * 1_000_000, until, results)
                )
                for i in range(args.clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            time.sleep(0.5)
            for stream in streams:
                stream.stop.set()
        finally:
            server.terminate()
            server.wait(10)
        from kiosk.db import connect

        db = connect(instance / "kiosk.db")
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        visits = db.execute("SELECT count(*) FROM visits").fetchone()[0]
        db.close()

    latencies = [x for lat, _ in results.values() for x in lat]
    errors = sum(err for _, err in results.values())
    rate = len(latencies) / elapsed
    p50, p95, p99 = (percentile(latencies, q) * 1000 for q in (50, 95, 99))
    events = [s.events for s in streams]
    print(
        f"load: {args.clients} clients for {elapsed:.1f} s, {args.members} members, cores: "
        f"{os.cpu_count()}"
    )
    print(
        f"live connections open: {open_streams}/{len(streams)} "
        f"({STAFF_STREAMS} /staff/stream + 1 /stream/door); events received: "
        f"staff {sum(events[:-1])}, door {events[-1]}"
    )
    print(f"scans: {len(latencies)} in {elapsed:.1f} s = {rate:.0f} scans/s; errors: {errors}")
    print(
        f"latency ms: p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  "
        f"max {max(latencies) * 1000:.1f}  mean {statistics.fmean(latencies) * 1000:.1f}"
    )
    print(f"database after: integrity {integrity}, {visits} visits")
    met = rate >= TARGET_RATE and p99 <= TARGET_P99_MS and errors == 0
    print(
        f"target: >= {TARGET_RATE} scans/s with p99 <= {TARGET_P99_MS} ms, 0 errors: "
        f"{'MET' if met else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
