"""Load test on 127.0.0.1: a door's real load against targets, and the saturation capacity.

    .venv/bin/python bench/load.py [--only paced|saturation] [--seconds 30] [--rate 20]

Both parts start the real server (``kiosk serve``, waitress) on a fresh instance in a
temporary folder. Every scan writes (the minimum stay and repeat window are 0, so each scan
checks its member in or out): the worst case for the single writer.

Paced (the target): ``--rate`` scans a second (20: a busy event's arrival, far above a normal
day) spread over 10 doors, each posting from its own loopback address with its own door screen
streaming (paired with the device token, as a real door is), while 24 logged-in dashboards
stream too; ``KIOSK_THREADS`` is 50, 32 plus 2 for each door beyond the first, as the README
says. Each scan is sent at its scheduled time and its latency counts from that time, so a slow
answer also delays what queues behind it. Target: p99 <= 50 ms and 0 errors.

Saturation (capacity, not a target): ``--clients`` keep-alive connections post as fast as
they can for ``--seconds`` while 20 live connections stay open (19 staff dashboards on
``/staff/stream`` and the door screen on ``/stream/door``). The load generator runs on the
same cores as the server, so the figures are a lower bound for the server alone.
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

from bench.server import start_kiosk  # noqa: E402

STAFF_STREAMS = 19
PACED_TARGET_P99_MS = 50
PACED_DOORS = 10
PACED_DASHBOARDS = 24
PASSWORD = "Kuormitus-testi 2026"  # noqa: S105 - a throwaway login in a temp folder


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(instance: Path, port: int, **extra: str) -> subprocess.Popen[bytes]:
    """``kiosk serve`` that lets every scan through: no minimum stay, no repeat window."""
    return start_kiosk(
        instance,
        port,
        log=instance.parent / "server.log",
        KIOSK_MIN_STAY_SECONDS="0",
        KIOSK_REPEAT_WINDOW_SECONDS="0",
        KIOSK_SCAN_FAILURE_BURST="100000",
        **extra,
    )


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

    def __init__(self, port: int, path: str, cookie: str = "", address: str = "") -> None:
        super().__init__(daemon=True)
        self.port, self.path, self.cookie, self.address = port, path, cookie, address
        self.events = 0
        self.status = 0
        self.connected = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        source = (self.address, 0) if self.address else None
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=source)
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


def load_average() -> str:
    """Load averages, printed beside figures from shared cores."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def door_cookie(port: int, address: str, token: str) -> str:
    """Pair the door at ``address`` with the device token, as its screen does once."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(address, 0))
    conn.request("GET", "/pair?" + urllib.parse.urlencode({"token": token}))
    response = conn.getresponse()
    response.read()
    conn.close()
    cookies = response.headers.get_all("Set-Cookie") or []
    return "; ".join(cookie.split(";", 1)[0] for cookie in cookies)


def door_sender(
    port: int,
    address: str,
    token: str,
    scans: list[tuple[float, str]],
    out: dict[str, tuple[list[float], int]],
) -> None:
    """Post each scan at its scheduled monotonic time from this door's address."""

    def connect() -> http.client.HTTPConnection:
        return http.client.HTTPConnection(
            "127.0.0.1", port, timeout=10, source_address=(address, 0)
        )

    conn = connect()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    latencies, errors = [], 0
    for number, (due, card) in enumerate(scans):
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        body = json.dumps({"code": card, "id": f"paced-{address}-{number}"})
        try:
            conn.request("POST", "/api/v1/scans", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = connect()
        latencies.append(time.monotonic() - due)  # from the scheduled time: queueing counts
        errors += not ok
    conn.close()
    out[address] = (latencies, errors)


def paced(args: argparse.Namespace) -> None:
    """A door's real load: ``--rate`` scans/s over 10 doors, 24 dashboards and 10 doors live."""
    threads = 32 + 2 * (PACED_DOORS - 1)
    with tempfile.TemporaryDirectory(prefix="kiosk-paced-") as folder:
        instance = Path(folder) / "instance"
        instance.mkdir()
        cards = seed(instance, args.members)
        port = free_port()
        # Ten doors, each with its screen streaming: a place with ten doors raises the door
        # streams' cap (6, the kiosk's own two included) to match, as docs/configuration.md says.
        server = start_server(
            instance,
            port,
            KIOSK_THREADS=str(threads),
            KIOSK_MAX_DOOR_STREAMS=str(PACED_DOORS + 2),
        )
        try:
            base = f"http://127.0.0.1:{port}"
            token = (instance / "device_token").read_text().strip()
            cookie = staff_cookie(base)
            doors = [f"127.0.0.{n + 2}" for n in range(PACED_DOORS)]
            streams = [Stream(port, "/staff/stream", cookie) for _ in range(PACED_DASHBOARDS)]
            streams += [
                Stream(port, "/stream/door", door_cookie(port, door, token), door) for door in doors
            ]
            for stream in streams:
                stream.start()
            for stream in streams:
                stream.connected.wait(10)
            open_streams = sum(1 for s in streams if s.status == 200)
            total = int(args.rate * args.seconds)
            start = time.monotonic() + 0.5
            plans: dict[str, list[tuple[float, str]]] = {door: [] for door in doors}
            for n in range(total):
                plans[doors[n % len(doors)]].append((start + n / args.rate, cards[n % len(cards)]))
            results: dict[str, tuple[list[float], int]] = {}
            senders = [
                threading.Thread(target=door_sender, args=(port, d, token, plans[d], results))
                for d in doors
            ]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()
            time.sleep(0.5)
            for stream in streams:
                stream.stop.set()
        finally:
            server.terminate()
            server.wait(10)
    latencies = sorted(x * 1000 for lat, _ in results.values() for x in lat)
    errors = sum(err for _, err in results.values())
    p50, p95, p99 = (percentile([x / 1000 for x in latencies], q) * 1000 for q in (50, 95, 99))
    staff_events = sum(s.events for s in streams[:PACED_DASHBOARDS])
    door_events = sum(s.events for s in streams[PACED_DASHBOARDS:])
    print(
        f"paced: {args.rate:g} scans/s for {args.seconds:.0f} s over {PACED_DOORS} doors "
        f"(each from its own address), KIOSK_THREADS={threads} ({load_average()})"
    )
    print(
        f"  live connections open: {open_streams}/{len(streams)} ({PACED_DASHBOARDS} "
        f"/staff/stream + {PACED_DOORS} /stream/door); events received: staff {staff_events}, "
        f"doors {door_events}"
    )
    print(
        f"  scans: {len(latencies)}, errors: {errors}; latency from the scheduled time, ms: "
        f"p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  max {latencies[-1]:.1f}"
    )
    met = p99 <= PACED_TARGET_P99_MS and errors == 0 and open_streams == len(streams)
    print(
        f"  target: p99 <= {PACED_TARGET_P99_MS} ms, 0 errors, every stream open: "
        f"{'MET' if met else 'MISSED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("paced", "saturation"), default=None)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=20.0, help="paced scans a second")
    parser.add_argument("--clients", type=int, default=16, help="saturation's clients")
    parser.add_argument("--members", type=int, default=400)
    args = parser.parse_args()
    if args.only != "saturation":
        paced(args)
    if args.only != "paced":
        saturation(args)


def saturation(args: argparse.Namespace) -> None:
    """As many scans as 16 clients can post: the capacity, printed without a target."""
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
        f"saturation (capacity, not a target): {args.clients} clients for {elapsed:.1f} s, "
        f"{args.members} members ({load_average()})"
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


if __name__ == "__main__":
    main()
